import { X509Certificate, type KeyObject } from 'node:crypto';
import { msp } from '@hyperledger/fabric-protos';
import { DevnetError } from './errors.js';
import { verifyLowS, verifyLowSAsync } from '@citizen-vault/ledger-format';

/** Node OU roles of Fabric's NodeOUs; `member` matches any of them in a policy principal. */
export type MspRole = 'client' | 'peer' | 'admin' | 'orderer';

export interface Identity {
  mspId: string;
  role: MspRole;
  certPem: string;
  publicKey: KeyObject;
  /** The serialized `msp.SerializedIdentity` bytes this identity came from. */
  serialized: Uint8Array;
}

export interface MspDefinition {
  mspId: string;
  rootCertPems: string[];
}

const CACHE_LIMIT = 10_000;

/**
 * The channel's MSPs: turns a serialized identity into a validated one (issued by the MSP's CA,
 * within its validity period, with a NodeOU role) and checks signatures, as a Fabric peer's MSP does.
 */
export class MspRegistry {
  private readonly roots = new Map<string, X509Certificate[]>();
  private readonly cache = new Map<string, { identity: Identity; notBefore: number; notAfter: number }>();

  constructor(
    definitions: MspDefinition[],
    private readonly clock: () => Date = () => new Date(),
  ) {
    for (const d of definitions)
      this.roots.set(
        d.mspId,
        d.rootCertPems.map((pem) => new X509Certificate(pem)),
      );
  }

  get mspIds(): string[] {
    return [...this.roots.keys()];
  }

  /** Parses and validates a serialized identity, or throws `unknown_identity`. */
  deserialize(serialized: Uint8Array): Identity {
    const cacheKey = Buffer.from(serialized).toString('base64');
    const cached = this.cache.get(cacheKey);
    if (cached && this.withinValidity(cached.notBefore, cached.notAfter)) return cached.identity;

    let sid: msp.SerializedIdentity;
    try {
      sid = msp.SerializedIdentity.deserializeBinary(serialized);
    } catch (err) {
      throw new DevnetError('unknown_identity', 'creator is not a serialized identity', { cause: err });
    }
    const mspId = sid.getMspid();
    const roots = this.roots.get(mspId);
    if (!roots) throw new DevnetError('unknown_identity', `MSP ${JSON.stringify(mspId)} is not a member of this channel`);
    const certPem = Buffer.from(sid.getIdBytes_asU8()).toString('utf8');
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(certPem);
    } catch (err) {
      throw new DevnetError('unknown_identity', `identity of ${mspId} is not an X.509 certificate`, { cause: err });
    }
    if (!roots.some((root) => cert.checkIssued(root) && cert.verify(root.publicKey))) {
      throw new DevnetError('unknown_identity', `certificate ${cert.subject.replace(/\n/g, ', ')} was not issued by ${mspId}'s CA`);
    }
    const notBefore = Date.parse(cert.validFrom);
    const notAfter = Date.parse(cert.validTo);
    if (!this.withinValidity(notBefore, notAfter)) throw new DevnetError('unknown_identity', `certificate of ${mspId} has expired or is not yet valid`);
    const identity: Identity = { mspId, role: roleOf(cert), certPem, publicKey: cert.publicKey, serialized };
    if (this.cache.size >= CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(cacheKey, { identity, notBefore, notAfter });
    return identity;
  }

  /** Validates the signer and its signature over `data`, or throws. */
  verify(serializedIdentity: Uint8Array, data: Uint8Array, signature: Uint8Array): Identity {
    const identity = this.deserialize(serializedIdentity);
    if (!verifyLowS(identity.publicKey, data, signature)) {
      throw new DevnetError('bad_signature', `signature of ${identity.mspId} identity does not verify`);
    }
    return identity;
  }

  /** `verify` with the signature check on libuv's thread pool: the hot paths use it to keep the event loop free. */
  async verifyAsync(serializedIdentity: Uint8Array, data: Uint8Array, signature: Uint8Array): Promise<Identity> {
    const identity = this.deserialize(serializedIdentity);
    if (!(await verifyLowSAsync(identity.publicKey, data, signature))) {
      throw new DevnetError('bad_signature', `signature of ${identity.mspId} identity does not verify`);
    }
    return identity;
  }

  private withinValidity(notBefore: number, notAfter: number): boolean {
    const now = this.clock().getTime();
    return now >= notBefore && now <= notAfter;
  }
}

function roleOf(cert: X509Certificate): MspRole {
  const ous = cert.subject
    .split('\n')
    .filter((line) => line.startsWith('OU='))
    .map((line) => line.slice(3).toLowerCase());
  for (const role of ['admin', 'peer', 'orderer', 'client'] as const) if (ous.includes(role)) return role;
  // Fabric with NodeOUs enabled rejects identities without a role OU; so do we.
  throw new DevnetError('unknown_identity', 'certificate carries no NodeOU role (client, peer, admin or orderer)');
}

export function serializeIdentity(mspId: string, certPem: string): Uint8Array {
  const sid = new msp.SerializedIdentity();
  sid.setMspid(mspId);
  sid.setIdBytes(Buffer.from(certPem, 'utf8'));
  return sid.serializeBinary();
}
