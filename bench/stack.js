// The whole stack as `npm start` runs it (API, embedded Postgres, devnet), in its own process on
// free ports in a fresh directory, for the benchmarks that measure it end to end.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';

export const freePort = () =>
  new Promise((ok) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });

const children = [];
process.once('exit', () => children.forEach((c) => c.kill('SIGKILL')));

/** Spawns a helper process that is killed if the benchmark dies first. */
export function spawnChild(...args) {
  const child = spawn(...args);
  children.push(child);
  return child;
}

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/**
 * CPU seconds (user + system) used so far by a process and all its descendants (the API, its
 * embedded Postgres and every backend): the cost of a request that a busy, shared machine does not
 * distort the way it distorts throughput. Linux only; undefined elsewhere.
 */
export function treeCpuSeconds(rootPid, { descendants = true } = {}) {
  let stats;
  try {
    stats = readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .flatMap((pid) => {
        try {
          const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
          const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
          return [{ pid: Number(pid), ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) }];
        } catch {
          return []; // gone meanwhile
        }
      });
  } catch {
    return undefined;
  }
  const children = new Map();
  for (const p of stats) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  let ticks = 0;
  const stack = stats.filter((p) => p.pid === rootPid);
  while (stack.length > 0) {
    const p = stack.pop();
    ticks += p.ticks;
    if (descendants) stack.push(...(children.get(p.pid) ?? []));
  }
  return ticks / TICKS_PER_SECOND;
}

/**
 * Starts the stack and waits until `/ready`; `stop()` ends it and removes its data. `env` adds
 * settings, e.g. FABRIC_CONNECTION_FILE to run the same API on a real Fabric network.
 */
export async function startStackProcess(name, extraEnv = {}) {
  const dataDir = await mkdtemp(join(tmpdir(), `cv-bench-${name}-`));
  await chmod(dataDir, 0o755); // as root, Postgres runs as the postgres user, which must reach its data directory
  const apiPort = await freePort();
  const pgPort = await freePort();
  const base = `http://127.0.0.1:${apiPort}`;
  const env = {
    ...process.env,
    CV_DATA_DIR: dataDir,
    PORT: String(apiPort),
    CV_EMBEDDED_PG_PORT: String(pgPort),
    CV_DEVNET_PORT: String(await freePort()),
    CV_PUBLIC_URL: base,
    LOG_LEVEL: 'warn',
    ...extraEnv,
  };
  const nodeArgs = process.env.BENCH_API_NODE_ARGS ? process.env.BENCH_API_NODE_ARGS.split(' ') : [];
  const api = spawnChild(process.execPath, [...nodeArgs, resolve(import.meta.dirname, '../api/dist/main.js')], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${base}/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    if (i > 600) throw new Error('the API did not become ready');
    await new Promise((r) => setTimeout(r, 100));
  }
  // Requests as the benchmarks make them: JSON POSTs, dev tokens, organisations registered by the operator with fresh keys.
  const post = async (path, token, body) => {
    const res = await fetch(base + path, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return res.json();
  };
  const devToken = async (body) =>
    (await (await fetch(base + '/dev/token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json())
      .access_token;
  const operator = await devToken({ role: 'operator' });
  const organization = async (roles) => {
    const signing = await generateKeyPair('ES256', { extractable: true });
    const enc = await generateKeyPair('ECDH-ES', { crv: 'X25519', extractable: true });
    const jwks = {
      keys: [
        { ...(await exportJWK(signing.publicKey)), kid: 's', use: 'sig' },
        { ...(await exportJWK(enc.publicKey)), kid: 'e', use: 'enc' },
      ],
    };
    const { id } = await post('/v1/organizations', operator, {
      name: `Bench ${roles[0]}`,
      registrationNumber: String(1e9 + Math.floor(Math.random() * 9e9)),
      roles,
      jwks,
    });
    const assertion = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256' })
      .setIssuer(id)
      .setSubject(id)
      .setAudience(`${base}/oauth/token`)
      .setIssuedAt()
      .setExpirationTime('60s')
      .setJti(crypto.randomUUID())
      .sign(signing.privateKey);
    const t = await fetch(base + '/oauth/token', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: assertion,
      }),
    });
    return { id, token: (await t.json()).access_token };
  };
  return {
    base,
    pgPort,
    post,
    devToken,
    operator,
    organization,
    /** CPU seconds used so far by the API and its Postgres (see treeCpuSeconds), and by the API's own process alone. */
    cpuSeconds: () => treeCpuSeconds(api.pid),
    apiCpuSeconds: () => treeCpuSeconds(api.pid, { descendants: false }),
    async stop() {
      api.kill('SIGTERM');
      await new Promise((r) => api.once('exit', r));
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
