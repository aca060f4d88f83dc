/**
 * Offline verification of Citizen Vault's access log, with nothing but WebCrypto (Node ≥ 20 and
 * browsers): RFC 6962 leaf hashes, RFC 9162 inclusion and consistency proof verification, and the
 * Ed25519 signature on a signed tree head. Written independently of the API's implementation, so
 * the two check each other.
 */

export interface SignedTreeHead {
  treeSize: number;
  rootHash: string;
  timestamp: string;
  keyId: string;
  signature: string;
  anchor?: { transactionId: string; blockNumber: number } | null;
}

export interface LogPublicKey {
  keyId: string;
  jwk: { kty: 'OKP'; crv: 'Ed25519'; x: string };
}

const subtle = (): SubtleCrypto => {
  const s = globalThis.crypto?.subtle;
  if (!s) throw new Error('WebCrypto is not available in this runtime');
  return s;
};

export function hexToBytes(hex: string): Uint8Array {
  if (!/^(?:[0-9a-f]{2})*$/i.test(hex)) throw new TypeError('not a hex string');
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export function bytesToHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function base64urlToBytes(s: string): Uint8Array<ArrayBuffer> {
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4);
  const bin = atob(b64);
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

async function sha256(...parts: Uint8Array[]): Promise<Uint8Array> {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const buf = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    buf.set(p, offset);
    offset += p.length;
  }
  return new Uint8Array(await subtle().digest('SHA-256', buf));
}

const equal = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);
const LEAF = Uint8Array.of(0);
const NODE = Uint8Array.of(1);

/** SHA-256(0x00 ‖ entry): the leaf hash of a log entry (the `logEntry` string shown with an access event). */
export async function leafHash(entry: string | Uint8Array): Promise<Uint8Array> {
  return sha256(LEAF, typeof entry === 'string' ? new TextEncoder().encode(entry) : entry);
}

/** RFC 9162 §2.1.3.2. */
export async function verifyInclusion(
  leaf: Uint8Array,
  leafIndex: number,
  treeSize: number,
  auditPath: readonly Uint8Array[],
  root: Uint8Array,
): Promise<boolean> {
  if (!Number.isSafeInteger(leafIndex) || !Number.isSafeInteger(treeSize) || leafIndex < 0 || leafIndex >= treeSize) return false;
  let fn = leafIndex;
  let sn = treeSize - 1;
  let r = leaf;
  for (const p of auditPath) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = await sha256(NODE, p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = await sha256(NODE, r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && equal(r, root);
}

/** RFC 9162 §2.1.4.2. */
export async function verifyConsistency(
  first: number,
  second: number,
  firstRoot: Uint8Array,
  secondRoot: Uint8Array,
  path: readonly Uint8Array[],
): Promise<boolean> {
  if (first < 0 || first > second) return false;
  if (first === second) return path.length === 0 && equal(firstRoot, secondRoot);
  if (first === 0) return path.length === 0;
  const proof = 2 ** Math.round(Math.log2(first)) === first ? [firstRoot, ...path] : [...path];
  if (proof.length === 0) return false;
  let fn = first - 1;
  let sn = second - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = proof[0]!;
  let sr = proof[0]!;
  for (const c of proof.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = await sha256(NODE, c, fr);
      sr = await sha256(NODE, c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      sr = await sha256(NODE, sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && equal(fr, firstRoot) && equal(sr, secondRoot);
}

/** Checks a signed tree head's Ed25519 signature with the log's published key. */
export async function verifyTreeHead(head: SignedTreeHead, key: LogPublicKey): Promise<boolean> {
  if (head.keyId !== key.keyId) return false;
  try {
    const publicKey = await subtle().importKey('jwk', key.jwk, { name: 'Ed25519' }, false, ['verify']);
    const message = new TextEncoder().encode(`citizen-vault-sth/v1\n${head.treeSize}\n${head.rootHash}\n${head.timestamp}`);
    return await subtle().verify({ name: 'Ed25519' }, publicKey, base64urlToBytes(head.signature), message);
  } catch {
    return false;
  }
}

export interface EntryVerification {
  verified: boolean;
  /** Why not, in a sentence; absent when verified. */
  reason?: string;
  treeHead?: SignedTreeHead;
}

/**
 * Verifies that a log entry (e.g. an access event's `logEntry` and `leafIndex`) is in the log:
 * fetches the latest signed tree head, the log key and an inclusion proof from `apiUrl` — all
 * public — and checks all three here. A tampered entry, a forged proof or an unsigned head fail.
 */
export async function verifyLogEntry(
  apiUrl: string,
  entry: { leafIndex: number; logEntry: string },
  fetchImpl: typeof fetch = fetch,
): Promise<EntryVerification> {
  const get = async <T>(path: string): Promise<T> => {
    const res = await fetchImpl(apiUrl.replace(/\/$/, '') + path);
    if (!res.ok) throw new Error(`${path} answered ${res.status}`);
    return (await res.json()) as T;
  };
  const [head, key] = await Promise.all([get<SignedTreeHead>('/v1/log/sth'), get<LogPublicKey>('/v1/log/public-key')]);
  if (!(await verifyTreeHead(head, key))) return { verified: false, reason: 'the signed tree head does not verify with the log key', treeHead: head };
  if (entry.leafIndex >= head.treeSize)
    return { verified: false, reason: 'the entry is newer than the latest signed tree head; try again in a few seconds', treeHead: head };
  const proof = await get<{ auditPath: string[] }>(`/v1/log/proof/inclusion?leafIndex=${entry.leafIndex}&treeSize=${head.treeSize}`);
  const ok = await verifyInclusion(await leafHash(entry.logEntry), entry.leafIndex, head.treeSize, proof.auditPath.map(hexToBytes), hexToBytes(head.rootHash));
  return ok
    ? { verified: true, treeHead: head }
    : { verified: false, reason: 'the inclusion proof does not match the signed root: the entry is not the one the log holds', treeHead: head };
}
