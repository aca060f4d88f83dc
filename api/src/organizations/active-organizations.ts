import type { Sql } from '../infra/database.js';
import type { Organization } from './organization.js';

/**
 * The organisations that may act now, as every authenticated request of an organisation asks:
 * kept in memory and dropped the moment Postgres announces a change to one (migration 029's
 * trigger, on any write by anyone), so a suspension still takes effect on the organisation's next
 * request without a query per request. Until the announcements are heard — at start, and after the
 * listening connection is lost until it is back — nothing is served from memory; `maxAgeMs` bounds
 * what a missed announcement could leave.
 */
export class ActiveOrganizations {
  private readonly cache = new Map<string, { organization: Organization | undefined; at: number }>();
  private listening = false;
  /** Announcements heard so far: a load that overlapped one may predate the change, so it is not kept. */
  private heard = 0;
  private unlisten: (() => Promise<void>) | undefined;

  constructor(
    private readonly sql: Sql,
    private readonly load: (id: string) => Promise<Organization | undefined>,
    private readonly maxAgeMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Starts listening; each (re)connection of the listener starts from an empty cache, as announcements may have been missed. */
  async start(): Promise<void> {
    const { unlisten } = await this.sql.listen(
      'organization_changed',
      (id) => {
        this.heard++;
        this.cache.delete(id);
      },
      () => {
        this.heard++;
        this.cache.clear();
        this.listening = true;
      },
    );
    this.unlisten = unlisten;
  }

  async stop(): Promise<void> {
    this.listening = false;
    this.cache.clear();
    await this.unlisten?.();
  }

  /** The organisation if it is VERIFIED; undefined when suspended, pending or unknown. */
  async get(id: string): Promise<Organization | undefined> {
    const hit = this.listening ? this.cache.get(id) : undefined;
    if (hit && this.now() - hit.at < this.maxAgeMs) return hit.organization;
    const at = this.now();
    const heard = this.heard;
    const loaded = await this.load(id);
    const organization = loaded?.status === 'VERIFIED' ? loaded : undefined;
    if (this.listening && this.heard === heard) this.cache.set(id, { organization, at });
    return organization;
  }
}
