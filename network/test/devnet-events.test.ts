import { beforeAll, describe, expect, it } from 'vitest';
import { checkpointers, type ChaincodeEvent, type Contract, type Network } from '@hyperledger/fabric-gateway';
import { text, useDevnet, type TestDevnet } from './helpers.js';

async function take(events: AsyncIterable<ChaincodeEvent>, n: number): Promise<ChaincodeEvent[]> {
  const out: ChaincodeEvent[] = [];
  for await (const e of events) {
    out.push(e);
    if (out.length === n) break;
  }
  return out;
}

describe('chaincode events', () => {
  const shared = useDevnet();
  let devnet: TestDevnet;
  let network: Network;
  let assets: Contract;

  beforeAll(() => {
    ({ devnet, network } = shared);
    assets = network.getContract('assets', 'assets');
  });

  it('delivers the events of committed transactions, in order, after they commit', async () => {
    const events = await network.getChaincodeEvents('assets');
    try {
      const c1 = await assets.submitAsync('CreateAsset', { arguments: ['ev-1', 'one'] });
      const c2 = await assets.submitAsync('CreateAsset', { arguments: ['ev-2', 'two'] });
      const [s1] = await Promise.all([c1.getStatus(), c2.getStatus()]);
      const got = await take(events, 2);
      expect(got.map((e) => e.eventName)).toEqual(['AssetCreated', 'AssetCreated']);
      expect(got.map((e) => JSON.parse(text(e.payload)).id)).toEqual(['ev-1', 'ev-2']);
      expect(got[0]?.transactionId).toBe(c1.getTransactionId());
      expect(got[0]?.chaincodeName).toBe('assets');
      expect(got[0]?.blockNumber).toBe(s1.blockNumber);
    } finally {
      events.close();
    }
  });

  it('sends no event of an invalid transaction', async () => {
    await assets.submitTransaction('PutAsset', 'evc', '0');
    const start = BigInt(devnet.height());
    const a = await assets.newProposal('Increment', { arguments: ['evc'] }).endorse();
    const b = await assets.newProposal('Increment', { arguments: ['evc'] }).endorse();
    await Promise.all([(await a.submit()).getStatus(), (await b.submit()).getStatus()]);
    await assets.submitTransaction('CreateAsset', 'ev-marker', 'm');
    const events = await network.getChaincodeEvents('assets', { startBlock: start });
    try {
      const got = await take(events, 2);
      expect(got.map((e) => e.eventName)).toEqual(['Incremented', 'AssetCreated']);
    } finally {
      events.close();
    }
  });

  it('replays events from a given block, and resumes after a checkpointed transaction', async () => {
    const from = BigInt(devnet.height());
    for (const id of ['r-1', 'r-2', 'r-3']) await assets.submitTransaction('CreateAsset', id, id);

    const replay = await network.getChaincodeEvents('assets', { startBlock: from });
    const all = await take(replay, 3);
    replay.close();
    expect(all.map((e) => JSON.parse(text(e.payload)).id)).toEqual(['r-1', 'r-2', 'r-3']);

    const checkpointer = checkpointers.inMemory();
    await checkpointer.checkpointChaincodeEvent(all[0]!);
    const resumed = await network.getChaincodeEvents('assets', { checkpoint: checkpointer });
    const rest = await take(resumed, 2);
    resumed.close();
    expect(rest.map((e) => JSON.parse(text(e.payload)).id)).toEqual(['r-2', 'r-3']);
  });
});
