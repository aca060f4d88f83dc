import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CATALOG } from '../../api/src/errors/catalog.js';
import { Problem, openApiDocument } from '../../api/src/http/openapi.js';
import { renderErrorVocabulary } from '../../scripts/generate-error-vocabulary.mjs';

const root = resolve(import.meta.dirname, '../..');
const codes = Object.keys(ERROR_CATALOG) as (keyof typeof ERROR_CATALOG)[];

describe("one error vocabulary, from the API's catalog", () => {
  it("has the SDK's and the portal's tables exactly as the generator writes them now (run `npm run generate:errors` after changing the catalog)", async () => {
    const files = renderErrorVocabulary(ERROR_CATALOG);
    expect(files.map((f) => f.path).sort()).toEqual(['sdk/src/error-codes.generated.ts', 'web/src/i18n/api-errors.generated.ts']);
    for (const file of files) {
      expect(await readFile(resolve(root, file.path), 'utf8'), `${file.path} drifted from api/src/errors/catalog.ts`).toBe(file.content);
      for (const code of codes) expect(file.content, `${code} in ${file.path}`).toContain(`'${code}'`);
    }
  });

  it('says every code in English and in Vietnamese, in two different sentences', () => {
    expect(codes.length).toBeGreaterThan(30);
    for (const code of codes) {
      const { en, vi } = ERROR_CATALOG[code];
      expect(en, `en ${code}`).toMatch(/\S/);
      expect(vi, `vi ${code}`).toMatch(/\S/);
      expect(vi, code).not.toBe(en);
      // Vietnamese written with its diacritics, not an English sentence or ASCII-folded words.
      expect(vi, `vi ${code}`).toMatch(/[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]/i);
    }
  });

  it("keeps the portal's own codes beside the generated ones, without overriding an API code's sentence", async () => {
    const [vi, en] = await Promise.all(
      ['vi', 'en'].map(async (l) => JSON.parse(await readFile(resolve(root, `web/src/i18n/${l}.json`), 'utf8')) as Record<string, string>),
    );
    for (const messages of [vi!, en!]) {
      for (const key of ['error.network', 'error.generic']) expect(messages[key], key).toMatch(/\S/);
      expect(
        codes.filter((c) => `error.${c}` in messages),
        "API codes written by hand in the portal's JSON",
      ).toEqual([]);
    }
    expect(vi!['error.generic']).not.toBe(en!['error.generic']);
  });

  it("is published in the OpenAPI document: x-error-codes with each code's status and sentences, and Problem.code as their enum", () => {
    const document = openApiDocument('http://localhost:8080') as {
      'x-error-codes': Record<string, unknown>;
      components: { schemas: { Problem: { properties: { code: { enum: string[] } } } } };
    };
    expect(document['x-error-codes']).toEqual(Object.fromEntries(codes.map((c) => [c, { ...ERROR_CATALOG[c] }])));
    expect(document.components.schemas.Problem.properties.code.enum).toEqual(codes);
    expect(Problem.safeParse({ type: 't', title: 't', status: 400, code: 'no_such_code', detail: 'd', instance: '/', requestId: 'r' }).success).toBe(false);
  });
});
