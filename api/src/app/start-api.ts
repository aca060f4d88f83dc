import type { Server } from 'node:http';
import { join } from 'node:path';
import type { Express } from 'express';
import pino, { type Logger } from 'pino';
import { loadOrCreateSigningKeys, type SigningKeys } from '../auth/signing-keys.js';
import { TokenService } from '../auth/tokens.js';
import type { Config } from '../config.js';
import { createHttpApp } from './http-app.js';
import { adminIdentityFrom, ledgerIdentityFrom } from './ledger-identity.js';
import { Lifecycle } from './lifecycle.js';
import { openBrowserSignIn } from './browser-sign-in.js';
import { systemClock } from '../infra/clock.js';
import { IntervalWorker } from '../infra/interval-worker.js';
import { connectDatabase, migrate, type Sql } from '../infra/database.js';
import { startEmbeddedPostgres } from '../infra/embedded-postgres.js';
import { FabricLedger, LedgerError, type LedgerIdentity } from '../ledger/fabric-ledger.js';
import { activeOrganizations, createOrganizationService, ensureOperator, pgOrganizationStore, type OrganizationStore } from '../organizations/index.js';
import {
  createKeyRotation,
  createRecordCorrections,
  createVaultService,
  loadOrCreateSecret,
  openKekRing,
  pgSubjectShredder,
  pgVaultStore,
} from '../vault/index.js';
import { ConsentProjector, createConsentService, pgConsentStore, pgReadSource, pruneEndedUsage } from '../consent/index.js';
import { createWebhooks, pgWebhookStore } from '../webhooks/index.js';
import { createAuditService, createLogService, LedgerProjector, loadOrCreateLogKey, pgAccessLog, type LogKey, type LogService } from '../audit/index.js';
import { createExchange, pgExchangeStores, pgStatisticsExclusion, statisticsProjection } from '../exchange/index.js';
import { RepairSweep, type RepairSweepOptions } from '../repair/index.js';
import { createRectification } from '../rectification/index.js';
import { createExport, createRights } from '../rights/index.js';
import { createRetention } from '../retention/index.js';
import { PasskeyService, pgPasskeyStore } from '../passkeys/index.js';
import { createBreaches } from '../breaches/index.js';
import { openNotices } from '../notices/index.js';
import { newId } from '../ids.js';

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
  /** How often pending data-subject request steps are retried on the ledger (15 s unless a test wants it shorter). */
  rightsRecorderIntervalMs?: number;
  /** How often open EXPORT requests are carried out (5 s unless a test wants it shorter). */
  exportIntervalMs?: number;
  /** How often pending breach versions and notices are retried on the ledger and the webhooks outbox (15 s unless a test wants it shorter). */
  breachOutboxIntervalMs?: number;
  /** How often the notices sweep retries log leaves and re-consent requests (15 s unless a test wants it shorter). */
  noticesIntervalMs?: number;
}

export async function startApi(config: Config, options: StartOptions = {}): Promise<RunningApi> {
  const logger = options.logger ?? pino({ level: config.logLevel, base: { component: 'api' }, redact: ['req.headers.authorization', '*.nationalId', '*.nid'] });
  const warn = (message: string, fields: Record<string, unknown>): void => logger.warn(fields, message);
  const lifecycle = new Lifecycle();
  try {
    // Adapters: the database, the ledger, the keys.
    const sql = await openDatabase(config, logger, lifecycle);
    const identity = options.ledgerIdentity ?? (await ledgerIdentityFrom(config));
    const ledger = lifecycle.closeLater('ledger', FabricLedger.connect(identity, config.channel, config.chaincode), (l) => l.close());
    const organizations = pgOrganizationStore(sql);
    // Every organisation's request asks whether it may act: answered from memory, dropped on each change Postgres announces.
    const active = lifecycle.closeLater('organization announcements', activeOrganizations(sql, organizations), (a) => a.stop());
    await active.start();
    await openExchange(config, options, organizations, ledger, identity.mspId, logger);
    const keys = await loadKeys(config);
    const keks = await openKekRing(sql, join(config.dataDir, 'keys'), config.secrets);

    // Capabilities.
    const accessLog = pgAccessLog(sql);
    const log = createLogService(sql, ledger, keys.log, { intervalMs: options.treeHeadIntervalMs ?? 2_000, log: warn });
    const ledgerProjector = new LedgerProjector(sql, ledger, (message, fields) => logger.error(fields, message));
    const exchangeStores = pgExchangeStores(sql);
    const vaultDeps = {
      store: pgVaultStore(sql),
      ledger,
      keys: { keks, indexKey: keys.index },
      log: accessLog,
      onDeposit: statisticsProjection(exchangeStores.statistics),
    };
    const vault = createVaultService(vaultDeps);
    const webhooks = createWebhooks({
      store: pgWebhookStore(sql),
      options: { kek: keys.kek, allowLoopbackHttp: config.devMode, retryBaseMs: options.webhookRetryBaseMs ?? 1_000, maxAttempts: 8, log: warn },
    });
    const consentProjector = new ConsentProjector(sql, ledger, (message, fields) => logger.error(fields, message));
    const browserSignIn = config.signIn ? await openBrowserSignIn(config, config.signIn, sql, keys.kek, organizations, logger) : undefined;
    const tokens = new TokenService({
      ...(browserSignIn ? { sessions: browserSignIn.sessions } : {}),
      keys: keys.signing,
      issuer: config.publicUrl,
      audience: config.audience,
      ...(config.citizenOidc ? { citizenOidc: config.citizenOidc } : {}),
      activeOrganization: (id) => active.get(id),
    });
    const consentStore = pgConsentStore(sql);
    const passkeyStore = pgPasskeyStore(sql);
    const notices = await openNotices({ sql, recorder: accessLog, clock: systemClock, intervalMs: options.noticesIntervalMs ?? 15_000, log: warn });
    const consents = createConsentService({
      decisions: passkeyStore,
      notices: notices.forConsents,
      store: consentStore,
      vault,
      readSource: pgReadSource(sql),
      ledger,
      keys: keys.signing,
      recorder: accessLog,
      history: accessLog,
      notify: (org, type, data) => webhooks.service.notify(org, type, data),
    });
    const exchange = createExchange({ stores: exchangeStores, ledger, consents, citizens: vault, shares: config.exchange.revenueShares, accessLog });
    const rights = createRights({
      sql,
      calendar: config.calendar,
      compactionEveryMs: config.erasureCompactionEveryMs,
      ledger,
      subjects: vault,
      clock: systemClock,
      newId: () => newId(systemClock.now().getTime()),
      recorderIntervalMs: options.rightsRecorderIntervalMs ?? 15_000,
      log: warn,
      consents,
      shredder: pgSubjectShredder(sql),
      statistics: pgStatisticsExclusion(sql),
      keys: { signing: keys.signing, kek: keys.kek, indexKey: keys.index },
    });
    const rectification = createRectification({
      sql,
      corrections: createRecordCorrections(vaultDeps),
      rights: rights.service,
      subjects: vault,
      consents: {
        activeFor: async (subjectId) =>
          (await consentStore.forSubject(subjectId, 'ACTIVE'))
            .filter((c) => !c.blocked_by && c.valid_until > systemClock.now())
            .map((c) => ({ id: c.id, consumerOrgId: c.consumer_org_id, grantedFields: c.granted_fields })),
      },
      notify: webhooks.service,
      clock: systemClock,
      newId: () => newId(systemClock.now().getTime()),
      log: warn,
    });
    const exports = createExport({
      sql,
      rights: rights.service,
      records: vault,
      consents,
      history: accessLog,
      logProofs: log,
      earnings: exchange.settlement,
      clock: systemClock,
      intervalMs: options.exportIntervalMs ?? 5_000,
      log: warn,
    });
    const passkeys = new PasskeyService({ store: passkeyStore, consents, subjects: vault, rp: relyingParty(config.publicUrl), clock: systemClock });
    const breaches = createBreaches({
      sql,
      ledger,
      webhooks: webhooks.service,
      subjects: vault,
      clock: systemClock,
      newId: () => newId(systemClock.now().getTime()),
      outboxIntervalMs: options.breachOutboxIntervalMs ?? 15_000,
      log: warn,
    });
    const noticeWork = notices.start({
      get: (id) => consentStore.get(id),
      requestSuccessor: (predecessor, ref) => consents.requestSuccessor(predecessor, ref),
      closeSuccession: (successor) => consents.closeSuccession(successor),
    });
    const repair = new RepairSweep(
      sql,
      ledger,
      accessLog,
      { consents: consentStore, vault, products: exchange.products },
      { ...config.repair, ...options.repair, log: warn },
    );

    // Background work. The repair sweep comes after the projectors: it works from the events the ledger projector stores.
    for (const worker of [log, ledgerProjector, webhooks.dispatcher, consentProjector, repair]) lifecycle.start(worker);
    if (browserSignIn) lifecycle.start(new IntervalWorker('session sweep', 10 * 60_000, () => browserSignIn.sessions.sweep(), warn));
    lifecycle.start(new IntervalWorker('usage sweep', 6 * 3600_000, () => pruneEndedUsage(sql, systemClock.now()), warn));
    lifecycle.start(rights.worker);
    const kekRotation = createKeyRotation(sql, keks, () => newId(systemClock.now().getTime()), warn);
    lifecycle.start(kekRotation);
    lifecycle.start(exports.worker);
    lifecycle.start(breaches.worker);
    lifecycle.start(noticeWork.worker);

    const app = createHttpApp({
      publicUrl: config.publicUrl,
      sql,
      organizations: {
        store: organizations,
        service: createOrganizationService({ store: organizations, ledger, operatorMspId: identity.mspId, listings: exchange.products }),
      },
      vault,
      consents,
      webhooks: webhooks.service,
      exchange,
      rights: rights.service,
      rectification,
      kekRotation,
      exports: exports.service,
      retention: createRetention({ sql, subjects: vault, clock: systemClock }),
      passkeys: { service: passkeys, evidence: { store: passkeyStore, consents, log, keys: keys.signing } },
      breaches: breaches.service,
      notices: { service: noticeWork.service, subjectOf: (nationalId: string) => vault.subjectId(nationalId, false) },
      audit: { service: createAuditService(sql, ledger), log, projector: ledgerProjector },
      devMode: config.devMode,
      ...(browserSignIn ? { browserSignIn } : {}),
      keys: keys.signing,
      tokens,
      rateLimits: config.rateLimits,
      idempotency: { kek: keys.kek, leaseMs: options.idempotencyLeaseMs ?? config.idempotencyLeaseMs },
      readiness: {
        database: async () => {
          await sql`select 1`;
        },
        ledgerHeight: () => ledger.height(),
        repair: () => repair.status(),
      },
      logError: (err, requestId) => logger.error({ err, requestId }, 'request failed'),
    });
    const server = await listen(app, config, lifecycle);
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const url = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}`;
    logger.info({ url, devMode: config.devMode }, 'api ready');
    return {
      url,
      port,
      sql,
      ledger,
      log,
      ledgerProjector,
      repair,
      close: () => lifecycle.close((name, err) => logger.error({ err, part: name }, 'error while stopping')),
    };
  } catch (err) {
    await lifecycle.close();
    throw err;
  }
}

/** WebAuthn's relying party is the portal: its origin, and its host name as the RP ID. */
function relyingParty(publicUrl: string): { id: string; name: string; origin: string } {
  const url = new URL(publicUrl);
  return { id: url.hostname, name: 'Citizen Vault', origin: url.origin };
}

/** The embedded Postgres (development) or `VAULT_DATABASE_URL`, migrated. */
async function openDatabase(config: Config, logger: Logger, lifecycle: Lifecycle): Promise<Sql> {
  let databaseUrl: string;
  let socketPath: string | undefined;
  if (config.database.kind === 'embedded') {
    const pg = await startEmbeddedPostgres(config.database.dir, config.database.port, {
      onLog: (line) => logger.debug({ postgres: line }),
      sharedBuffersMb: config.database.sharedBuffersMb,
    });
    lifecycle.closeLater('embedded postgres', pg, (p) => p.stop());
    databaseUrl = pg.url;
    socketPath = pg.socketPath;
  } else {
    databaseUrl = config.database.url;
  }
  const sql = lifecycle.closeLater('database', connectDatabase(databaseUrl, config.database.poolMax, socketPath), (s) => s.end({ timeout: 5 }));
  const applied = await migrate(sql);
  if (applied.length > 0) logger.info({ migrations: applied }, 'database migrated');
  return sql;
}

/** Makes sure the operator's organisation exists and the exchange is open on this ledger (the admin identity is needed once, on a new ledger). */
async function openExchange(
  config: Config,
  options: StartOptions,
  organizations: OrganizationStore,
  ledger: FabricLedger,
  mspId: string,
  logger: Logger,
): Promise<void> {
  const adminIdentity = options.adminLedgerIdentity ?? (await adminIdentityFrom(config));
  const admin = adminIdentity ? FabricLedger.connect(adminIdentity, config.channel, config.chaincode) : undefined;
  try {
    const operator = await whileLedgerStarts(
      () => ensureOperator(organizations, ledger, mspId, admin),
      (err) => logger.warn({ err: err.message }, 'the ledger is not ready yet; retrying'),
    );
    logger.info({ operatorId: operator.id }, 'exchange operator');
  } finally {
    admin?.close();
  }
}

/** The API's keys: from configuration in production, created once in the data directory in development. */
async function loadKeys(config: Config): Promise<{ signing: SigningKeys; kek: Uint8Array; index: Uint8Array; log: LogKey }> {
  const at = (file: string): string => join(config.dataDir, 'keys', file);
  return {
    signing: await loadOrCreateSigningKeys(at('api-signing-key.jwk')),
    kek: await loadOrCreateSecret(at('kek.key'), config.secrets.kek),
    index: await loadOrCreateSecret(at('index.key'), config.secrets.indexKey),
    log: await loadOrCreateLogKey(at('log-ed25519.pem')),
  };
}

async function listen(app: Express, config: Config, lifecycle: Lifecycle): Promise<Server> {
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(config.port, config.host, () => resolve(s));
    s.once('error', reject);
  });
  return lifecycle.closeLater('http server', server, (s) => new Promise<void>((done) => s.close(() => done())));
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
