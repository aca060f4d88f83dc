import { cp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Contract, Network } from '@hyperledger/fabric-gateway';
import { peer } from '@hyperledger/fabric-protos';
import { ledgerDirectory, type Logger } from '@citizen-vault/network';
import { gatewayFor, removeDir, tempDir, testDevnet, text } from './helpers.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map(removeDir));
});

const stateDir = (dataDir: string): string => join(ledgerDirectory(dataDir, 'mychannel'), 'statedb');

/** Starts the devnet on `dataDir`, runs `use`, stops it; returns how many blocks it replayed into its state on start. */
async function withDevnet(dataDir: string, use: (assets: Contract, height: number, network: Network) => Promise<void>): Promise<number> {
  let replayed: unknown;
  const log: Logger = (level, message, fields) => {
    if (message === 'devnet ready') replayed = fields?.replayedBlocks;
    else if (level !== 'info') console.warn(`[devnet ${level}] ${message}`, fields ?? '');
  };
  const devnet = await testDevnet({ dataDir, log });
  const conn = await gatewayFor(devnet);
  try {
    const network = conn.gateway.getNetwork(devnet.channel);
    await use(network.getContract('assets', 'assets'), devnet.height(), network);
  } finally {
    conn.close();
    await devnet.close();
  }
  expect(typeof replayed).toBe('number');
  return replayed as number;
}

async function events(dataDir: string): Promise<string[]> {
  const devnet = await testDevnet({ dataDir });
  const conn = await gatewayFor(devnet);
  try {
    const stream = await conn.gateway.getNetwork(devnet.channel).getChaincodeEvents('assets', { startBlock: 0n });
    const ids: string[] = [];
    for await (const e of stream) {
      ids.push(JSON.parse(text(e.payload)).id);
      if (ids.length === 4) break;
    }
    stream.close();
    return ids;
  } finally {
    conn.close();
    await devnet.close();
  }
}

describe('devnet state on disk', () => {
  it('serves state, history and old events after a restart without replaying its blocks', async () => {
    const dataDir = await tempDir();
    dirs.push(dataDir);
    let height = 0;
    let txId = '';
    const first = await withDevnet(dataDir, async (assets) => {
      for (let i = 0; i < 3; i++) await assets.submitTransaction('CreateAsset', `k${i}`, `v${i}`);
      const submitted = await assets.submitAsync('CreateAsset', { arguments: ['k3', 'v3'] });
      txId = submitted.getTransactionId();
      expect((await submitted.getStatus()).successful).toBe(true);
      await assets.submitTransaction('PutAsset', 'k0', 'changed');
    });
    expect(first).toBe(0); // a new ledger: only the genesis block, written and applied as it was made

    const replayed = await withDevnet(dataDir, async (assets, h, network) => {
      height = h;
      expect(text(await assets.evaluateTransaction('ReadAsset', 'k3'))).toBe('v3');
      const history = JSON.parse(text(await assets.evaluateTransaction('History', 'k0'))) as { value: string }[];
      expect(history.map((m) => m.value)).toEqual(['changed', 'v0']);
      // The transaction index survives too: qscc finds a transaction committed before the restart.
      const found = await network.getContract('qscc').evaluateTransaction('GetTransactionByID', network.getName(), txId);
      expect(peer.ProcessedTransaction.deserializeBinary(found).getValidationcode()).toBe(peer.TxValidationCode.VALID);
    });
    expect(height).toBeGreaterThanOrEqual(6);
    expect(replayed).toBe(0);
    expect(await events(dataDir)).toEqual(['k0', 'k1', 'k2', 'k3']); // read back from the block file
  });

  it('replays only the blocks its state had not applied, and rebuilds a lost state from all blocks', async () => {
    const dataDir = await tempDir();
    const saved = await tempDir('statedb-copy-');
    dirs.push(dataDir, saved);
    let heightBefore = 0;
    await withDevnet(dataDir, async (assets) => {
      await assets.submitTransaction('CreateAsset', 'a', '1');
      await assets.submitTransaction('CreateAsset', 'b', '1');
    });
    await withDevnet(dataDir, async (_assets, h) => {
      heightBefore = h;
    });
    await cp(stateDir(dataDir), saved, { recursive: true }); // the state as it was at heightBefore
    let heightAfter = 0;
    await withDevnet(dataDir, async (assets, h) => {
      await assets.submitTransaction('PutAsset', 'a', '2');
      await assets.submitTransaction('PutAsset', 'b', '2');
      heightAfter = h + 2;
    });

    // As after a crash between the block's fsync and the state's write: the state is behind the blocks.
    await rm(stateDir(dataDir), { recursive: true });
    await cp(saved, stateDir(dataDir), { recursive: true });
    const behind = await withDevnet(dataDir, async (assets) => {
      expect(text(await assets.evaluateTransaction('ReadAsset', 'a'))).toBe('2');
      expect(text(await assets.evaluateTransaction('ReadAsset', 'b'))).toBe('2');
    });
    expect(behind).toBe(heightAfter - heightBefore);

    await rm(stateDir(dataDir), { recursive: true });
    const rebuilt = await withDevnet(dataDir, async (assets) => {
      expect(text(await assets.evaluateTransaction('ReadAsset', 'b'))).toBe('2');
      const history = JSON.parse(text(await assets.evaluateTransaction('History', 'a'))) as { value: string }[];
      expect(history.map((m) => m.value)).toEqual(['2', '1']);
    });
    expect(rebuilt).toBe(heightAfter);
  });
});
