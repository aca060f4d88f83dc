import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The SDK as its users load it: a separate Node process that require()s or imports the built
// package by name (run `npm run build` first), as stripe-node is loaded either way.
const root = resolve(import.meta.dirname, '../..');

function run(args: string[]): Promise<{ stdout: string; stderr: string }> {
  return new Promise((ok, fail) =>
    execFile(process.execPath, args, { cwd: root, timeout: 30_000 }, (err, stdout, stderr) =>
      err ? fail(new Error(`${err.message}\n${stderr}`)) : ok({ stdout, stderr }),
    ),
  );
}

/** What each loader does with the SDK: keys, a client, a signed token request, a typed error, a webhook check. */
const story = (baseUrl: string) => `
async function story(sdk, resolved) {
  const keys = await sdk.generateOrganizationKeys();
  const vault = await sdk.CitizenVault.create({ baseUrl: ${JSON.stringify(baseUrl)}, organizationId: 'org-1', signingKey: keys.signingKey, encryptionKey: keys.encryptionKey, maxRetries: 0 });
  let refused;
  try { new sdk.CitizenVault({ baseUrl: ${JSON.stringify(baseUrl)} }); } catch (e) { refused = e.constructor.name + ': ' + e.message; }
  const err = await vault.consents.get('c1').catch((e) => e);
  const headers = sdk.generateTestWebhookHeaders('whsec_x', '{}');
  console.log(JSON.stringify({
    resolved,
    refused,
    error: { name: err.name, typed: err instanceof sdk.InvalidRequestError && err instanceof sdk.CitizenVaultError, code: err.code, message: err.message },
    webhookVerifies: sdk.verifyWebhookSignature('whsec_x', '{}', headers['cv-signature']),
  }));
}`;

describe('the SDK from require() and from import', () => {
  let server: Server;
  let baseUrl = '';
  const tokenRequests: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        if (req.url === '/oauth/token') {
          tokenRequests.push(new URLSearchParams(body).get('client_assertion') ?? '');
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: 't1', token_type: 'Bearer', expires_in: 900 }));
          return;
        }
        res.writeHead(400, { 'content-type': 'application/problem+json' }).end(
          JSON.stringify({
            code: 'invalid_request',
            detail: 'the request does not match its schema',
            errors: [{ path: '/limit', message: 'Too big: expected number to be <=100' }],
          }),
        );
      });
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

  const expected = {
    refused: 'TypeError: CitizenVault cannot be built with `new`: importing its keys is asynchronous. Use `await CitizenVault.create(options)`.',
    error: {
      name: 'InvalidRequestError',
      typed: true,
      code: 'invalid_request',
      message: 'the request does not match its schema: /limit: Too big: expected number to be <=100',
    },
    webhookVerifies: true,
  };

  it("works from require(): the CommonJS build, with jose (ESM-only) loaded by Node's require(esm)", async () => {
    const { stdout } = await run([
      '-e',
      `${story(baseUrl)}\nstory(require('@citizen-vault/sdk'), require.resolve('@citizen-vault/sdk')).catch((e) => { console.error(e); process.exit(1); });`,
    ]);
    const out = JSON.parse(stdout) as { resolved: string };
    expect(out).toMatchObject(expected);
    expect(out.resolved).toBe(join(root, 'sdk/cjs/dist/index.js'));
    expect(tokenRequests.at(-1)?.split('.')).toHaveLength(3); // a signed client assertion, made with jose
  });

  it('works from import: the ES module build', async () => {
    const { stdout } = await run([
      '--input-type=module',
      '-e',
      `${story(baseUrl)}\nawait story(await import('@citizen-vault/sdk'), import.meta.resolve('@citizen-vault/sdk'));`,
    ]);
    const out = JSON.parse(stdout) as { resolved: string };
    expect(out).toMatchObject(expected);
    expect(out.resolved).toBe(`file://${join(root, 'sdk/dist/index.js')}`);
  });

  it('gives TypeScript types to both: a .cts and an .mts consumer type-check under node16 resolution without skipLibCheck', async () => {
    const dir = join(root, '.data/sdk-module-formats');
    await mkdir(dir, { recursive: true });
    const consumer = `import { CitizenVault, InvalidRequestError, type ErrorCode } from '@citizen-vault/sdk';
import { verifyTreeHead } from '@citizen-vault/sdk/log-proofs';
const code: ErrorCode = 'buyer_not_verified';
export const used = [CitizenVault.create, InvalidRequestError, code, verifyTreeHead];
`;
    await writeFile(join(dir, 'consumer.cts'), consumer);
    await writeFile(join(dir, 'consumer.mts'), consumer);
    const tsc = join(root, 'node_modules/typescript/bin/tsc');
    const args = [
      '--noEmit',
      '--strict',
      '--skipLibCheck',
      'false',
      '--types',
      'node',
      '--traceResolution',
      join(dir, 'consumer.cts'),
      join(dir, 'consumer.mts'),
    ];
    const { stdout } = await run([tsc, '--module', 'node16', '--moduleResolution', 'node16', ...args]);
    expect(stdout).toContain(`'@citizen-vault/sdk' was successfully resolved to '${join(root, 'sdk/cjs/dist/index.d.ts')}'`);
    expect(stdout).toContain(`'@citizen-vault/sdk' was successfully resolved to '${join(root, 'sdk/dist/index.d.ts')}'`);
  }, 60_000);
});
