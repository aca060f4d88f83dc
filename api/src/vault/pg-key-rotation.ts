import type { Sql } from '../infra/database.js';
import type { KekRotation, KekRotationStore, Rewrap } from './key-rotation-store.js';

interface RotationRow {
  id: string;
  from_version: number;
  to_version: number;
  total: string;
  rewrapped: string;
  skipped: string;
  cursor: string | null;
  pass: number;
  started_by: string;
  started_at: Date;
  updated_at: Date;
  finished_at: Date | null;
}

function rotation(row: RotationRow): KekRotation {
  return {
    id: row.id,
    fromVersion: row.from_version,
    toVersion: row.to_version,
    total: Number(row.total),
    rewrapped: Number(row.rewrapped),
    skipped: Number(row.skipped),
    pass: row.pass,
    startedBy: row.started_by,
    startedAt: row.started_at,
    updatedAt: row.updated_at,
    finishedAt: row.finished_at ?? undefined,
  };
}

/** KEK rotations in Postgres (`kek_rotations`), rewrapping `subjects.wrapped_key` in place. */
export class PgKekRotationStore implements KekRotationStore {
  constructor(private readonly sql: Sql) {}

  async running(): Promise<KekRotation | undefined> {
    const [row] = await this.sql<RotationRow[]>`select * from kek_rotations where finished_at is null`;
    return row && rotation(row);
  }

  async get(id: string): Promise<KekRotation | undefined> {
    const [row] = await this.sql<RotationRow[]>`select * from kek_rotations where id = ${id}`;
    return row && rotation(row);
  }

  async latest(): Promise<KekRotation | undefined> {
    const [row] = await this.sql<RotationRow[]>`select * from kek_rotations order by started_at desc, id desc limit 1`;
    return row && rotation(row);
  }

  async start(id: string, fromVersion: number, toVersion: number, startedBy: string): Promise<KekRotation | undefined> {
    const [row] = await this.sql<RotationRow[]>`
      insert into kek_rotations (id, from_version, to_version, total, started_by)
      select ${id}, ${fromVersion}, ${toVersion}, count(*), ${startedBy} from subjects where kek_version = ${fromVersion} and wrapped_key is not null
      on conflict do nothing
      returning *`;
    return row && rotation(row);
  }

  async rewrapBatch(id: string, size: number, rewrap: Rewrap): Promise<{ rotation: KekRotation; selected: number } | undefined> {
    return this.sql.begin(async (tx) => {
      // The job's row, locked: two runners of one job take turns, each starting from the other's cursor.
      const [job] = await tx<RotationRow[]>`select * from kek_rotations where id = ${id} and finished_at is null for update`;
      if (!job) return undefined;
      const rows = await tx<{ id: string; wrapped_key: Buffer }[]>`
        select id, wrapped_key from subjects
        where kek_version = ${job.from_version} and wrapped_key is not null ${job.cursor ? tx`and id > ${job.cursor}` : tx``}
        order by id limit ${size}`;
      if (rows.length === 0) return { rotation: rotation(job), selected: 0 };
      const batch = rows.map((r) => ({
        id: r.id,
        old: r.wrapped_key.toString('hex'),
        new: rewrap(r.id, r.wrapped_key, job.from_version, job.to_version).toString('hex'),
      }));
      // Compare-and-set: a key erased (or otherwise rewritten) since it was read keeps its new value.
      const written = await tx`
        update subjects s set wrapped_key = decode(b.new, 'hex'), kek_version = ${job.to_version}
        from jsonb_to_recordset(${tx.json(batch)}) as b(id uuid, old text, new text)
        where s.id = b.id and s.kek_version = ${job.from_version} and s.wrapped_key = decode(b.old, 'hex')`;
      const [after] = await tx<RotationRow[]>`
        update kek_rotations set cursor = ${rows[rows.length - 1]!.id}, rewrapped = rewrapped + ${written.count},
               skipped = skipped + ${rows.length - written.count}, updated_at = now()
        where id = ${id} returning *`;
      return { rotation: rotation(after!), selected: rows.length };
    });
  }

  async keysByVersion(): Promise<Map<number, number>> {
    const rows = await this.sql<{ kek_version: number; keys: string }[]>`
      select kek_version, count(*) as keys from subjects where wrapped_key is not null group by kek_version`;
    return new Map(rows.map((r) => [r.kek_version, Number(r.keys)]));
  }

  async nextPass(id: string, remaining: number): Promise<void> {
    await this.sql`
      update kek_rotations set cursor = null, pass = pass + 1, total = rewrapped + skipped + ${remaining}, updated_at = now()
      where id = ${id} and finished_at is null`;
  }

  async finish(id: string): Promise<KekRotation | undefined> {
    const [row] = await this.sql<RotationRow[]>`
      update kek_rotations set finished_at = now(), updated_at = now() where id = ${id} and finished_at is null returning *`;
    return row && rotation(row);
  }

  async retiredVersions(): Promise<number[]> {
    return (await this.sql<{ version: number }[]>`select version from retired_kek_versions order by version`).map((r) => r.version);
  }

  async retire(version: number): Promise<{ retired: true } | { retired: false; keys: number }> {
    return this.sql.begin(async (tx) => {
      // No key may be wrapped under the version between the count and the retirement; after it, the
      // trigger refuses any.
      await tx`lock table subjects in share mode`;
      const [row] = await tx<{ keys: string }[]>`select count(*) as keys from subjects where kek_version = ${version} and wrapped_key is not null`;
      const keys = Number(row!.keys);
      if (keys > 0) return { retired: false as const, keys };
      await tx`insert into retired_kek_versions (version) values (${version}) on conflict do nothing`;
      return { retired: true as const };
    });
  }
}
