import { readFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import pino, { type Logger } from 'pino';
import { loadOrCreateSigningKeys } from './auth/signing-keys.js';
import { TokenService } from './auth/tokens.js';
import type { Config } from './config.js';
import { createApp } from './http/app.js';
import { connectDatabase, migrate, type Sql } from './infra/database.js';
import { startEmbeddedPostgres, type RunningPostgres } from './infra/embedded-postgres.js';
import { FabricLedger, LedgerError, type LedgerIdentity } from './ledger/fabric-ledger.js';
import { createOrganizationService, ensureOperator } from './organizations/index.js';
import { PgOrganizations } from './organizations/pg-organizations.js';
import { PgVault } from './vault/pg-vault.js';
import { loadOrCreateSecret } from './vault/vault-keys.js';
import { VaultService } from './vault/vault-service.js';
import { ConsentService } from './consent/consent-service.js';
import { PgConsents } from './consent/pg-consents.js';
import { createWebhooks, pgWebhookStore } from './webhooks/index.js';
import { ConsentProjector } from './ledger/consent-projector.js';
import { AccessLog } from './audit/access-log.js';
import { LogService, loadOrCreateLogKey } from './audit/log-service.js';
import { LedgerProjector } from './audit/ledger-projector.js';
import { AuditService } from './audit/audit-service.js';
import { createExchange, pgExchangeStores, statisticsProjection } from './exchange/index.js';
import { RepairSweep, type RepairSweepOptions } from './ledger/repair-sweep.js';

export interface RunningApi {
  url: string;
  port: number;
  sql: Sql;
  ledger: FabricLedger;
  log: LogService;
  ledgerProjector: LedgerProjector;
  repair: RepairSweep;
  close(): Promise<void>;
}

/**
 * Starts the API: its database (embedded Postgres or `VAULT_DATABASE_URL`), migrations, the ledger
 * connection and the HTTP server. `ledgerIdentity` is how to reach the ledger when the caller
 * started an embedded devnet; otherwise it comes from the configuration.
 */
export interface StartOptions {
  ledgerIdentity?: LedgerIdentity;
  /** An admin of the operator's MSP, needed once: to open the exchange on a new ledger. */
  adminLedgerIdentity?: LedgerIdentity;
  logger?: Logger;
  /** First webhook retry delay (1 s unless a test wants it shorter). */
  webhookRetryBaseMs?: number;
  /** How long a request holds its Idempotency-Key without renewing it (30 s unless a test wants it shorter). */
  idempotencyLeaseMs?: number;
  /** The repair sweep's timing (see RepairSweepOptions); tests shorten it. */
  repair?: Omit<RepairSweepOptions, 'log'>;
  /** How often a new tree head is signed and anchored when the log has grown (2 s unless a test wants it shorter). */
  treeHeadIntervalMs?: number;
}

export async function startApi(config: Config, options: StartOptions = {}): Promise<RunningApi> {
  const logger = options.logger ?? pino({ level: config.logLevel, base: { component: 'api' }, redact: ['req.headers.authorization', '*.nationalId', '*.nid'] });
  const cleanups: (() => Promise<void> | void)[] = [];
  const closeAll = async (): Promise<void> => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  };
  try {
    let databaseUrl: string;
    if (config.database.kind === 'embedded') {
      const pg: RunningPostgres = await startEmbeddedPostgres(config.database.dir, config.database.port, (line) => logger.debug({ postgres: line }));
      cleanups.push(() => pg.stop());
      databaseUrl = pg.url;
    } else {
      databaseUrl = config.database.url;
    }
    const sql = connectDatabase(databaseUrl);
    cleanups.push(() => sql.end({ timeout: 5 }));
    const applied = await migrate(sql);
    if (applied.length > 0) logger.info({ migrations: applied }, 'database migrated');

    const identity = options.ledgerIdentity ?? (await ledgerIdentityFrom(config));
    const ledger = FabricLedger.connect(identity, config.channel, config.chaincode);
    cleanups.push(() => ledger.close());

    const organizations = new PgOrganizations(sql);
    const adminIdentity = options.adminLedgerIdentity ?? (await adminIdentityFrom(config));
    const admin = adminIdentity ? FabricLedger.connect(adminIdentity, config.channel, config.chaincode) : undefined;
    try {
      const operator = await whileLedgerStarts(() => ensureOperator(organizations, ledger, identity.mspId, admin), (err) => logger.warn({ err: err.message }, 'the ledger is not ready yet; retrying'));
      logger.info({ operatorId: operator.id }, 'exchange operator');
    } finally {
      admin?.close();
    }

    const keys = await loadOrCreateSigningKeys(join(config.dataDir, 'keys', 'api-signing-key.jwk'));
    const kek = await loadOrCreateSecret(join(config.dataDir, 'keys', 'kek.key'), config.secrets.kek);
    const accessLog = new AccessLog(sql);
    const log = new LogService(sql, ledger, await loadOrCreateLogKey(join(config.dataDir, 'keys', 'log-ed25519.pem')), {
      intervalMs: options.treeHeadIntervalMs ?? 2_000,
      log: (message, fields) => logger.warn(fields, message),
    });
    log.start();
    cleanups.push(() => log.stop());
    const ledgerProjector = new LedgerProjector(sql, ledger, (message, fields) => logger.error(fields, message));
    ledgerProjector.start();
    cleanups.push(() => ledgerProjector.stop());
    const exchangeStores = pgExchangeStores(sql);
    const vault = new VaultService(
      new PgVault(sql),
      ledger,
      { kek, indexKey: await loadOrCreateSecret(join(config.dataDir, 'keys', 'index.key'), config.secrets.indexKey) },
      accessLog,
      statisticsProjection(exchangeStores.statistics),
    );
    const webhooks = createWebhooks({
      store: pgWebhookStore(sql),
      options: {
        kek,
        allowLoopbackHttp: config.devMode,
        retryBaseMs: options.webhookRetryBaseMs ?? 1_000,
        maxAttempts: 8,
        log: (message, fields) => logger.warn(fields, message),
      },
    });
    webhooks.dispatcher.start();
    cleanups.push(() => webhooks.dispatcher.stop());
    const projector = new ConsentProjector(sql, ledger, (message, fields) => logger.error(fields, message));
    projector.start();
    cleanups.push(() => projector.stop());
    const tokens = new TokenService({
      keys,
      issuer: config.publicUrl,
      audience: config.audience,
      ...(config.citizenOidc ? { citizenOidc: config.citizenOidc } : {}),
      activeOrganization: async (id) => {
        const org = await organizations.get(id);
        return org?.status === 'VERIFIED' ? org : undefined;
      },
    });
    const consentStore = new PgConsents(sql, accessLog);
    const consents = new ConsentService(consentStore, vault, ledger, keys, (org, type, data) => webhooks.service.notify(org, type, data));
    const exchange = createExchange({ stores: exchangeStores, ledger, consents, citizens: vault, shares: config.exchange.revenueShares, accessLog });
    // After the projectors: it works from the events the ledger projector stores.
    const repair = new RepairSweep(sql, ledger, accessLog, { consents: consentStore, vault, products: exchange.products }, {
      ...config.repair,
      ...options.repair,
      log: (message, fields) => logger.warn(fields, message),
    });
    repair.start();
    cleanups.push(() => repair.stop());
    const app = createApp({
      publicUrl: config.publicUrl,
      sql,
      organizations: { store: organizations, service: createOrganizationService({ store: organizations, ledger, operatorMspId: identity.mspId, listings: exchange.products }) },
      vault,
      consents,
      webhooks: webhooks.service,
      exchange,
      audit: { service: new AuditService(sql, ledger), log, projector: ledgerProjector },
      devMode: config.devMode,
      keys,
      tokens,
      rateLimits: config.rateLimits,
      idempotency: { kek, leaseMs: options.idempotencyLeaseMs ?? config.idempotencyLeaseMs },
      readiness: {
        database: async () => {
          await sql`select 1`;
        },
        ledgerHeight: () => ledger.height(),
        repair: () => repair.status(),
      },
      logError: (err, requestId) => logger.error({ err, requestId }, 'request failed'),
    });
    const server: Server = await new Promise((resolve, reject) => {
      const s = app.listen(config.port, config.host, () => resolve(s));
      s.once('error', reject);
    });
    cleanups.push(() => new Promise<void>((done) => server.close(() => done())));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const url = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}`;
    logger.info({ url, devMode: config.devMode }, 'api ready');
    let closing: Promise<void> | undefined;
    return { url, port, sql, ledger, log, ledgerProjector, repair, close: () => (closing ??= closeAll()) };
  } catch (err) {
    await closeAll().catch(() => {});
    throw err;
  }
}

async function ledgerIdentityFrom(config: Config): Promise<LedgerIdentity> {
  const fabric = config.fabric;
  if (fabric.kind === 'embedded') throw new Error('the embedded devnet must be started by the caller (see main.ts)');
  if (fabric.kind === 'explicit') {
    return {
      endpoint: fabric.endpoint,
      hostAlias: fabric.hostAlias,
      mspId: fabric.mspId,
      tlsCaPem: await readFile(fabric.tlsCaPath, 'utf8'),
      certPem: await readFile(fabric.certPath, 'utf8'),
      keyPem: await readFile(fabric.keyPath, 'utf8'),
    };
  }
  return identityFromConnectionFile(fabric.path, fabric.mspId);
}

/** A connection file may name its organisation's Admin too: needed once, to open the exchange on a new ledger. */
async function adminIdentityFrom(config: Config): Promise<LedgerIdentity | undefined> {
  if (config.fabric.kind !== 'connection-file') return undefined;
  return identityFromConnectionFile(config.fabric.path, config.fabric.mspId, 'Admin').catch(() => undefined);
}

interface ConnectionFile {
  endpoint: string;
  organizations: { mspId: string; peerHostAlias: string; tlsCACert: string; endpoint?: string; users: Record<string, { cert: string; key: string }> }[];
}

/**
 * Reads a `connection.json` as the devnet and `npm run fabric -- up` write it, for the given (or
 * first) organisation's User1: on a real network each organisation has its own peer (`endpoint`).
 */
export async function identityFromConnectionFile(path: string, mspId?: string, user = 'User1'): Promise<LedgerIdentity> {
  const connection = JSON.parse(await readFile(path, 'utf8')) as ConnectionFile;
  const org = mspId ? connection.organizations.find((o) => o.mspId === mspId) : connection.organizations[0];
  if (!org) throw new Error(`${path} has no organisation ${mspId ?? ''}`);
  const u = org.users[user];
  if (!u) throw new Error(`${path} has no user ${user} for ${org.mspId}`);
  // Paths in the file are relative to the file, so a connection file and its certificates can be copied together.
  const at = (file: string): string => resolve(dirname(path), file);
  return {
    endpoint: org.endpoint ?? connection.endpoint,
    hostAlias: org.peerHostAlias,
    mspId: org.mspId,
    tlsCaPem: await readFile(at(org.tlsCACert), 'utf8'),
    certPem: await readFile(at(u.cert), 'utf8'),
    keyPem: await readFile(at(u.key), 'utf8'),
  };
}

/**
 * The first ledger call of a starting API may meet a network still settling (a real Fabric peer
 * learns the other organisations' peers through gossip a few seconds after it starts): retry it
 * for a while on `ledger_unavailable`, then give up with that error.
 */
async function whileLedgerStarts<T>(fn: () => Promise<T>, onRetry: (err: LedgerError) => void, withinMs = 30_000): Promise<T> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof LedgerError && err.code === 'ledger_unavailable') || Date.now() > deadline) throw err;
      onRetry(err);
      await new Promise((r) => setTimeout(r, 1_000));
    }
  }
}
