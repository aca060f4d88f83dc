import { spawn, execFile } from 'node:child_process';
import { open, readFile, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { crc32 } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { common } from '@hyperledger/fabric-protos';
import { ledgerDirectory, verifyChain, type ConnectionInfo } from '@citizen-vault/network';
import { ASSET_CHAINCODE, gatewayFor, removeDir, tempDir, testDevnet, text } from './helpers.js';

const CLI = resolve(import.meta.dirname, '../dist/devnet/cli.js');
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map(removeDir));
});

async function freshDir(): Promise<string> {
  const dir = await tempDir();
  dirs.push(dir);
  return dir;
}

/** Writes a few transactions in their own blocks, so the chain has something to protect. */
async function writeSome(dataDir: string, n: number): Promise<number> {
  const devnet = await testDevnet({ dataDir });
  const conn = await gatewayFor(devnet);
  const assets = conn.gateway.getNetwork(devnet.channel).getContract('assets', 'assets');
  for (let i = 0; i < n; i++) await assets.submitTransaction('CreateAsset', `k${i}`, `v${i}`);
  conn.close();
  const height = devnet.height();
  await devnet.close();
  return height;
}

function blockFile(dataDir: string): string {
  return join(ledgerDirectory(dataDir, 'mychannel'), 'blocks.bin');
}

/** Offsets and lengths of each record in the block file (8-byte header: length, CRC-32). */
async function records(path: string): Promise<{ offset: number; length: number }[]> {
  const buf = await readFile(path);
  const out: { offset: number; length: number }[] = [];
  for (let pos = 0; pos + 8 <= buf.length;) {
    const length = buf.readUInt32BE(pos);
    out.push({ offset: pos, length });
    pos += 8 + length;
  }
  return out;
}

describe('devnet persistence and crash safety', () => {
  it('keeps state, history and events across a restart', async () => {
    const dataDir = await freshDir();
    await writeSome(dataDir, 3);
    const devnet = await testDevnet({ dataDir });
    const conn = await gatewayFor(devnet);
    try {
      const network = conn.gateway.getNetwork(devnet.channel);
      const assets = network.getContract('assets', 'assets');
      expect(text(await assets.evaluateTransaction('ReadAsset', 'k2'))).toBe('v2');
      await assets.submitTransaction('PutAsset', 'k0', 'changed');
      const history = JSON.parse(text(await assets.evaluateTransaction('History', 'k0'))) as { value: string }[];
      expect(history.map((h) => h.value)).toEqual(['changed', 'v0']);
      const events = await network.getChaincodeEvents('assets', { startBlock: 0n });
      const names: string[] = [];
      for await (const e of events) {
        names.push(JSON.parse(text(e.payload)).id);
        if (names.length === 3) break;
      }
      events.close();
      expect(names).toEqual(['k0', 'k1', 'k2']);
    } finally {
      conn.close();
      await devnet.close();
    }
  });

  it('reopens a channel with its organisations in any order, and refuses a different set', async () => {
    const dataDir = await freshDir();
    const orgs = [
      { mspId: 'VaultOperatorMSP', domain: 'vault.example.vn' },
      { mspId: 'AuthorityMSP', domain: 'authority.example.vn' },
    ];
    await (await testDevnet({ dataDir, organizations: orgs })).close();
    await (await testDevnet({ dataDir, organizations: [...orgs].reverse() })).close();
    await expect(testDevnet({ dataDir, organizations: [orgs[0]!] })).rejects.toThrow(
      /was created with organisations AuthorityMSP, VaultOperatorMSP, not VaultOperatorMSP/,
    );
  });

  it('loses no transaction whose commit was reported when the process is killed with SIGKILL', async () => {
    const dataDir = await freshDir();
    const child = spawn(process.execPath, [resolve(import.meta.dirname, 'fixtures/devnet-child.mjs'), dataDir, ASSET_CHAINCODE], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise((done) => child.on('exit', done));
    const first = await new Promise<string>((ok) => createInterface({ input: child.stdout! }).once('line', ok));
    const { endpoint, connection } = JSON.parse(first) as { endpoint: string; connection: ConnectionInfo };
    const conn = await gatewayFor({ endpoint, connection });
    const assets = conn.gateway.getNetwork(connection.channel).getContract('assets', 'assets');

    const committed: string[] = [];
    let killed = false;
    const clients = Array.from({ length: 16 }, async (_, c) => {
      for (let i = 0; !killed; i++) {
        const key = `crash-${c}-${i}`;
        try {
          const commit = await assets.submitAsync('PutAsset', { arguments: [key, key] });
          if ((await commit.getStatus()).successful) committed.push(key);
        } catch {
          return; // the devnet is gone
        }
      }
    });
    while (committed.length < 150) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGKILL');
    killed = true;
    await exited;
    await Promise.all(clients);
    conn.close();

    const devnet = await testDevnet({ dataDir, chaincodes: [{ name: 'assets', path: ASSET_CHAINCODE, endorsementPolicy: 'ANY Endorsement' }] });
    const check = await gatewayFor(devnet);
    try {
      const reader = check.gateway.getNetwork(devnet.channel).getContract('assets', 'assets');
      const missing: string[] = [];
      for (const key of committed) {
        const value = await reader.evaluateTransaction('ReadAsset', key).then(text, () => undefined);
        if (value !== key) missing.push(key);
      }
      expect(missing).toEqual([]);
      expect((await devnet.verifyChain()).ok).toBe(true);
    } finally {
      check.close();
      await devnet.close();
    }
  });

  it('cuts off a torn last block on restart and carries on from the block before', async () => {
    const dataDir = await freshDir();
    const height = await writeSome(dataDir, 2);
    const path = blockFile(dataDir);
    const last = (await records(path)).at(-1)!;
    const sizeBefore = (await stat(path)).size;
    const file = await open(path, 'r+');
    await file.truncate(last.offset + 8 + Math.floor(last.length / 2)); // the last write, half done
    await file.close();

    expect((await verifyChain(ledgerDirectory(dataDir, 'mychannel'))).problems[0]?.reason).toMatch(/do not form a whole block/);

    const warnings: string[] = [];
    const devnet = await testDevnet({ dataDir, log: (level, message) => level === 'warn' && warnings.push(message) });
    try {
      expect(devnet.height()).toBe(height - 1);
      expect(warnings.join()).toContain('torn last block');
      expect((await stat(path)).size).toBeLessThan(sizeBefore);
      const conn = await gatewayFor(devnet);
      const assets = conn.gateway.getNetwork(devnet.channel).getContract('assets', 'assets');
      expect(text(await assets.evaluateTransaction('ReadAsset', 'k0'))).toBe('v0');
      await expect(assets.evaluateTransaction('ReadAsset', 'k1')).rejects.toThrow(/does not exist/);
      await assets.submitTransaction('CreateAsset', 'k1', 'again');
      conn.close();
      expect((await devnet.verifyChain()).ok).toBe(true);
    } finally {
      await devnet.close();
    }
  });

  it('treats a zero-filled tail as torn, and keeps the cut bytes aside', async () => {
    const dataDir = await freshDir();
    const height = await writeSome(dataDir, 1);
    const path = blockFile(dataDir);
    await writeFile(path, Buffer.concat([await readFile(path), Buffer.alloc(4096)]));
    const kept: (string | undefined)[] = [];
    const devnet = await testDevnet({ dataDir, log: (level, _m, fields) => level === 'warn' && kept.push(fields?.keptAt as string | undefined) });
    try {
      expect(devnet.height()).toBe(height);
      expect(kept[0]).toMatch(/blocks\.bin\.torn-\d+$/);
      expect((await stat(kept[0]!)).size).toBe(4096);
    } finally {
      await devnet.close();
    }
  });

  it('verifies an untouched chain, and detects a flipped byte in a block', async () => {
    const dataDir = await freshDir();
    await writeSome(dataDir, 3);
    const ledgerDir = ledgerDirectory(dataDir, 'mychannel');
    const good = await verifyChain(ledgerDir);
    expect(good).toEqual({ ok: true, height: 4, problems: [] }); // genesis and three blocks

    const path = blockFile(dataDir);
    const target = (await records(path))[2]!;
    const bytes = await readFile(path);
    bytes[target.offset + 8 + Math.floor(target.length / 2)]! ^= 0xff;
    await writeFile(path, bytes);

    const bad = await verifyChain(ledgerDir);
    expect(bad.ok).toBe(false);
    expect(bad.problems.map((p) => p.block)).toContain(2);
    await expect(testDevnet({ dataDir })).rejects.toThrow(/corrupt at block 2/);
  });

  it('detects a rewritten transaction even when the record checksum was forged to match', async () => {
    const dataDir = await freshDir();
    await writeSome(dataDir, 3);
    const path = blockFile(dataDir);
    const target = (await records(path))[2]!;
    const file = await readFile(path);
    const block = common.Block.deserializeBinary(file.subarray(target.offset + 8, target.offset + 8 + target.length));
    const data = block
      .getData()!
      .getDataList_asU8()
      .map((d) => Buffer.from(d));
    const i = data[0]!.indexOf(Buffer.from('v1'));
    expect(i).toBeGreaterThan(0);
    data[0]![i + 1] = '9'.charCodeAt(0); // v1 → v9, same length
    block.getData()!.setDataList(data);
    const forged = Buffer.from(block.serializeBinary());
    const header = Buffer.alloc(8);
    header.writeUInt32BE(forged.length, 0);
    header.writeUInt32BE(crc32(forged, crc32(header.subarray(0, 4))), 4); // the record checksum covers length and bytes
    await writeFile(path, Buffer.concat([file.subarray(0, target.offset), header, forged, file.subarray(target.offset + 8 + target.length)]));

    const result = await verifyChain(ledgerDirectory(dataDir, 'mychannel'));
    expect(result.ok).toBe(false);
    expect(result.problems).toContainEqual({ block: 2, reason: "data hash does not match the block's transactions" });

    const cli = await new Promise<{ code: number | null; stdout: string }>((done) =>
      execFile(process.execPath, [CLI, 'verify', '--data-dir', dataDir], (err, stdout) => done({ code: err ? (err.code as number) : 0, stdout })),
    );
    expect(cli.code).toBe(1);
    expect(JSON.parse(cli.stdout).problems[0].block).toBe(2);
  });
});
