// The write workload both ledger benchmarks run: the same fabric-gateway clients and transactions
// against the devnet (bench/devnet.js) or a real Fabric network (bench/fabric.js).
import { spawn } from 'node:child_process';
import { createPrivateKey, createPublicKey, randomBytes, sign, verify } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import * as grpc from '@grpc/grpc-js';
import { connect, hash } from '@hyperledger/fabric-gateway';
import { percentiles, round } from './stats.js';

const CHAINCODE = resolve(import.meta.dirname, '../network/test/fixtures/asset-chaincode');
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 32);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
// 10 s: with 2 s, V8's optimising compiler still took a quarter of the devnet's CPU during the
// measured 10 s (1.7% after 30 s), so the bench measured a devnet still compiling itself.
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 10);
const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

/** Baseline: how many ECDSA P-256 sign + verify pairs one core does per second (node:crypto, OpenSSL). */
export function ecdsaCeiling() {
  const key = createPrivateKey({ key: Buffer.from(process.env.BENCH_KEY_PEM ?? '', 'utf8'), format: 'pem' });
  const pub = createPublicKey(key);
  const msg = randomBytes(256);
  const until = performance.now() + 2000;
  let n = 0;
  while (performance.now() < until) {
    const sig = sign('sha256', msg, key);
    if (!verify('sha256', msg, pub, sig)) throw new Error('verify failed');
    n++;
  }
  return n / 2;
}

/** A Fabric-acceptable (low-S) ECDSA signer on node:crypto, used with fabric-gateway's `hash.none`. */
function nodeCryptoSigner(key) {
  return async (message) => {
    const der = sign('sha256', message, key);
    const rLen = der[3];
    const s = BigInt('0x' + der.subarray(6 + rLen).toString('hex'));
    if (s <= N / 2n) return der;
    let hex = (N - s).toString(16).padStart(64, '0');
    let sBytes = Buffer.from(hex, 'hex');
    while (sBytes.length > 1 && sBytes[0] === 0 && !(sBytes[1] & 0x80)) sBytes = sBytes.subarray(1);
    if (sBytes[0] & 0x80) sBytes = Buffer.concat([Buffer.from([0]), sBytes]);
    const r = der.subarray(4, 4 + rLen);
    const body = Buffer.concat([Buffer.from([2, r.length]), r, Buffer.from([2, sBytes.length]), sBytes]);
    return Buffer.concat([Buffer.from([0x30, body.length]), body]);
  };
}

/** CPU seconds (user + system) a process has used so far, from /proc; undefined off Linux. */
function cpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return undefined;
  }
}

/** CPU seconds of each thread of a process (the main thread first), from /proc; undefined off Linux. */
function threadCpuSeconds(pid) {
  try {
    const out = new Map();
    for (const tid of readdirSync(`/proc/${pid}/task`)) out.set(Number(tid), cpuSeconds(`${pid}/task/${tid}`) ?? 0);
    return out;
  } catch {
    return undefined;
  }
}

/** Resident and peak resident memory (MB) of the ledger's processes, from /proc; undefined off Linux. */
function memoryMb(pids) {
  try {
    let rss = 0;
    let peak = 0;
    for (const pid of pids) {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      rss += Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
      peak += Number(/VmHWM:\s+(\d+)/.exec(status)[1]) / 1024;
    }
    return { rss: round(rss, 0), peak: round(peak, 0) };
  } catch {
    return undefined;
  }
}

function perThread(before, after, committed) {
  if (!before || !after) return undefined;
  const ms = [...after].map(([tid, s]) => [tid, round((1000 * (s - (before.get(tid) ?? 0))) / Math.max(1, committed), 3)]);
  const [main, ...others] = ms;
  return {
    main: main?.[1],
    others: others
      .map(([, v]) => v)
      .filter((v) => v > 0.005)
      .sort((a, b) => b - a),
  };
}

export async function startDevnetServer(dataDir, policy) {
  const nodeArgs = process.env.BENCH_SERVER_NODE_ARGS ? process.env.BENCH_SERVER_NODE_ARGS.split(' ') : [];
  const child = spawn(process.execPath, [...nodeArgs, resolve(import.meta.dirname, 'devnet-server.js'), dataDir, CHAINCODE, policy], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  process.once('exit', () => child.kill('SIGKILL')); // never leave a devnet behind, even when the benchmark fails
  const line = await new Promise((ok, fail) => {
    createInterface({ input: child.stdout }).once('line', ok);
    child.once('exit', (code) => fail(new Error(`devnet exited with ${code}`)));
  });
  return { child, ...JSON.parse(line) };
}

/** The devnet as a write target: its own process, on a fresh data directory. */
export async function devnetTarget(policy) {
  const dataDir = await mkdtemp(join(tmpdir(), 'devnet-bench-'));
  const server = await startDevnetServer(dataDir, policy);
  return {
    label: `devnet ${policy}`,
    policy,
    endpoint: server.endpoint,
    connection: server.connection,
    chaincode: 'assets',
    pids: () => [server.child.pid],
    async close() {
      server.child.kill('SIGTERM');
      await new Promise((r) => server.child.once('exit', r));
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Blind writes of 100-byte values by CLIENTS concurrent fabric-gateway clients (each submits, then
 * waits for its commit), measured for SECONDS after a warm-up; then evaluations at the same
 * concurrency. `target` is any ledger with a connection.json: the devnet or a real Fabric network.
 */
export async function runWorkload(target) {
  const org = target.connection.organizations[0];
  const key = createPrivateKey(await readFile(org.users.User1.key));
  const client = new grpc.Client(org.endpoint ?? target.endpoint, grpc.credentials.createSsl(await readFile(org.tlsCACert)), {
    'grpc.ssl_target_name_override': org.peerHostAlias,
  });
  const gateway = connect({
    client,
    identity: { mspId: org.mspId, credentials: await readFile(org.users.User1.cert) },
    signer: nodeCryptoSigner(key),
    hash: hash.none,
  });
  const assets = gateway.getNetwork(target.connection.channel).getContract(target.chaincode, 'assets');
  const value = randomBytes(50).toString('hex'); // 100-byte values, as in Fabric's published blind-write benchmark

  const latencies = [];
  let committed = 0;
  let invalid = 0;
  let errors = 0;
  let measuring = false;
  let stop = false;
  const workers = Array.from({ length: CLIENTS }, async (_, c) => {
    for (let i = 0; !stop; i++) {
      const t0 = performance.now();
      try {
        const commit = await assets.submitAsync('PutAsset', { arguments: [`bench-${c}-${i}`, value] });
        const status = await commit.getStatus();
        if (!measuring) continue;
        if (status.successful) {
          committed++;
          latencies.push(performance.now() - t0);
        } else invalid++;
      } catch {
        if (measuring) errors++;
      }
    }
  });
  await new Promise((r) => setTimeout(r, WARMUP_SECONDS * 1000));
  measuring = true;
  const start = performance.now();
  const ledgerCpu = () => target.pids().reduce((sum, pid) => (sum === undefined ? undefined : (cpuSeconds(pid) ?? 0) + sum), 0);
  const cpu0 = { client: cpuSeconds(process.pid), ledger: ledgerCpu() };
  const threads0 = target.pids().map(threadCpuSeconds);
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  measuring = false;
  const elapsed = (performance.now() - start) / 1000;
  const cpu1 = { client: cpuSeconds(process.pid), ledger: ledgerCpu() };
  const threads1 = target.pids().map(threadCpuSeconds);
  const ledgerMemoryMb = memoryMb(target.pids());
  const cpuMsPerTx = (who) => (cpu0[who] === undefined ? undefined : round((1000 * (cpu1[who] - cpu0[who])) / Math.max(1, committed), 3));
  stop = true;
  await Promise.all(workers);

  // Read-only path: evaluate throughput with the same concurrency.
  let evaluated = 0;
  const evalLatencies = [];
  const evalUntil = performance.now() + 3000;
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, c) => {
      while (performance.now() < evalUntil) {
        const t0 = performance.now();
        await assets.evaluateTransaction('ReadAsset', `bench-${c}-0`);
        evalLatencies.push(performance.now() - t0);
        evaluated++;
      }
    }),
  );

  gateway.close();
  client.close();
  return {
    ledger: target.label,
    policy: target.policy,
    clients: CLIENTS,
    seconds: round(elapsed),
    committedTxPerSecond: round(committed / elapsed, 1),
    submitToCommitMs: percentiles(latencies),
    invalid,
    errors,
    cpuMsPerCommittedTx: { ledger: cpuMsPerTx('ledger'), client: cpuMsPerTx('client') },
    // Where the ledger's CPU goes: each process's main thread, then its other threads (chaincode
    // workers, libuv's pool, V8's helpers), busiest first, in ms per committed transaction.
    ledgerThreadsCpuMsPerTx: threads1.map((after, i) => perThread(threads0[i], after, committed)),
    ledgerMemoryMb,
    evaluatePerSecond: round(evaluated / 3, 1),
    evaluateMs: percentiles(evalLatencies),
  };
}
