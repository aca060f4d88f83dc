import { describe, expect, it } from 'vitest';
import { commitment } from '../../src/vault/index.js';
import { memoryWorld } from '../twins/world.js';

const AN = '001099012345';
const fields = { province: 'Huế', streetAddress: '1 Lê Lợi' };

describe('VaultService on its ports (in-memory twins)', () => {
  it("seals each field, anchors the version's salted commitment, and gives the citizen back their record, checkable against the ledger", async () => {
    const world = await memoryWorld();
    const custodian = await world.party('Công an tỉnh', ['custodian']);
    const deposited = await world.vault.deposit(custodian, { nationalId: AN, category: 'residence', fields });
    const [stored] = await world.vaultStore.latestVersions(deposited.subjectId);
    expect(JSON.stringify(stored!.fields)).not.toContain('Huế'); // the store only ever holds ciphertext
    expect(world.ledger.commitments.get(`${deposited.id}/1`)?.commitment).toBe(deposited.commitment);
    const [mine] = await world.vault.recordsOf(AN);
    expect(mine).toMatchObject({
      id: deposited.id,
      category: 'residence',
      version: 1,
      custodian: { id: custodian.id, name: 'Công an tỉnh' },
      fields,
      commitment: deposited.commitment,
    });
    const recomputed = commitment(Buffer.from(mine!.salt, 'base64'), {
      recordId: deposited.id,
      version: 1,
      subjectId: deposited.subjectId,
      category: 'residence',
      fields,
    });
    expect(recomputed).toBe(deposited.commitment);
  });

  it('appends the deposit to the log once, tied to its ledger transaction, and tells the statistics projection', async () => {
    const world = await memoryWorld();
    const custodian = await world.party('Công an tỉnh', ['custodian']);
    const deposited = await world.vault.deposit(custodian, { nationalId: AN, category: 'residence', fields });
    const [leaf] = world.access.entries;
    expect(leaf!.kind).toBe('record_deposit');
    expect(JSON.parse(leaf!.entry)).toMatchObject({ recordId: deposited.id, subjectId: deposited.subjectId, commitment: deposited.commitment });
    expect(leaf!.entry).not.toContain('Huế');
    expect(world.deposited).toEqual([{ subjectId: deposited.subjectId, category: 'residence', fields }]);
    // The repair sweep finishing it again adds no second leaf.
    await world.vault.repairDeposit(deposited.id, world.ledger.commitments.get(`${deposited.id}/1`)!.txId, '2026-06-01T08:00:00.000Z');
    expect(world.access.entries).toHaveLength(1);
  });

  it('refuses a deposit from an organisation that is not a custodian, and fields its category does not have', async () => {
    const world = await memoryWorld();
    const bank = await world.party('Ngân hàng A', ['consumer']);
    const custodian = await world.party('Công an tỉnh', ['custodian']);
    await expect(world.vault.deposit(bank, { nationalId: AN, category: 'residence', fields })).rejects.toMatchObject({ code: 'forbidden' });
    await expect(world.vault.deposit(custodian, { nationalId: AN, category: 'residence', fields: { shoeSize: 42 } })).rejects.toMatchObject({
      code: 'invalid_request',
      extra: { errors: [{ path: '/fields/shoeSize' }] },
    });
    expect(world.ledger.submitted).toEqual([]);
  });

  it('drops a record whose commitment the ledger refused, and never shows one whose commitment is unknown', async () => {
    const world = await memoryWorld();
    const custodian = await world.party('Công an tỉnh', ['custodian']);
    world.ledger.failNextSubmit({ kind: 'refuse', code: 'forbidden' });
    await expect(world.vault.deposit(custodian, { nationalId: AN, category: 'residence', fields }, { ref: 'k-1' })).rejects.toMatchObject({
      code: 'forbidden',
    });
    expect(await world.vaultStore.recordByRequestRef(custodian.id, 'k-1')).toBeUndefined();
    world.ledger.failNextSubmit({ kind: 'unavailable' });
    await expect(world.vault.deposit(custodian, { nationalId: AN, category: 'residence', fields }, { ref: 'k-2' })).rejects.toMatchObject({
      code: 'ledger_unavailable',
    });
    expect(await world.vaultStore.recordByRequestRef(custodian.id, 'k-2')).toMatchObject({ confirmed: false });
    expect(await world.vault.recordsOf(AN)).toEqual([]);
  });

  it('answers a retried deposit with the record its first attempt made — finishing it if the ledger committed — never a second copy', async () => {
    const world = await memoryWorld();
    const custodian = await world.party('Công an tỉnh', ['custodian']);
    world.ledger.failNextSubmit({ kind: 'lost-answer' });
    await expect(world.vault.deposit(custodian, { nationalId: AN, category: 'residence', fields }, { ref: 'k-3' })).rejects.toMatchObject({
      code: 'ledger_unavailable',
    });
    const retried = await world.vault.deposit(custodian, { nationalId: AN, category: 'residence', fields }, { ref: 'k-3', retry: true });
    expect(world.ledger.commitments.size).toBe(1);
    expect((await world.vault.recordsOf(AN)).map((r) => r.id)).toEqual([retried.id]);
  });

  it('starts a retried deposit afresh when its first attempt never reached the ledger', async () => {
    const world = await memoryWorld();
    const custodian = await world.party('Công an tỉnh', ['custodian']);
    world.ledger.failNextSubmit({ kind: 'unavailable' });
    await world.vault.deposit(custodian, { nationalId: AN, category: 'residence', fields }, { ref: 'k-4' }).catch(() => {});
    const first = (await world.vaultStore.recordByRequestRef(custodian.id, 'k-4'))!;
    const retried = await world.vault.deposit(custodian, { nationalId: AN, category: 'residence', fields }, { ref: 'k-4', retry: true });
    expect(retried.id).not.toBe(first.id);
    expect(await world.vaultStore.recordForRepair(first.id)).toBeUndefined();
    expect((await world.vault.recordsOf(AN)).map((r) => r.id)).toEqual([retried.id]);
  });

  it('gives another capability only the fields it asks for, with where each came from, and one subject id per citizen', async () => {
    const world = await memoryWorld();
    const custodian = await world.party('Công an tỉnh', ['custodian']);
    const residence = await world.vault.deposit(custodian, { nationalId: AN, category: 'residence', fields });
    expect(await world.vault.subjectId(AN, false)).toBe(residence.subjectId);
    expect(await world.vault.subjectId('079188004321', false)).toBeUndefined();
    const created = await world.vault.subjectId('079188004321', true);
    expect(await world.vault.subjectId('079188004321', true)).toBe(created);
    const read = await world.vault.fieldsOf(residence.subjectId, ['residence.streetAddress', 'health_insurance.status']);
    expect(read).toEqual({
      fields: { 'residence.streetAddress': '1 Lê Lợi' },
      provenance: [{ recordId: residence.id, version: 1, category: 'residence', commitment: residence.commitment }],
    });
  });

  it('reads nothing of a citizen whose data key was erased', async () => {
    const world = await memoryWorld();
    const custodian = await world.party('Công an tỉnh', ['custodian']);
    const { subjectId } = await world.vault.deposit(custodian, { nationalId: AN, category: 'residence', fields });
    world.vaultStore.eraseKey(subjectId);
    await expect(world.vault.recordsOf(AN)).rejects.toMatchObject({ code: 'not_found' });
    await expect(world.vault.fieldsOf(subjectId, ['residence.province'])).rejects.toMatchObject({ code: 'not_found' });
  });
});
