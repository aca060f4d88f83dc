import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { seedDemoData } from '@citizen-vault/api';
import { useStack } from '../../api/test/stack.js';
import {
  DESKTOP,
  expectAccessible,
  expectNoHorizontalScroll,
  HAS_CHROMIUM,
  NO_BROWSER_REASON,
  PHONE,
  screenshot,
  navigateTo,
  usePortalBrowser,
  type DevSignIn,
} from './browser.js';

if (!HAS_CHROMIUM) console.warn(`portal breach browser tests SKIPPED: ${NO_BROWSER_REASON}`);

const post = (url: string, token: string | undefined, body: unknown) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });

describe.skipIf(!HAS_CHROMIUM)(HAS_CHROMIUM ? "the portal's breach pages in Chromium" : `the portal's breach pages — SKIPPED: ${NO_BROWSER_REASON}`, () => {
  const shared = useStack();
  const portal = usePortalBrowser(() => shared.stack.url);
  const SUMMARY = 'Khoá truy cập của ngân hàng bị lộ (thử)';
  const token = async (body: unknown): Promise<string> =>
    ((await (await post(shared.stack.url + '/dev/token', undefined, body)).json()) as { access_token: string }).access_token;

  beforeAll(async () => {
    const { file } = await seedDemoData(shared.stack.url, shared.stack.url, shared.stack.dataDir);
    const bankId = (JSON.parse(await readFile(file, 'utf8')) as { organizations: Record<string, { id: string }> }).organizations.bank!.id;
    // A real read: the bank asks citizen 102 for their province, the citizen approves, the bank reads it.
    const bank = await token({ role: 'organization', organizationId: bankId });
    const consent = (await (
      await post(shared.stack.url + '/v1/consents', bank, {
        subject: { nationalId: '000000000102' },
        purpose: 'credit_scoring',
        fields: ['residence.province'],
        mode: 'PERIODIC',
        frequency: { limit: 10, per: 'DAY' },
        validUntil: new Date(Date.now() + 86_400_000).toISOString(),
        retentionDays: 1,
        justification: 'Thẩm định hồ sơ vay',
      })
    ).json()) as { id: string };
    expect((await post(`${shared.stack.url}/v1/consents/${consent.id}/approve`, await token({ role: 'citizen', nationalId: '000000000102' }), {})).status).toBe(
      200,
    );
    expect((await fetch(`${shared.stack.url}/v1/consents/${consent.id}/data`, { headers: { authorization: `Bearer ${bank}` } })).status).toBe(200);
  }, 90_000);

  /** The real sign-in flow: the portal's button, the development identity provider, back with a session cookie. */
  const signIn = (as: DevSignIn, viewport = DESKTOP) => portal.signIn(as, viewport);
  const nav = navigateTo;

  it('the operator records a breach and sees its 72-hour clock; the citizen read by the bank sees the notice; the auditor sees the register', async () => {
    const operator = await signIn({ role: /vận hành/i });
    await nav(operator, 'Sự cố dữ liệu');
    await operator.getByRole('heading', { level: 1, name: 'Sổ sự cố dữ liệu' }).waitFor();
    await operator.getByLabel('Diễn biến sự cố').fill(SUMMARY);
    await operator.getByRole('checkbox', { name: 'Ngân hàng Số An Tâm (demo)' }).check();
    await operator.getByRole('checkbox', { name: 'Tỉnh/thành phố' }).check();
    // The window ends in an hour, in the browser's zone (Asia/Ho_Chi_Minh, UTC+7 all year).
    const inAnHour = new Date(Date.now() + 3_600_000 + 7 * 3_600_000).toISOString().slice(0, 16);
    await operator.getByLabel('Lượt đọc đến (không bao gồm)').fill(inAnHour);
    await operator.getByRole('button', { name: 'Ghi nhận sự cố' }).click();
    const answer = operator.getByRole('status').filter({ hasText: 'Đã ghi nhận sự cố' }).or(operator.getByRole('alert'));
    await answer.first().waitFor();
    expect(await answer.first().textContent()).toBe('Đã ghi nhận sự cố: 1 công dân bị ảnh hưởng.');
    const card = operator.getByRole('article', { name: SUMMARY });
    await card.getByText('Trong thời hạn 72 giờ').waitFor();
    await card.getByText(/Còn 7[01] giờ/).waitFor();
    await expectAccessible(operator, 'operator breach register');
    await screenshot(operator, 'operator-breaches-desktop-vi');

    const citizen = await signIn({ nationalId: '000000000102' }, PHONE);
    await nav(citizen, 'Thông báo sự cố');
    const notice = citizen.getByRole('article', { name: SUMMARY });
    await notice.getByText('Ngân hàng Số An Tâm (demo)').waitFor();
    await notice.getByText(/Tỉnh\/thành phố/).waitFor();
    await expectNoHorizontalScroll(citizen);
    await expectAccessible(citizen, 'citizen breach notices (phone)');
    await screenshot(citizen, 'citizen-breach-notices-phone-vi');
    const other = await signIn({ nationalId: '000000000103' }, PHONE);
    await nav(other, 'Thông báo sự cố');
    await other.getByText('Chưa có sự cố nào liên quan đến dữ liệu của bạn.').waitFor();

    await card.getByLabel('Biện pháp đã áp dụng').fill('Thu hồi khoá, yêu cầu ngân hàng đổi khoá');
    await card.getByRole('button', { name: 'Đóng sự cố' }).click();
    await operator.getByRole('status').filter({ hasText: 'Đã đóng sự cố.' }).waitFor();
    await operator.getByRole('article', { name: SUMMARY }).getByText('Đã thông báo đúng hạn').waitFor();

    const auditor = await signIn({ role: /Kiểm toán viên/ });
    await nav(auditor, 'Sự cố dữ liệu');
    const row = auditor.getByRole('row').filter({ hasText: SUMMARY });
    await row.getByText('Đã thông báo đúng hạn').waitFor();
    await row.getByText(/Ngân hàng Số An Tâm \(demo\) \(1\)/).waitFor();
    await row.getByText(/\/2 phiên bản/).waitFor();
    await expectAccessible(auditor, 'auditor breaches');
    await screenshot(auditor, 'auditor-breaches-desktop-vi');
    // The authority form the page links to is the Vietnamese document, through the same session.
    const form = await auditor.request.get(
      await row
        .getByRole('link')
        .getAttribute('href')
        .then((h) => h!),
    );
    expect(form.status()).toBe(200);
    expect(await form.text()).toContain('THÔNG BÁO VI PHẠM QUY ĐỊNH VỀ BẢO VỆ DỮ LIỆU CÁ NHÂN');
  }, 180_000);
});
