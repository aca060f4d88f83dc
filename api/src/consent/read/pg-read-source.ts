import type { Sql } from '../../infra/database.js';
import type { LoadedConsent } from './consented-read.js';
import type { ReadSnapshot, ReadSource, SealedVersion } from './read-source.js';

type Row = LoadedConsent & {
  wrapped_key: Buffer | null;
  kek_version: number | null;
  versions: (Omit<SealedVersion, 'created_at'> & { created_ms: number })[] | null;
};

/**
 * A read's snapshot in one round trip: the consent with its consumer's name and its uses in the
 * current period (`once`, the day or the month, by its mode), the subject's sealed data key, and
 * the latest confirmed version of each of its records, whether the subject is restricted, and
 * whether a material notice change paused the consent until the citizen consents again —
 * before, three queries. Only sealed bytes
 * leave Postgres; they are opened in the API once the read is allowed and recorded.
 */
export class PgReadSource implements ReadSource {
  constructor(private readonly sql: Sql) {}

  async load(consentId: string, periods: { day: string; month: string }): Promise<ReadSnapshot | undefined> {
    const [row] = await this.sql<Row[]>`
      select c.*, o.name as consumer_name,
        coalesce((select u.uses from consent_usage u
          where u.consent_id = c.id
            and u.period = case when c.access_mode->>'mode' = 'ONCE' then 'once'
                                when c.access_mode->>'per' = 'DAY' then ${periods.day} else ${periods.month} end), 0) as uses,
        s.wrapped_key, s.kek_version,
        exists (select 1 from subject_restrictions sr where sr.subject_id = c.subject_id and sr.lifted_at is null) as subject_restricted,
        exists (select 1 from reconsent_requests rr where rr.consent_id = c.id and rr.resolved_at is null and rr.rule = 'pause') as reconsent_paused,
        (select jsonb_agg(v order by v.record_id) from (
           -- created_at in whole milliseconds, as a Date read from the row would hold it (it orders the custodians' values)
           select distinct on (r.id) r.id as record_id, r.category, r.custodian_org_id, rv.version, rv.fields, rv.commitment,
                  floor(extract(epoch from rv.created_at) * 1000)::bigint as created_ms
           from records r join record_versions rv on rv.record_id = r.id
           where r.subject_id = c.subject_id and r.confirmed and rv.confirmed order by r.id, rv.version desc) v) as versions
      from consents c join organizations o on o.id = c.consumer_org_id left join subjects s on s.id = c.subject_id
      where c.id = ${consentId}`;
    if (!row) return undefined;
    const { wrapped_key, kek_version, versions, ...consent } = row;
    return {
      consent,
      sealed: {
        subject: kek_version === null ? undefined : { id: consent.subject_id, wrapped_key, kek_version },
        versions: (versions ?? []).map(({ created_ms, ...v }) => ({ ...v, created_at: new Date(Number(created_ms)) })),
      },
    };
  }
}
