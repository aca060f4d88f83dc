import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// Read as text: the portal's sources are checked by web/tsconfig.json (bundler resolution), not by the tests' NodeNext project.
const read = (path: string): Promise<string> => readFile(resolve(import.meta.dirname, '../..', path), 'utf8');

/** Every code the API can answer: its error catalog. */
async function apiErrorCodes(): Promise<string[]> {
  const source = await read('api/src/errors/catalog.ts');
  return [...source.matchAll(/^\s+([a-z_]+): \{ status: \d+/gm)].map((m) => m[1]!);
}

/** The portal's map from error code to message key. */
async function portalMap(): Promise<Map<string, string>> {
  const source = await read('web/src/api/error-messages.ts');
  const body = /const BY_CODE[^{]+\{([^}]+)\}/.exec(source)![1]!;
  return new Map([...body.matchAll(/^\s*([a-z_0-9]+): '([a-zA-Z_.]+)',$/gm)].map((m) => [m[1]!, m[2]!]));
}

describe('the portal\'s words for API errors', () => {
  it('has its own sentence, in Vietnamese and in English, for every error code the API answers', async () => {
    const [codes, map, vi, en] = await Promise.all([
      apiErrorCodes(),
      portalMap(),
      read('web/src/i18n/vi.json').then((t) => JSON.parse(t) as Record<string, string>),
      read('web/src/i18n/en.json').then((t) => JSON.parse(t) as Record<string, string>),
    ]);
    expect(codes.length).toBeGreaterThan(15);
    expect(codes.filter((c) => !map.has(c)), 'API error codes without a sentence in web/src/api/error-messages.ts').toEqual([]);
    for (const code of codes) {
      const key = map.get(code)!;
      expect(key, code).not.toBe('error.generic');
      expect(vi[key], `vi ${key}`).toMatch(/\S/);
      expect(en[key], `en ${key}`).toMatch(/\S/);
      expect(vi[key], key).not.toBe(en[key]);
    }
    expect(vi['error.generic']).toMatch(/\S/);
  });
});
