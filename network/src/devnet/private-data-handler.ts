import { peer } from '@hyperledger/fabric-protos';
import { isMember, type Collection, type CollectionRegistry } from './collections.js';
import { DevnetError } from './errors.js';
import type { Signer } from './policy.js';
import type { RangeBatch, TxSimulator } from './simulator.js';

const Type = peer.ChaincodeMessage.Type;

/** Who is asking and what collections exist: what the peer needs to answer private data requests. */
export interface PrivateDataAccess {
  collections: CollectionRegistry;
  /** The proposal's creator, whose organisation memberOnlyRead and memberOnlyWrite are checked against. */
  creator: Signer;
}

export type PrivateAnswer = { kind: 'bytes'; payload: Uint8Array } | { kind: 'range'; batch: RangeBatch };

/**
 * Answers the chaincode's private data requests as Fabric's `core/chaincode/handler.go` does, or
 * returns undefined for a request about public state. GET_STATE, PUT_STATE, DEL_STATE,
 * GET_STATE_BY_RANGE and GET_STATE_METADATA carry a collection name when they are about private data;
 * GET_PRIVATE_DATA_HASH always is.
 */
export function answerPrivateData(msg: peer.ChaincodeMessage, namespace: string, simulator: TxSimulator, access: PrivateDataAccess): PrivateAnswer | undefined {
  const payload = msg.getPayload_asU8();
  const bytes = (b: Uint8Array): PrivateAnswer => ({ kind: 'bytes', payload: b });
  switch (msg.getType()) {
    case Type.GET_STATE: {
      const req = peer.GetState.deserializeBinary(payload);
      if (!req.getCollection()) return undefined;
      requireRead(msg.getChannelId(), namespace, req.getCollection(), access);
      return bytes(simulator.privateData.get(namespace, req.getCollection(), req.getKey()));
    }
    case Type.GET_PRIVATE_DATA_HASH: {
      // No access check: any peer may answer with the hash (handler.go HandleGetPrivateDataHash).
      const req = peer.GetState.deserializeBinary(payload);
      access.collections.require(namespace, req.getCollection());
      return bytes(simulator.privateData.getHash(namespace, req.getCollection(), req.getKey()));
    }
    case Type.PUT_STATE: {
      const req = peer.PutState.deserializeBinary(payload);
      if (!req.getCollection()) return undefined;
      requireWrite(msg.getChannelId(), namespace, req.getCollection(), access);
      simulator.putPrivateData(namespace, req.getCollection(), req.getKey(), Buffer.from(req.getValue_asU8()));
      return bytes(new Uint8Array());
    }
    case Type.DEL_STATE: {
      const req = peer.DelState.deserializeBinary(payload);
      if (!req.getCollection()) return undefined;
      requireWrite(msg.getChannelId(), namespace, req.getCollection(), access);
      simulator.putPrivateData(namespace, req.getCollection(), req.getKey(), null);
      return bytes(new Uint8Array());
    }
    case Type.PURGE_PRIVATE_DATA: {
      const req = peer.DelState.deserializeBinary(payload);
      requireWrite(msg.getChannelId(), namespace, req.getCollection(), access);
      simulator.purgePrivateData(namespace, req.getCollection(), req.getKey());
      return bytes(new Uint8Array());
    }
    case Type.GET_STATE_BY_RANGE: {
      const req = peer.GetStateByRange.deserializeBinary(payload);
      if (!req.getCollection()) return undefined;
      requireRead(msg.getChannelId(), namespace, req.getCollection(), access);
      const found = simulator.privateData.range(namespace, req.getCollection(), req.getStartkey(), req.getEndkey());
      // The whole result in one response: the devnet's private values are in memory.
      return {
        kind: 'range',
        batch: { id: `pvt-${msg.getTxid()}-${req.getStartkey()}`, results: found.map(([key, v]) => ({ key, value: v.value })), hasMore: false },
      };
    }
    case Type.GET_STATE_METADATA: {
      const req = peer.GetStateMetadata.deserializeBinary(payload);
      if (!req.getCollection()) return undefined;
      requireRead(msg.getChannelId(), namespace, req.getCollection(), access);
      simulator.privateData.getHash(namespace, req.getCollection(), req.getKey()); // records the read; no key metadata
      return bytes(new peer.StateMetadataResult().serializeBinary());
    }
    case Type.GET_QUERY_RESULT: {
      const req = peer.GetQueryResult.deserializeBinary(payload);
      if (!req.getCollection()) return undefined;
      requireRead(msg.getChannelId(), namespace, req.getCollection(), access);
      throw new DevnetError('not_supported', 'rich (JSON) queries need CouchDB; the devnet state database is key-value, like LevelDB');
    }
    default:
      return undefined;
  }
}

/** core/common/privdata/store.go RetrieveReadWritePermission. */
function permissions(collection: Collection, creator: Signer): { read: boolean; write: boolean } {
  if (!collection.memberOnlyRead && !collection.memberOnlyWrite) return { read: true, write: true };
  if (isMember(collection, creator)) return { read: true, write: true };
  return { read: !collection.memberOnlyRead, write: !collection.memberOnlyWrite };
}

/**
 * The collection a permission is checked on. Fabric looks it up in its collection store, whose error
 * (`NoSuchCollectionError`, core/common/privdata/store.go) differs from the ledger's that
 * GET_PRIVATE_DATA_HASH answers with.
 */
function collectionForAccess(channel: string, namespace: string, name: string, access: PrivateDataAccess): Collection {
  const collection = access.collections.get(namespace, name);
  if (!collection) throw new DevnetError('not_found', `collection ${channel}/${namespace}/${name} could not be found`);
  return collection;
}

function requireRead(channel: string, namespace: string, name: string, access: PrivateDataAccess): void {
  if (!permissions(collectionForAccess(channel, namespace, name, access), access.creator).read) {
    throw new DevnetError(
      'permission_denied',
      `tx creator does not have read access permission on privatedata in chaincodeName:${namespace} collectionName: ${name}`,
    );
  }
}

function requireWrite(channel: string, namespace: string, name: string, access: PrivateDataAccess): void {
  if (!permissions(collectionForAccess(channel, namespace, name, access), access.creator).write) {
    throw new DevnetError(
      'permission_denied',
      `tx creator does not have write access permission on privatedata in chaincodeName:${namespace} collectionName: ${name}`,
    );
  }
}
