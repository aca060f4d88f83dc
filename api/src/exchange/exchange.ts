import { Router } from 'express';
import type { TokenService } from '../auth/tokens.js';
import type { ConsentService } from '../consent/consent-service.js';
import type { Sql } from '../infra/database.js';
import type { FabricLedger } from '../ledger/fabric-ledger.js';
import type { VaultService } from '../vault/vault-service.js';
import { licenceRoutes } from './licence-routes.js';
import { MeteringService, type LicenceUseLog } from './metering-service.js';
import { PgMetering } from './pg-metering.js';
import { PgProducts } from './pg-products.js';
import { PgSettlement } from './pg-settlement.js';
import { PgStatistics } from './pg-statistics.js';
import { ProductService } from './product-service.js';
import { productRoutes } from './product-routes.js';
import type { RevenueShares } from './revenue-split.js';
import { settlementRoutes } from './settlement-routes.js';
import { SettlementService } from './settlement-service.js';
import { StatisticsProjection } from './statistics-projection.js';

export type { LicenceUseLog } from './metering-service.js';
export type { RevenueShares } from './revenue-split.js';

/** The data exchange, assembled: its services over one Postgres and the ledger. */
export interface Exchange {
  products: ProductService;
  metering: MeteringService;
  meteringStore: PgMetering;
  settlement: SettlementService;
  statistics: PgStatistics;
  vault: VaultService;
}

/** The deposit hook the vault calls, so the statistics projection follows the records. */
export function statisticsProjection(sql: Sql): StatisticsProjection {
  return new StatisticsProjection(new PgStatistics(sql));
}

export function createExchange(deps: { sql: Sql; ledger: FabricLedger; vault: VaultService; consents: ConsentService; shares: RevenueShares; accessLog?: LicenceUseLog }): Exchange {
  const products = new PgProducts(deps.sql);
  const meteringStore = new PgMetering(deps.sql);
  const statistics = new PgStatistics(deps.sql);
  return {
    products: new ProductService(products, deps.ledger),
    metering: new MeteringService(products, meteringStore, statistics, deps.consents, deps.accessLog),
    meteringStore,
    settlement: new SettlementService(new PgSettlement(deps.sql), deps.ledger, deps.shares),
    statistics,
    vault: deps.vault,
  };
}

export function exchangeRoutes(tokens: TokenService, exchange: Exchange): Router {
  const router = Router();
  router.use(productRoutes(tokens, exchange.products));
  router.use(licenceRoutes(tokens, exchange.products, exchange.metering, exchange.meteringStore));
  router.use(settlementRoutes(tokens, exchange.settlement, exchange.statistics, exchange.vault));
  return router;
}
