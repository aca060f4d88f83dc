import { peer } from '@hyperledger/fabric-protos';
import type { ParsedTransaction } from './transaction.js';

/** What the gateway put into a prepared transaction's payload, as `parseTransaction` would read it back. */
export type PreparedFields = Omit<ParsedTransaction, 'envelope' | 'payload' | 'signature' | 'event' | 'creatorSignatureVerified'> & {
  /** The serialized chaincode event, or empty. */
  eventBytes: Uint8Array;
};

/**
 * Transactions this devnet's gateway prepared, remembered until the client submits them signed. A
 * submitted envelope whose payload is byte for byte the one prepared carries exactly the fields
 * the gateway put in, so they need not be decoded again from protobuf; any other payload (another
 * transaction, bytes changed by the client, one forgotten) is parsed as before. The creator's
 * signature over the payload is verified either way.
 */
export class PreparedTransactions {
  private readonly prepared = new Map<string, { payload: Uint8Array; fields: PreparedFields }>();

  /** `limit` bounds memory when prepared transactions are never submitted. */
  constructor(private readonly limit = 10_000) {}

  remember(payload: Uint8Array, fields: PreparedFields): void {
    this.prepared.delete(fields.txId);
    if (this.prepared.size >= this.limit) this.prepared.delete(this.prepared.keys().next().value as string);
    this.prepared.set(fields.txId, { payload, fields });
  }

  /** The submitted transaction when its payload is the one prepared for `txId`; forgets it, as a transaction is submitted once. */
  take(txId: string, envelope: Uint8Array, payload: Uint8Array, signature: Uint8Array): ParsedTransaction | undefined {
    const own = this.prepared.get(txId);
    if (!own) return undefined;
    this.prepared.delete(txId);
    if (!Buffer.from(own.payload.buffer, own.payload.byteOffset, own.payload.byteLength).equals(payload)) return undefined;
    const { eventBytes, ...fields } = own.fields;
    return {
      ...fields,
      envelope,
      payload,
      signature,
      event: eventBytes.length > 0 ? peer.ChaincodeEvent.deserializeBinary(eventBytes) : undefined,
    };
  }
}
