-- Every change to an organisation (a suspension, new keys, new roles), whoever writes it — a route,
-- the ledger projector, another API instance — is announced on organization_changed with its id, so
-- each API instance drops its cached copy at once (api/src/organizations/active-organizations.ts).
create function notify_organization_changed() returns trigger language plpgsql as $$
begin
  perform pg_notify('organization_changed', coalesce(new.id, old.id)::text);
  return null;
end $$;
create trigger organization_changed after insert or update or delete on organizations
  for each row execute function notify_organization_changed();
