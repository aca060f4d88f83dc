import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { citizenToken, registerOrganization, startStack, type TestStack } from './stack.js';

/**
 * Every documented operation, called with arbitrary JSON bodies, path ids and roles: a client's
 * mistake is always a 4xx with problem+json, never a 500.
 */
describe('no request produces a 500', () => {
  let stack: TestStack;
  let tokens: string[];
  let operations: { method: string; path: string }[];

  beforeAll(async () => {
    stack = await startStack();
    const org = await registerOrganization(stack, ['consumer', 'custodian']);
    const operator = (
      (await (
        await fetch(stack.url + '/dev/token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"role":"operator"}' })
      ).json()) as { access_token: string }
    ).access_token;
    tokens = ['', operator, await citizenToken(stack, '001099012345'), await org.token(), 'not.a.token'];
    const doc = (await (await fetch(stack.url + '/openapi.json')).json()) as { paths: Record<string, Record<string, unknown>> };
    operations = Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).map((method) => ({ method, path })));
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
  });

  it('answers arbitrary input to every operation with a status below 500', async () => {
    const ids = fc.oneof(fc.uuid(), fc.constantFrom('x', '0', '../etc/passwd', '%00', 'ÿ', '019361a8-0000-7000-8000-000000000000'));
    const bodies = fc.oneof(fc.json({ maxDepth: 3 }), fc.constantFrom('{', '[]', 'null', '{"subject":{"nationalId":"001099012345"}}', '"\\u0000"'));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...operations), ids, bodies, fc.constantFrom(...tokens), async (op, id, body, token) => {
        const path = op.path.replace('{id}', encodeURIComponent(id));
        const res = await fetch(stack.url + path, {
          method: op.method.toUpperCase(),
          headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
          ...(op.method === 'get' ? {} : { body }),
        });
        await res.arrayBuffer();
        expect(res.status, `${op.method} ${path} ${body}`).toBeLessThan(500);
      }),
      { numRuns: 300 },
    );
  });

  it('serves a page to browse the API description', async () => {
    const page = await fetch(stack.url + '/docs');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('/openapi.json');
  });
});
