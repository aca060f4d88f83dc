import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { CitizenVault, ConsentNotActiveError } from '@citizen-vault/sdk';
import { seedDemoData } from '@citizen-vault/api';
import { citizenToken, registerOrganization, useStack } from '../../api/test/stack.js';
import {
  DESKTOP,
  expectAccessible,
  expectNoHorizontalScroll,
  HAS_CHROMIUM,
  launch,
  newContext,
  NO_BROWSER_REASON,
  PHONE,
  screenshot,
  signInThroughPortal,
  navigateTo,
} from './browser.js';

interface DemoFile {
  citizens: string[];
  organizations: Record<string, { id: string; name: string; signingKey: never; encryptionKey: never }>;
}

// Never a silent pass: the run says the browser tests were skipped, and why.
if (!HAS_CHROMIUM) console.warn(`portal browser tests SKIPPED: ${NO_BROWSER_REASON}`);

const json = (body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('the portal', () => {
  const shared = useStack();
  let demo: DemoFile;
  let bank: CitizenVault;

  beforeAll(async () => {
    const { file } = await seedDemoData(shared.stack.url, shared.stack.url, shared.stack.dataDir);
    demo = JSON.parse(await readFile(file, 'utf8')) as DemoFile;
    const b = demo.organizations.bank!;
    bank = await CitizenVault.create({ baseUrl: shared.stack.url, organizationId: b.id, signingKey: b.signingKey, encryptionKey: b.encryptionKey });
  }, 60_000);

  const askCitizen = (nationalId: string, fields: string[], purpose = 'credit_scoring') =>
    bank.consents.request({
      nationalId,
      purpose,
      fields,
      mode: 'PERIODIC',
      frequency: { limit: 10, per: 'DAY' },
      validUntil: new Date(Date.now() + 90 * 86_400_000),
      retentionDays: 30,
      justification: 'Thẩm định hồ sơ vay mua nhà',
      crossBorder: false,
      onwardTransfer: false,
    });

  describe('served by the API', () => {
    it('serves the portal at / and at its own paths, under a strict Content-Security-Policy', async () => {
      for (const path of ['/', '/citizen/requests']) {
        const res = await fetch(shared.stack.url + path, { headers: { accept: 'text/html' } });
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toMatch(/text\/html/);
        const csp = res.headers.get('content-security-policy') ?? '';
        expect(csp).toContain("script-src 'self'");
        expect(csp).not.toContain('unsafe-inline');
        const html = await res.text();
        expect(html).toContain('<div id="app">');
        expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script
      }
    });

    it('leaves the API alone: unknown API paths and missing assets stay 404, never the portal', async () => {
      const api = await fetch(shared.stack.url + '/v1/no-such-thing', { headers: { accept: 'text/html' } });
      expect(api.status).toBe(404);
      expect(api.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(((await api.json()) as { code: string }).code).toBe('not_found');
      expect((await fetch(shared.stack.url + '/assets/missing.js')).status).toBe(404);
      expect((await fetch(shared.stack.url + '/health')).headers.get('content-type')).toMatch(/json/);
    });

    it('issues an organisation token in dev mode only for a verified organisation', async () => {
      const org = await registerOrganization(shared.stack, ['consumer'], 'Portal test start-up');
      const res = await fetch(shared.stack.url + '/dev/token', json({ role: 'organization', organizationId: org.id }));
      expect(res.status).toBe(200);
      const token = ((await res.json()) as { access_token: string }).access_token;
      const me = (await (await shared.call('/v1/me', token)).json()) as { role: string; organizationId: string };
      expect(me).toMatchObject({ role: 'organization', organizationId: org.id });

      const listed = (await (await fetch(shared.stack.url + '/dev/organizations')).json()) as { items: { id: string }[] };
      expect(listed.items.map((o) => o.id)).toContain(org.id);

      const operator = ((await (await fetch(shared.stack.url + '/dev/token', json({ role: 'operator' }))).json()) as { access_token: string }).access_token;
      const all = (await (await shared.call('/v1/organizations', operator)).json()) as { items: { id: string }[] };
      expect(all.items.map((o) => o.id)).toContain(org.id);
      await shared.call(`/v1/organizations/${org.id}/suspend`, operator, {});
      const suspended = await fetch(shared.stack.url + '/dev/token', json({ role: 'organization', organizationId: org.id }));
      expect(suspended.status).toBe(403);
      const unknown = await fetch(shared.stack.url + '/dev/token', json({ role: 'organization', organizationId: '0190a000-0000-7000-8000-000000000000' }));
      expect(unknown.status).toBe(404);
    });
  });

  describe.skipIf(!HAS_CHROMIUM)(HAS_CHROMIUM ? 'in Chromium' : `in Chromium — SKIPPED: ${NO_BROWSER_REASON}`, () => {
    let browser: Browser;
    const contexts: BrowserContext[] = [];
    const problemsSeen: string[][] = [];

    beforeAll(async () => {
      browser = await launch();
    }, 30_000);
    afterAll(async () => {
      for (const c of contexts) await c.close().catch(() => {});
      await browser?.close();
      for (const p of problemsSeen) expect(p, 'CSP violations or page errors').toEqual([]);
    });

    async function open(viewport = DESKTOP): Promise<Page> {
      const { context, problems } = await newContext(browser, shared.stack.url, viewport);
      contexts.push(context);
      problemsSeen.push(problems);
      return context.newPage();
    }

    /** The real flow: the portal's button, the development identity provider's page, back with a session cookie. */
    async function signInCitizen(page: Page, nationalId: string): Promise<void> {
      await signInThroughPortal(page, { nationalId });
      await page.getByRole('heading', { level: 1, name: 'Yêu cầu đang chờ bạn' }).waitFor();
    }

    const nav = navigateTo;

    it('a citizen approves part of a request, sees the read, revokes, and the next read is refused', async () => {
      const consent = await askCitizen('000000000101', ['residence.province', 'residence.ward', 'health_insurance.cardNumber']);
      const page = await open(DESKTOP);
      await page.goto('/');
      await expectAccessible(page, 'sign-in');
      await signInCitizen(page, '000000000101');

      const card = page.getByRole('article', { name: 'Ngân hàng Số An Tâm (demo)' });
      await card.getByRole('checkbox', { name: /Mã thẻ BHYT/ }).waitFor();
      await card.getByText('Nhạy cảm').first().waitFor();
      await card.getByText(/dữ liệu cá nhân nhạy cảm/).waitFor();
      await card.getByText('Chấm điểm tín dụng', { exact: true }).waitFor();
      await card.getByText('Tối đa 10 lần mỗi ngày', { exact: true }).waitFor();
      await expectAccessible(page, 'requests');
      await screenshot(page, 'citizen-requests-desktop-vi');

      await card.getByRole('checkbox', { name: /Mã thẻ BHYT/ }).uncheck();
      await card.getByRole('button', { name: 'Chỉ đồng ý 2 mục đã chọn' }).click();
      await page.getByText(/Bạn đã đồng ý cho Ngân hàng Số An Tâm \(demo\) dùng 2 mục/).waitFor();

      const data = await bank.consents.readData(consent.id);
      expect(data.fields).toEqual({ 'residence.province': 'Hà Nội', 'residence.ward': 'Hàng Bài' });

      await nav(page, 'Ai đã dùng dữ liệu');
      const read = page.getByRole('listitem').filter({ hasText: 'Đã đọc' }).first();
      await read.waitFor();
      await expect(read.textContent()).resolves.toMatch(/Ngân hàng Số An Tâm \(demo\)[\s\S]*Chấm điểm tín dụng[\s\S]*Tỉnh\/thành phố[\s\S]*Phường\/xã/);
      await expect(read.textContent()).resolves.not.toContain('Mã thẻ BHYT');
      await expectAccessible(page, 'activity');
      // The log signs a tree head every 2 s: until one covers this read, the portal says so; then it verifies.
      const verified = read.getByText(/^Đã kiểm chứng: lần truy cập này nằm trong nhật ký có chữ ký/);
      for (let attempt = 0; attempt < 30; attempt++) {
        const button = read.getByRole('button', { name: 'Kiểm chứng' });
        if (await button.isVisible()) {
          await button.click();
          await read
            .getByText(/^(Đã kiểm chứng|Mục này chưa có|KHÔNG)/)
            .first()
            .waitFor();
          if (await verified.isVisible()) break;
        }
        await page.waitForTimeout(500);
        await page.reload();
        await read.waitFor();
      }
      await verified.waitFor();

      await nav(page, 'Dữ liệu của tôi');
      await page.getByRole('heading', { name: 'Bảo hiểm y tế' }).waitFor();
      await page.getByText('Do Bảo hiểm xã hội Việt Nam (demo) cung cấp').first().waitFor();
      await expectAccessible(page, 'my data');
      await screenshot(page, 'citizen-my-data-desktop-vi');

      await nav(page, 'Đồng ý của tôi');
      const active = page.getByRole('article', { name: 'Ngân hàng Số An Tâm (demo)' });
      await active.waitFor();
      await expectAccessible(page, 'consents');
      await screenshot(page, 'citizen-consents-desktop-vi');
      const [download] = await Promise.all([page.waitForEvent('download'), active.getByRole('button', { name: 'Tải bản xác nhận có chữ ký' }).click()]);
      expect(download.suggestedFilename()).toBe(`consent-${consent.id}.jws`);
      expect((await readFile((await download.path())!, 'utf8')).split('.')).toHaveLength(3);

      await active.getByRole('button', { name: 'Rút lại' }).click();
      const dialog = page.getByRole('dialog', { name: 'Rút lại sự đồng ý?' });
      await dialog.getByText(/không thể đọc thêm dữ liệu nào/).waitFor();
      await expectAccessible(page, 'revoke confirmation');
      await dialog.getByRole('button', { name: 'Rút lại' }).click();
      await page.getByText(/Đã rút lại\. Ngân hàng Số An Tâm \(demo\) không còn đọc được/).waitFor();

      await expect(bank.consents.readData(consent.id)).rejects.toBeInstanceOf(ConsentNotActiveError);
      await nav(page, 'Ai đã dùng dữ liệu');
      const refused = page.getByRole('listitem').filter({ hasText: 'Bị từ chối' }).first();
      await refused.waitFor();
      await expect(refused.textContent()).resolves.toMatch(/sự đồng ý đã bị rút lại/);
      await screenshot(page, 'citizen-activity-desktop-vi');
    });

    it('fits a 360 px phone, in Vietnamese, with every citizen page accessible', async () => {
      // An answered consent the bank has read (so every page has something on it), and a request waiting.
      const earlier = await askCitizen('000000000102', ['residence.province', 'health_insurance.status']);
      expect((await shared.call(`/v1/consents/${earlier.id}/approve`, await citizenToken(shared.stack, '000000000102'), {})).status).toBe(200);
      await bank.consents.readData(earlier.id);
      await askCitizen('000000000102', ['identity.fullName', 'identity.dateOfBirth', 'health_insurance.registeredHospital'], 'insurance_underwriting');
      const page = await open(PHONE);
      await signInCitizen(page, '000000000102');
      await page.getByRole('checkbox', { name: /Nơi đăng ký khám chữa bệnh ban đầu/ }).waitFor();
      expect(await page.evaluate(() => document.documentElement.lang)).toBe('vi');
      const pages: [string, string, string][] = [
        ['Yêu cầu', 'Yêu cầu đang chờ bạn', 'citizen-requests'],
        ['Đồng ý của tôi', 'Đồng ý của tôi', 'citizen-consents'],
        ['Ai đã dùng dữ liệu', 'Ai đã dùng dữ liệu của tôi', 'citizen-activity'],
        ['Dữ liệu của tôi', 'Dữ liệu của tôi', 'citizen-my-data'],
      ];
      for (const [link, heading, name] of pages) {
        await nav(page, link);
        await page.getByRole('heading', { level: 1, name: heading }).waitFor();
        await page.waitForLoadState('networkidle');
        await expectNoHorizontalScroll(page);
        await expectAccessible(page, `${name} (phone)`);
        await screenshot(page, `${name}-phone-vi`);
      }
      await page.getByRole('navigation').getByRole('link', { name: 'Yêu cầu' }).focus();
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Đồng ý của tôi');
    });

    it('switches to English with one control, and remembers it', async () => {
      const page = await open(DESKTOP);
      await signInCitizen(page, '000000000103');
      await page.getByRole('button', { name: /English/ }).click();
      await page.getByRole('heading', { level: 1, name: 'Requests waiting for you' }).waitFor();
      expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
      await nav(page, 'My data');
      await page.getByRole('heading', { name: 'Driving licence' }).waitFor();
      await page.getByText('Provided by Cục Cảnh sát giao thông (demo)').waitFor();
      await page.reload();
      await page.getByRole('heading', { level: 1, name: 'My data' }).waitFor();
      await page.getByRole('button', { name: /Tiếng Việt/ }).click();
      await page.getByRole('heading', { level: 1, name: 'Dữ liệu của tôi' }).waitFor();
    });

    it('an enterprise makes a consent request from the console, and the citizen gets it', async () => {
      const page = await open(DESKTOP);
      await page.goto('/');
      await page.getByRole('button', { name: 'Đăng nhập' }).click(); // to the development identity provider
      await page.getByRole('radio', { name: /Doanh nghiệp/ }).check();
      await page.getByLabel('Tổ chức', { exact: true }).selectOption({ label: 'Ngân hàng Số An Tâm (demo)' });
      await page.getByRole('button', { name: 'Đăng nhập' }).click();
      await page.getByRole('heading', { level: 1, name: 'Yêu cầu đồng ý của tổ chức' }).waitFor();
      await nav(page, 'Tạo yêu cầu mới');
      await page.getByLabel('Số định danh cá nhân của công dân').fill('000000000103');
      await page.getByLabel('Mục đích').selectOption({ label: 'Tuyển dụng' });
      await page.locator('[id="nr-f-residence.province"]').check();
      await page.locator('[id="nr-f-driving_licence.licenceClass"]').check();
      await page.getByLabel('Lý do (công dân sẽ đọc)').fill('Xác minh bằng lái cho vị trí tài xế giao hàng');
      await expectAccessible(page, 'new request');
      await screenshot(page, 'enterprise-new-request-desktop-vi');
      await page.getByRole('button', { name: 'Gửi yêu cầu' }).click();
      await page.getByText(/Đã gửi yêu cầu \(mã/).waitFor();

      await nav(page, 'Yêu cầu đồng ý');
      const row = page.getByRole('article', { name: 'Tuyển dụng' });
      await row.waitFor();
      await row.getByText('Đang chờ trả lời').waitFor();

      const citizen = (
        (await (await fetch(shared.stack.url + '/dev/token', json({ role: 'citizen', nationalId: '000000000103' }))).json()) as { access_token: string }
      ).access_token;
      const pending = (await (await shared.call('/v1/me/consents?status=REQUESTED', citizen)).json()) as {
        items: { purpose: string; requestedFields: string[] }[];
      };
      expect(pending.items).toContainEqual(
        expect.objectContaining({ purpose: 'recruitment', requestedFields: ['residence.province', 'driving_licence.licenceClass'] }),
      );
    });

    it('an auditor browses blocks, verifies the chain and the access log, and downloads a report', async () => {
      const page = await open(DESKTOP);
      page.setDefaultTimeout(8000);
      await page.goto('/');
      await page.getByRole('button', { name: 'Đăng nhập' }).click(); // to the development identity provider
      await page.getByRole('radio', { name: /Kiểm toán viên/ }).check();
      await page.getByRole('button', { name: 'Đăng nhập' }).click();
      await page.getByRole('heading', { level: 1, name: 'Sổ cái' }).waitFor();
      const newest = page.getByRole('button', { name: /^Khối \d/ }).first();
      await newest.click();
      await page.getByRole('cell', { name: 'VALID' }).first().waitFor();
      await page.getByRole('button', { name: 'Kiểm tra chuỗi' }).click();
      await page.getByText(/^Chuỗi toàn vẹn: [\d.]+ khối/).waitFor({ timeout: 20_000 });
      await expectAccessible(page, 'ledger');
      await screenshot(page, 'auditor-ledger-desktop-vi');

      await nav(page, 'Lượt truy cập');
      await page.getByLabel('Kết quả').selectOption({ label: 'Bị từ chối' });
      await page.getByRole('button', { name: 'Lọc' }).click();
      const refusedRow = page.getByRole('row').filter({ hasText: 'Ngân hàng Số An Tâm (demo)' }).first();
      await refusedRow.getByText(/sự đồng ý đã bị rút lại/).waitFor(); // the citizen's withdrawal, seen by the auditor
      expect(await page.getByRole('row').filter({ hasText: 'Đã đọc' }).count()).toBe(0);
      await expectAccessible(page, 'access events');

      await nav(page, 'Nhật ký truy cập');
      await page.getByRole('table', { name: 'Các bản ký của nhật ký' }).waitFor();
      await page.getByRole('button', { name: 'Kiểm tra nhật ký' }).click();
      await page.getByText(/^Nhật ký toàn vẹn/).waitFor({ timeout: 20_000 });
      if (await page.getByRole('heading', { name: 'Kiểm tra tính nhất quán' }).isVisible()) {
        await page.getByRole('button', { name: 'Kiểm tra', exact: true }).click();
        await page.getByText(/^Nhất quán: nhật ký/).waitFor();
      }
      await expectAccessible(page, 'access log');
      await screenshot(page, 'auditor-access-log-desktop-vi');

      await nav(page, 'Báo cáo');
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Tải CSV' }).first().click()]);
      expect(download.suggestedFilename()).toMatch(/^access-summary-.*\.csv$/);
    });

    it('shows an API refusal in words, never raw JSON', async () => {
      const page = await open(PHONE);
      await page.goto('/');
      await page.getByRole('button', { name: 'Đăng nhập' }).click(); // to the development identity provider
      await page.getByRole('radio', { name: /vận hành/i }).check();
      await page.getByRole('button', { name: 'Đăng nhập' }).click();
      await page.getByRole('heading', { level: 1, name: 'Tổ chức' }).waitFor();
      await page.getByLabel('Tên tổ chức').fill('Công ty thử lỗi');
      await page.getByLabel('Mã số doanh nghiệp').fill('DEMO-BANK-01'); // already registered
      await page.getByLabel('Khoá công khai (JWKS)').fill('{"keys": []}');
      await page.getByRole('button', { name: 'Đăng ký' }).click();
      const alert = page.getByRole('alert');
      await alert.waitFor();
      const text = (await alert.textContent()) ?? '';
      expect(text).toMatch(/Một số thông tin bạn nhập chưa đúng|trạng thái đã thay đổi/);
      expect(text).not.toMatch(/[{}]|invalid_request|conflict/);
      await expectAccessible(page, 'operator organisations');
      await screenshot(page, 'operator-organizations-phone-vi');
    });
  });
});
