-- Hot paths (issue 16). The access log's batch checks and counts its reads' uses in one statement,
-- and several batches may be in flight at once, each built on the tree its predecessors will leave.

-- The hash of the log's last leaf, moved with its size: a batch built on a predecessor that then
-- failed expects a last leaf that never committed, so it cannot commit either — even if another
-- instance happened to append exactly as many leaves meanwhile.
alter table log_state add column last_leaf bytea;
update log_state set last_leaf = (select leaf_hash from log_leaves where leaf_index = log_state.size - 1);

-- Moves the log from `p_start` (whose last leaf is `p_prev`) to `p_start + p_count` (last leaf
-- `p_last`), or raises 40001 so the whole batch rolls back — its COMMIT, already sent in the same
-- pipeline, then commits nothing. It waits for a predecessor batch still holding the row.
create function advance_log(p_start bigint, p_count integer, p_prev bytea, p_last bytea) returns void
language plpgsql as $$
declare
  v_size bigint;
  v_last bytea;
begin
  -- Lock first, then compare: a locking read waits for a predecessor batch and sees the row it
  -- committed, whereas an UPDATE whose WHERE names the new size would skip the old row unlocked.
  select size, last_leaf into v_size, v_last from log_state for update;
  if v_size <> p_start or v_last is distinct from p_prev then
    raise exception 'the access log moved on from % leaves', p_start using errcode = '40001', hint = 'stale log frontier';
  end if;
  update log_state set size = size + p_count, last_leaf = p_last;
end $$;

-- Takes the uses a batch's granted reads ask for, per (consent, period) and in the order given
-- (callers sort by consent, so two batches never wait on each other's rows in opposite orders):
-- only while the consent is ACTIVE and no revoke or pause is pending (a share lock, so a block
-- waits for this transaction or is seen by it), and never past the period's allowance, under the
-- counter row's lock, so the count is exact however many batches run at once. Answers, for each
-- entry, whether the consent was usable and how many of the wanted uses were taken.
create function take_uses(p_consents uuid[], p_periods text[], p_wanted integer[], p_limits integer[])
returns table (usable boolean, taken integer)
language plpgsql as $$
declare
  i integer;
  v_uses integer;
begin
  for i in 1 .. coalesce(array_length(p_consents, 1), 0) loop
    perform 1 from consents c where c.id = p_consents[i] and c.status = 'ACTIVE' and c.blocked_by is null for share of c;
    usable := found;
    taken := 0;
    if usable then
      insert into consent_usage as u (consent_id, period, uses) values (p_consents[i], p_periods[i], least(p_wanted[i], p_limits[i]))
        on conflict do nothing;
      if found then
        taken := least(p_wanted[i], p_limits[i]);
      else
        select u.uses into v_uses from consent_usage u where u.consent_id = p_consents[i] and u.period = p_periods[i] for update;
        taken := greatest(0, least(p_wanted[i], p_limits[i] - v_uses));
        if taken > 0 then
          update consent_usage u set uses = u.uses + taken where u.consent_id = p_consents[i] and u.period = p_periods[i];
        end if;
      end if;
    end if;
    return next;
  end loop;
end $$;
