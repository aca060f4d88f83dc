import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { NewRecord } from '../../src/vault/index.js';
import type { FixtureFactory } from './fixture.js';

function record(subjectId: string, custodianOrgId: string, over: Partial<NewRecord> = {}): NewRecord {
  return {
    id: randomUUID(),
    subjectId,
    category: 'residence',
    custodianOrgId,
    fields: { province: 'c2VhbGVk' },
    sealedSalt: randomBytes(48),
    commitment: randomBytes(32).toString('hex'),
    ...over,
  };
}

/** What every VaultStore must do, Postgres or in memory. */
export function vaultStoreContract(name: string, fixture: FixtureFactory): void {
  describe(`VaultStore contract: ${name}`, () => {
    it('keeps one subject per blind index: a second insert answers the first', async () => {
      const f = fixture();
      const index = randomBytes(32);
      const first = await f.vault.insertSubject(randomUUID(), index, Buffer.from('key-1'));
      const again = await f.vault.insertSubject(randomUUID(), index, Buffer.from('key-2'));
      expect(again).toEqual(first);
      expect(first).toEqual({ id: first.id, wrapped_key: Buffer.from('key-1'), kek_version: 1 });
      expect(await f.vault.subjectByIndex(index)).toEqual(first);
      expect(await f.vault.subjectByIndex(randomBytes(32))).toBeUndefined();
    });

    it('hides a record until it is confirmed, then shows its latest version with its custodian', async () => {
      const f = fixture();
      const custodian = await f.organization('Bệnh viện B');
      const subject = await f.subject();
      const r = record(subject, custodian);
      await f.vault.insertRecord(r);
      expect(await f.vault.latestVersions(subject)).toEqual([]);
      expect((await f.vault.subjectWithLatestVersions(subject)).versions).toEqual([]);
      expect(await f.vault.recordForRepair(r.id)).toMatchObject({ record_id: r.id, confirmed: false, version: 1, commitment: r.commitment });
      await f.vault.confirmRecord(r.id);
      const [shown] = await f.vault.latestVersions(subject);
      expect(shown).toMatchObject({
        record_id: r.id,
        subject_id: subject,
        category: 'residence',
        custodian_org_id: custodian,
        custodian_name: 'Bệnh viện B',
        version: 1,
        fields: r.fields,
        commitment: r.commitment,
      });
      expect(shown!.sealed_salt).toEqual(r.sealedSalt);
      expect(shown!.created_at).toBeInstanceOf(Date);
      const together = await f.vault.subjectWithLatestVersions(subject);
      expect(together.subject?.id).toBe(subject);
      expect(together.versions.map((v) => v.record_id)).toEqual([r.id]);
    });

    it('answers a subject without records, and nothing for an unknown subject', async () => {
      const f = fixture();
      const subject = await f.subject();
      const found = await f.vault.subjectWithLatestVersions(subject);
      expect(found.subject?.id).toBe(subject);
      expect(found.versions).toEqual([]);
      expect(await f.vault.subjectWithLatestVersions(randomUUID())).toEqual({ subject: undefined, versions: [] });
    });

    it('finds a deposit by its Idempotency-Key, only for the custodian that made it', async () => {
      const f = fixture();
      const custodian = await f.organization('C');
      const other = await f.organization('D');
      const r = record(await f.subject(), custodian, { requestRef: `ref-${randomUUID()}` });
      await f.vault.insertRecord(r);
      expect(await f.vault.recordByRequestRef(custodian, r.requestRef!)).toEqual({
        id: r.id,
        subject_id: r.subjectId,
        category: 'residence',
        confirmed: false,
        version: 1,
        commitment: r.commitment,
      });
      expect(await f.vault.recordByRequestRef(other, r.requestRef!)).toBeUndefined();
    });

    it('drops an unconfirmed record, and never a confirmed one', async () => {
      const f = fixture();
      const custodian = await f.organization('E');
      const subject = await f.subject();
      const dropped = record(subject, custodian);
      const kept = record(subject, custodian);
      await f.vault.insertRecord(dropped);
      await f.vault.insertRecord(kept);
      await f.vault.confirmRecord(kept.id);
      await f.vault.dropUnconfirmedRecord(dropped.id);
      await f.vault.dropUnconfirmedRecord(kept.id);
      expect(await f.vault.recordForRepair(dropped.id)).toBeUndefined();
      expect((await f.vault.latestVersions(subject)).map((v) => v.record_id)).toEqual([kept.id]);
    });

    it('serves a correction only once confirmed; the version it replaces stays, marked superseded by it', async () => {
      const f = fixture();
      const custodian = await f.organization('F');
      const subject = await f.subject();
      const r = record(subject, custodian);
      await f.vault.insertRecord(r);
      await f.vault.confirmRecord(r.id);
      const ref = randomUUID();
      const v2 = { recordId: r.id, version: 2, fields: { province: 'Y29ycmVjdGVk' }, sealedSalt: randomBytes(48), commitment: 'c2', correctionRef: ref };
      expect(await f.vault.insertVersion(v2)).toBe(true);
      expect(await f.vault.insertVersion({ ...v2, correctionRef: randomUUID() })).toBe(false); // the version number is taken
      expect((await f.vault.latestVersions(subject)).map((v) => v.version)).toEqual([1]); // written, not yet served
      expect((await f.vault.recordHistory(r.id))!.versions.map((v) => [v.version, v.confirmed, v.correction_ref])).toEqual([
        [1, true, null],
        [2, false, ref],
      ]);
      await f.vault.confirmVersion(r.id, 2);
      expect((await f.vault.latestVersions(subject)).map((v) => [v.version, v.fields])).toEqual([[2, v2.fields]]);
      expect((await f.vault.subjectWithLatestVersions(subject)).versions.map((v) => v.version)).toEqual([2]);
      const history = await f.vault.recordHistory(r.id);
      expect(history!.record).toMatchObject({ id: r.id, subject_id: subject, custodian_org_id: custodian, confirmed: true });
      expect(history!.versions.map((v) => [v.version, v.confirmed, v.superseded_at instanceof Date, v.superseded_by])).toEqual([
        [1, true, true, 2],
        [2, true, false, null],
      ]);
      await f.vault.dropUnconfirmedVersion(r.id, 2); // served: left alone
      expect((await f.vault.recordHistory(r.id))!.versions).toHaveLength(2);
    });

    it('drops a correction that never reached the ledger, leaving the served version current', async () => {
      const f = fixture();
      const subject = await f.subject();
      const r = record(subject, await f.organization('G'));
      await f.vault.insertRecord(r);
      await f.vault.confirmRecord(r.id);
      await f.vault.insertVersion({ recordId: r.id, version: 2, fields: {}, sealedSalt: randomBytes(48), commitment: 'c2', correctionRef: randomUUID() });
      await f.vault.dropUnconfirmedVersion(r.id, 2);
      const history = await f.vault.recordHistory(r.id);
      expect(history!.versions.map((v) => [v.version, v.superseded_at])).toEqual([[1, null]]);
      expect(await f.vault.recordHistory(randomUUID())).toBeUndefined();
    });
  });
}
