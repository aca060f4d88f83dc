/**
 * Errors that mean "the database is not there" (down, restarting, unreachable, too slow), as
 * opposed to a query's own failure: the API answers them 503 `database_unavailable`, and never
 * mistakes them for a bad credential.
 */
const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
// postgres.js's own connection errors.
const CLIENT = new Set(['CONNECT_TIMEOUT', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED']);
// SQLSTATE: connection exceptions (08…), shutting down or starting up (57P01–57P03), out of
// connections (53300), statement timeout (57014), read-only standby (25006) during a fail-over.
const SQLSTATE = /^(08...|57P0[1-3]|53300|57014|25006)$/;

export function isDatabaseUnavailable(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string') return false;
  // A Unix-domain socket that is not there (the embedded server stopped and removed it).
  if (code === 'ENOENT' && (err as { syscall?: unknown }).syscall === 'connect') return true;
  return NETWORK.has(code) || CLIENT.has(code) || SQLSTATE.test(code);
}
