import { createHash } from 'node:crypto';
import type { Principal } from './principal.js';

/**
 * Bearer tokens already verified, by the SHA-256 of their bytes, until they expire: a client
 * sends the same token on every request for its 15 minutes, and checking its signature again each
 * time was a large share of a consented read. Only what the signature proves is kept (role,
 * subject, ids); whether an organisation is still active is asked on every request. Bounded: past
 * `maxEntries`, the oldest entries go first.
 */
export class VerifiedTokens {
  private readonly entries = new Map<string, { principal: Readonly<Principal>; expiresAtMs: number }>();
  hits = 0;

  constructor(
    private readonly maxEntries = 50_000,
    private readonly nowMs: () => number = Date.now,
  ) {}

  get(token: string): Principal | undefined {
    const key = keyOf(token);
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (this.nowMs() >= entry.expiresAtMs) {
      this.entries.delete(key); // expired: the full check runs again and says so
      return undefined;
    }
    this.hits += 1;
    return { ...entry.principal };
  }

  remember(token: string, principal: Principal, expiresAtS: number): void {
    const { organization: _loadedPerRequest, ...proven } = principal;
    const key = keyOf(token);
    this.entries.delete(key);
    this.entries.set(key, { principal: Object.freeze(proven), expiresAtMs: expiresAtS * 1000 });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  get size(): number {
    return this.entries.size;
  }
}

function keyOf(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}
