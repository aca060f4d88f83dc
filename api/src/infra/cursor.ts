import { DomainError } from '../errors/index.js';

/** What each position of a cursor may hold: only values this API could have written, so none reaches SQL as a cast error. */
const PART = {
  instant: (p: unknown) => typeof p === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/.test(p) && !Number.isNaN(Date.parse(p)),
  uuid: (p: unknown) => typeof p === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(p),
  index: (p: unknown) => typeof p === 'number' && Number.isSafeInteger(p) && p >= 0,
};

export type CursorPart = keyof typeof PART;
type Value<P extends CursorPart> = P extends 'index' ? number : string;
type Values<S extends readonly CursorPart[]> = { [K in keyof S]: Value<S[K]> };

/**
 * The one page-position codec: opaque to clients, base64url of the JSON sort key of the last item
 * given. A cursor of the wrong shape, or holding a value this API could not have written, is the
 * client's mistake: `invalid_request`.
 */
export function encodeCursor(parts: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

export function decodeCursor<const S extends readonly CursorPart[]>(cursor: string | undefined, shape: S): Values<S> | undefined {
  if (!cursor) return undefined;
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(cursor, 'base64url').toString());
  } catch {
    parts = undefined;
  }
  if (Array.isArray(parts) && parts.length === shape.length && parts.every((p, i) => PART[shape[i]!](p))) return parts as Values<S>;
  throw new DomainError('invalid_request', 'the cursor is not one this API gave', { errors: [{ path: '/cursor', message: 'not a cursor this API gave' }] });
}

/** A page of at most `limit` rows from `limit + 1` fetched; the cursor points after the last one given. */
export function page<T>(rows: T[], limit: number, key: (row: T) => readonly (string | number)[]): { items: T[]; nextCursor: string } {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(key(last)) : '' };
}
