-- Read models of the ledger, projected from its blocks for auditors' queries. They hold nothing
-- the ledger does not: every row can be rebuilt from block 0.
create table ledger_blocks (
  number bigint primary key,
  header_hash text not null,
  previous_hash text not null,
  data_hash text not null,
  transaction_count integer not null
);

create table ledger_transactions (
  block_number bigint not null references ledger_blocks (number),
  tx_index integer not null,
  transaction_id text not null,
  validation_code text not null,
  chaincode text not null,
  function text not null,
  creator_msp_id text not null,
  timestamp timestamptz not null,
  primary key (block_number, tx_index)
);
create index ledger_transactions_by_id on ledger_transactions (transaction_id);

-- Chaincode events of valid transactions (as Fabric delivers them).
create table ledger_events (
  block_number bigint not null,
  tx_index integer not null,
  transaction_id text not null,
  name text not null,
  payload jsonb not null,
  at timestamptz not null,
  primary key (block_number, tx_index)
);
create index ledger_events_by_consent on ledger_events ((payload->>'consentId'), block_number) where payload ? 'consentId';
create index ledger_events_by_name on ledger_events (name, block_number);
