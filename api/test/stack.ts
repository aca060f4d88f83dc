import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { openFabricNetwork, startDevnet, type Devnet } from '@citizen-vault/network';
import { CITIZEN_VAULT_CHAINCODE, FABRIC_DIR, onFabric, testLedger } from '../../network/test/ledger.js';
import pino from 'pino';
import { afterAll, beforeAll, expect } from 'vitest';
import type { CryptoKey } from 'jose';
import { identityFromConnectionFile, loadConfig, startApi, type RunningApi, type StartOptions } from '@citizen-vault/api';

export { freePort } from './support/free-port.js';
import { freePort } from './support/free-port.js';

export interface TestStack {
  api: RunningApi;
  /** The devnet; absent on real Fabric (`CV_LEDGER=fabric`), where the stack has a chaincode namespace of its own. */
  devnet: Devnet | undefined;
  dataDir: string;
  url: string;
  /** Stops the API only (the devnet and the data stay), for restart tests. */
  restartApi(): Promise<void>;
  /** Stops the API and the devnet, then starts both again on the same data and ports. */
  restartAll(): Promise<void>;
  /** Stops the devnet only; `startLedger` brings it back on the same data and port. */
  stopLedger(): Promise<void>;
  startLedger(): Promise<void>;
  close(): Promise<void>;
}

const CHAINCODE = dirname(createRequire(import.meta.url).resolve('@citizen-vault/chaincode/package.json'));

/** The stack's ledger: where its connection file is, and how to restart it (the devnet only). */
interface StackLedger {
  connectionFile: string;
  env: Record<string, string>;
  devnet?: Devnet;
  stop?(): Promise<void>;
  start?(): Promise<void>;
  restart?(): Promise<void>;
  close(): Promise<void>;
}

/** The devnet as `npm start` runs it (the operator's and the authority's organisations, the chaincode), quiet, in `<dataDir>/devnet`. */
export function startStackDevnet(dataDir: string, port: number): Promise<Devnet> {
  return startDevnet({
    dataDir: join(dataDir, 'devnet'),
    port,
    organizations: [
      { mspId: 'VaultOperatorMSP', domain: 'vault.citizenvault.vn' },
      { mspId: 'AuthorityMSP', domain: 'authority.citizenvault.vn' },
    ],
    chaincodes: [{ name: 'citizen-vault', path: CHAINCODE }],
    chaincodeLogLevel: 'critical',
    log: () => {},
  });
}

async function devnetLedger(dataDir: string): Promise<StackLedger> {
  const port = await freePort();
  const start = () => startStackDevnet(dataDir, port);
  const ledger: StackLedger = {
    connectionFile: join(dataDir, 'devnet', 'connection.json'),
    env: {},
    devnet: await start(),
    async stop() {
      await ledger.devnet!.close();
    },
    async start() {
      ledger.devnet = await start();
    },
    async restart() {
      await ledger.stop!();
      await ledger.start!();
    },
    close: () => ledger.devnet!.close(),
  };
  return ledger;
}

/** On real Fabric (`CV_LEDGER=fabric`) the stack gets the chaincode under a name of its own: a fresh namespace of state. */
async function fabricLedger(): Promise<StackLedger> {
  const ledger = await testLedger([{ name: 'citizen-vault', path: CITIZEN_VAULT_CHAINCODE }]);
  return {
    connectionFile: (await openFabricNetwork(FABRIC_DIR)).connectionFile,
    env: { FABRIC_CHAINCODE: ledger.cc('citizen-vault'), FABRIC_CHANNEL: ledger.channel },
    close: () => ledger.close(),
  };
}

/** What startApi takes (shorter intervals for tests), and extra settings as environment variables (e.g. low rate limits). */
export type StackOptions = Partial<StartOptions> & {
  env?: Record<string, string>;
  /** The public URL's host (WebAuthn needs a domain such as localhost, not an address). */ publicHost?: string;
};

/**
 * The real stack on free ports in a fresh directory: embedded Postgres, the devnet with the
 * chaincode, the API. With `CV_LEDGER=fabric` the ledger is the real Fabric test network instead.
 */
export async function startStack(options: StackOptions = {}): Promise<TestStack> {
  const dataDir = await mkdtemp(join(tmpdir(), 'cv-api-'));
  await chmod(dataDir, 0o755); // as root, Postgres runs as the postgres user, which must reach its data directory
  const { env, publicHost, ...startOptions } = options;
  const ledger = onFabric ? await fabricLedger() : await devnetLedger(dataDir);
  const pgPort = await freePort();
  const port = await freePort(); // kept across restarts: it is part of the token issuer's URL
  const start = async (): Promise<RunningApi> => {
    const config = loadConfig({
      CV_DATA_DIR: dataDir,
      PORT: String(port),
      CV_EMBEDDED_PG_PORT: String(pgPort),
      CV_PUBLIC_URL: `http://${publicHost ?? '127.0.0.1'}:${port}`,
      LOG_LEVEL: 'silent',
      ...ledger.env,
      ...env,
    });
    const ledgerIdentity = await identityFromConnectionFile(ledger.connectionFile, 'VaultOperatorMSP');
    const adminLedgerIdentity = await identityFromConnectionFile(ledger.connectionFile, 'VaultOperatorMSP', 'Admin');
    return startApi(config, { ledgerIdentity, adminLedgerIdentity, logger: pino({ level: 'silent' }), webhookRetryBaseMs: 50, ...startOptions });
  };
  const stack: TestStack = {
    api: await start(),
    get devnet() {
      return ledger.devnet;
    },
    dataDir,
    get url() {
      return stack.api.url;
    },
    async restartApi() {
      await stack.api.close();
      stack.api = await start();
    },
    async stopLedger() {
      if (!ledger.stop) throw new Error('stopLedger stops the devnet; on real Fabric the fault tests stop its nodes');
      await ledger.stop();
    },
    async startLedger() {
      if (!ledger.start) throw new Error('startLedger starts the devnet; on real Fabric the fault tests start its nodes');
      await ledger.start();
    },
    async restartAll() {
      if (!ledger.restart) throw new Error('restartAll restarts the devnet; on real Fabric the fault tests stop and start its nodes');
      await stack.api.close();
      await ledger.restart();
      stack.api = await start();
    },
    async close() {
      await stack.api.close();
      await ledger.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return stack;
}

export const here = resolve(import.meta.dirname);

export interface MainProcess {
  child: ChildProcess;
  url: string;
  exited: Promise<number | null>;
  /** Everything it has written to stdout so far (pino's JSON lines). */
  output(): string;
}

/**
 * `npm start` in a child process (api/dist/main.js) on free ports in `dataDir`, resolved once it
 * says it is running. `detached` puts it in a process group of its own, as a terminal's foreground job.
 */
export async function startMainProcess(dataDir: string, options: { detached?: boolean } = {}): Promise<MainProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [resolve(here, '../dist/main.js')], {
    env: {
      ...process.env,
      CV_DATA_DIR: dataDir,
      PORT: String(port),
      CV_PUBLIC_URL: url,
      CV_EMBEDDED_PG_PORT: String(await freePort()),
      CV_DEVNET_PORT: String(await freePort()),
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', options.detached ? 'ignore' : 'inherit'],
    detached: options.detached ?? false,
  });
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  const started = Date.now();
  while (!output.includes('Citizen Vault is running')) {
    if (Date.now() - started > 45_000) {
      child.kill('SIGKILL');
      throw new Error(`not running after 45 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, url, exited, output: () => output };
}

/** Registers an organisation through the API as the operator, with fresh keys, and returns a way to get its tokens. */
export interface TestOrganization {
  id: string;
  token(): Promise<string>;
  /** The private half of the X25519 key the organisation registered, to open JWEs sent to it. */
  decryptionKey: CryptoKey;
}

export async function registerOrganization(stack: TestStack, roles: string[], name = 'Test organisation'): Promise<TestOrganization> {
  const { SignJWT, exportJWK, generateKeyPair } = await import('jose');
  const operator = (
    (await (
      await fetch(stack.url + '/dev/token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ role: 'operator' }) })
    ).json()) as { access_token: string }
  ).access_token;
  const signing = await generateKeyPair('ES256', { extractable: true });
  const encryption = await generateKeyPair('ECDH-ES', { crv: 'X25519', extractable: true });
  const jwks = {
    keys: [
      { ...(await exportJWK(signing.publicKey)), kid: 'sig-1', use: 'sig' },
      { ...(await exportJWK(encryption.publicKey)), kid: 'enc-1', use: 'enc' },
    ],
  };
  const registrationNumber = String(Math.floor(1e9 + Math.random() * 9e9));
  const res = await fetch(stack.url + '/v1/organizations', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${operator}` },
    body: JSON.stringify({ name, registrationNumber, roles, jwks }),
  });
  if (res.status !== 201) throw new Error(`registration failed: ${res.status} ${await res.text()}`);
  const { id } = (await res.json()) as { id: string };
  return {
    id,
    decryptionKey: encryption.privateKey,
    async token() {
      const assertion = await new SignJWT({})
        .setProtectedHeader({ alg: 'ES256', kid: 'sig-1' })
        .setIssuer(id)
        .setSubject(id)
        .setAudience(`${stack.url}/oauth/token`)
        .setIssuedAt()
        .setExpirationTime('60s')
        .setJti(crypto.randomUUID())
        .sign(signing.privateKey);
      const t = await fetch(stack.url + '/oauth/token', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
          client_assertion: assertion,
        }),
      });
      return ((await t.json()) as { access_token: string }).access_token;
    },
  };
}

export async function citizenToken(stack: TestStack, nationalId: string): Promise<string> {
  const res = await fetch(stack.url + '/dev/token', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ role: 'citizen', nationalId }),
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

/** One stack for a whole `describe` block, with a request helper: GET without a body, POST with one. */
export function useStack(options: StackOptions = {}): { readonly stack: TestStack; call(path: string, token: string, body?: unknown): Promise<Response> } {
  let stack: TestStack | undefined;
  beforeAll(async () => {
    stack = await startStack(options);
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
  });
  return {
    get stack() {
      if (!stack) throw new Error('the stack is not started');
      return stack;
    },
    call: (path, token, body) =>
      fetch(stack!.url + path, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
  };
}

/**
 * Requests as the tests make them: a token or none, a JSON body makes it a POST, an `accept`
 * header when asked; and `ok`, which checks the status (showing the body when it is wrong) and parses.
 */
export function requests(url: () => string) {
  const call = async (path: string, token: string | undefined, init: { method?: string; body?: unknown; accept?: string } = {}) =>
    fetch(url() + path, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(init.accept ? { accept: init.accept } : {}),
      },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
  const ok = async <T>(res: Response, status = 200): Promise<T> => {
    const body = await res.text();
    expect(res.status, body).toBe(status);
    return JSON.parse(body) as T;
  };
  return { call, ok };
}

/**
 * A consent request's body as the tests make them: the citizen's province for credit scoring, ten
 * reads a day for 30 days, kept 30 days; `over` changes what a test is about.
 */
export function consentRequest(nationalId: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    subject: { nationalId },
    purpose: 'credit_scoring',
    fields: ['residence.province'],
    mode: 'PERIODIC',
    frequency: { limit: 10, per: 'DAY' },
    validUntil: new Date(Date.now() + 30 * 86_400_000).toISOString(),
    retentionDays: 30,
    justification: 'Thẩm định hồ sơ vay tiêu dùng số HS-2026-0042',
    ...over,
  };
}
