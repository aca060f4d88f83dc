#!/usr/bin/env node
// Writes the SDK's and the portal's error tables from the API's error catalog (api/src/errors/catalog.ts),
// so the three never disagree. Run by hand after changing the catalog: `npm run generate:errors`
// (it builds api/ first, then imports the compiled catalog). test/web/error-messages.test.ts fails
// when the committed files are not what this writes.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const HEADER = '// Generated from api/src/errors/catalog.ts by `npm run generate:errors`. Do not edit: change the catalog and run it again.\n';

/** A TypeScript string literal, quoted the way prettier would (single quotes unless that needs more escapes). */
function literal(text) {
  const singles = (text.match(/'/g) ?? []).length;
  const doubles = (text.match(/"/g) ?? []).length;
  const q = singles > doubles ? '"' : "'";
  return q + text.replace(/\\/g, '\\\\').replace(new RegExp(q, 'g'), `\\${q}`).replace(/\n/g, '\\n') + q;
}

/** `consent_scope` → `ConsentScopeError`: the SDK has one class per kind. */
export function sdkClassName(kind) {
  return kind.replace(/(^|_)([a-z])/g, (_, _sep, c) => c.toUpperCase()) + 'Error';
}

function sdkModule(catalog) {
  const codes = Object.keys(catalog);
  return `${HEADER}
/** Every error code the Citizen Vault API answers (its OpenAPI document lists them under \`x-error-codes\`). */
export type ErrorCode =
${codes.map((c) => `  | ${literal(c)}`).join('\n')};

/** The typed error each API code is thrown as, chosen by the code's kind. */
export const ERROR_CLASS_BY_CODE = {
${codes.map((c) => `  ${c}: ${literal(sdkClassName(catalog[c].kind))},`).join('\n')}
} as const satisfies Record<ErrorCode, string>;
`;
}

function portalModule(catalog) {
  const codes = Object.keys(catalog);
  const messages = (locale) => codes.map((c) => `    ${literal(`error.${c}`)}: ${literal(catalog[c][locale])},`).join('\n');
  return `${HEADER}
/** Every error code the API answers. */
export const API_ERROR_CODES = [
${codes.map((c) => `  ${literal(c)},`).join('\n')}
] as const;

export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

/** The portal's sentence for each API error code, under the message key \`error.<code>\`. */
export const API_ERROR_MESSAGES = {
  vi: {
${messages('vi')}
  },
  en: {
${messages('en')}
  },
} as const satisfies Record<'vi' | 'en', Record<\`error.\${ApiErrorCode}\`, string>>;
`;
}

/** The files this generator owns, relative to the repository's root, with the text they must hold. */
export function renderErrorVocabulary(catalog) {
  return [
    { path: 'sdk/src/error-codes.generated.ts', content: sdkModule(catalog) },
    { path: 'web/src/i18n/api-errors.generated.ts', content: portalModule(catalog) },
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const root = resolve(import.meta.dirname, '..');
  const { ERROR_CATALOG } = await import(pathToFileURL(resolve(root, 'api/dist/errors/catalog.js')).href);
  for (const file of renderErrorVocabulary(ERROR_CATALOG)) {
    writeFileSync(resolve(root, file.path), file.content);
    console.log(`wrote ${file.path}`);
  }
}
