import { beforeAll, describe, expect, it } from 'vitest';
import { checkpointers, type ChaincodeEvent, type Contract, type Network } from '@hyperledger/fabric-gateway';
import { gatewayFor, text } from './helpers.js';
import { LEDGER, useLedger, type TestLedger } from './ledger.js';

async function take(events: AsyncIterable<ChaincodeEvent>, n: number): Promise<ChaincodeEvent[]> {
  const out: ChaincodeEvent[] = [];
  for await (const e of events) {
    out.push(e);
    if (out.length === n) break;
  }
  return out;
}

// Runs on the devnet (npm test) and on real Fabric (npm run test:fabric).
describe(`chaincode and block events on the ${LEDGER}`, () => {
  const shared = useLedger();
  let ledger: TestLedger;
  let network: Network;
  let assets: Contract;
  let cc: string;

  beforeAll(() => {
    ({ ledger, network } = shared);
    cc = ledger.cc('assets');
    assets = network.getContract(cc, 'assets');
  });

  it('delivers the events of committed transactions, in order, after they commit', async () => {
    const events = await network.getChaincodeEvents(cc);
    try {
      const c1 = await assets.submitAsync('CreateAsset', { arguments: ['ev-1', 'one'] });
      const c2 = await assets.submitAsync('CreateAsset', { arguments: ['ev-2', 'two'] });
      const [s1] = await Promise.all([c1.getStatus(), c2.getStatus()]);
      const got = await take(events, 2);
      expect(got.map((e) => e.eventName)).toEqual(['AssetCreated', 'AssetCreated']);
      expect(got.map((e) => JSON.parse(text(e.payload)).id)).toEqual(['ev-1', 'ev-2']);
      expect(got[0]?.transactionId).toBe(c1.getTransactionId());
      expect(got[0]?.chaincodeName).toBe(cc);
      expect(got[0]?.blockNumber).toBe(s1.blockNumber);
    } finally {
      events.close();
    }
  });

  it('sends no event of an invalid transaction', async () => {
    await assets.submitTransaction('PutAsset', 'evc', '0');
    const start = BigInt(await ledger.height());
    const a = await assets.newProposal('Increment', { arguments: ['evc'] }).endorse();
    const b = await assets.newProposal('Increment', { arguments: ['evc'] }).endorse();
    await Promise.all([(await a.submit()).getStatus(), (await b.submit()).getStatus()]);
    await assets.submitTransaction('CreateAsset', 'ev-marker', 'm');
    const events = await network.getChaincodeEvents(cc, { startBlock: start });
    try {
      const got = await take(events, 2);
      expect(got.map((e) => e.eventName)).toEqual(['Incremented', 'AssetCreated']);
    } finally {
      events.close();
    }
  });

  it('replays events from a given block, and resumes after a checkpointed transaction', async () => {
    const from = BigInt(await ledger.height());
    for (const id of ['r-1', 'r-2', 'r-3']) await assets.submitTransaction('CreateAsset', id, id);

    const replay = await network.getChaincodeEvents(cc, { startBlock: from });
    const all = await take(replay, 3);
    replay.close();
    expect(all.map((e) => JSON.parse(text(e.payload)).id)).toEqual(['r-1', 'r-2', 'r-3']);

    const checkpointer = checkpointers.inMemory();
    await checkpointer.checkpointChaincodeEvent(all[0]!);
    const resumed = await network.getChaincodeEvents(cc, { checkpoint: checkpointer });
    const rest = await take(resumed, 2);
    resumed.close();
    expect(rest.map((e) => JSON.parse(text(e.payload)).id)).toEqual(['r-2', 'r-3']);
  });

  it('streams whole blocks through the Deliver service from a given block, then as they commit', async () => {
    const blocks = await network.getBlockEvents({ startBlock: 0n });
    try {
      const seen: bigint[] = [];
      const iterator = blocks[Symbol.asyncIterator]();
      const height = await ledger.height();
      for (let i = 0; i < height; i++) {
        const { value } = await iterator.next();
        seen.push(BigInt(value.getHeader()!.getNumber()));
      }
      expect(seen).toEqual(Array.from({ length: height }, (_, i) => BigInt(i)));
      const commit = await assets.submitAsync('PutAsset', { arguments: ['blk-1', 'v'] });
      const { value: next } = await iterator.next();
      expect(next.getHeader()!.getNumber()).toBe(height);
      expect(Number((await commit.getStatus()).blockNumber)).toBe(height);
      expect(Buffer.from(next.serializeBinary())).toEqual(Buffer.from((await ledger.readBlock(height)).serializeBinary()));
    } finally {
      blocks.close();
    }
  });

  it('streams filtered blocks with transaction ids, validation codes and event names', async () => {
    const start = BigInt(await ledger.height());
    const commit = await assets.submitAsync('CreateAsset', { arguments: ['flt-1', 'v'] });
    await commit.getStatus();
    const filtered = await network.getFilteredBlockEvents({ startBlock: start });
    try {
      const { value } = await filtered[Symbol.asyncIterator]().next();
      const tx = value.getFilteredTransactionsList()[0]!;
      expect(tx.getTxid()).toBe(commit.getTransactionId());
      expect(tx.getTxValidationCode()).toBe(0);
      const event = tx.getTransactionActions()!.getChaincodeActionsList()[0]!.getChaincodeEvent()!;
      expect(event.getEventName()).toBe('AssetCreated');
      expect(event.getPayload_asU8().length).toBe(0); // filtered blocks carry no payloads
    } finally {
      filtered.close();
    }
  });

  it('refuses block events to a client whose signature does not verify', async () => {
    const forger = await gatewayFor(ledger, { signer: async () => new Uint8Array(72).fill(7) });
    try {
      const blocks = await forger.gateway.getNetwork(ledger.channel).getBlockEvents({ startBlock: 0n });
      await expect(blocks[Symbol.asyncIterator]().next()).rejects.toThrow(/Unexpected status response: 403/);
      blocks.close();
    } finally {
      forger.close();
    }
  });
});
