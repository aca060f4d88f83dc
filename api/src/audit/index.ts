/**
 * The audit capability's public API: the access log's ports (recording reads and facts, listing a
 * citizen's reads), the services auditors and the public log use, and the factories the
 * composition root builds them with. The Postgres adapters stay private to this folder.
 * Routes are mounted by the composition root from `audit-routes.ts` and `log-routes.ts`, so that
 * importing this API never registers their OpenAPI paths out of order.
 */
import type { Sql } from '../infra/database.js';
import type { AccessHistory } from './access-events.js';
import { AccessLog } from './access-log.js';
import type { AccessRecorder } from './access-recorder.js';
import { AuditService } from './audit-service.js';
import type { Clock } from '../infra/clock.js';
import type { LogTree, TreeHeadStore } from './log-ports.js';
import { LogService, type LogKey } from './log-service.js';
import { PgLogTree, PgTreeHeads } from './pg-log-tree.js';
import type { ChainLedger, LogLedger } from './ports.js';

export type { AccessEvent, AccessRecorder, LeafKind, LeafLink, RecordedAccess, UseGuard } from './access-recorder.js';
export { accessEventView, type AccessEventRow, type AccessHistory } from './access-events.js';
export { accessEventEntry } from './access-log.js';
export { inMemoryAccessLog, type ConsentUseGate, type InMemoryAccessLog } from './memory-access-log.js';
export type { ChainLedger, LogLedger } from './ports.js';
export type { AuditService, AccessEventFilter, LedgerVerification, Page } from './audit-service.js';
export { treeHeadMessage, verifyTreeHeadSignature, type LogKey, type LogProblem, type LogService, type LogVerification } from './log-service.js';
export type { LogTree, StoredTreeHead, TreeHead, TreeHeadStore } from './log-ports.js';
export { inMemoryTreeHeads } from './memory-tree-heads.js';

/** The access log as its record and its history, both in Postgres (group-committed appends). */
export type PgAccessLog = AccessRecorder & AccessHistory;

/** The verifiable access log in Postgres: an RFC 6962 tree whose appends are group-committed. */
export function pgAccessLog(sql: Sql): PgAccessLog {
  return new AccessLog(sql);
}

/** The auditors' queries over the read models, and the chain check against the ledger. */
export function createAuditService(sql: Sql, ledger: ChainLedger): AuditService {
  return new AuditService(sql, ledger);
}

export interface LogServiceOptions {
  /** How often a new head is signed and anchored when the log has grown. */
  intervalMs: number;
  log: (message: string, fields: Record<string, unknown>) => void;
  clock?: Clock;
}

/** The tree-head signer and proof server of the access log in Postgres (a worker: start it, stop it). */
export function createLogService(sql: Sql, ledger: LogLedger, key: LogKey, options: LogServiceOptions): LogService {
  return new LogService(new PgLogTree(sql), new PgTreeHeads(sql), ledger, key, options);
}

/** The same service over any log tree and head store (the in-memory twins in unit tests). */
export function logService(deps: { tree: LogTree; heads: TreeHeadStore; ledger: LogLedger; key: LogKey; options: LogServiceOptions }): LogService {
  return new LogService(deps.tree, deps.heads, deps.ledger, deps.key, deps.options);
}

/** The log's tree and its signed heads in Postgres, for contract tests and the composition root. */
export function pgLogStores(sql: Sql): { tree: LogTree; heads: TreeHeadStore } {
  return { tree: new PgLogTree(sql), heads: new PgTreeHeads(sql) };
}
export { LedgerProjector } from './ledger-projector.js';
export { loadOrCreateLogKey } from './log-service.js';
