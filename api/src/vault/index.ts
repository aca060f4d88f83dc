/**
 * The vault capability's public API: the ports it is built from and offers (`VaultReader`), the
 * service, its in-memory store twin, and the factories the composition root uses. `PgVault` stays
 * private to this folder. Routes are mounted by the composition root from `vault-routes.ts`.
 */
import type { Sql } from '../infra/database.js';
import { PgVault } from './pg-vault.js';
import type { DepositLog, DepositObserver, KeyProvider, VaultLedger } from './ports.js';
import { VaultService } from './vault-service.js';
import { RecordCorrections } from './record-corrections.js';
import type { VaultStore } from './vault-store.js';

export type { Custodian, DepositLog, DepositObserver, FieldProvenance, KeyProvider, VaultLedger, VaultReader } from './ports.js';
export type { NewRecord, RecordForRepair, RecordVersionRow, SubjectRow, VaultStore } from './vault-store.js';
export type { CitizenRecord, DepositedRecord, VaultService } from './vault-service.js';
export { inMemoryVaultStore, type InMemoryVaultStore } from './memory-vault.js';
export { commitment, fieldBinding, keyBinding, nationalIdIndex } from './envelope.js';
export { loadOrCreateSecret } from './vault-keys.js';
export type { CorrectedRecord, FieldHolder, RecordCorrections, VersionView } from './record-corrections.js';
export { inServingOrder } from './field-precedence.js';
export { parseRecordFields } from './record-fields.js';

/** The vault's tables in Postgres. */
export function pgVaultStore(sql: Sql): VaultStore {
  return new PgVault(sql);
}

export interface VaultDeps {
  store: VaultStore;
  ledger: VaultLedger;
  keys: KeyProvider;
  /** Where each deposit's log leaf is appended. */
  log: DepositLog;
  onDeposit?: DepositObserver;
}

export function createVaultService(deps: VaultDeps): VaultService {
  return new VaultService(deps.store, deps.ledger, deps.keys, deps.log, deps.onDeposit);
}

/** Corrections of deposited records: new versions over the current one, the replaced one kept as superseded. */
export function createRecordCorrections(deps: VaultDeps): RecordCorrections {
  return new RecordCorrections(deps.store, deps.ledger, deps.keys, deps.log, deps.onDeposit);
}
