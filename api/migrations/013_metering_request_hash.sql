-- What a metered use asked for (a hash of product, consent or query), so a retry under the same
-- Idempotency-Key is a replay only when it is the same request; a different one is refused.
-- Rows from before this column have none and keep replaying as they did.
alter table metering_events add column request_hash text;
