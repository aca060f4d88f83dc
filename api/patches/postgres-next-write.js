#!/usr/bin/env node
// A guard for postgres.js 3.4.9 (porsager/postgres#1154, #1208; fix proposed in #1168 and #1209,
// not released yet): a write deferred with setImmediate can run after the connection closed,
// dereference the null socket and throw an uncatchable TypeError that kills the API. Killing
// Postgres under load (test/faults) does exactly that. The teardown also left the deferred-write
// timer set, so a reconnected connection never flushed small writes again.
//
// Applied after `npm ci` (root postinstall), idempotently, and only to the exact code it knows:
// drop this file once a postgres release carries the fix.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MARK = '/* citizen-vault: guarded nextWrite */';
// npm workspaces hoist postgres to the root node_modules; both its ESM and CommonJS copies are patched.
const root = fileURLToPath(new URL('../../node_modules/postgres/', import.meta.url));
const files = [join(root, 'src', 'connection.js'), join(root, 'cjs', 'src', 'connection.js')];

const edits = [
  [
    '  function nextWrite(fn) {\n    const x = socket.write(chunk, fn)',
    `  function nextWrite(fn) {\n    ${MARK}\n    if (!socket) {\n      nextWriteTimer !== null && clearImmediate(nextWriteTimer)\n      chunk = nextWriteTimer = null\n      error(Errors.connection('CONNECTION_CLOSED', options))\n      return false\n    }\n    const x = socket.write(chunk, fn)`,
  ],
  ['    clearImmediate(nextWriteTimer)\n    if (socket) {', '    clearImmediate(nextWriteTimer)\n    chunk = nextWriteTimer = null\n    if (socket) {'],
  [
    '    clearImmediate(nextWriteTimer)\n    socket.removeListener',
    '    clearImmediate(nextWriteTimer)\n    chunk = nextWriteTimer = null\n    socket.removeListener',
  ],
];
for (const file of files) {
  let source = await readFile(file, 'utf8').catch(() => undefined);
  if (source === undefined || source.includes(MARK)) continue; // not installed, or patched already
  const known = edits.every(([from]) => source.includes(from));
  if (!known) {
    console.warn(`postgres-next-write: ${file} is not the postgres.js this patch knows; left alone`);
    continue;
  }
  for (const [from, to] of edits) source = source.replace(from, to);
  await writeFile(file, source);
  console.log(`postgres-next-write: guarded nextWrite against a closed socket in ${file}`);
}
