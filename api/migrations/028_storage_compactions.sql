-- Storage compactions after erasure (VACUUM FULL of the tables a shred rewrote, a checkpoint, a WAL
-- switch). VACUUM FULL locks each table for its whole rewrite, record_versions included, which
-- every consented read uses: with CV_ERASURE_COMPACTION_EVERY_MS set, one compaction serves every
-- erasure shredded before it started, at most once per interval, instead of one per erasure.
create table storage_compactions (
  started_at timestamptz primary key,
  finished_at timestamptz not null,
  ok boolean not null
);
