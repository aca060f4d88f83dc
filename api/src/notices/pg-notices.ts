import type { ConsentNotices, NoticeRef, NoticeScope } from '../consent/index.js';
import { DomainError } from '../errors/index.js';
import type { Sql } from '../infra/database.js';
import { defaultShownVersion, noticeHash, type Notice, type NoticeKind, type NoticeRule, type NoticeText } from './notice.js';

type NoticeRow = {
  kind: NoticeKind;
  key: string;
  version: number;
  text: NoticeText;
  text_hash: string;
  material: boolean;
  rule: NoticeRule | null;
  change_summary: NoticeText | null;
  published_at: Date;
  published_by: string;
  leaf_index: string | null;
};

const asNotice = (r: NoticeRow): Notice => ({
  kind: r.kind,
  key: r.key,
  version: r.version,
  text: r.text,
  textHash: r.text_hash,
  material: r.material,
  rule: r.rule,
  changeSummary: r.change_summary,
  publishedAt: r.published_at,
  publishedBy: r.published_by,
  leafIndex: r.leaf_index === null ? null : Number(r.leaf_index),
});

export interface PublishInput {
  kind: NoticeKind;
  key: string;
  text: NoticeText;
  material: boolean;
  rule: NoticeRule | null;
  changeSummary: NoticeText | null;
  publishedBy: string;
  at: Date;
}

/**
 * Notice versions in Postgres. Publishing a version and marking every consent it asks again are
 * one transaction, so a crash never leaves a material change without its re-consents.
 */
export class PgNotices implements Pick<ConsentNotices, 'current' | 'outdated'> {
  constructor(private readonly sql: Sql) {}

  /** Version 1 of each vocabulary notice, written once; a later start finds them and adds nothing. */
  async ensureVocabulary(entries: { kind: NoticeKind; key: string; text: NoticeText }[], at: Date): Promise<void> {
    if (entries.length === 0) return;
    const hashes = entries.map((e) => noticeHash(e.kind, e.key, 1, e.text));
    await this.sql`
      insert into notices (kind, key, version, text, text_hash, material, rule, published_at, published_by)
      select kind, key, 1, text::jsonb, text_hash, false, null, ${at}, 'vocabulary'
      from unnest(${entries.map((e) => e.kind)}::text[], ${entries.map((e) => e.key)}::text[],
                  ${entries.map((e) => JSON.stringify(e.text))}::text[], ${hashes}::text[]) as t(kind, key, text, text_hash)
      on conflict (kind, key, version) do nothing`;
  }

  async current(scope: NoticeScope): Promise<NoticeRef[]> {
    const rows = await this.sql<{ kind: NoticeKind; key: string; version: number; text_hash: string }[]>`
      select distinct on (kind, key) kind, key, version, text_hash from notices
      where (kind = 'purpose' and key = ${scope.purpose}) or (kind = 'field' and key = any(${scope.fields as string[]}::text[]))
         or (kind = 'organization' and key = ${scope.consumerOrgId})
      order by kind, key, version desc`;
    const order = (r: { kind: NoticeKind; key: string }) =>
      r.kind === 'purpose' ? -1 : r.kind === 'organization' ? scope.fields.length : scope.fields.indexOf(r.key);
    return rows.sort((a, b) => order(a) - order(b)).map((r) => ({ kind: r.kind, key: r.key, version: r.version, hash: r.text_hash }));
  }

  async outdated(scope: NoticeScope, shown: readonly NoticeRef[]): Promise<NoticeRef[]> {
    const keys: { kind: NoticeKind; key: string }[] = [
      { kind: 'purpose', key: scope.purpose },
      ...scope.fields.map((f) => ({ kind: 'field' as const, key: f })),
      { kind: 'organization', key: scope.consumerOrgId },
    ];
    const versions = keys.map((k) => shown.find((s) => s.kind === k.kind && s.key === k.key)?.version ?? defaultShownVersion(k.kind));
    const rows = await this.sql<{ kind: NoticeKind; key: string; version: number; text_hash: string }[]>`
      select n.kind, n.key, n.version, n.text_hash from notices n
      join unnest(${keys.map((k) => k.kind)}::text[], ${keys.map((k) => k.key)}::text[], ${versions}::int[]) as s(kind, key, shown)
        on n.kind = s.kind and n.key = s.key
      where n.material and n.version > s.shown
      order by n.kind, n.key, n.version`;
    return rows.map((r) => ({ kind: r.kind, key: r.key, version: r.version, hash: r.text_hash }));
  }

  /**
   * A new version, numbered after the last; material, it marks every active or paused consent
   * given under an earlier version for re-consent, in the same transaction. Refused when the text
   * is the current version's.
   */
  async publish(input: PublishInput): Promise<{ notice: Notice; affected: number }> {
    return this.sql.begin(async (tx) => {
      await tx`select pg_advisory_xact_lock(hashtext(${`notice:${input.kind}:${input.key}`}))`;
      const [last] = await tx<{ version: number; text_hash: string; text: NoticeText }[]>`
        select version, text_hash, text from notices where kind = ${input.kind} and key = ${input.key} order by version desc limit 1`;
      if (last && last.text.vi === input.text.vi && last.text.en === input.text.en)
        throw new DomainError('notice_unchanged', `version ${last.version} already says this`);
      const version = (last?.version ?? 0) + 1;
      const [row] = await tx<NoticeRow[]>`
        insert into notices (kind, key, version, text, text_hash, material, rule, change_summary, published_at, published_by)
        values (${input.kind}, ${input.key}, ${version}, ${tx.json(input.text as never)}, ${noticeHash(input.kind, input.key, version, input.text)},
                ${input.material}, ${input.rule}, ${input.changeSummary ? tx.json(input.changeSummary as never) : null}, ${input.at}, ${input.publishedBy})
        returning *`;
      if (!input.material) return { notice: asNotice(row!), affected: 0 };
      const change = JSON.stringify([{ kind: input.kind, key: input.key, version }]);
      const inScope =
        input.kind === 'purpose'
          ? tx`c.purpose = ${input.key}`
          : input.kind === 'field'
            ? tx`c.requested_fields @> array[${input.key}]::text[]`
            : tx`c.consumer_org_id = ${input.key}::uuid`;
      const marked = await tx`
        insert into reconsent_requests as r (consent_id, rule, changes, created_at)
        select c.id, ${input.rule}, ${change}::text::jsonb, ${input.at} from consents c
        where c.status in ('ACTIVE', 'PAUSED') and ${inScope}
          and coalesce((select (n->>'version')::int from jsonb_array_elements(
                          case when jsonb_typeof(c.artefact->'notices') = 'array' then c.artefact->'notices' else '[]'::jsonb end) n
                        where n->>'kind' = ${input.kind} and n->>'key' = ${input.key}), ${defaultShownVersion(input.kind)}) < ${version}
        on conflict (consent_id) do update set
          rule = case when r.resolved_at is null and r.rule = 'pause' then 'pause' else excluded.rule end,
          changes = case when r.resolved_at is null then r.changes || excluded.changes else excluded.changes end,
          created_at = case when r.resolved_at is null then r.created_at else excluded.created_at end,
          successor_id = null, resolved_at = null, resolution = null`;
      return { notice: asNotice(row!), affected: marked.count };
    });
  }

  async versions(kind: NoticeKind, key: string): Promise<Notice[]> {
    const rows = await this.sql<NoticeRow[]>`select * from notices where kind = ${kind} and key = ${key} order by version desc`;
    return rows.map(asNotice);
  }

  async get(kind: NoticeKind, key: string, version: number): Promise<Notice | undefined> {
    const [row] = await this.sql<NoticeRow[]>`select * from notices where kind = ${kind} and key = ${key} and version = ${version}`;
    return row ? asNotice(row) : undefined;
  }

  /** The current version of every notice of a kind. */
  async currentOf(kind: NoticeKind): Promise<Notice[]> {
    const rows = await this.sql<NoticeRow[]>`select distinct on (key) * from notices where kind = ${kind} order by key, version desc`;
    return rows.map(asNotice);
  }

  async organizationExists(id: string): Promise<boolean> {
    const [row] = await this.sql`select 1 from organizations where id = ${id}`;
    return row !== undefined;
  }

  async unlogged(limit: number): Promise<Notice[]> {
    const rows = await this.sql<NoticeRow[]>`select * from notices where leaf_index is null order by published_at limit ${limit}`;
    return rows.map(asNotice);
  }

  async setLeaf(notice: Pick<Notice, 'kind' | 'key' | 'version'>, leafIndex: number): Promise<void> {
    await this.sql`update notices set leaf_index = ${leafIndex} where kind = ${notice.kind} and key = ${notice.key} and version = ${notice.version}`;
  }
}
