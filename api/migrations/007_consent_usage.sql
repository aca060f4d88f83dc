-- Reads counted per consent and usage period, incremented atomically only while under the limit,
-- so parallel reads cannot overrun a ONCE or a frequency limit.
create table consent_usage (
  consent_id uuid not null references consents (id),
  period text not null,
  uses integer not null,
  primary key (consent_id, period)
);
