import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { seedDemoData } from '@citizen-vault/api';
import { useStack } from '../../api/test/stack.js';
import { DESKTOP, expectAccessible, HAS_CHROMIUM, launch, newContext, NO_BROWSER_REASON, PHONE, screenshot } from './browser.js';

interface Product {
  id: string;
  termsHash: string;
}

if (!HAS_CHROMIUM) console.warn(`portal exchange browser tests SKIPPED: ${NO_BROWSER_REASON}`);

const post = (url: string, token: string | undefined, body: unknown) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });

describe.skipIf(!HAS_CHROMIUM)(HAS_CHROMIUM ? "the portal's exchange pages in Chromium" : `the portal's exchange pages — SKIPPED: ${NO_BROWSER_REASON}`, () => {
  const shared = useStack();
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let bankId: string;
  const token = async (body: unknown): Promise<string> =>
    ((await (await post(shared.stack.url + '/dev/token', undefined, body)).json()) as { access_token: string }).access_token;

  beforeAll(async () => {
    const { file } = await seedDemoData(shared.stack.url, shared.stack.url, shared.stack.dataDir);
    bankId = (JSON.parse(await readFile(file, 'utf8')) as { organizations: Record<string, { id: string }> }).organizations.bank!.id;
    browser = await launch();
  }, 60_000);
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
  });

  async function signIn(role: RegExp, viewport = DESKTOP): Promise<Page> {
    const { context } = await newContext(browser, shared.stack.url, viewport);
    contexts.push(context);
    const page = await context.newPage();
    await page.goto('/');
    await page.getByRole('button', { name: 'Đăng nhập' }).click(); // to the development identity provider
    await page.getByRole('radio', { name: role }).check();
    if (role.source.includes('Doanh')) await page.getByLabel('Tổ chức', { exact: true }).selectOption({ label: 'Ngân hàng Số An Tâm (demo)' });
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await page.getByRole('navigation').waitFor();
    return page;
  }

  it("a citizen leaves the exchange's statistics, after a confirmation, and sees the month's earnings", async () => {
    const { context } = await newContext(browser, shared.stack.url, PHONE);
    contexts.push(context);
    const page = await context.newPage();
    await page.goto('/');
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await page.getByLabel('Số định danh cá nhân (12 chữ số)').fill('000000000103');
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await page.getByRole('navigation').getByRole('link', { name: 'Dữ liệu của tôi', exact: true }).click();
    const stats = page.getByRole('region', { name: 'Dùng trong thống kê' });
    await stats.getByText(/đang được tính trong các số liệu thống kê/).waitFor();
    await page.getByRole('region', { name: 'Thu nhập từ dữ liệu của tôi' }).getByText(/0\s*₫/).waitFor();
    await expectAccessible(page, 'my data with statistics and earnings (phone)');
    await stats.getByRole('button', { name: 'Rời khỏi thống kê' }).click();
    await page.getByRole('dialog', { name: 'Rời khỏi thống kê?' }).getByRole('button', { name: 'Rời khỏi thống kê' }).click();
    await stats.getByText('Đã rời khỏi thống kê.').waitFor();
    await stats.getByRole('button', { name: 'Tham gia lại thống kê' }).waitFor();
    const citizen = await token({ role: 'citizen', nationalId: '000000000103' });
    const preferences = (await (await fetch(shared.stack.url + '/v1/me/preferences', { headers: { authorization: `Bearer ${citizen}` } })).json()) as {
      statisticsOptOut: boolean;
    };
    expect(preferences.statisticsOptOut).toBe(true);
  });

  it('the operator reviews a submitted product and lists it', async () => {
    const bank = await token({ role: 'organization', organizationId: bankId });
    const body = {
      title: { vi: 'Thống kê cư trú theo tỉnh (thử)', en: 'Residence by province (test)' },
      description: { vi: 'Số người theo tỉnh; ô dưới 10 người bị ẩn.', en: 'People by province; cells under 10 are suppressed.' },
      kind: 'AGGREGATE',
      outputSchema: { type: 'object' },
      terms: {
        permittedPurposes: ['academic_research'],
        durationDays: 90,
        prohibitedActions: ['re_identification', 'resale'],
        crossBorder: false,
        attribution: true,
        quota: null,
        minCohortSize: 5,
      },
      plans: [{ id: 'per-query', kind: 'PAY_PER_QUERY', priceDong: '15000' }],
      aggregate: { dimensions: ['province'] },
    };
    const created = (await (await post(shared.stack.url + '/v1/products', bank, body)).json()) as Product;
    expect((await post(`${shared.stack.url}/v1/products/${created.id}/submit`, bank, {})).status).toBe(200);

    const page = await signIn(/vận hành/i, PHONE);
    await page.getByRole('navigation').getByRole('link', { name: 'Duyệt sản phẩm', exact: true }).click();
    const card = page.getByRole('article', { name: 'Thống kê cư trú theo tỉnh (thử)' });
    await card.waitFor();
    await card.getByText('Nhóm tối thiểu nhỏ, dễ tái nhận dạng').waitFor(); // the pre-listing warning, in words
    await card.getByText('per-query: 15.000').waitFor();
    await expectAccessible(page, 'review queue');
    await screenshot(page, 'operator-review-phone-vi');
    await card.getByRole('button', { name: 'Duyệt và niêm yết' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Duyệt và niêm yết' }).click();
    await page.getByText('Đã niêm yết “Thống kê cư trú theo tỉnh (thử)”.').waitFor();
    const listed = (await (await fetch(`${shared.stack.url}/v1/products/${created.id}`)).json()) as { status: string };
    expect(listed.status).toBe('LISTED');
  });

  it("an enterprise sees its licence, its metered usage and the month's invoice in đồng", async () => {
    const bank = await token({ role: 'organization', organizationId: bankId });
    const catalogue = (await (await fetch(shared.stack.url + '/v1/products')).json()) as { items: (Product & { title: { vi: string } })[] };
    const product = catalogue.items.find((p) => p.title.vi.startsWith('Thống kê bảo hiểm y tế'))!;
    const licence = await post(shared.stack.url + '/v1/licences', bank, {
      productId: product.id,
      planId: 'per-query',
      purpose: 'academic_research',
      acceptTerms: product.termsHash,
    });
    expect(licence.status).toBe(201);
    const { id: licenceId } = (await licence.json()) as { id: string };
    const query = await post(`${shared.stack.url}/v1/products/${product.id}/query`, bank, { licenceId, groupBy: ['province'], filters: {} });
    expect(query.status).toBe(200);

    const page = await signIn(/Doanh nghiệp/);
    await page.getByRole('navigation').getByRole('link', { name: 'Giấy phép dữ liệu', exact: true }).click();
    await page.getByRole('heading', { name: 'Thống kê bảo hiểm y tế theo tỉnh và nhóm tuổi' }).waitFor();
    await page.getByRole('button', { name: /Mức sử dụng/ }).click();
    await page.getByRole('cell', { name: /2\.000\s*₫/ }).waitFor();
    await expectAccessible(page, 'licences');
    await page.getByRole('navigation').getByRole('link', { name: 'Hoá đơn', exact: true }).click();
    await page
      .getByRole('cell', { name: /2\.000\s*₫/ })
      .first()
      .waitFor();
    await expectAccessible(page, 'invoices');
    await screenshot(page, 'enterprise-invoices-desktop-vi');
  });
});
