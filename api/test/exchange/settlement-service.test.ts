import { beforeEach, describe, expect, it } from 'vitest';
import { DomainError } from '../../src/errors/index.js';
import type { ConsentedRecords } from '../../src/exchange/index.js';
import type { Organization } from '../../src/organizations/index.js';
import { aggregateBody } from './exchange-fixtures.js';
import { ExchangeWorld, SHARES } from './exchange-world.js';

// SettlementService over its ports: in-memory stores, the chaincode's rules as the ledger, a test clock.
const code = (p: Promise<unknown>) =>
  p.then(
    () => 'resolved',
    (e: unknown) => (e instanceof DomainError ? e.code : ((e as { code?: string }).code ?? String(e))),
  );
const sum = (split: Record<string, string>) =>
  Object.values(split)
    .reduce((a, v) => a + BigInt(v), 0n)
    .toString();

describe('SettlementService', () => {
  let world: ExchangeWorld;
  let provider: Organization;
  let buyer: Organization;
  const subjects = ['0190c1b2-0000-7000-8000-0000000000a1', '0190c1b2-0000-7000-8000-0000000000a2', '0190c1b2-0000-7000-8000-0000000000a3'];
  let reading = subjects[0]!;
  const consents: ConsentedRecords = {
    forConsumer: async () => ({ purpose: 'academic_research', subject_id: reading }),
    read: async () => ({ consent: { purpose: 'academic_research', subject_id: reading }, fields: {}, provenance: [] }),
  };
  const consented = aggregateBody({
    kind: 'CONSENTED',
    aggregate: undefined,
    consented: { purpose: 'academic_research', fields: ['residence.province'] },
    plans: [{ id: 'per-record', kind: 'PER_RECORD', priceDong: '333' }],
  });

  beforeEach(async () => {
    world = new ExchangeWorld({ consents });
    provider = await world.organization(['provider']);
    buyer = await world.organization(['consumer']);
  });

  /** Reads one record of each citizen given, under the licence. */
  const readRecords = async (productId: string, licenceId: string, who: string[]) => {
    for (const s of who) {
      reading = s;
      await world.exchange.metering.read(buyer, productId, licenceId, '0190c1b2-0000-7000-8000-0000000000c1', undefined);
    }
  };

  it('states a month per licence: usage plus subscription, split so the parts sum to the total', async () => {
    const perRecord = await world.licensed(provider, buyer, consented);
    await readRecords(perRecord.product.id, perRecord.licence.id, [subjects[0]!, subjects[0]!, subjects[1]!]);
    world.clock.advance(1_000); // statements come in the order licences were issued
    const subscription = await world.licensed(
      provider,
      buyer,
      aggregateBody({ plans: [{ id: 'monthly', kind: 'SUBSCRIPTION', priceDong: '100001', includedUnits: 100 }] }),
    );
    const invoices = await world.exchange.settlement.invoices('operator', '2026-03');
    expect(invoices.map((i) => [i.licenceId, i.calls, i.units, i.usageDong, i.subscriptionDong, i.totalDong, i.status])).toEqual([
      [perRecord.licence.id, 3, 3, '999', '0', '999', 'OPEN'],
      [subscription.licence.id, 0, 0, '0', '100001', '100001', 'OPEN'],
    ]);
    for (const i of invoices) expect(sum(i.split)).toBe(i.totalDong);
    // Citizens share only in what was read of them: CONSENTED with reads, not the aggregate product.
    expect(invoices[0]!.split).toEqual({ stateBudget: '100', operator: '50', citizens: '200', provider: '649' });
    expect(invoices[1]!.split.citizens).toBe('0');
    expect(world.exchange.settlement.revenueShares).toEqual(SHARES);
  });

  it("shows a party its own licences' statements only", async () => {
    const { licence } = await world.licensed(
      provider,
      buyer,
      aggregateBody({ plans: [{ id: 'monthly', kind: 'SUBSCRIPTION', priceDong: '5000', includedUnits: 1 }] }),
    );
    const stranger = await world.organization(['consumer']);
    expect((await world.exchange.settlement.invoices(buyer, '2026-03')).map((i) => i.licenceId)).toEqual([licence.id]);
    expect((await world.exchange.settlement.invoices(provider, '2026-03')).map((i) => i.licenceId)).toEqual([licence.id]);
    expect(await world.exchange.settlement.invoices(stranger, '2026-03')).toEqual([]);
    expect(await world.exchange.settlement.invoices('operator', '2026-05')).toEqual([]);
  });

  it('closes only a finished month, anchoring each statement once, and the ledger then vouches for it', async () => {
    const { product, licence } = await world.licensed(provider, buyer, consented);
    await readRecords(product.id, licence.id, [subjects[0]!]);
    expect(await code(world.exchange.settlement.close('2026-03'))).toBe('invalid_request');
    world.clock.set('2026-04-01T00:00:00.000Z');
    const closed = await world.exchange.settlement.close('2026-03');
    expect(closed.map((i) => [i.licenceId, i.status, i.totalDong, i.anchor?.transactionId])).toEqual([[licence.id, 'ANCHORED', '333', 'tx-1']]);
    expect(world.ledger.statements.get(`${licence.id}|2026-03`)).toMatchObject({ units: 1, amountDong: '333' });
    await world.exchange.settlement.close('2026-03');
    expect(world.ledger.submitted.filter((t) => t === 'licences.AnchorStatement')).toHaveLength(1);
    const [verified] = await world.exchange.settlement.invoices(buyer, '2026-03', true);
    expect(verified!.anchor).toMatchObject({ transactionId: 'tx-1', matchesLedger: true });
  });

  it('keeps a closed month as the ledger holds it, whatever is metered in it later', async () => {
    const { product, licence } = await world.licensed(provider, buyer, consented);
    await readRecords(product.id, licence.id, [subjects[0]!]);
    world.clock.set('2026-04-01T00:00:00.000Z');
    await world.exchange.settlement.close('2026-03');
    // A use recorded late in March (a clock skewed between instances) after the close.
    world.clock.set('2026-03-31T23:59:59.000Z');
    await readRecords(product.id, licence.id, [subjects[1]!]);
    const [statement] = await world.exchange.settlement.invoices('operator', '2026-03', true);
    expect([statement!.units, statement!.usageDong, statement!.totalDong, statement!.anchor?.matchesLedger]).toEqual([1, '666', '333', true]);
  });

  it('finishes a close a crash interrupted after the ledger anchored the statement', async () => {
    const { product, licence } = await world.licensed(provider, buyer, consented);
    await readRecords(product.id, licence.id, [subjects[0]!]);
    world.clock.set('2026-04-01T00:00:00.000Z');
    await world.ledger.submit('licences', 'AnchorStatement', JSON.stringify({ licenceId: licence.id, period: '2026-03', units: 1, amountDong: '333' }));
    const [closed] = await world.exchange.settlement.close('2026-03');
    expect(closed).toMatchObject({ status: 'ANCHORED', anchor: { transactionId: 'tx-1' } });
  });

  it("gives each citizen their part of the citizens' share, by records read, the parts summing to the share", async () => {
    const { product, licence } = await world.licensed(provider, buyer, consented);
    await readRecords(product.id, licence.id, [subjects[0]!, subjects[0]!, subjects[1]!, subjects[2]!, subjects[0]!]);
    const [invoice] = await world.exchange.settlement.invoices('operator', '2026-03');
    expect(invoice!.split.citizens).toBe('333'); // 20 % of 1665
    const parts = await Promise.all(subjects.map((s) => world.exchange.settlement.earnings(s, '2026-03')));
    expect(parts.map((p) => [p.totalDong, p.items[0]?.records])).toEqual([
      ['200', 3],
      ['67', 1],
      ['66', 1],
    ]);
    expect(parts.reduce((a, p) => a + BigInt(p.totalDong), 0n)).toBe(333n);
    expect(await world.exchange.settlement.earnings('0190c1b2-0000-7000-8000-0000000000ff', '2026-03')).toEqual({ items: [], totalDong: '0' });
  });

  it("publishes trade statistics: listed products, active licences and each month's value", async () => {
    const { product, licence } = await world.licensed(provider, buyer, consented);
    await world.listed(provider);
    await readRecords(product.id, licence.id, [subjects[0]!, subjects[1]!]);
    const stats = await world.exchange.settlement.stats('2026-02', '2026-03');
    expect(stats).toMatchObject({
      listedProducts: { total: 2, byKind: { AGGREGATE: 1, CONSENTED: 1 } },
      activeLicences: 1,
      periods: [
        { period: '2026-02', calls: 0, units: 0, valueDong: '0', stateBudgetDong: '0', citizensDong: '0' },
        { period: '2026-03', calls: 2, units: 2, valueDong: '666', stateBudgetDong: '67', citizensDong: '133' },
      ],
    });
  });
});
