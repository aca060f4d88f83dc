import { resolve } from 'node:path';
import { z } from 'zod';

/**
 * The API's whole configuration, read once from the environment and validated at start. This is the
 * only module that reads `process.env`. With nothing set, it describes the embedded defaults:
 * Postgres and the devnet started in-process, data under `.data/`, the development token issuer on.
 */
/** A comma-separated list of real calendar dates, YYYY-MM-DD. */
const IsoDates = z
  .string()
  .transform((v) =>
    v
      .split(',')
      .map((d) => d.trim())
      .filter(Boolean),
  )
  .refine(
    (dates) => dates.every((d) => /^\d{4}-\d{2}-\d{2}$/.test(d) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d)),
    'dates as YYYY-MM-DD, comma-separated',
  );

const Env = z.object({
  CV_HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  CV_DATA_DIR: z.string().default('.data'),
  CV_PUBLIC_URL: z.url().optional(),
  // The API's Postgres connections (20). On 2 cores 6 served about 20% more consented reads at less
  // CPU per read, but fewer connections make postgres.js pipeline more statements on each, and its
  // open bug (porsager/postgres#1186: statements held back are never settled when the connection
  // dies) then left a request hanging after a Postgres kill: keep 20 until the driver is fixed.
  CV_DATABASE_POOL_MAX: z.coerce.number().int().min(3).max(500).optional(),
  VAULT_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  CV_EMBEDDED_PG_PORT: z.coerce.number().int().min(1).max(65535).default(54320),
  // The embedded Postgres's shared buffers in MB (default: a quarter of memory, 128 MB to 4 GB).
  CV_EMBEDDED_PG_SHARED_BUFFERS: z.coerce.number().int().min(16).max(1_048_576).optional(),
  CV_DEVNET_PORT: z.coerce.number().int().min(0).max(65535).default(7051),
  FABRIC_CONNECTION_FILE: z.string().optional(),
  FABRIC_ENDPOINT: z.string().optional(),
  FABRIC_HOST_ALIAS: z.string().optional(),
  FABRIC_TLS_CA: z.string().optional(),
  FABRIC_MSP_ID: z.string().optional(),
  FABRIC_CERT: z.string().optional(),
  FABRIC_KEY: z.string().optional(),
  FABRIC_CHANNEL: z.string().default('mychannel'),
  FABRIC_CHAINCODE: z.string().default('citizen-vault'),
  CV_DEV_MODE: z.enum(['true', 'false']).optional(),
  CV_TOKEN_AUDIENCE: z.string().default('citizen-vault-api'),
  OIDC_ISSUER: z.url().optional(),
  OIDC_JWKS_URL: z.url().optional(),
  OIDC_CLIENT_ID: z.string().min(1).optional(),
  OIDC_CLIENT_SECRET: z.string().min(16, 'at least 16 characters').optional(),
  OIDC_NATIONAL_ID_CLAIM: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{1,100}$/)
    .default('national_id'),
  OIDC_SCOPES: z
    .string()
    .regex(/^openid( [A-Za-z0-9_.:-]+)*$/, 'space-separated scopes, starting with openid')
    .default('openid'),
  OIDC_REQUIRED_ACR: z.string().min(1).optional(),
  CV_SESSION_IDLE_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(30),
  CV_SESSION_MAX_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(7 * 24)
    .default(12),
  CV_KEK: z
    .base64()
    .refine((k) => Buffer.from(k, 'base64').length === 32, 'must be 32 bytes, base64')
    .optional(),
  // Further KEK versions, for rotation: "2:<base64>,3:<base64>" (CV_KEK is version 1). New data
  // keys are wrapped with CV_KEK_CURRENT, by default the highest version; the others still unwrap.
  CV_KEKS: z
    .string()
    .regex(/^\d{1,6}:[A-Za-z0-9+/]+={0,2}(,\d{1,6}:[A-Za-z0-9+/]+={0,2})*$/, 'comma-separated version:base64 pairs, e.g. 2:<base64>,3:<base64>')
    .optional(),
  CV_KEK_CURRENT: z.coerce.number().int().min(1).optional(),
  CV_INDEX_KEY: z
    .base64()
    .refine((k) => Buffer.from(k, 'base64').length === 32, 'must be 32 bytes, base64')
    .optional(),
  CV_EXCHANGE_STATE_BUDGET_BPS: z.coerce.number().int().min(0).max(10_000).default(1_000),
  CV_EXCHANGE_OPERATOR_BPS: z.coerce.number().int().min(0).max(10_000).default(500),
  CV_EXCHANGE_CITIZENS_BPS: z.coerce.number().int().min(0).max(10_000).default(3_000),
  // Rate limits, per minute. The defaults stop floods without throttling a busy deployment's honest
  // clients (or this repository's test suites and benchmarks, which all come from one address).
  CV_RATE_LIMIT_TOKEN_PER_CLIENT: z.coerce.number().int().min(1).default(300),
  CV_RATE_LIMIT_TOKEN_PER_IP: z.coerce.number().int().min(1).default(1_200),
  CV_RATE_LIMIT_SIGN_IN_PER_IP: z.coerce.number().int().min(1).default(1_200),
  CV_RATE_LIMIT_AUTH_FAILURES_PER_IP: z.coerce.number().int().min(1).default(1_200),
  // Passkey registration and decision challenges: each writes a one-time challenge, so a citizen (or
  // an address) asking for them in a loop fills a table; an honest citizen asks a few times a minute.
  CV_RATE_LIMIT_PASSKEY_PER_CITIZEN: z.coerce.number().int().min(1).default(60),
  CV_RATE_LIMIT_PASSKEY_PER_IP: z.coerce.number().int().min(1).default(1_200),
  CV_REPAIR_INTERVAL_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
  CV_REPAIR_GRACE_MS: z.coerce.number().int().min(0).max(3_600_000).default(10_000),
  CV_IDEMPOTENCY_LEASE_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
  // The Government's yearly decisions on the working-day calendar: bridged days off, and the weekend
  // days worked in exchange. Comma-separated local dates (YYYY-MM-DD); deadlines of data-subject
  // requests count them.
  CV_CALENDAR_DAYS_OFF: IsoDates.optional(),
  CV_CALENDAR_WORKING_DAYS: IsoDates.optional(),
  // At most one storage compaction after erasure (VACUUM FULL of the shredded tables, which locks
  // each while it rewrites it) per this many milliseconds; 0 compacts after every erasure. One
  // compaction serves every erasure shredded before it started.
  CV_ERASURE_COMPACTION_EVERY_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(7 * 86_400_000)
    .default(0),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface FabricIdentityConfig {
  endpoint: string;
  hostAlias: string;
  tlsCaPath: string;
  mspId: string;
  certPath: string;
  keyPath: string;
}

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  /** The API's own URL: the `iss` of the tokens it signs. */
  publicUrl: string;
  database: ({ kind: 'embedded'; port: number; dir: string; sharedBuffersMb?: number } | { kind: 'url'; url: string }) & { poolMax: number };
  /** Where the ledger is: an embedded devnet started with the API, or a Fabric network. */
  fabric: { kind: 'embedded'; port: number } | { kind: 'connection-file'; path: string; mspId?: string } | ({ kind: 'explicit' } & FabricIdentityConfig);
  channel: string;
  chaincode: string;
  devMode: boolean;
  audience: string;
  citizenOidc: { issuer: string; jwksUrl: string } | undefined;
  /**
   * How people sign in to the portal (authorization code with PKCE, the API keeping the tokens):
   * the configured OpenID Connect provider, or in dev mode the development provider the API itself
   * runs at /dev/idp. Undefined outside dev mode when no client is configured.
   */
  signIn: SignInConfig | undefined;
  /**
   * The key-encryption key (version 1) and the blind-index key; generated into the data directory in
   * dev mode. `keks` are further KEK versions (2 and up) and `kekCurrent` the version that wraps new
   * data keys (by default the highest known).
   */
  secrets: {
    kek: Uint8Array | undefined;
    indexKey: Uint8Array | undefined;
    keks: ReadonlyMap<number, Uint8Array> | undefined;
    kekCurrent: number | undefined;
  };
  /** How the exchange splits what buyers pay, in basis points; the provider receives the rest. */
  exchange: { revenueShares: { stateBudgetBps: number; operatorBps: number; citizensBps: number } };
  /** Requests per minute: token requests per client and per address, sign-ins per address, failed authentications per address. */
  rateLimits: RateLimits;
  /** The repair sweep's period and how long it leaves a committed transaction to its own request. */
  repair: { intervalMs: number; graceMs: number };
  /** How long an unfinished request holds its Idempotency-Key after its process died. */
  idempotencyLeaseMs: number;
  /** Declared days off and weekend days worked, beyond the statutory holidays the calendar knows. */
  calendar: { daysOff: string[]; workingDays: string[] };
  /** At most one storage compaction after erasure per this many milliseconds (0: one per erasure). */
  erasureCompactionEveryMs: number;
  logLevel: z.infer<typeof Env>['LOG_LEVEL'];
}

export interface SignInConfig {
  kind: 'oidc' | 'development-provider';
  issuer: string;
  clientId: string;
  /** Undefined for the development provider: its client secret is generated into the data directory. */
  clientSecret: string | undefined;
  nationalIdClaim: string;
  scopes: string;
  /** The assurance level (`acr`) a session needs; a sign-in below it is refused. */
  requiredAcr: string | undefined;
  sessionIdleMinutes: number;
  sessionMaxHours: number;
}

export interface RateLimits {
  windowMs: number;
  tokenPerClient: number;
  tokenPerIp: number;
  signInPerIp: number;
  authFailuresPerIp: number;
  passkeyPerCitizen: number;
  passkeyPerIp: number;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new ConfigError(`invalid configuration; set these environment variables correctly:\n${problems}`);
  }
  const e = parsed.data;
  const dataDir = resolve(e.CV_DATA_DIR);
  const explicit = [e.FABRIC_ENDPOINT, e.FABRIC_HOST_ALIAS, e.FABRIC_TLS_CA, e.FABRIC_MSP_ID, e.FABRIC_CERT, e.FABRIC_KEY];
  // FABRIC_MSP_ID belongs to both ways of naming a network: with FABRIC_CONNECTION_FILE it picks the
  // organisation in the file; only the other five say "explicit settings".
  const explicitOnly = [e.FABRIC_ENDPOINT, e.FABRIC_HOST_ALIAS, e.FABRIC_TLS_CA, e.FABRIC_CERT, e.FABRIC_KEY];
  if (e.FABRIC_CONNECTION_FILE && explicitOnly.some(Boolean)) {
    throw new ConfigError(
      'set either FABRIC_CONNECTION_FILE (with FABRIC_MSP_ID to pick an organisation) or FABRIC_ENDPOINT, FABRIC_HOST_ALIAS, FABRIC_TLS_CA, FABRIC_MSP_ID, FABRIC_CERT and FABRIC_KEY, not both',
    );
  }
  if (!e.FABRIC_CONNECTION_FILE && explicit.some(Boolean) && !explicit.every(Boolean)) {
    throw new ConfigError(
      'a Fabric network needs all of FABRIC_ENDPOINT, FABRIC_HOST_ALIAS, FABRIC_TLS_CA, FABRIC_MSP_ID, FABRIC_CERT and FABRIC_KEY (or FABRIC_CONNECTION_FILE)',
    );
  }
  if (Boolean(e.OIDC_ISSUER) !== Boolean(e.OIDC_JWKS_URL)) throw new ConfigError('set both OIDC_ISSUER and OIDC_JWKS_URL, or neither');
  const fabric: Config['fabric'] =
    !e.FABRIC_CONNECTION_FILE && explicit.every(Boolean)
      ? {
          kind: 'explicit',
          endpoint: e.FABRIC_ENDPOINT!,
          hostAlias: e.FABRIC_HOST_ALIAS!,
          tlsCaPath: e.FABRIC_TLS_CA!,
          mspId: e.FABRIC_MSP_ID!,
          certPath: e.FABRIC_CERT!,
          keyPath: e.FABRIC_KEY!,
        }
      : e.FABRIC_CONNECTION_FILE
        ? { kind: 'connection-file', path: resolve(e.FABRIC_CONNECTION_FILE), ...(e.FABRIC_MSP_ID ? { mspId: e.FABRIC_MSP_ID } : {}) }
        : { kind: 'embedded', port: e.CV_DEVNET_PORT };
  const embeddedEverything = !e.VAULT_DATABASE_URL && fabric.kind === 'embedded';
  const devMode = e.CV_DEV_MODE ? e.CV_DEV_MODE === 'true' : embeddedEverything;
  if (!devMode && !e.OIDC_ISSUER) throw new ConfigError('outside dev mode citizens sign in with OpenID Connect: set OIDC_ISSUER and OIDC_JWKS_URL');
  if (Boolean(e.OIDC_CLIENT_ID) !== Boolean(e.OIDC_CLIENT_SECRET))
    throw new ConfigError("set both OIDC_CLIENT_ID and OIDC_CLIENT_SECRET (the portal's client at the identity provider), or neither");
  if (e.OIDC_CLIENT_ID && !e.OIDC_ISSUER) throw new ConfigError('OIDC_CLIENT_ID needs OIDC_ISSUER: the provider whose discovery document names its endpoints');
  const publicUrl = e.CV_PUBLIC_URL ?? `http://localhost:${e.PORT}`;
  const session = {
    nationalIdClaim: e.OIDC_NATIONAL_ID_CLAIM,
    scopes: e.OIDC_SCOPES,
    requiredAcr: e.OIDC_REQUIRED_ACR,
    sessionIdleMinutes: e.CV_SESSION_IDLE_MINUTES,
    sessionMaxHours: e.CV_SESSION_MAX_HOURS,
  };
  const signIn: SignInConfig | undefined = e.OIDC_CLIENT_ID
    ? { kind: 'oidc', issuer: e.OIDC_ISSUER!, clientId: e.OIDC_CLIENT_ID, clientSecret: e.OIDC_CLIENT_SECRET, ...session }
    : devMode
      ? { kind: 'development-provider', issuer: `${publicUrl}/dev/idp`, clientId: 'citizen-vault-portal', clientSecret: undefined, ...session }
      : undefined;
  if (e.CV_EXCHANGE_STATE_BUDGET_BPS + e.CV_EXCHANGE_OPERATOR_BPS + e.CV_EXCHANGE_CITIZENS_BPS > 10_000) {
    throw new ConfigError('CV_EXCHANGE_STATE_BUDGET_BPS + CV_EXCHANGE_OPERATOR_BPS + CV_EXCHANGE_CITIZENS_BPS must not exceed 10000 (100%)');
  }
  if (!devMode && (!e.CV_KEK || !e.CV_INDEX_KEY))
    throw new ConfigError('outside dev mode the vault keys come from the environment: set CV_KEK and CV_INDEX_KEY (32 bytes, base64)');
  if (e.CV_KEK_CURRENT !== undefined && e.CV_KEK_CURRENT !== 1 && e.CV_KEKS && !parseKekVersions(e.CV_KEKS).has(e.CV_KEK_CURRENT))
    throw new ConfigError(`CV_KEK_CURRENT is ${e.CV_KEK_CURRENT} but CV_KEKS has no key of that version`);
  return {
    host: e.CV_HOST,
    port: e.PORT,
    dataDir,
    publicUrl,
    database: e.VAULT_DATABASE_URL
      ? { kind: 'url', url: e.VAULT_DATABASE_URL, poolMax: e.CV_DATABASE_POOL_MAX ?? 20 }
      : {
          kind: 'embedded',
          port: e.CV_EMBEDDED_PG_PORT,
          dir: resolve(dataDir, 'postgres'),
          poolMax: e.CV_DATABASE_POOL_MAX ?? 20,
          sharedBuffersMb: e.CV_EMBEDDED_PG_SHARED_BUFFERS,
        },
    fabric,
    channel: e.FABRIC_CHANNEL,
    chaincode: e.FABRIC_CHAINCODE,
    devMode,
    audience: e.CV_TOKEN_AUDIENCE,
    citizenOidc: e.OIDC_ISSUER && e.OIDC_JWKS_URL ? { issuer: e.OIDC_ISSUER, jwksUrl: e.OIDC_JWKS_URL } : undefined,
    signIn,
    secrets: {
      kek: e.CV_KEK ? Buffer.from(e.CV_KEK, 'base64') : undefined,
      indexKey: e.CV_INDEX_KEY ? Buffer.from(e.CV_INDEX_KEY, 'base64') : undefined,
      keks: e.CV_KEKS ? parseKekVersions(e.CV_KEKS) : undefined,
      kekCurrent: e.CV_KEK_CURRENT,
    },
    exchange: {
      revenueShares: { stateBudgetBps: e.CV_EXCHANGE_STATE_BUDGET_BPS, operatorBps: e.CV_EXCHANGE_OPERATOR_BPS, citizensBps: e.CV_EXCHANGE_CITIZENS_BPS },
    },
    rateLimits: {
      windowMs: 60_000,
      tokenPerClient: e.CV_RATE_LIMIT_TOKEN_PER_CLIENT,
      tokenPerIp: e.CV_RATE_LIMIT_TOKEN_PER_IP,
      signInPerIp: e.CV_RATE_LIMIT_SIGN_IN_PER_IP,
      authFailuresPerIp: e.CV_RATE_LIMIT_AUTH_FAILURES_PER_IP,
      passkeyPerCitizen: e.CV_RATE_LIMIT_PASSKEY_PER_CITIZEN,
      passkeyPerIp: e.CV_RATE_LIMIT_PASSKEY_PER_IP,
    },
    repair: { intervalMs: e.CV_REPAIR_INTERVAL_MS, graceMs: e.CV_REPAIR_GRACE_MS },
    idempotencyLeaseMs: e.CV_IDEMPOTENCY_LEASE_MS,
    calendar: { daysOff: e.CV_CALENDAR_DAYS_OFF ?? [], workingDays: e.CV_CALENDAR_WORKING_DAYS ?? [] },
    erasureCompactionEveryMs: e.CV_ERASURE_COMPACTION_EVERY_MS,
    logLevel: e.LOG_LEVEL,
  };
}

/** `CV_KEKS`: "2:<base64>,3:<base64>", each version 2 or more (version 1 is CV_KEK), each key 32 bytes. */
function parseKekVersions(value: string): Map<number, Uint8Array> {
  const keys = new Map<number, Uint8Array>();
  for (const pair of value.split(',')) {
    const [version, key] = pair.split(':') as [string, string];
    const v = Number(version);
    const bytes = Buffer.from(key, 'base64');
    if (v < 2) throw new ConfigError('CV_KEKS: versions start at 2 (version 1 is CV_KEK)');
    if (bytes.length !== 32) throw new ConfigError(`CV_KEKS: the key of version ${v} must be 32 bytes, base64`);
    if (keys.has(v)) throw new ConfigError(`CV_KEKS: version ${v} is given twice`);
    keys.set(v, bytes);
  }
  return keys;
}
