import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { registerOrganization, useStack } from '../../api/test/stack.js';
import { startOrganizationIdp, type OrganizationIdp } from '../../api/test/support/organization-idp.js';
import { expectAccessible, HAS_CHROMIUM, launch, newContext, NO_BROWSER_REASON } from './browser.js';

describe.skipIf(!HAS_CHROMIUM)(
  HAS_CHROMIUM ? "the portal: staff sign in through their organisation's own provider, in Chromium" : `organisation sign-in — SKIPPED: ${NO_BROWSER_REASON}`,
  () => {
    const shared = useStack();
    let idp: OrganizationIdp;
    let browser: Browser;

    beforeAll(async () => {
      idp = await startOrganizationIdp(`${shared.stack.url}/auth/callback`);
      browser = await launch();
    }, 30_000);
    afterAll(async () => {
      await browser?.close();
      await idp?.close();
    });

    it('offers the organisation on the sign-in page, and lands its staff member in the organisation portal', async () => {
      const org = await registerOrganization(shared.stack, ['consumer'], 'Công ty Danh bạ Riêng');
      const operator = (
        (await (
          await fetch(`${shared.stack.url}/dev/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"role":"operator"}' })
        ).json()) as {
          access_token: string;
        }
      ).access_token;
      const put = await fetch(`${shared.stack.url}/v1/organizations/${org.id}/sign-in-provider`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${operator}` },
        body: JSON.stringify({
          issuer: idp.issuer,
          clientId: idp.clientId,
          clientSecret: idp.clientSecret,
          scopes: 'openid groups',
          roleMapping: [{ value: 'vault-staff', role: 'organization' }],
        }),
      });
      expect(put.status).toBe(200);
      idp.signInAs({ sub: 'nguyen.van.a', groups: ['vault-staff'] });

      const { context, problems } = await newContext(browser, shared.stack.url);
      const page = await context.newPage();
      await page.goto('/');
      const choice = page.getByRole('button', { name: 'Đăng nhập qua Công ty Danh bạ Riêng' });
      await choice.waitFor();
      await expectAccessible(page, 'sign-in with organisations');
      await choice.click();
      await page.getByRole('heading', { level: 1, name: 'Yêu cầu đồng ý của tổ chức' }).waitFor();
      const session = (await (await page.request.get('/auth/session')).json()) as Record<string, string>;
      expect(session).toMatchObject({ role: 'organization', organizationId: org.id, subject: `staff:${org.id}:nguyen.van.a` });
      await context.close();
      expect(problems).toEqual([]);
    });
  },
);
