import { DomainError } from '../errors/index.js';
import { systemClock, type Clock } from '../infra/clock.js';
import { LedgerError } from '../ledger/fabric-ledger.js';
import type { Organization } from '../organizations/index.js';
import type { ExchangeLedger, SettlementStore } from './ports.js';
import type { PeriodUsageRow } from './settlement-records.js';
import { monthsBetween, periodOf, subscriptionFee } from './pricing.js';
import { apportion, splitRevenue, type RevenueShares, type RevenueSplit } from './revenue-split.js';

export interface Invoice {
  licenceId: string;
  productId: string;
  productKind: string;
  buyerOrgId: string;
  providerOrgId: string;
  period: string;
  calls: number;
  units: number;
  usageDong: string;
  subscriptionDong: string;
  totalDong: string;
  split: Record<keyof RevenueSplit, string>;
  status: 'OPEN' | 'ANCHORED';
  /** `matchesLedger` only when asked to verify: whether the ledger holds this very total. */
  anchor: { transactionId: string; anchoredAt: string; matchesLedger?: boolean } | null;
}

const stringify = (s: RevenueSplit): Record<keyof RevenueSplit, string> => ({
  provider: s.provider.toString(),
  operator: s.operator.toString(),
  stateBudget: s.stateBudget.toString(),
  citizens: s.citizens.toString(),
});

/**
 * Monthly statements per licence: usage billed in the month plus the subscription fee, split
 * between the provider, the operator, the state budget and — for CONSENTED products — the citizens
 * (`splitRevenue`, largest remainder, so the parts sum to the total). Closing a finished month
 * anchors each statement's total on the ledger, where buyer and provider can check it.
 */
export class SettlementService {
  constructor(
    private readonly store: SettlementStore,
    private readonly ledger: ExchangeLedger,
    private readonly shares: RevenueShares,
    private readonly clock: Clock = systemClock,
  ) {}

  get revenueShares(): RevenueShares {
    return this.shares;
  }

  /** The statements of a month the caller may see: a buyer its licences', a provider its products', the operator all. */
  async invoices(caller: Organization | 'operator', period: string, verify = false): Promise<Invoice[]> {
    const scope = caller === 'operator' ? {} : { partyOrgId: caller.id };
    const rows = await this.store.periodUsage(period, scope);
    const invoices = rows.map((r) => this.invoice(r, period)).filter((i) => i.totalDong !== '0' || i.calls > 0);
    if (verify) {
      await Promise.all(
        invoices.map(async (i) => {
          if (!i.anchor) return;
          const onLedger = JSON.parse(Buffer.from(await this.ledger.evaluate('licences', 'GetStatement', i.licenceId, period)).toString()) as {
            units: number;
            amountDong: string;
            txId: string;
          };
          i.anchor.matchesLedger = onLedger.units === i.units && onLedger.amountDong === i.totalDong && onLedger.txId === i.anchor.transactionId;
        }),
      );
    }
    return invoices;
  }

  /**
   * What a citizen earned in a month: of each CONSENTED licence that read their records, their part
   * of the statement's citizens' share, apportioned by records read among all the citizens it read
   * (largest remainder, ties by subject id), so the citizens' parts sum to that share.
   */
  async earnings(
    subjectId: string,
    period: string,
  ): Promise<{ items: { licenceId: string; productId: string; records: number; amountDong: string }[]; totalDong: string }> {
    const reads = await this.store.recordsReadAlongside(subjectId, period);
    const licenceIds = [...new Set(reads.map((r) => r.licence_id))];
    if (licenceIds.length === 0) return { items: [], totalDong: '0' };
    const invoices = (await this.store.periodUsage(period, { licenceIds })).map((r) => this.invoice(r, period));
    const items = invoices.map((inv) => {
      const readers = reads.filter((r) => r.licence_id === inv.licenceId);
      const shares = apportion(
        BigInt(inv.split.citizens),
        readers.map((r) => BigInt(r.units)),
      );
      const mine = readers.findIndex((r) => r.subject_id === subjectId);
      return { licenceId: inv.licenceId, productId: inv.productId, records: Number(readers[mine]!.units), amountDong: shares[mine]!.toString() };
    });
    return { items, totalDong: items.reduce((a, i) => a + BigInt(i.amountDong), 0n).toString() };
  }

  /** Anchors every statement of a finished month that is not anchored yet; answers them all. */
  async close(period: string): Promise<Invoice[]> {
    if (period >= periodOf(this.clock.now())) throw new DomainError('invalid_request', `${period} has not ended yet; only a finished month is closed`);
    const open = (await this.store.periodUsage(period, {}))
      .map((r) => this.invoice(r, period))
      .filter((i) => i.status === 'OPEN' && (i.totalDong !== '0' || i.calls > 0));
    for (const inv of open) {
      let anchored: { txId: string; anchoredAt: string };
      try {
        anchored = JSON.parse(
          Buffer.from(
            await this.ledger.submit(
              'licences',
              'AnchorStatement',
              JSON.stringify({ licenceId: inv.licenceId, period, units: inv.units, amountDong: inv.totalDong }),
            ),
          ).toString(),
        ) as { txId: string; anchoredAt: string };
      } catch (err) {
        if (!(err instanceof LedgerError && err.code === 'already_exists')) throw err;
        anchored = JSON.parse(Buffer.from(await this.ledger.evaluate('licences', 'GetStatement', inv.licenceId, period)).toString()) as {
          txId: string;
          anchoredAt: string;
        };
      }
      await this.store.insertStatement({
        licenceId: inv.licenceId,
        period,
        units: inv.units,
        amountDong: inv.totalDong,
        split: inv.split,
        txId: anchored.txId,
        anchoredAt: anchored.anchoredAt,
      });
    }
    return (await this.store.periodUsage(period, {})).map((r) => this.invoice(r, period)).filter((i) => i.status === 'ANCHORED');
  }

  /** Public trade statistics: listed products, active licences, and per month the volume, value and the state budget's due. */
  async stats(from: string, to: string) {
    const [products, activeLicences] = await Promise.all([this.store.listedProducts(), this.store.activeLicences(this.clock.now())]);
    const months = monthsBetween(from, to);
    const byMonth = await Promise.all(
      months.map(async (period) => {
        const invoices = (await this.store.periodUsage(period, {})).map((r) => this.invoice(r, period));
        const sum = (f: (i: Invoice) => bigint | number) => invoices.reduce((acc, i) => acc + BigInt(f(i)), 0n).toString();
        return {
          period,
          calls: Number(sum((i) => i.calls)),
          units: Number(sum((i) => i.units)),
          valueDong: sum((i) => BigInt(i.totalDong)),
          stateBudgetDong: sum((i) => BigInt(i.split.stateBudget)),
          citizensDong: sum((i) => BigInt(i.split.citizens)),
        };
      }),
    );
    return {
      listedProducts: { total: products.reduce((n, p) => n + p.n, 0), byKind: Object.fromEntries(products.map((p) => [p.kind, p.n])) },
      activeLicences,
      periods: byMonth,
      revenueShares: this.shares,
    };
  }

  private invoice(r: PeriodUsageRow, period: string): Invoice {
    const endsAt = r.status === 'CANCELLED' ? new Date(Math.min(r.updated_at.getTime(), r.valid_until.getTime())) : r.valid_until;
    const usage = BigInt(r.usage_dong);
    const subscription = subscriptionFee(r.plan, period, r.valid_from, endsAt);
    // A closed month is what the ledger holds, whatever arrives later.
    const total = r.statement_amount !== null ? BigInt(r.statement_amount) : usage + subscription;
    return {
      licenceId: r.licence_id,
      productId: r.product_id,
      productKind: r.kind,
      buyerOrgId: r.buyer_org_id,
      providerOrgId: r.provider_org_id,
      period,
      calls: r.calls,
      units: r.statement_units !== null ? Number(r.statement_units) : Number(r.units),
      usageDong: usage.toString(),
      subscriptionDong: subscription.toString(),
      totalDong: total.toString(),
      // Citizens share only when their records were read: a month without reads has no one to pay.
      split: stringify(splitRevenue(total, this.shares, r.kind === 'CONSENTED' && r.calls > 0)),
      status: r.anchor_tx_id ? 'ANCHORED' : 'OPEN',
      anchor: r.anchor_tx_id && r.anchored_at ? { transactionId: r.anchor_tx_id, anchoredAt: r.anchored_at.toISOString() } : null,
    };
  }
}
