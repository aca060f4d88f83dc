import { describe, expect, it } from 'vitest';
import { peer } from '@hyperledger/fabric-protos';
import { blockTransactions, LedgerFormatError, parseTransaction, sha256 } from '../src/index.js';
import { block, endorserEnvelope } from './block-fixtures.js';

describe('blockTransactions', () => {
  it('lists each transaction with its validation code, writes, private write hashes and event', () => {
    const first = endorserEnvelope({
      txId: 'tx-1',
      mspId: 'Org1MSP',
      chaincode: 'citizen-vault',
      args: ['ConsentContract:Grant', '{"id":"c1"}'],
      timestampMs: Date.UTC(2026, 0, 2, 3, 4, 5, 678),
      writes: [
        { namespace: 'citizen-vault', key: 'consent~c1', value: '{"state":"active"}' },
        { namespace: 'citizen-vault', key: 'old', value: null },
      ],
      privateWrite: { namespace: 'citizen-vault', collection: 'Org1Private', keyHash: sha256(Buffer.from('k')), valueHash: sha256(Buffer.from('v')) },
      event: { name: 'ConsentGranted', payload: '{"id":"c1"}' },
    });
    const second = endorserEnvelope({ txId: 'tx-2', mspId: 'Org2MSP', chaincode: 'citizen-vault', args: ['Noop'], timestampMs: 0, writes: [] });
    const txs = blockTransactions(block(7, Buffer.alloc(32), [first, second], [peer.TxValidationCode.VALID, peer.TxValidationCode.MVCC_READ_CONFLICT]));
    expect(txs).toEqual([
      {
        txId: 'tx-1',
        validationCode: 'VALID',
        chaincode: 'citizen-vault',
        function: 'ConsentContract:Grant',
        creatorMspId: 'Org1MSP',
        timestamp: '2026-01-02T03:04:05.678Z',
        writes: [
          { namespace: 'citizen-vault', key: 'consent~c1', value: Buffer.from('{"state":"active"}') },
          { namespace: 'citizen-vault', key: 'old', value: null },
        ],
        privateWrites: [
          {
            namespace: 'citizen-vault',
            collection: 'Org1Private',
            keyHash: sha256(Buffer.from('k')).toString('hex'),
            valueHash: sha256(Buffer.from('v')).toString('hex'),
          },
        ],
        event: { name: 'ConsentGranted', payload: Buffer.from('{"id":"c1"}') },
      },
      {
        txId: 'tx-2',
        validationCode: 'MVCC_READ_CONFLICT',
        chaincode: 'citizen-vault',
        function: 'Noop',
        creatorMspId: 'Org2MSP',
        timestamp: '1970-01-01T00:00:00.000Z',
        writes: [],
      },
    ]);
  });

  it('lists nothing for the genesis block, whose transaction is the channel config', () => {
    expect(blockTransactions(block(0, new Uint8Array(), [Buffer.from('config')], [0]))).toEqual([]);
  });

  it('refuses an envelope that is not an endorser transaction with a malformed error', () => {
    expect(() => parseTransaction(Buffer.from([0xff, 0xff, 0xff]))).toThrow(LedgerFormatError);
    try {
      blockTransactions(block(1, Buffer.alloc(32), [Buffer.from([0x0a, 0x02, 0x0a, 0x00])], [0]));
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(LedgerFormatError);
      expect((err as LedgerFormatError).code).toBe('malformed');
    }
  });
});
