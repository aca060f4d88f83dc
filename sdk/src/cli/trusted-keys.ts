import { readFile } from 'node:fs/promises';
import type { TrustedArtefactKey, TrustedLogKey } from '../evidence-package.js';

/** Keys pinned with `--trusted-key`: the artefact keys (P-256) and log keys (Ed25519) an evidence package must be signed with. */
export interface PinnedKeys {
  artefact: TrustedArtefactKey[];
  log: TrustedLogKey[];
}

/** A pinned key source that could not be read or holds no usable public key: the checks cannot run (exit 2). */
export class PinnedKeyError extends Error {}

const B64URL = /^[A-Za-z0-9_-]+$/;

/**
 * Reads every `--trusted-key` source, a file path or an http(s) URL, each holding a JWKS
 * (`{"keys":[…]}`, as /.well-known/jwks.json), a single JWK, or the log's `{"keyId","jwk"}` (as
 * /v1/log/public-key). P-256 keys pin the consent artefact's signer, Ed25519 keys the log's; any
 * private part is ignored. A source with neither is an error, so a typo cannot pin nothing.
 */
export async function loadPinnedKeys(sources: string[]): Promise<PinnedKeys> {
  const pinned: PinnedKeys = { artefact: [], log: [] };
  for (const source of sources) {
    const document = await fetchSource(source);
    const found = keysOf(document);
    const before = pinned.artefact.length + pinned.log.length;
    for (const { jwk, keyId } of found) {
      if (jwk.kty === 'EC' && jwk.crv === 'P-256' && isB64(jwk.x) && isB64(jwk.y)) {
        pinned.artefact.push({ x: jwk.x, y: jwk.y, ...(typeof jwk.kid === 'string' ? { kid: jwk.kid } : {}) });
      } else if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519' && isB64(jwk.x)) {
        pinned.log.push({ jwk: { x: jwk.x }, ...(keyId ? { keyId } : {}) });
      }
    }
    if (pinned.artefact.length + pinned.log.length === before) {
      throw new PinnedKeyError(`--trusted-key ${source}: no P-256 or Ed25519 public key in it (expected a JWKS, a JWK, or the log's public key)`);
    }
  }
  return pinned;
}

async function fetchSource(source: string): Promise<unknown> {
  let text: string;
  try {
    if (/^https?:\/\//i.test(source)) {
      const res = await fetch(source, { headers: { accept: 'application/json' } });
      if (!res.ok) throw new Error(`answered ${res.status}`);
      text = await res.text();
    } else {
      text = await readFile(source, 'utf8');
    }
  } catch (err) {
    throw new PinnedKeyError(`--trusted-key ${source}: cannot read it (${err instanceof Error ? err.message : String(err)})`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new PinnedKeyError(`--trusted-key ${source}: not JSON`);
  }
}

type Jwk = Record<string, unknown>;

function keysOf(document: unknown): { jwk: Jwk; keyId?: string }[] {
  if (!isObject(document)) return [];
  if (Array.isArray(document.keys)) return document.keys.filter(isObject).map((jwk) => ({ jwk }));
  if (isObject(document.jwk)) return [{ jwk: document.jwk, ...(typeof document.keyId === 'string' ? { keyId: document.keyId } : {}) }];
  return [{ jwk: document }];
}

const isObject = (v: unknown): v is Jwk => typeof v === 'object' && v !== null && !Array.isArray(v);
const isB64 = (v: unknown): v is string => typeof v === 'string' && B64URL.test(v);
