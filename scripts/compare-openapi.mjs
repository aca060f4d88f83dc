#!/usr/bin/env node
// The OpenAPI document, compared across a change: GET /openapi.json sends JSON.stringify(openApiDocument(url)),
// so this builds it the same way from api/dist (run `npx tsc -b api` first), without starting the stack.
//
//   node scripts/compare-openapi.mjs --save before.json      # on the old commit
//   node scripts/compare-openapi.mjs before.json             # on the new one: every path that differs, and whether the rest is byte-identical
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

const api = resolve(import.meta.dirname, '../api/dist');
await import(`${api}/index.js`); // the package's entry imports every route file, and each registers its paths when imported
const { openApiDocument } = await import(`${api}/http/openapi.js`);
const current = JSON.stringify(openApiDocument('http://localhost:8080'));

const [first, second] = process.argv.slice(2);
if (first === '--save') {
  writeFileSync(second, current);
  console.log(`${second}: ${current.length} bytes`);
  process.exit(0);
}
if (!first) {
  console.error('usage: compare-openapi.mjs --save <file> | compare-openapi.mjs <before.json>');
  process.exit(2);
}

const before = readFileSync(first, 'utf8');
const differences = [];
/** Every JSON pointer where the two documents differ, descending only into objects both sides have. */
function compare(a, b, path) {
  const isObject = (v) => typeof v === 'object' && v !== null;
  if (isObject(a) && isObject(b) && Array.isArray(a) === Array.isArray(b)) {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const where = `${path}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      if (!(key in a)) differences.push(`added    ${where}`);
      else if (!(key in b)) differences.push(`removed  ${where}`);
      else compare(a[key], b[key], where);
    }
    if (JSON.stringify(Object.keys(a).filter((k) => k in b)) !== JSON.stringify(Object.keys(b).filter((k) => k in a)))
      differences.push(`reordered ${path || '/'}`);
  } else if (JSON.stringify(a) !== JSON.stringify(b)) {
    differences.push(`changed  ${path}: ${JSON.stringify(a).slice(0, 80)} -> ${JSON.stringify(b).slice(0, 80)}`);
  }
}
compare(JSON.parse(before), JSON.parse(current), '');
console.log(`before ${before.length} bytes, now ${current.length} bytes, ${before === current ? 'identical' : `${differences.length} difference(s)`}`);
for (const d of differences) console.log(d);
