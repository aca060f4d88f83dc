import { spawn } from 'node:child_process';
import { mkdir, open, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * The network's processes outlive the command that started them (`fabric up` returns), so each
 * is a detached process group whose pid is kept in `<dataDir>/pids/<name>.pid` and whose output
 * goes to `<dataDir>/logs/<name>.log`; `down` stops exactly those.
 */
export interface ProcessSpec {
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd?: string;
}

export async function startProcess(dataDir: string, spec: ProcessSpec): Promise<number> {
  await mkdir(join(dataDir, 'logs'), { recursive: true });
  await mkdir(join(dataDir, 'pids'), { recursive: true });
  const log = await open(join(dataDir, 'logs', `${spec.name}.log`), 'a');
  try {
    const child = spawn(spec.command, spec.args, { cwd: spec.cwd, env: spec.env, detached: true, stdio: ['ignore', log.fd, log.fd] });
    const pid = await new Promise<number>((ok, fail) => {
      child.once('error', fail);
      child.once('spawn', () => ok(child.pid!));
    });
    child.unref();
    await writeFile(join(dataDir, 'pids', `${spec.name}.pid`), `${pid}\n`);
    return pid;
  } finally {
    await log.close();
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function readPid(dataDir: string, name: string): Promise<number | undefined> {
  const text = await readFile(join(dataDir, 'pids', `${name}.pid`), 'utf8').catch(() => undefined);
  const pid = Number(text?.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

export async function listPids(dataDir: string): Promise<{ name: string; pid: number; alive: boolean }[]> {
  const files = await readdir(join(dataDir, 'pids')).catch(() => [] as string[]);
  const out = [];
  for (const file of files.filter((f) => f.endsWith('.pid')).sort()) {
    const name = file.slice(0, -4);
    const pid = await readPid(dataDir, name);
    if (pid) out.push({ name, pid, alive: isAlive(pid) });
  }
  return out;
}

/** Stops one process by its pid file: SIGTERM to its group, SIGKILL after `graceMs`; `signal: 'SIGKILL'` for a crash. */
export async function stopProcess(dataDir: string, name: string, options: { signal?: NodeJS.Signals; graceMs?: number } = {}): Promise<boolean> {
  const pid = await readPid(dataDir, name);
  if (!pid) return false;
  const signal = options.signal ?? 'SIGTERM';
  const kill = (s: NodeJS.Signals) => {
    try {
      process.kill(-pid, s);
    } catch {
      try {
        process.kill(pid, s);
      } catch {
        /* already gone */
      }
    }
  };
  kill(signal);
  const deadline = Date.now() + (options.graceMs ?? 10_000);
  while (isAlive(pid) && Date.now() < deadline) await sleep(50);
  if (isAlive(pid)) kill('SIGKILL');
  while (isAlive(pid)) await sleep(20);
  await rm(join(dataDir, 'pids', `${name}.pid`), { force: true });
  return true;
}

/** Polls a Fabric operations endpoint's `/healthz` until it answers 200 (`OK`), or fails with the node's log tail. */
export async function waitHealthy(dataDir: string, name: string, operationsPort: number, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const pid = await readPid(dataDir, name);
    if (pid && !isAlive(pid)) throw new Error(`${name} exited while starting:\n${await logTail(dataDir, name)}`);
    try {
      const res = await fetch(`http://127.0.0.1:${operationsPort}/healthz`, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) return;
      last = `${res.status} ${await res.text()}`;
    } catch (err) {
      last = String(err);
    }
    await sleep(200);
  }
  throw new Error(`${name} was not healthy within ${timeoutMs} ms (${last}):\n${await logTail(dataDir, name)}`);
}

export async function logTail(dataDir: string, name: string, lines = 30): Promise<string> {
  const text = await readFile(join(dataDir, 'logs', `${name}.log`), 'utf8').catch(() => '');
  return text.split('\n').slice(-lines).join('\n');
}
