import { describe, expect, it } from 'vitest';
import { decryptFields } from '../../../src/consent/read/decrypt-fields.js';
import { memoryWorld } from '../../twins/world.js';
import { loadedConsent } from '../consent-rows.js';

describe('read step 4: decrypt', () => {
  it("opens only the fields asked for, of the consent's own citizen, with the record version each came from", async () => {
    const world = await memoryWorld();
    const custodian = await world.party('Công an tỉnh', ['custodian']);
    const record = await world.vault.deposit(custodian, {
      nationalId: '001099000001',
      category: 'residence',
      fields: { province: 'Huế', streetAddress: '1 Lê Lợi' },
    });
    await world.vault.deposit(custodian, { nationalId: '001099000002', category: 'residence', fields: { province: 'Cần Thơ' } });
    const consent = loadedConsent({ subject_id: record.subjectId });
    const opened = await decryptFields(world.vault, consent, ['residence.province']);
    expect(opened).toEqual({
      fields: { 'residence.province': 'Huế' },
      provenance: [{ recordId: record.id, version: 1, category: 'residence', commitment: record.commitment }],
    });
  });
});
