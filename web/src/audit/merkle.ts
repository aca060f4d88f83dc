/**
 * RFC 6962 / RFC 9162 Merkle tree checks in the browser, with WebCrypto: a citizen or an auditor
 * need not trust the server's word that an entry is in the log, or that the log only grew.
 */

const encoder = new TextEncoder();

async function sha256(...parts: Uint8Array[]): Promise<Uint8Array> {
  const length = parts.reduce((n, p) => n + p.length, 0);
  const joined = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    joined.set(p, at);
    at += p.length;
  }
  return new Uint8Array(await crypto.subtle.digest('SHA-256', joined));
}

export function fromHex(hex: string): Uint8Array {
  if (!/^(?:[0-9a-f]{2})*$/i.test(hex)) throw new Error('not hex');
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function fromBase64Url(text: string): Uint8Array<ArrayBuffer> {
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4);
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}

const LEAF = new Uint8Array([0]);
const NODE = new Uint8Array([1]);

export const leafHash = (data: Uint8Array): Promise<Uint8Array> => sha256(LEAF, data);
const nodeHash = (left: Uint8Array, right: Uint8Array): Promise<Uint8Array> => sha256(NODE, left, right);

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** RFC 9162 §2.1.3.2: does `auditPath` prove that the entry `leafData` sits at `leafIndex` in the tree with `rootHex`? */
export async function verifyInclusion(leafData: string, leafIndex: number, treeSize: number, auditPath: string[], rootHex: string): Promise<boolean> {
  if (leafIndex >= treeSize || leafIndex < 0) return false;
  let fn = leafIndex;
  let sn = treeSize - 1;
  let r = await leafHash(encoder.encode(leafData));
  for (const hex of auditPath) {
    const p = fromHex(hex);
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = await nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && equal(r, fromHex(rootHex));
}

/** RFC 9162 §2.1.4.2: does `path` prove that the tree of size `first` (root `firstRoot`) is a prefix of the tree of size `second`? */
export async function verifyConsistency(first: number, second: number, path: string[], firstRoot: string, secondRoot: string): Promise<boolean> {
  if (first > second || first < 1) return false;
  if (first === second) return path.length === 0 && firstRoot.toLowerCase() === secondRoot.toLowerCase();
  if (path.length === 0) return false;
  let proof = path.map(fromHex);
  if ((first & (first - 1)) === 0) proof = [fromHex(firstRoot), ...proof]; // first is a power of two
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
      fr = await nodeHash(c, fr);
      sr = await nodeHash(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = await nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && equal(fr, fromHex(firstRoot)) && equal(sr, fromHex(secondRoot));
}

/** The signed tree head's Ed25519 signature over `citizen-vault-sth/v1\n<size>\n<root>\n<timestamp>`. */
export async function verifyTreeHeadSignature(
  sth: { treeSize: number; rootHash: string; timestamp: string; signature: string },
  jwk: { kty: string; crv: string; x: string },
): Promise<boolean> {
  const key = await crypto.subtle.importKey('jwk', { kty: jwk.kty, crv: jwk.crv, x: jwk.x }, { name: 'Ed25519' }, false, ['verify']);
  const message = encoder.encode(`citizen-vault-sth/v1\n${sth.treeSize}\n${sth.rootHash}\n${sth.timestamp}`);
  return crypto.subtle.verify({ name: 'Ed25519' }, key, fromBase64Url(sth.signature), message);
}
