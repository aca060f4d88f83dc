import { describe, expect, it } from 'vitest';
import { peer } from '@hyperledger/fabric-protos';
import { PreparedTransactions, type PreparedFields } from '../src/devnet/prepared-transactions.js';

const bytes = (s: string): Buffer => Buffer.from(s);

function fields(txId: string, event?: peer.ChaincodeEvent): PreparedFields {
  return {
    txId,
    channelId: 'mychannel',
    timestampMs: 1_700_000_000_123,
    creator: bytes('creator'),
    nonce: bytes('nonce'),
    chaincodeName: 'assets',
    responsePayload: bytes('response'),
    endorsements: [{ endorser: bytes('peer0.org1'), signature: bytes('sig') }],
    proposalHashMatches: true,
    rwSet: bytes('rwset'),
    eventBytes: event ? event.serializeBinary() : new Uint8Array(),
  };
}

describe('PreparedTransactions', () => {
  it('gives back the prepared fields, with the envelope and signature submitted, once', () => {
    const prepared = new PreparedTransactions();
    const event = new peer.ChaincodeEvent();
    event.setEventName('AssetCreated');
    event.setTxId('tx1');
    prepared.remember(bytes('payload-1'), fields('tx1', event));
    const tx = prepared.take('tx1', bytes('envelope'), bytes('payload-1'), bytes('client-sig'));
    expect(tx).toMatchObject({
      txId: 'tx1',
      chaincodeName: 'assets',
      envelope: bytes('envelope'),
      payload: bytes('payload-1'),
      signature: bytes('client-sig'),
    });
    expect(tx?.event?.getEventName()).toBe('AssetCreated');
    expect(tx).not.toHaveProperty('eventBytes');
    expect(prepared.take('tx1', bytes('envelope'), bytes('payload-1'), bytes('client-sig'))).toBeUndefined();
  });

  it('does not vouch for a payload changed after it was prepared, or for another transaction id', () => {
    const prepared = new PreparedTransactions();
    prepared.remember(bytes('payload-1'), fields('tx1'));
    expect(prepared.take('tx1', bytes('envelope'), bytes('payload-X'), bytes('sig'))).toBeUndefined();
    prepared.remember(bytes('payload-1'), fields('tx1'));
    expect(prepared.take('tx2', bytes('envelope'), bytes('payload-1'), bytes('sig'))).toBeUndefined();
    expect(prepared.take('tx1', bytes('envelope'), bytes('payload-1'), bytes('sig'))?.event).toBeUndefined();
  });

  it('keeps only the latest preparation of a transaction id', () => {
    const prepared = new PreparedTransactions();
    prepared.remember(bytes('first'), fields('tx1'));
    prepared.remember(bytes('second'), fields('tx1'));
    expect(prepared.take('tx1', bytes('envelope'), bytes('first'), bytes('sig'))).toBeUndefined();
  });

  it('forgets the oldest preparations beyond its limit', () => {
    const prepared = new PreparedTransactions(2);
    for (const id of ['a', 'b', 'c']) prepared.remember(bytes(id), fields(id));
    expect(prepared.take('a', bytes('envelope'), bytes('a'), bytes('sig'))).toBeUndefined();
    expect(prepared.take('c', bytes('envelope'), bytes('c'), bytes('sig'))?.txId).toBe('c');
  });
});
