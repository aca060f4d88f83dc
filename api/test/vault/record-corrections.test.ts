import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { memoryWorld } from '../twins/world.js';

const AN = '001099012345';

async function deposited() {
  const world = await memoryWorld();
  const custodian = await world.party('Công an tỉnh', ['custodian']);
  const record = await world.vault.deposit(custodian, { nationalId: AN, category: 'residence', fields: { province: 'Huế', streetAddress: '1 Lê Lợi' } });
  return { world, custodian, record };
}
const servedOf = async (world: Awaited<ReturnType<typeof memoryWorld>>) => (await world.vault.recordsOf(AN))[0]!;

describe('RecordCorrections: a correction is a new version, the old one kept as superseded', () => {
  it('serves the new version with the unchanged fields carried over, anchors it as version 2, logs it and keeps version 1 marked superseded', async () => {
    const { world, custodian, record } = await deposited();
    const ref = randomUUID();
    const corrected = await world.corrections.correct(custodian.id, record.id, 1, { province: 'Đà Nẵng' }, ref);
    expect(corrected).toMatchObject({ recordId: record.id, version: 2, previousVersion: 1 });
    expect(await servedOf(world)).toMatchObject({ version: 2, fields: { province: 'Đà Nẵng', streetAddress: '1 Lê Lợi' }, commitment: corrected.commitment });
    expect(world.ledger.commitments.get(`${record.id}/2`)?.commitment).toBe(corrected.commitment);
    expect(world.access.entries.filter((e) => e.kind === 'record_deposit').map((e) => JSON.parse(e.entry).version)).toEqual([1, 2]);
    expect(world.deposited.at(-1)!.fields).toEqual({ province: 'Đà Nẵng', streetAddress: '1 Lê Lợi' });
    const versions = await world.corrections.versionsOf(custodian.id, record.id);
    expect(versions.map((v) => [v.version, v.fields.province, v.current, v.supersededBy])).toEqual([
      [1, 'Huế', false, 2],
      [2, 'Đà Nẵng', true, null],
    ]);
    // The store holds only ciphertext.
    expect(JSON.stringify((await world.vaultStore.recordHistory(record.id))!.versions)).not.toContain('Đà Nẵng');
    // A retry with the same task answers the same version; no third one.
    expect(await world.corrections.correct(custodian.id, record.id, 1, { province: 'Đà Nẵng' }, ref)).toEqual(corrected);
    expect((await world.vaultStore.recordHistory(record.id))!.versions).toHaveLength(2);
  });

  it('finishes a correction whose commitment committed but whose answer was lost, on retry', async () => {
    const { world, custodian, record } = await deposited();
    const ref = randomUUID();
    world.ledger.failNextSubmit({ kind: 'lost-answer' });
    await expect(world.corrections.correct(custodian.id, record.id, 1, { province: 'Đà Nẵng' }, ref)).rejects.toMatchObject({ code: 'ledger_unavailable' });
    expect((await servedOf(world)).version).toBe(1); // written, not served
    const retried = await world.corrections.correct(custodian.id, record.id, 1, { province: 'Đà Nẵng' }, ref);
    expect(retried.version).toBe(2);
    expect(retried.commitment).toBe(world.ledger.commitments.get(`${record.id}/2`)!.commitment);
    expect(await servedOf(world)).toMatchObject({ version: 2, fields: { province: 'Đà Nẵng' } });
  });

  it('starts again a correction the ledger never committed, and drops one it refused', async () => {
    const { world, custodian, record } = await deposited();
    const ref = randomUUID();
    world.ledger.failNextSubmit({ kind: 'unavailable' });
    await expect(world.corrections.correct(custodian.id, record.id, 1, { province: 'Đà Nẵng' }, ref)).rejects.toMatchObject({ code: 'ledger_unavailable' });
    expect((await world.vaultStore.recordHistory(record.id))!.versions.map((v) => v.confirmed)).toEqual([true, false]);
    const redone = await world.corrections.correct(custodian.id, record.id, 1, { province: 'Đà Nẵng' }, ref);
    expect(redone.commitment).toBe(world.ledger.commitments.get(`${record.id}/2`)!.commitment);
    expect((await servedOf(world)).fields.province).toBe('Đà Nẵng');

    world.ledger.failNextSubmit({ kind: 'refuse', code: 'invalid_argument' });
    await expect(world.corrections.correct(custodian.id, record.id, 2, { province: 'Huế' }, randomUUID())).rejects.toMatchObject({ code: 'invalid_argument' });
    expect((await world.vaultStore.recordHistory(record.id))!.versions.map((v) => [v.version, v.confirmed])).toEqual([
      [1, true],
      [2, true],
    ]);
  });

  it("refuses another custodian's record as not found, a correction against a version that moved on, and a value of the wrong type", async () => {
    const { world, custodian, record } = await deposited();
    const other = await world.party('Sở khác', ['custodian']);
    await expect(world.corrections.correct(other.id, record.id, 1, { province: 'X' }, randomUUID())).rejects.toMatchObject({ code: 'not_found' });
    await expect(world.corrections.versionsOf(other.id, record.id)).rejects.toMatchObject({ code: 'not_found' });
    await expect(world.corrections.correct(custodian.id, record.id, 1, { since: 'yesterday' }, randomUUID())).rejects.toMatchObject({
      code: 'invalid_request',
    });
    await world.corrections.correct(custodian.id, record.id, 1, { province: 'Đà Nẵng' }, randomUUID());
    await expect(world.corrections.correct(custodian.id, record.id, 1, { province: 'Huế' }, randomUUID())).rejects.toMatchObject({ code: 'conflict' });
  });

  it('seals proposed values to their subject, request and field', async () => {
    const { world, record } = await deposited();
    const requestId = randomUUID();
    const sealed = await world.corrections.sealProposal(record.subjectId, requestId, 'residence.province', 'Đà Nẵng');
    expect(sealed.includes(Buffer.from('Đà Nẵng'))).toBe(false);
    expect(await world.corrections.openProposals(record.subjectId, requestId, [{ field: 'residence.province', sealed }])).toEqual({
      'residence.province': 'Đà Nẵng',
    });
    await expect(world.corrections.openProposals(record.subjectId, randomUUID(), [{ field: 'residence.province', sealed }])).rejects.toThrow();
    await expect(world.corrections.openProposals(record.subjectId, requestId, [{ field: 'residence.ward', sealed }])).rejects.toThrow();
  });
});
