import type { RequestHandler } from 'express';
import { DomainError } from '../errors/index.js';

/** Deeper JSON than this is refused: no API body nests more than a few levels, and deep input only exhausts stacks. */
export const MAX_JSON_DEPTH = 64;

// A NUL, or a UTF-16 surrogate without its other half: neither survives Postgres (text, jsonb) nor a
// UTF-8 round trip, so such text is refused before it can reach a ledger commit or a store.
const UNSAFE_TEXT = /\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function isUnsafeText(s: string): boolean {
  return UNSAFE_TEXT.test(s);
}

/**
 * Checks a parsed input without recursion (so depth itself cannot overflow the stack): every string
 * and every key free of NUL and lone surrogates, nesting at most `MAX_JSON_DEPTH`. Throws a 400 naming where.
 */
export function assertSafeInput(value: unknown, where: string): void {
  const stack: { v: unknown; path: string; depth: number }[] = [{ v: value, path: '', depth: 0 }];
  while (stack.length > 0) {
    const { v, path, depth } = stack.pop()!;
    if (typeof v === 'string') {
      if (isUnsafeText(v)) throw unsafe(where, path);
      continue;
    }
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= MAX_JSON_DEPTH) {
      throw new DomainError('invalid_request', `the ${where} nests deeper than ${MAX_JSON_DEPTH} levels`, {
        errors: [{ path: path || '/', message: 'too deep' }],
      });
    }
    for (const [k, child] of Object.entries(v)) {
      if (isUnsafeText(k)) throw unsafe(where, path);
      stack.push({ v: child, path: `${path}/${k}`, depth: depth + 1 });
    }
  }
}

function unsafe(where: string, path: string): DomainError {
  return new DomainError('invalid_request', `the ${where} contains a NUL character or a lone surrogate`, {
    errors: [{ path: path || '/', message: 'NUL characters and unpaired surrogates are not accepted' }],
  });
}

/**
 * The boundary's text rules for every request, before any route: the path must be valid
 * percent-encoded UTF-8, and the query and the JSON body must hold clean text at a bounded depth.
 */
export const inputGuard: RequestHandler = (req, _res, next) => {
  try {
    let path: string;
    try {
      path = decodeURIComponent(req.path);
    } catch {
      throw new DomainError('invalid_request', 'the path has malformed percent-encoding');
    }
    assertSafeInput(path, 'path');
    assertSafeInput(req.query, 'query');
    assertSafeInput(req.body, 'request body');
    next();
  } catch (err) {
    next(err);
  }
};
