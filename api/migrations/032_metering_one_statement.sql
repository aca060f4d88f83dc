-- Metered uses in one statement (issue 16). The API keeps what a licence check reads (the licence,
-- its product, the provider's status) between requests, and the statement that bills a use checks,
-- in the same snapshot, that none of it changed since: then records the use, takes its quota and
-- its ε, and commits without waiting for its own WAL flush — the use's access-log leaf, appended
-- next and answered only once durable, flushes the WAL past this commit, so no answer ever leaves
-- before its billing is durable.

-- What a licence check depends on, as one value: it changes whenever the licence is cancelled, its
-- product's state or terms move, or the provider is suspended or reinstated.
create function licence_use_version(p_licence uuid) returns text
language sql stable as $$
  select md5(concat_ws('|', l.status, l.updated_at, p.status, p.updated_at, p.terms_hash, o.status))
  from licences l join products p on p.id = l.product_id join organizations o on o.id = p.provider_org_id
  where l.id = p_licence
$$;

-- Bills one use, or says why not:
--   stale                    the licence or its product changed since `p_version` was read (nothing written);
--   replayed                 the request key already has a use (`event`: the first one, to answer again);
--   key_reused               … for another request;
--   quota_exceeded           a window (`refused_window`) has no room left for `p_units`;
--   privacy_budget_exhausted the licence's ε budget cannot pay `p_epsilon`;
--   metered                  recorded, every window and the budget taken, each by a conditional
--                            update under its row's lock, so racing uses never overrun a limit.
-- A refusal after the use was recorded rolls the block back: nothing of it stays.
-- `p_version` null skips the version check (the caller checked the licence in this transaction).
-- `p_leaf_flushes`: the caller answers only once the use's access-log leaf is durable, so the
-- transaction commits without waiting for its own flush; otherwise it waits as usual.
create function meter_use(
  p_id uuid, p_licence uuid, p_version text, p_key text, p_hash text, p_period text, p_units integer, p_amount bigint,
  p_epsilon bigint, p_result jsonb, p_subject uuid, p_at timestamptz, p_windows text[], p_limits integer[], p_leaf_flushes boolean
) returns table (outcome text, refused_window text, event jsonb)
language plpgsql as $$
declare
  v_first metering_events;
  v_new boolean;
  i integer;
begin
  if p_version is not null and licence_use_version(p_licence) is distinct from p_version then
    outcome := 'stale';
    return next;
    return;
  end if;
  if coalesce(array_length(p_windows, 1), 0) = 0 and p_epsilon = 0 then
    -- Nothing to take, so nothing to refuse once recorded: no subtransaction to roll back to.
    insert into metering_events (id, licence_id, request_key, request_hash, period, units, amount_dong, epsilon_micro, result, subject_id, at)
    values (p_id, p_licence, p_key, p_hash, p_period, p_units, p_amount, p_epsilon, p_result, p_subject, p_at)
    on conflict (licence_id, request_key) do nothing;
    v_new := found;
  else
    begin
      insert into metering_events (id, licence_id, request_key, request_hash, period, units, amount_dong, epsilon_micro, result, subject_id, at)
      values (p_id, p_licence, p_key, p_hash, p_period, p_units, p_amount, p_epsilon, p_result, p_subject, p_at)
      on conflict (licence_id, request_key) do nothing;
      v_new := found;
      if v_new then
        for i in 1 .. coalesce(array_length(p_windows, 1), 0) loop
          insert into licence_usage as u (licence_id, window_key, units) select p_licence, p_windows[i], p_units where p_units <= p_limits[i]
          on conflict (licence_id, window_key) do update set units = u.units + p_units where u.units + p_units <= p_limits[i];
          if not found then
            raise exception 'quota' using errcode = 'CVQ01', detail = p_windows[i];
          end if;
        end loop;
        if p_epsilon > 0 then
          update licences set privacy_spent_micro = privacy_spent_micro + p_epsilon
          where id = p_licence and privacy_budget_micro is not null and privacy_spent_micro + p_epsilon <= privacy_budget_micro;
          if not found then
            raise exception 'privacy budget' using errcode = 'CVB01';
          end if;
        end if;
      end if;
    exception
      when sqlstate 'CVQ01' then
        get stacked diagnostics refused_window = pg_exception_detail;
        outcome := 'quota_exceeded';
        return next;
        return;
      when sqlstate 'CVB01' then
        outcome := 'privacy_budget_exhausted';
        return next;
        return;
    end;
  end if;
  if not v_new then
    select * into v_first from metering_events m where m.licence_id = p_licence and m.request_key = p_key;
    outcome := case when v_first.request_hash is null or v_first.request_hash = p_hash then 'replayed' else 'key_reused' end;
    -- Amounts and the leaf index as text, as the driver answers a bigint column.
    event := case when outcome = 'replayed' then to_jsonb(v_first) || jsonb_build_object('amount_dong', v_first.amount_dong::text,
      'epsilon_micro', v_first.epsilon_micro::text, 'leaf_index', v_first.leaf_index::text) end;
    return next;
    return;
  end if;
  -- Durable with the use's leaf: the leaf's commit is flushed, and the WAL is flushed in order.
  if p_leaf_flushes then
    perform set_config('synchronous_commit', 'off', true);
  end if;
  outcome := 'metered';
  return next;
end $$;
