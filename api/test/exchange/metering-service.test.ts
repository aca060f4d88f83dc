import { beforeEach, describe, expect, it } from 'vitest';
import { DomainError } from '../../src/errors/index.js';
import type { ConsentedRecords } from '../../src/exchange/index.js';
import type { Organization } from '../../src/organizations/index.js';
import { aggregateBody, TERMS } from './exchange-fixtures.js';
import { ExchangeWorld } from './exchange-world.js';

// MeteringService over its ports: in-memory stores, the chaincode's rules as the ledger, a test
// clock, a seeded noise source, a stand-in for the consent capability and a recording access log.
const code = (p: Promise<unknown>) =>
  p.then(
    () => 'resolved',
    (e: unknown) => (e instanceof DomainError ? e.code : String(e)),
  );

describe('MeteringService: aggregate queries', () => {
  let world: ExchangeWorld;
  let provider: Organization;
  let buyer: Organization;
  let subjects = 0;

  const citizen = async (a: { province?: string; birthYear?: number }) =>
    world.stores.statistics.upsert(`0190c1b2-0000-7000-8000-${String(++subjects).padStart(12, '0')}`, a);

  beforeEach(async () => {
    world = new ExchangeWorld({ uniform: () => 0.75 }); // Laplace noise of +ln(2)/ε at u = 0.75
    provider = await world.organization(['provider']);
    buyer = await world.organization(['consumer']);
    for (let i = 0; i < 12; i++) await citizen({ province: 'Hà Nội', birthYear: 1990 });
    for (let i = 0; i < 3; i++) await citizen({ province: 'Huế', birthYear: 1990 });
  });

  it('answers counts with small cells suppressed, bills the use once, and logs it', async () => {
    const { product, licence } = await world.licensed(provider, buyer);
    const answer = await world.exchange.metering.query(buyer, product.id, { licenceId: licence.id, groupBy: ['province'], filters: {} }, 'key-1');
    expect(answer).toMatchObject({
      cells: [{ province: 'Hà Nội', count: 12 }],
      suppressedCells: 1,
      minCohortSize: 10,
      noise: null,
      licenceId: licence.id,
      productId: product.id,
    });
    expect(answer.metering).toMatchObject({ units: 1, amountDong: '1000', leafIndex: 0, replayed: false });
    expect(world.logged).toEqual([
      expect.objectContaining({
        meteringId: answer.metering.eventId,
        licenceId: licence.id,
        productId: product.id,
        units: 1,
        amountDong: '1000',
        period: '2026-03',
      }),
    ]);
  });

  it('answers a retry with the first answer without billing again, and refuses the key for another query', async () => {
    const { product, licence } = await world.licensed(provider, buyer);
    const q = { licenceId: licence.id, groupBy: ['province' as const], filters: {} };
    const first = await world.exchange.metering.query(buyer, product.id, q, 'key-1');
    await citizen({ province: 'Huế', birthYear: 1990 }); // the data moves on; the retry must not
    const again = await world.exchange.metering.query(buyer, product.id, q, 'key-1');
    expect(again.cells).toEqual(first.cells);
    expect(again.metering).toEqual({ ...first.metering, replayed: true });
    expect(world.logged).toHaveLength(1);
    expect(await code(world.exchange.metering.query(buyer, product.id, { ...q, groupBy: [] }, 'key-1'))).toBe('idempotency_key_reused');
    expect((await world.stores.metering.usage(licence.id)).totals).toEqual([{ period: '2026-03', calls: 1, units: '1', amount_dong: '1000' }]);
  });

  it("adds Laplace noise of scale 1/ε and spends ε from the licence's budget until it is gone", async () => {
    const { product, licence } = await world.licensed(
      provider,
      buyer,
      aggregateBody({ aggregate: { dimensions: ['province'], privacy: { epsilonPerQuery: 1, budgetPerLicence: 2 } } }),
    );
    const q = { licenceId: licence.id, groupBy: ['province' as const], filters: {} };
    const answer = await world.exchange.metering.query(buyer, product.id, q, undefined);
    expect(answer.cells).toEqual([{ province: 'Hà Nội', count: 13 }]); // 12 + round(ln 2)
    expect(answer.noise).toEqual({ mechanism: 'laplace', epsilon: 1 });
    await world.exchange.metering.query(buyer, product.id, q, undefined);
    expect(await code(world.exchange.metering.query(buyer, product.id, q, undefined))).toBe('privacy_budget_exhausted');
    expect((await world.stores.products.licence(licence.id))?.privacy_spent_micro).toBe('2000000');
  });

  it("refuses dimensions the product does not offer, and another buyer's licence", async () => {
    const { product, licence } = await world.licensed(provider, buyer, aggregateBody({ aggregate: { dimensions: ['province'] } }));
    const err = (await world.exchange.metering
      .query(buyer, product.id, { licenceId: licence.id, groupBy: ['sex'], filters: { ageBand: '35-44' } }, undefined)
      .catch((e: unknown) => e)) as DomainError;
    expect(err.code).toBe('invalid_request');
    expect(err.extra).toEqual({
      errors: [
        { path: '/groupBy', message: 'sex is not a dimension of this product' },
        { path: '/groupBy', message: 'ageBand is not a dimension of this product' },
      ],
    });
    const other = await world.organization(['consumer']);
    expect(await code(world.exchange.metering.query(other, product.id, { licenceId: licence.id, groupBy: [], filters: {} }, undefined))).toBe('not_found');
  });

  it("stops serving an expired or cancelled licence, a suspended provider's product and a suspended product until reinstated", async () => {
    const { product, licence } = await world.licensed(provider, buyer);
    const ask = () => code(world.exchange.metering.query(buyer, product.id, { licenceId: licence.id, groupBy: [], filters: {} }, undefined));
    world.clock.set(licence.valid_until);
    expect(await ask()).toBe('licence_expired');
    world.clock.set('2026-03-11T00:00:00.000Z');
    await world.organizations.setStatus(provider.id, 'SUSPENDED');
    expect(await ask()).toBe('product_not_serving');
    await world.organizations.setStatus(provider.id, 'VERIFIED');
    await world.exchange.products.review(product.id, 'suspend');
    expect(await ask()).toBe('product_not_serving');
    await world.exchange.products.review(product.id, 'reinstate');
    expect(await ask()).toBe('resolved');
    await world.exchange.products.cancelLicence(licence.id, buyer);
    expect(await ask()).toBe('licence_not_active');
    expect(world.logged).toHaveLength(1); // the one use served while reinstated
  });

  it('reads a licence once for many uses, yet refuses the first use after its provider, its product or itself changes', async () => {
    const { product, licence } = await world.licensed(provider, buyer);
    let reads = 0;
    const products = world.stores.products;
    const read = products.usableLicence.bind(products);
    products.usableLicence = (id) => {
      reads += 1;
      return read(id);
    };
    const ask = () => code(world.exchange.metering.query(buyer, product.id, { licenceId: licence.id, groupBy: [], filters: {} }, undefined));
    expect([await ask(), await ask(), await ask()]).toEqual(['resolved', 'resolved', 'resolved']);
    expect(reads).toBe(1);
    await world.organizations.setStatus(provider.id, 'SUSPENDED');
    expect(await ask()).toBe('product_not_serving');
    await world.organizations.setStatus(provider.id, 'VERIFIED');
    expect(await ask()).toBe('resolved');
    await world.exchange.products.review(product.id, 'suspend');
    expect(await ask()).toBe('product_not_serving');
    await world.exchange.products.review(product.id, 'reinstate');
    expect(await ask()).toBe('resolved');
    world.clock.set('2026-03-10T10:05:00.000Z');
    await world.exchange.products.cancelLicence(licence.id, buyer);
    expect(await ask()).toBe('licence_not_active');
    expect(world.logged).toHaveLength(5);
    expect((await world.stores.metering.usage(licence.id)).totals).toEqual([{ period: '2026-03', calls: 5, units: '5', amount_dong: '5000' }]);
  });

  it('checks a use again, billing nothing, when its licence changes between the check and the billing', async () => {
    const { product, licence } = await world.licensed(provider, buyer);
    const q = { licenceId: licence.id, groupBy: ['province' as const], filters: {} };
    await world.exchange.metering.query(buyer, product.id, q, undefined); // the licence is kept
    const statistics = world.stores.statistics;
    const counts = statistics.counts.bind(statistics);
    statistics.counts = async (...args) => {
      statistics.counts = counts;
      world.clock.set('2026-03-10T10:05:00.000Z');
      await world.exchange.products.cancelLicence(licence.id, buyer); // while the first attempt computes
      return counts(...args);
    };
    expect(await code(world.exchange.metering.query(buyer, product.id, q, 'late'))).toBe('licence_not_active');
    expect(await world.stores.metering.existing(licence.id, 'late')).toBeUndefined();
    expect(world.logged).toHaveLength(1);
  });

  it("holds a licence to the product's daily quota and the plan's monthly units", async () => {
    const body = aggregateBody({
      terms: { ...TERMS, quota: { units: 2, per: 'DAY' } },
      plans: [{ id: 'free', kind: 'FREE', priceDong: '0', includedUnits: 3 }],
    });
    const { product, licence } = await world.licensed(provider, buyer, body);
    const ask = () => world.exchange.metering.query(buyer, product.id, { licenceId: licence.id, groupBy: [], filters: {} }, undefined);
    await ask();
    await ask();
    const err = (await ask().catch((e: unknown) => e)) as DomainError;
    expect([err.code, err.extra]).toEqual(['quota_exceeded', { quota: { window: 'terms:2026-03-10', limit: 2 } }]);
    world.clock.advance(86_400_000);
    expect((await ask()).metering.amountDong).toBe('0');
    expect(((await ask().catch((e: unknown) => e)) as DomainError).extra).toEqual({ quota: { window: 'plan:2026-03', limit: 3 } });
  });
});

describe('MeteringService: consented reads', () => {
  const SUBJECT = '0190c1b2-0000-7000-8000-0000000000f1';
  const CONSENT = '0190c1b2-0000-7000-8000-0000000000c1';
  const OTHER_CONSENT = '0190c1b2-0000-7000-8000-0000000000c2';
  let world: ExchangeWorld;
  let provider: Organization;
  let buyer: Organization;
  let reads: string[][];
  let consent: { purpose: string; subject_id: string; revoked: boolean };

  const consents: ConsentedRecords = {
    forConsumer: async (consumerOrgId, consentId) => {
      if (consumerOrgId !== buyer.id || (consentId !== CONSENT && consentId !== OTHER_CONSENT)) throw new DomainError('not_found', 'no such consent');
      return consent;
    },
    read: async (_consumer, _consentId, fields) => {
      if (consent.revoked) throw new DomainError('consent_not_active', 'the consent was revoked');
      reads.push(fields);
      return { consent, fields: { 'residence.province': 'Huế' }, provenance: [{ category: 'residence' }] };
    },
  };
  const body = aggregateBody({
    kind: 'CONSENTED',
    aggregate: undefined,
    consented: { purpose: 'academic_research', fields: ['residence.province'] },
    plans: [{ id: 'per-record', kind: 'PER_RECORD', priceDong: '500' }],
  });

  beforeEach(async () => {
    reads = [];
    consent = { purpose: 'academic_research', subject_id: SUBJECT, revoked: false };
    world = new ExchangeWorld({ consents });
    provider = await world.organization(['provider']);
    buyer = await world.organization(['consumer']);
  });

  it("reads the product's fields under the buyer's consent and bills the record to the citizen's share", async () => {
    const { product, licence } = await world.licensed(provider, buyer, body);
    const answer = await world.exchange.metering.read(buyer, product.id, licence.id, CONSENT, 'read-1');
    expect(answer).toMatchObject({ subjectId: SUBJECT, fields: { 'residence.province': 'Huế' }, metering: { units: 1, amountDong: '500', replayed: false } });
    expect(reads).toEqual([['residence.province']]);
    expect(await world.stores.settlement.recordsReadAlongside(SUBJECT, '2026-03')).toEqual([{ licence_id: licence.id, subject_id: SUBJECT, units: '1' }]);
  });

  it('reads again on a retry without billing again, and refuses the key for another consent', async () => {
    const { product, licence } = await world.licensed(provider, buyer, body);
    await world.exchange.metering.read(buyer, product.id, licence.id, CONSENT, 'read-1');
    const again = await world.exchange.metering.read(buyer, product.id, licence.id, CONSENT, 'read-1');
    expect(again.metering.replayed).toBe(true);
    expect(reads).toHaveLength(2); // recorded as another access by the consent capability
    expect((await world.stores.metering.usage(licence.id)).totals[0]).toMatchObject({ calls: 1, amount_dong: '500' });
    // The same key for another citizen's record must never read it for free.
    expect(await code(world.exchange.metering.read(buyer, product.id, licence.id, OTHER_CONSENT, 'read-1'))).toBe('idempotency_key_reused');
    expect(reads).toHaveLength(2);
    expect(await code(world.exchange.metering.read(buyer, product.id, licence.id, '0190c1b2-0000-7000-8000-0000000000c3', 'read-2'))).toBe('not_found');
  });

  it('bills nothing when the read is refused, and refuses a consent for another purpose', async () => {
    const { product, licence } = await world.licensed(provider, buyer, body);
    consent.revoked = true;
    expect(await code(world.exchange.metering.read(buyer, product.id, licence.id, CONSENT, 'read-1'))).toBe('consent_not_active');
    expect(await world.stores.metering.existing(licence.id, 'read-1')).toBeUndefined();
    expect(world.logged).toEqual([]);
    consent = { purpose: 'credit_scoring', subject_id: SUBJECT, revoked: false };
    expect(await code(world.exchange.metering.read(buyer, product.id, licence.id, CONSENT, undefined))).toBe('purpose_not_permitted');
  });

  it('refuses to read through an aggregate product', async () => {
    const { product, licence } = await world.licensed(provider, buyer);
    expect(await code(world.exchange.metering.read(buyer, product.id, licence.id, CONSENT, undefined))).toBe('invalid_request');
  });
});
