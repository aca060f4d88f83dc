/**
 * The data exchange: products and licences, metered uses, monthly settlement and the statistics
 * projection. The public surface of the capability — other folders import from here only.
 */
import { Router } from 'express';
import type { TokenService } from '../auth/tokens.js';
import { systemClock, type Clock } from '../infra/clock.js';
import type { Sql } from '../infra/database.js';
import { licenceRoutes } from './licence-routes.js';
import { MeteringService } from './metering-service.js';
import { PgMetering } from './pg-metering.js';
import { PgProducts } from './pg-products.js';
import { PgSettlement } from './pg-settlement.js';
import { PgStatistics } from './pg-statistics.js';
import type {
  CitizenDirectory,
  ConsentedRecords,
  ExchangeLedger,
  ExchangeStores,
  LicenceUseLog,
  MeteringStore,
  StatisticsExclusion,
  StatisticsStore,
} from './ports.js';
import { ProductService } from './product-service.js';
import { productRoutes } from './product-routes.js';
import type { RevenueShares } from './revenue-split.js';
import { settlementRoutes } from './settlement-routes.js';
import { SettlementService } from './settlement-service.js';
import { StatisticsProjection } from './statistics-projection.js';

export type {
  CitizenDirectory,
  ConsentForRead,
  ConsentedRecords,
  ExchangeLedger,
  ExchangeRepair,
  ExchangeStores,
  LicenceUseLog,
  MeteringStore,
  ProductStore,
  SettlementStore,
  StatisticsExclusion,
  StatisticsStore,
} from './ports.js';
export type { RevenueShares } from './revenue-split.js';
export type { DepositListener } from './statistics-projection.js';
export { ProductService, type ReviewAction } from './product-service.js';
export { MeteringService } from './metering-service.js';
export { SettlementService } from './settlement-service.js';
export { memoryExchangeStores } from './memory-exchange-stores.js';

/** The data exchange, assembled: its services over its stores and the ledger. */
export interface Exchange {
  products: ProductService;
  metering: MeteringService;
  meteringStore: MeteringStore;
  settlement: SettlementService;
  statistics: StatisticsStore;
  citizens: CitizenDirectory;
}

/** The exchange's stores in Postgres, for the composition root. */
export function pgExchangeStores(sql: Sql): ExchangeStores {
  return { products: new PgProducts(sql), metering: new PgMetering(sql), statistics: new PgStatistics(sql), settlement: new PgSettlement(sql) };
}

/** The deposit hook the vault calls, so the statistics projection follows the records. */
/** The statistics projection as data-subject rights change it (erasure, restriction). */
export function pgStatisticsExclusion(sql: Sql): StatisticsExclusion {
  return new PgStatistics(sql);
}

export function statisticsProjection(statistics: StatisticsStore): StatisticsProjection {
  return new StatisticsProjection(statistics);
}

export interface ExchangeDeps {
  stores: ExchangeStores;
  ledger: ExchangeLedger;
  /** The consents CONSENTED products read under. */
  consents: ConsentedRecords;
  /** Citizens' subject ids, for their earnings and preferences. */
  citizens: CitizenDirectory;
  shares: RevenueShares;
  accessLog?: LicenceUseLog;
  clock?: Clock;
  /** A uniform number in (0, 1) for Laplace noise; the operating system's CSPRNG unless a test seeds it. */
  uniform?: () => number;
}

/**
 * Builds the exchange's services. It runs no background work of its own: the statistics projection
 * is fed synchronously by the vault's deposits (`statisticsProjection`), statements are closed on
 * the operator's request, and the repair sweep reaches the read model through `products`.
 */
export function createExchange(deps: ExchangeDeps): Exchange {
  const clock = deps.clock ?? systemClock;
  const { products, metering, statistics, settlement } = deps.stores;
  return {
    products: new ProductService(products, deps.ledger, clock),
    metering: new MeteringService(products, metering, statistics, deps.consents, deps.accessLog, clock, deps.uniform),
    meteringStore: metering,
    settlement: new SettlementService(settlement, deps.ledger, deps.shares, clock),
    statistics,
    citizens: deps.citizens,
  };
}

export function exchangeRoutes(tokens: TokenService, exchange: Exchange): Router {
  const router = Router();
  router.use(productRoutes(tokens, exchange.products));
  router.use(licenceRoutes(tokens, exchange.products, exchange.metering, exchange.meteringStore));
  router.use(settlementRoutes(tokens, exchange.settlement, exchange.statistics, exchange.citizens));
  return router;
}
