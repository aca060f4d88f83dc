import { describe, expect, it } from 'vitest';
import { LicenceNotUsableError, QuotaExceededError } from '@citizen-vault/sdk';
import { useStack } from '../../api/test/stack.js';
import { sdkOperator, sdkOrganization } from './sdk-stack.js';

describe('the SDK on the exchange', () => {
  const shared = useStack();
  const operator = () => sdkOperator(shared.stack.url);
  const organization = (roles: ('custodian' | 'consumer' | 'provider')[], name: string) => sdkOrganization(shared.stack.url, roles, name);

  it('lists, reviews, licenses, queries until the quota is spent — without retrying a spent quota — and reads the invoice', async () => {
    const provider = await organization(['provider'], 'Nhà cung cấp (SDK)');
    const buyer = await organization(['consumer'], 'Người mua (SDK)');
    const draft = await provider.exchange.createProduct({
      title: { vi: 'Dân số theo tỉnh', en: 'Population by province' },
      description: { vi: 'Thống kê.', en: 'Statistics.' },
      kind: 'AGGREGATE',
      outputSchema: { type: 'object' },
      terms: {
        permittedPurposes: ['academic_research'],
        durationDays: 30,
        prohibitedActions: ['re_identification', 'resale'],
        crossBorder: false,
        attribution: true,
        quota: { units: 2, per: 'MONTH' },
        minCohortSize: 10,
      },
      plans: [{ id: 'per-query', kind: 'PAY_PER_QUERY', priceDong: '1234' }],
      aggregate: { dimensions: ['province', 'sex'] },
    });
    expect(draft.prelistingFlags).toEqual([]);
    await provider.exchange.submit(draft.id);
    await operator().exchange.review(draft.id, 'approve');
    const product = (await buyer.exchange.catalogue({ q: 'Population' })).items.find((p) => p.id === draft.id)!;
    const licence = await buyer.exchange.license(product, { planId: 'per-query', purpose: 'academic_research' });
    const stats = await buyer.exchange.query(product.id, { licenceId: licence.id, groupBy: ['province'] });
    expect(stats).toMatchObject({ cells: [], minCohortSize: 10, metering: { units: 1, amountDong: '1234', replayed: false } });
    await buyer.exchange.query(product.id, { licenceId: licence.id });
    await expect(buyer.exchange.query(product.id, { licenceId: licence.id })).rejects.toBeInstanceOf(QuotaExceededError);
    const usage = await buyer.exchange.usage(licence.id);
    expect(usage.periods[0]).toMatchObject({ calls: 2, amountDong: '2468' });
    const { items } = await buyer.exchange.invoices(new Date().toISOString().slice(0, 7));
    const invoice = items.find((i) => i.licenceId === licence.id)!;
    expect(Object.values(invoice.split).reduce((a, b) => a + BigInt(b), 0n)).toBe(2468n);
    await operator().exchange.review(product.id, 'suspend');
    await expect(buyer.exchange.query(product.id, { licenceId: licence.id })).rejects.toBeInstanceOf(LicenceNotUsableError);
  });
});
