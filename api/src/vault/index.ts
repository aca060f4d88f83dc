/**
 * The vault capability's public API: the ports it is built from and offers (`VaultReader`), the
 * service, its in-memory store twin, and the factories the composition root uses. `PgVault` stays
 * private to this folder. Routes are mounted by the composition root from `vault-routes.ts`.
 */
import type { Sql } from '../infra/database.js';
import { PgVault } from './pg-vault.js';
import { PgSubjectShredder } from './pg-subject-shredder.js';
import { PgKekRotationStore } from './pg-key-rotation.js';
import { KeyRotationService, type RunOptions } from './key-rotation.js';
import { KeyRotationRunner } from './key-rotation-runner.js';
import { loadKekRing, type KekRing } from './vault-keys.js';
import type { DepositLog, DepositObserver, KeyProvider, SubjectShredder, VaultLedger } from './ports.js';
import { VaultService } from './vault-service.js';
import { RecordCorrections } from './record-corrections.js';
import type { VaultStore } from './vault-store.js';

export type { Custodian, DepositLog, DepositObserver, FieldProvenance, KeyProvider, SubjectShredder, VaultLedger, VaultReader } from './ports.js';
export type { NewRecord, RecordForRepair, RecordVersionRow, SubjectRow, VaultStore } from './vault-store.js';
export type { CitizenRecord, DepositedRecord, VaultService } from './vault-service.js';
export { inMemoryVaultStore, type InMemoryVaultStore } from './memory-vault.js';
export { commitment, fieldBinding, keyBinding, nationalIdIndex } from './envelope.js';
export type { CorrectedRecord, FieldHolder, RecordCorrections, VersionView } from './record-corrections.js';
export { inServingOrder } from './field-precedence.js';
export { parseRecordFields } from './record-fields.js';
export { createKekVersionFile, KekRing, loadKekRing, loadOrCreateSecret } from './vault-keys.js';
export { KeyRotationService, rotationProgress, type KekRotation, type KekStatus, type KekVersionState, type RunOptions } from './key-rotation.js';
export { KeyRotationRunner } from './key-rotation-runner.js';

/** The vault's tables in Postgres. */
export function pgVaultStore(sql: Sql): VaultStore {
  return new PgVault(sql);
}

/** The vault's erase port over Postgres (crypto-shredding; the rights capability's erasure uses it). */
export function pgSubjectShredder(sql: Sql): SubjectShredder {
  return new PgSubjectShredder(sql);
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

/**
 * The KEK ring this process unwraps and wraps with: the configured versions less the retired ones.
 * Refuses to start when a data key is wrapped under a version the configuration lacks (those
 * citizens' data would be unreadable).
 */
export async function openKekRing(
  sql: Sql,
  keysDir: string,
  secrets: { kek: Uint8Array | undefined; keks: ReadonlyMap<number, Uint8Array> | undefined; kekCurrent: number | undefined },
): Promise<KekRing> {
  const store = new PgKekRotationStore(sql);
  const ring = (await loadKekRing(keysDir, secrets)).without(await store.retiredVersions());
  const missing = [...(await store.keysByVersion())].filter(([version]) => !ring.has(version));
  if (missing.length > 0)
    throw new Error(
      `data keys are wrapped under KEK versions that are not configured (${missing.map(([v, n]) => `version ${v}: ${n} keys`).join(', ')}); set CV_KEK (version 1) and CV_KEKS with every version in use`,
    );
  return ring;
}

/** KEK rotation over the vault's tables: the service, run in the background by the returned runner (a worker). */
export function createKeyRotation(
  sql: Sql,
  ring: KekRing,
  newId: () => string,
  log: (message: string, fields: Record<string, unknown>) => void,
  options: Omit<RunOptions, 'signal'> = {},
): KeyRotationRunner {
  return new KeyRotationRunner(new KeyRotationService(new PgKekRotationStore(sql), ring, newId), log, options);
}
