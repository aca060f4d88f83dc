import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, open, readFile, rm, type FileHandle } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import postgres from 'postgres';
import { FabricLedger, identityFromConnectionFile } from '@citizen-vault/api';
import { freePort } from '../../api/test/stack.js';

const ROOT = resolve(import.meta.dirname, '../..');
const CHAINCODE = dirname(createRequire(import.meta.url).resolve('@citizen-vault/chaincode/package.json'));

/**
 * The stack as separate processes, so each part can be killed with SIGKILL on its own: the devnet
 * (`network/dist/devnet/cli.js`), and the API (`api/dist/main.js`, reaching the devnet through its
 * connection file) with its embedded Postgres as a child. Each is started in its own process group.
 */
export class FaultStack {
  private devnet: ChildProcess | undefined;
  private api: ChildProcess | undefined;
  readonly url: string;

  private constructor(
    readonly dataDir: string,
    private readonly ports: { devnet: number; postgres: number; api: number },
  ) {
    this.url = `http://127.0.0.1:${ports.api}`;
  }

  static async create(): Promise<FaultStack> {
    const dataDir = await mkdtemp(join(tmpdir(), 'cv-faults-'));
    await chmod(dataDir, 0o755);
    return new FaultStack(dataDir, { devnet: await freePort(), postgres: await freePort(), api: await freePort() });
  }

  get databaseUrl(): string {
    return `postgres://vault:vault-local@127.0.0.1:${this.ports.postgres}/citizen_vault`;
  }

  get connectionFile(): string {
    return join(this.dataDir, 'devnet', 'connection.json');
  }

  async startDevnet(): Promise<void> {
    const args = [
      join(ROOT, 'network/dist/devnet/cli.js'),
      'start',
      '--data-dir',
      join(this.dataDir, 'devnet'),
      '--port',
      String(this.ports.devnet),
      '--org',
      'VaultOperatorMSP=vault.citizenvault.vn',
      '--org',
      'AuthorityMSP=authority.citizenvault.vn',
      '--chaincode',
      `citizen-vault=${CHAINCODE}`,
    ];
    const log = await this.logFile('devnet');
    this.devnet = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', log.fd], detached: true });
    await log.close(); // the child has its own copy
    await waitFor(
      () => portOpen(this.ports.devnet),
      30_000,
      'the devnet to listen',
      () => this.tail('devnet'),
    );
  }

  async startApi(): Promise<void> {
    const log = await this.logFile('api');
    this.api = spawn(process.execPath, [join(ROOT, 'api/dist/main.js')], {
      env: {
        ...process.env,
        CV_DATA_DIR: join(this.dataDir, 'api'),
        PORT: String(this.ports.api),
        CV_PUBLIC_URL: this.url,
        CV_EMBEDDED_PG_PORT: String(this.ports.postgres),
        FABRIC_CONNECTION_FILE: this.connectionFile,
        FABRIC_MSP_ID: 'VaultOperatorMSP',
        CV_DEV_MODE: 'true',
        CV_REPAIR_INTERVAL_MS: '500',
        CV_REPAIR_GRACE_MS: '1500',
        CV_IDEMPOTENCY_LEASE_MS: '2000',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', log.fd, log.fd],
      detached: true,
    });
    await log.close();
    await this.ready(60_000);
  }

  async ready(ms = 30_000): Promise<void> {
    let last = '';
    await waitFor(
      async () => {
        const res = await fetch(this.url + '/ready').catch((err: unknown) => String(err));
        if (typeof res === 'string') last = res;
        else if (res.status !== 200) last = await res.text();
        return typeof res !== 'string' && res.status === 200;
      },
      ms,
      'the API to be ready',
      async () => `last answer: ${last}\napi: ${await this.tail('api')}\ndevnet: ${await this.tail('devnet')}`,
    );
  }

  /** Where a part's output goes (appended across restarts), for a failure to show. */
  private logFile(part: string): Promise<FileHandle> {
    return open(join(this.dataDir, `${part}.log`), 'a');
  }

  private async tail(part: string): Promise<string> {
    return (await readFile(join(this.dataDir, `${part}.log`), 'utf8').catch(() => '')).split('\n').slice(-15).join('\n');
  }

  /** SIGKILL to the API's process group: the API and its Postgres. */
  killApi(): void {
    kill(this.api);
    this.api = undefined;
  }

  killDevnet(): void {
    kill(this.devnet);
    this.devnet = undefined;
  }

  /** SIGKILL to the postmaster alone; the API's supervisor starts it again. */
  async killPostgres(): Promise<void> {
    const pid = Number((await readFile(join(this.dataDir, 'api', 'postgres', 'postmaster.pid'), 'utf8')).split('\n')[0]);
    process.kill(pid, 'SIGKILL');
  }

  /** A direct connection to the API's database, for the checks. */
  database(): postgres.Sql {
    return postgres(this.databaseUrl, { max: 2, onnotice: () => {}, connect_timeout: 5 });
  }

  async ledger(): Promise<FabricLedger> {
    return FabricLedger.connect(await identityFromConnectionFile(this.connectionFile, 'VaultOperatorMSP'), 'mychannel', 'citizen-vault');
  }

  async close(): Promise<void> {
    kill(this.api);
    kill(this.devnet);
    await new Promise((r) => setTimeout(r, 200));
    await rm(this.dataDir, { recursive: true, force: true });
  }
}

function kill(child: ChildProcess | undefined): void {
  if (!child?.pid) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = createConnection({ port, host: '127.0.0.1' }, () => {
      socket.destroy();
      done(true);
    });
    socket.on('error', () => done(false));
  });
}

export async function waitFor(check: () => Promise<boolean>, ms: number, what: string, explain?: () => Promise<string>): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${explain ? `\n${await explain()}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
