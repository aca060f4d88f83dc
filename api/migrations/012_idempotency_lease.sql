-- A key whose request did not finish (a crash, a lost connection) must become retryable: the first
-- request holds a lease it renews while it runs; once the lease has run out, a retry takes the key
-- over. Stored answers are now sealed with the KEK (they can carry one-time secrets); the answers
-- kept in clear until now are dropped (they live 24 hours at most anyway).
delete from idempotency_keys;
alter table idempotency_keys add column lease_until timestamptz not null default now();
