import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ExchangeStores } from '../../src/exchange/index.js';
import type { MeterRequest } from '../../src/exchange/metering-records.js';
import type { Organization, OrganizationStore } from '../../src/organizations/index.js';
import { addOrganization } from '../support/fixtures.js';
import { licenceRow, productRow } from './exchange-fixtures.js';

export interface ExchangeFixture {
  stores: ExchangeStores;
  organizations: OrganizationStore;
  /** A citizen the statistics and the metering may name (Postgres keeps subjects in the vault's table). */
  addSubject(): Promise<string>;
}

const AT = new Date('2026-03-10T10:00:00.000Z');
const sortCells = <T>(cells: T[]): T[] => [...cells].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

/**
 * What the exchange's four stores must do, whatever keeps them: run against the Postgres stores
 * and their in-memory twins. `fresh` answers empty stores.
 */
export function exchangeStoresContract(name: string, fresh: () => Promise<ExchangeFixture>): void {
  describe(`exchange stores contract: ${name}`, () => {
    let f: ExchangeFixture;
    let provider: Organization;
    let buyer: Organization;

    beforeEach(async () => {
      f = await fresh();
      provider = await addOrganization(f.organizations, ['provider'], { name: 'Sở Y tế' });
      buyer = await addOrganization(f.organizations, ['consumer']);
    });

    const listedProduct = async (over: Parameters<typeof productRow>[1] = {}) => {
      const p = productRow(provider.id, over);
      await f.stores.products.insertProduct(p);
      await f.stores.products.applyProductState(p.id, {
        status: 'LISTED',
        termsHash: 't'.repeat(64),
        rejectionReason: null,
        updatedAt: p.updated_at.toISOString(),
      });
      return p;
    };
    const licence = async (over: Parameters<typeof licenceRow>[2] = {}, productId?: string) => {
      const l = licenceRow(productId ?? (await listedProduct()).id, buyer.id, over);
      await f.stores.products.insertLicence(l);
      return l;
    };
    const meterRequest = (licenceId: string, over: Partial<MeterRequest> = {}): MeterRequest => ({
      id: randomUUID(),
      licenceId,
      requestKey: randomUUID(),
      requestHash: 'h1',
      period: '2026-03',
      units: 1,
      amountDong: 1000n,
      epsilonMicro: 0n,
      windows: [],
      result: { cells: [{ province: 'Hà Nội', count: 12 }] },
      at: AT,
      ...over,
    });

    describe('products and licences', () => {
      it("answers a draft with its provider's name and status, off the ledger and without terms hash", async () => {
        const p = productRow(provider.id);
        await f.stores.products.insertProduct(p);
        const row = await f.stores.products.product(p.id);
        expect(row).toMatchObject({ ...p, provider_name: 'Sở Y tế', provider_status: 'VERIFIED', terms_hash: null, rejection_reason: null, on_ledger: false });
        await f.organizations.setStatus(provider.id, 'SUSPENDED');
        expect((await f.stores.products.product(p.id))?.provider_status).toBe('SUSPENDED');
        expect(await f.stores.products.product(randomUUID())).toBeUndefined();
      });

      it('writes a committed state, but never an older one over a newer one', async () => {
        const p = productRow(provider.id);
        await f.stores.products.insertProduct(p);
        await f.stores.products.applyProductState(p.id, {
          status: 'PENDING_REVIEW',
          termsHash: 'a'.repeat(64),
          rejectionReason: null,
          updatedAt: '2026-03-02T00:00:00.000Z',
        });
        await f.stores.products.applyProductState(p.id, {
          status: 'DRAFT',
          termsHash: 'a'.repeat(64),
          rejectionReason: 'pricing',
          updatedAt: '2026-03-03T00:00:00.000Z',
        });
        await f.stores.products.applyProductState(p.id, {
          status: 'LISTED',
          termsHash: 'a'.repeat(64),
          rejectionReason: null,
          updatedAt: '2026-03-02T12:00:00.000Z',
        });
        const row = (await f.stores.products.product(p.id))!;
        expect([row.status, row.rejection_reason, row.on_ledger, row.terms_hash, row.updated_at.toISOString()]).toEqual([
          'DRAFT',
          'pricing',
          true,
          'a'.repeat(64),
          '2026-03-03T00:00:00.000Z',
        ]);
      });

      it('pages the catalogue newest first, by status, kind, provider and text, counting every match', async () => {
        const other = await addOrganization(f.organizations, ['provider']);
        const old = await listedProduct({ created_at: new Date('2026-01-01T00:00:00Z') });
        const mid = await listedProduct({
          created_at: new Date('2026-02-01T00:00:00Z'),
          kind: 'DATASET',
          spec: { dataset: { format: 'CSV', recordCount: 5 } },
          title: { vi: 'Dữ liệu 100% mở', en: 'Open_data' },
        });
        const fresh = await listedProduct({
          created_at: new Date('2026-03-01T00:00:00Z'),
          description: { vi: 'Bảo hiểm y tế', en: 'Health INSURANCE coverage' },
        });
        const draft = productRow(other.id, { created_at: new Date('2026-04-01T00:00:00Z') });
        await f.stores.products.insertProduct(draft);
        const ids = async (q: Parameters<ExchangeStores['products']['catalogue']>[0]) => {
          const page = await f.stores.products.catalogue(q);
          return [page.items.map((p) => p.id), page.total];
        };
        expect(await ids({ statuses: ['LISTED'], limit: 10, offset: 0 })).toEqual([[fresh.id, mid.id, old.id], 3]);
        expect(await ids({ statuses: ['LISTED'], limit: 1, offset: 1 })).toEqual([[mid.id], 3]);
        expect(await ids({ statuses: ['LISTED'], kind: 'DATASET', limit: 10, offset: 0 })).toEqual([[mid.id], 1]);
        expect(await ids({ statuses: ['LISTED'], q: 'insurance', limit: 10, offset: 0 })).toEqual([[fresh.id], 1]);
        expect(await ids({ statuses: ['LISTED'], q: '100%', limit: 10, offset: 0 })).toEqual([[mid.id], 1]);
        expect(await ids({ statuses: ['LISTED'], q: 'n_data', limit: 10, offset: 0 })).toEqual([[mid.id], 1]);
        expect(await ids({ statuses: ['LISTED'], q: 'pen%data', limit: 10, offset: 0 })).toEqual([[], 0]);
        expect(await ids({ statuses: ['DRAFT', 'LISTED'], providerOrgId: other.id, limit: 10, offset: 0 })).toEqual([[draft.id], 1]);
        expect((await f.stores.products.catalogue({ statuses: ['LISTED'], limit: 10, offset: 0 })).items[0]).toMatchObject({
          provider_name: 'Sở Y tế',
          provider_status: 'VERIFIED',
        });
        expect((await f.stores.products.productIdsOf(provider.id, ['LISTED'])).sort()).toEqual([old.id, mid.id, fresh.id].sort());
        expect(await f.stores.products.productIdsOf(provider.id, ['SUSPENDED'])).toEqual([]);
      });

      it('answers a licence as inserted, nothing of its budget spent, alone or with its product', async () => {
        const product = await listedProduct();
        const l = await licence({ privacy_budget_micro: '2000000', quota: { units: 5, per: 'DAY' } }, product.id);
        expect(await f.stores.products.licence(l.id)).toEqual({ ...l, privacy_spent_micro: '0' });
        const both = (await f.stores.products.licenceWithProduct(l.id))!;
        expect(both.licence).toEqual({ ...l, privacy_spent_micro: '0' });
        expect(both.product).toMatchObject({
          id: product.id,
          provider_status: 'VERIFIED',
          status: 'LISTED',
          terms: product.terms,
          plans: product.plans,
          spec: product.spec,
        });
        expect(both.product.created_at).toEqual(product.created_at);
        expect(await f.stores.products.licenceWithProduct(randomUUID())).toBeUndefined();
      });

      it("lists licences newest first, a buyer's or a provider's, and keeps the newest committed state", async () => {
        const product = await listedProduct();
        const a = await licence({ issued_at: new Date('2026-03-01T00:00:00Z') }, product.id);
        const b = await licence({ issued_at: new Date('2026-03-02T00:00:00Z') }, product.id);
        const stranger = await addOrganization(f.organizations, ['consumer']);
        const c = licenceRow(product.id, stranger.id, { issued_at: new Date('2026-03-03T00:00:00Z') });
        await f.stores.products.insertLicence(c);
        const list = async (filter: { buyerOrgId?: string; providerOrgId?: string }, limit = 10, offset = 0) =>
          (await f.stores.products.licences(filter, limit, offset)).map((l) => l.id);
        expect(await list({ buyerOrgId: buyer.id })).toEqual([b.id, a.id]);
        expect(await list({ providerOrgId: provider.id })).toEqual([c.id, b.id, a.id]);
        expect(await list({}, 1, 1)).toEqual([b.id]);
        expect(await list({ providerOrgId: buyer.id })).toEqual([]);
        await f.stores.products.applyLicenceState(a.id, 'CANCELLED', '2026-03-05T00:00:00.000Z');
        await f.stores.products.applyLicenceState(a.id, 'ACTIVE', '2026-03-04T00:00:00.000Z');
        expect((await f.stores.products.licence(a.id))?.status).toBe('CANCELLED');
      });
    });

    describe('metering', () => {
      it('records a use once per request key: a retry is replayed, another request under the key refused', async () => {
        const l = await licence();
        const first = await f.stores.metering.meter(meterRequest(l.id, { requestKey: 'k-1', windows: [{ key: 'terms:2026-03-10', limit: 5 }] }));
        expect(first.outcome).toBe('metered');
        const again = await f.stores.metering.meter(meterRequest(l.id, { requestKey: 'k-1', windows: [{ key: 'terms:2026-03-10', limit: 5 }] }));
        expect(again).toMatchObject({
          outcome: 'replayed',
          event: { id: (first as { event: { id: string } }).event.id, result: { cells: [{ province: 'Hà Nội', count: 12 }] } },
        });
        expect(await f.stores.metering.meter(meterRequest(l.id, { requestKey: 'k-1', requestHash: 'h2' }))).toEqual({ outcome: 'key_reused' });
        expect((await f.stores.metering.usage(l.id)).windows).toEqual([{ window_key: 'terms:2026-03-10', units: '1' }]);
        expect(await f.stores.metering.existing(l.id, 'k-1')).toMatchObject({
          request_key: 'k-1',
          request_hash: 'h1',
          units: 1,
          amount_dong: '1000',
          epsilon_micro: '0',
          leaf_index: null,
        });
        expect(await f.stores.metering.existing(l.id, 'k-2')).toBeUndefined();
      });

      it('takes units from every window only while under its limit, and bills nothing refused', async () => {
        const l = await licence();
        const windows = [
          { key: 'terms:2026-03-10', limit: 3 },
          { key: 'plan:2026-03', limit: 100 },
        ];
        expect((await f.stores.metering.meter(meterRequest(l.id, { units: 2, windows }))).outcome).toBe('metered');
        expect(await f.stores.metering.meter(meterRequest(l.id, { units: 2, windows }))).toEqual({
          outcome: 'quota_exceeded',
          window: 'terms:2026-03-10',
          limit: 3,
        });
        expect((await f.stores.metering.meter(meterRequest(l.id, { units: 1, windows }))).outcome).toBe('metered');
        const usage = await f.stores.metering.usage(l.id);
        expect(usage.windows).toEqual([
          { window_key: 'plan:2026-03', units: '3' },
          { window_key: 'terms:2026-03-10', units: '3' },
        ]);
        expect(usage.totals).toEqual([{ period: '2026-03', calls: 2, units: '3', amount_dong: '2000' }]);
      });

      it("spends the licence's ε until its budget is used up; a licence without a budget spends none", async () => {
        const l = await licence({ privacy_budget_micro: '1000000' });
        expect((await f.stores.metering.meter(meterRequest(l.id, { epsilonMicro: 600_000n }))).outcome).toBe('metered');
        expect(await f.stores.metering.meter(meterRequest(l.id, { epsilonMicro: 600_000n }))).toEqual({ outcome: 'privacy_budget_exhausted' });
        expect((await f.stores.metering.meter(meterRequest(l.id, { epsilonMicro: 400_000n }))).outcome).toBe('metered');
        expect((await f.stores.products.licence(l.id))?.privacy_spent_micro).toBe('1000000');
        const none = await licence();
        expect(await f.stores.metering.meter(meterRequest(none.id, { epsilonMicro: 1n }))).toEqual({ outcome: 'privacy_budget_exhausted' });
        expect((await f.stores.metering.meter(meterRequest(none.id))).outcome).toBe('metered');
      });

      it('bills nothing when the work done inside the use fails', async () => {
        const l = await licence({ privacy_budget_micro: '1000000' });
        const boom = new Error('the read failed');
        await expect(
          f.stores.metering.meter(meterRequest(l.id, { requestKey: 'k', epsilonMicro: 500_000n, windows: [{ key: 'w', limit: 1 }] }), async () => {
            throw boom;
          }),
        ).rejects.toBe(boom);
        expect(await f.stores.metering.existing(l.id, 'k')).toBeUndefined();
        expect((await f.stores.metering.usage(l.id)).windows).toEqual([]);
        expect((await f.stores.products.licence(l.id))?.privacy_spent_micro).toBe('0');
        let ran = false;
        expect(
          (
            await f.stores.metering.meter(meterRequest(l.id, { requestKey: 'k', windows: [{ key: 'w', limit: 1 }] }), async () => {
              ran = true;
            })
          ).outcome,
        ).toBe('metered');
        expect(ran).toBe(true);
      });

      it('bills a request once when its retries race', async () => {
        const l = await licence();
        const outcomes = await Promise.all(
          Array.from({ length: 5 }, () => f.stores.metering.meter(meterRequest(l.id, { requestKey: 'race', windows: [{ key: 'w', limit: 10 }] }))),
        );
        expect(outcomes.map((o) => o.outcome).sort()).toEqual(['metered', 'replayed', 'replayed', 'replayed', 'replayed']);
        expect((await f.stores.metering.usage(l.id)).windows).toEqual([{ window_key: 'w', units: '1' }]);
      });

      it('lets exactly the limit through when different requests race for the last units', async () => {
        const l = await licence();
        const outcomes = await Promise.all(
          Array.from({ length: 12 }, () => f.stores.metering.meter(meterRequest(l.id, { windows: [{ key: 'terms:licence', limit: 5 }] }))),
        );
        expect(outcomes.filter((o) => o.outcome === 'metered')).toHaveLength(5);
        expect(outcomes.filter((o) => o.outcome === 'quota_exceeded')).toHaveLength(7);
        expect((await f.stores.metering.usage(l.id)).totals).toEqual([{ period: '2026-03', calls: 5, units: '5', amount_dong: '5000' }]);
      });

      it('bills nothing against a licence checked before it was cancelled, its product suspended or re-termed, or its provider suspended', async () => {
        const l = await licence();
        const checked = await f.stores.products.usableLicence(l.id);
        expect(checked).toMatchObject({ licence: { id: l.id, status: 'ACTIVE' }, product: { id: l.product_id, status: 'LISTED' } });
        expect(await f.stores.products.usableLicence(randomUUID())).toBeUndefined();
        const version = checked!.version;
        expect((await f.stores.products.usableLicence(l.id))?.version).toBe(version); // reading again changes nothing
        expect((await f.stores.metering.meter(meterRequest(l.id, { expectedVersion: version }))).outcome).toBe('metered');
        expect((await f.stores.metering.meter(meterRequest(l.id, { expectedVersion: version, epsilonMicro: 0n }))).outcome).toBe('metered');

        const staleAfter = async (change: () => Promise<unknown>, previous: string) => {
          await change();
          const key = randomUUID();
          expect(
            await f.stores.metering.meter(meterRequest(l.id, { requestKey: key, expectedVersion: previous, windows: [{ key: 'w', limit: 100 }] })),
          ).toEqual({
            outcome: 'stale',
          });
          expect(await f.stores.metering.existing(l.id, key)).toBeUndefined();
          const now = (await f.stores.products.usableLicence(l.id))!.version;
          expect(now).not.toBe(previous);
          return now;
        };
        const later = (minutes: number) => new Date(Date.parse('2026-03-01T08:00:00.000Z') + minutes * 60_000).toISOString();
        let v = await staleAfter(
          () =>
            f.stores.products.applyProductState(l.product_id, { status: 'SUSPENDED', termsHash: 't'.repeat(64), rejectionReason: null, updatedAt: later(1) }),
          version,
        );
        v = await staleAfter(
          () => f.stores.products.applyProductState(l.product_id, { status: 'LISTED', termsHash: 't'.repeat(64), rejectionReason: null, updatedAt: later(2) }),
          v,
        );
        expect((await f.stores.metering.meter(meterRequest(l.id, { expectedVersion: v }))).outcome).toBe('metered'); // reinstated: current again
        v = await staleAfter(
          () => f.stores.products.applyProductState(l.product_id, { status: 'LISTED', termsHash: 'u'.repeat(64), rejectionReason: null, updatedAt: later(3) }),
          v,
        );
        v = await staleAfter(() => f.organizations.setStatus(provider.id, 'SUSPENDED'), v);
        v = await staleAfter(() => f.organizations.setStatus(provider.id, 'VERIFIED'), v);
        await staleAfter(() => f.stores.products.applyLicenceState(l.id, 'CANCELLED', later(4)), v);
        expect((await f.stores.metering.usage(l.id)).totals).toEqual([{ period: '2026-03', calls: 3, units: '3', amount_dong: '3000' }]);
        expect((await f.stores.metering.usage(l.id)).windows).toEqual([]);
      });

      it('links a use to its log leaf once, and lists recent uses newest first without what was asked', async () => {
        const l = await licence();
        const subject = await f.addSubject();
        const older = await f.stores.metering.meter(meterRequest(l.id, { at: new Date('2026-03-10T09:00:00Z'), subjectId: subject }));
        const newer = await f.stores.metering.meter(meterRequest(l.id, { at: new Date('2026-03-10T11:00:00Z') }));
        const olderId = (older as { event: { id: string } }).event.id;
        await f.stores.metering.setLeaf(olderId, 7);
        await f.stores.metering.setLeaf(olderId, 9);
        const recent = await f.stores.metering.recentEvents(l.id, 10);
        expect(recent.map((e) => [e.id, e.leaf_index, e.request_hash, e.result, e.subject_id])).toEqual([
          [(newer as { event: { id: string } }).event.id, null, null, null, null],
          [olderId, '7', null, null, null],
        ]);
        expect(recent[1]!.at.toISOString()).toBe('2026-03-10T09:00:00.000Z');
        expect(await f.stores.metering.recentEvents(l.id, 1)).toHaveLength(1);
      });

      it('bills a query without a request key and counts it in one go, keeping no answer; a refused one counts nothing', async () => {
        const l = await licence({ privacy_budget_micro: '1000000' });
        for (const birthYear of [1990, 1991, 2015]) await f.stores.statistics.upsert(await f.addSubject(), { province: 'Hà Nội', birthYear });
        const q = { groupBy: ['province', 'ageBand'] as const, filter: { province: 'Hà Nội' }, at: AT };
        const windows = [{ key: 'terms:2026-03-10', limit: 1 }];
        const billed = await f.stores.metering.meterCounting(meterRequest(l.id, { requestKey: 'server-made', windows, epsilonMicro: 400_000n }), q);
        expect(billed.outcome).toMatchObject({ outcome: 'metered', event: { request_key: 'server-made', leaf_index: null, result: null } });
        expect(sortCells(billed.counts)).toEqual(
          sortCells([
            { province: 'Hà Nội', ageBand: '35-44', count: 2 },
            { province: 'Hà Nội', ageBand: '0-17', count: 1 },
          ]),
        );
        expect(await f.stores.metering.existing(l.id, 'server-made')).toMatchObject({ units: 1, epsilon_micro: '400000', result: null });
        expect(await f.stores.metering.meterCounting(meterRequest(l.id, { windows, epsilonMicro: 400_000n }), q)).toEqual({
          outcome: { outcome: 'quota_exceeded', window: 'terms:2026-03-10', limit: 1 },
          counts: [],
        });
        const version = (await f.stores.products.usableLicence(l.id))!.version;
        await f.stores.products.applyLicenceState(l.id, 'CANCELLED', '2026-03-02T00:00:00.000Z');
        expect(await f.stores.metering.meterCounting(meterRequest(l.id, { expectedVersion: version }), q)).toEqual({
          outcome: { outcome: 'stale' },
          counts: [],
        });
        expect((await f.stores.metering.usage(l.id)).totals).toEqual([{ period: '2026-03', calls: 1, units: '1', amount_dong: '1000' }]);
        expect((await f.stores.products.licence(l.id))?.privacy_spent_micro).toBe('400000');
      });
    });

    describe('statistics', () => {
      it('counts citizens per combination, merging what each deposit contributes and leaving out who opted out', async () => {
        const [a, b, c, d] = [await f.addSubject(), await f.addSubject(), await f.addSubject(), await f.addSubject()];
        await f.stores.statistics.upsert(a, { province: 'Hà Nội' });
        await f.stores.statistics.upsert(a, { birthYear: 1990, sex: 'female' });
        await f.stores.statistics.upsert(b, { province: 'Hà Nội', birthYear: 2015 });
        await f.stores.statistics.upsert(c, { province: 'Huế', insuranceStatus: 'ACTIVE' });
        await f.stores.statistics.upsert(d, { province: 'Huế', birthYear: 1950 });
        await f.stores.statistics.upsert(d, {});
        expect(sortCells(await f.stores.statistics.counts(['province'], {}, AT))).toEqual(
          sortCells([
            { province: 'Hà Nội', count: 2 },
            { province: 'Huế', count: 2 },
          ]),
        );
        expect(sortCells(await f.stores.statistics.counts(['ageBand', 'sex'], {}, AT))).toEqual(
          sortCells([
            { ageBand: '35-44', sex: 'female', count: 1 },
            { ageBand: '0-17', sex: null, count: 1 },
            { ageBand: null, sex: null, count: 1 },
            { ageBand: '65+', sex: null, count: 1 },
          ]),
        );
        expect(await f.stores.statistics.counts([], { province: 'Huế' }, AT)).toEqual([{ count: 2 }]);
        expect(await f.stores.statistics.counts(['province'], { ageBand: '0-17' }, AT)).toEqual([{ province: 'Hà Nội', count: 1 }]);
        expect(await f.stores.statistics.counts(['province'], { insuranceStatus: 'ACTIVE', sex: 'male' }, AT)).toEqual([]);

        expect(await f.stores.statistics.optedOut(a)).toBe(false);
        await f.stores.statistics.setOptOut(a, true);
        expect(await f.stores.statistics.optedOut(a)).toBe(true);
        await f.stores.statistics.upsert(a, { province: 'Huế' }); // a later deposit keeps the choice
        expect(sortCells(await f.stores.statistics.counts(['province'], {}, AT))).toEqual(
          sortCells([
            { province: 'Hà Nội', count: 1 },
            { province: 'Huế', count: 2 },
          ]),
        );
        await f.stores.statistics.setOptOut(a, false);
        expect(sortCells(await f.stores.statistics.counts(['province'], {}, AT))).toEqual(
          sortCells([
            { province: 'Hà Nội', count: 1 },
            { province: 'Huế', count: 3 },
          ]),
        );
        const newcomer = await f.addSubject();
        await f.stores.statistics.setOptOut(newcomer, true);
        expect(await f.stores.statistics.optedOut(newcomer)).toBe(true);
      });
    });

    describe('settlement sums', () => {
      it("sums each licence's month, for the parties only, with its statement once anchored", async () => {
        const product = await listedProduct({ kind: 'CONSENTED', spec: { consented: { purpose: 'academic_research', fields: ['residence.province'] } } });
        const march = await licence({ issued_at: new Date('2026-03-01T00:00:00Z') }, product.id);
        const april = await licence(
          { issued_at: new Date('2026-03-02T00:00:00Z'), valid_from: new Date('2026-04-01T00:00:00Z'), valid_until: new Date('2026-04-30T00:00:00Z') },
          product.id,
        );
        const s1 = await f.addSubject();
        const s2 = await f.addSubject();
        await f.stores.metering.meter(meterRequest(march.id, { units: 2, amountDong: 2000n, subjectId: s1 }));
        await f.stores.metering.meter(meterRequest(march.id, { units: 1, amountDong: 1000n, subjectId: s2 }));
        await f.stores.metering.meter(meterRequest(march.id, { units: 1, amountDong: 1000n, subjectId: s1 }));
        // Used in April, though it was only valid in March: April's sums include it.
        await f.stores.metering.meter(meterRequest(march.id, { period: '2026-04', at: new Date('2026-04-02T00:00:00Z') }));

        const rows = await f.stores.settlement.periodUsage('2026-03', {});
        expect(rows.map((r) => [r.licence_id, r.calls, r.units, r.usage_dong, r.statement_amount, r.anchor_tx_id])).toEqual([
          [march.id, 3, '4', '4000', null, null],
        ]);
        expect(rows[0]).toMatchObject({
          product_id: product.id,
          kind: 'CONSENTED',
          buyer_org_id: buyer.id,
          provider_org_id: provider.id,
          plan: march.plan,
          status: 'ACTIVE',
          statement_units: null,
          anchored_at: null,
        });
        expect(rows[0]!.valid_from).toEqual(march.valid_from);
        expect((await f.stores.settlement.periodUsage('2026-04', {})).map((r) => [r.licence_id, r.calls])).toEqual([
          [march.id, 1],
          [april.id, 0],
        ]);
        expect(await f.stores.settlement.periodUsage('2026-03', { partyOrgId: provider.id })).toHaveLength(1);
        expect(await f.stores.settlement.periodUsage('2026-03', { buyerOrgId: buyer.id })).toHaveLength(1);
        expect(await f.stores.settlement.periodUsage('2026-03', { partyOrgId: randomUUID() })).toEqual([]);
        expect((await f.stores.settlement.periodUsage('2026-04', { licenceIds: [april.id] })).map((r) => r.licence_id)).toEqual([april.id]);

        const split = { provider: '3000', operator: '400', stateBudget: '400', citizens: '200' };
        await f.stores.settlement.insertStatement({
          licenceId: march.id,
          period: '2026-03',
          units: 4,
          amountDong: '4000',
          split,
          txId: 'tx-1',
          anchoredAt: '2026-04-01T00:00:01.000Z',
        });
        await f.stores.settlement.insertStatement({
          licenceId: march.id,
          period: '2026-03',
          units: 9,
          amountDong: '9000',
          split,
          txId: 'tx-2',
          anchoredAt: '2026-04-02T00:00:00.000Z',
        });
        const [closed] = await f.stores.settlement.periodUsage('2026-03', {});
        expect([closed!.statement_units, closed!.statement_amount, closed!.anchor_tx_id, closed!.anchored_at?.toISOString()]).toEqual([
          '4',
          '4000',
          'tx-1',
          '2026-04-01T00:00:01.000Z',
        ]);

        const reads = await f.stores.settlement.recordsReadAlongside(s2, '2026-03');
        const expected = [
          { licence_id: march.id, subject_id: s1, units: '3' },
          { licence_id: march.id, subject_id: s2, units: '1' },
        ].sort((x, y) => (x.subject_id < y.subject_id ? -1 : 1));
        expect(reads).toEqual(expected);
        expect(await f.stores.settlement.recordsReadAlongside(s2, '2026-04')).toEqual([]);
      });

      it('counts listed products by kind and the licences active at a moment', async () => {
        await listedProduct();
        await listedProduct({ kind: 'DATASET', spec: { dataset: { format: 'CSV', recordCount: 1 } } });
        const p = await listedProduct();
        await f.stores.products.insertProduct(productRow(provider.id)); // a draft is not listed
        expect(await f.stores.settlement.listedProducts()).toEqual([
          { kind: 'AGGREGATE', n: 2 },
          { kind: 'DATASET', n: 1 },
        ]);
        await licence({}, p.id);
        const cancelled = await licence({}, p.id);
        await f.stores.products.applyLicenceState(cancelled.id, 'CANCELLED', '2026-03-05T00:00:00.000Z');
        expect(await f.stores.settlement.activeLicences(AT)).toBe(1);
        expect(await f.stores.settlement.activeLicences(new Date('2026-04-01T00:00:00Z'))).toBe(0);
        expect(await f.stores.settlement.activeLicences(new Date('2026-03-01T00:00:00Z'))).toBe(1);
      });
    });
  });
}
