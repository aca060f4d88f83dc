import type { Adapter, AdapterPayload } from 'oidc-provider';

/**
 * The development provider's state (sessions, interactions, codes, grants) in this process's
 * memory, each entry until it expires. Fine for the provider of the embedded default, which signs
 * in demo people and forgets them on restart; a production provider is someone else's system.
 */
export class DevelopmentProviderStore implements Adapter {
  private static readonly entries = new Map<string, { payload: AdapterPayload; expiresAt: number }>();
  private static readonly byGrant = new Map<string, Set<string>>();
  private static writes = 0;

  constructor(private readonly model: string) {}

  private key(id: string): string {
    return `${this.model}:${id}`;
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
    if (++DevelopmentProviderStore.writes % 1_000 === 0) DevelopmentProviderStore.forgetExpired();
    const key = this.key(id);
    DevelopmentProviderStore.entries.set(key, { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : Number.POSITIVE_INFINITY });
    if (payload.grantId) {
      const keys = DevelopmentProviderStore.byGrant.get(payload.grantId) ?? new Set<string>();
      keys.add(key);
      DevelopmentProviderStore.byGrant.set(payload.grantId, keys);
    }
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    const key = this.key(id);
    const entry = DevelopmentProviderStore.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      DevelopmentProviderStore.entries.delete(key);
      return undefined;
    }
    return entry.payload;
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    for (const [key, entry] of DevelopmentProviderStore.entries) {
      if (key.startsWith(`${this.model}:`) && entry.payload.uid === uid && entry.expiresAt > Date.now()) return entry.payload;
    }
    return undefined;
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    for (const [key, entry] of DevelopmentProviderStore.entries) {
      if (key.startsWith(`${this.model}:`) && entry.payload.userCode === userCode && entry.expiresAt > Date.now()) return entry.payload;
    }
    return undefined;
  }

  async consume(id: string): Promise<void> {
    const entry = DevelopmentProviderStore.entries.get(this.key(id));
    if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
  }

  async destroy(id: string): Promise<void> {
    DevelopmentProviderStore.entries.delete(this.key(id));
  }

  private static forgetExpired(): void {
    const now = Date.now();
    for (const [key, entry] of DevelopmentProviderStore.entries) if (entry.expiresAt <= now) DevelopmentProviderStore.entries.delete(key);
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    for (const key of DevelopmentProviderStore.byGrant.get(grantId) ?? []) DevelopmentProviderStore.entries.delete(key);
    DevelopmentProviderStore.byGrant.delete(grantId);
  }
}
