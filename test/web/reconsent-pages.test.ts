import { beforeAll, describe, expect, it } from 'vitest';
import { citizenToken, consentRequest, registerOrganization, requests, useStack, type TestOrganization } from '../../api/test/stack.js';
import { expectAccessible, HAS_CHROMIUM, NO_BROWSER_REASON, navigateTo, usePortalBrowser, type DevSignIn } from './browser.js';

const CITIZEN = '000000000501';

describe.skipIf(!HAS_CHROMIUM)(HAS_CHROMIUM ? 're-consent after a notice change, in Chromium' : `re-consent pages — SKIPPED: ${NO_BROWSER_REASON}`, () => {
  const shared = useStack({ noticesIntervalMs: 500 });
  const { call, ok } = requests(() => shared.stack.url);
  const portal = usePortalBrowser(() => shared.stack.url);
  let bank: TestOrganization;
  let consentId: string;

  beforeAll(async () => {
    const custodian = await registerOrganization(shared.stack, ['custodian'], 'Công an tỉnh');
    bank = await registerOrganization(shared.stack, ['consumer'], 'Ngân hàng Đổi Điều Khoản');
    const citizen = await citizenToken(shared.stack, CITIZEN);
    await ok(
      await call('/v1/records', await custodian.token(), { body: { subject: { nationalId: CITIZEN }, category: 'residence', fields: { province: 'Huế' } } }),
      201,
    );
    await ok(
      await call(`/v1/notices/organization/${bank.id}`, await bank.token(), {
        body: { text: { vi: 'Chúng tôi chỉ dùng dữ liệu để xét khoản vay.', en: 'We use the data only to assess the loan.' }, material: false },
      }),
      201,
    );
    ({ id: consentId } = await ok<{ id: string }>(await call('/v1/consents', await bank.token(), { body: consentRequest(CITIZEN) }), 201));
    await ok(await call(`/v1/consents/${consentId}/approve`, citizen, { body: {} }));
  }, 90_000);
  const signIn = (as: DevSignIn = { nationalId: CITIZEN }) => portal.signIn(as);

  it('the citizen sees the notice they were shown, is asked again after a material change, and answering ends the old consent', async () => {
    const page = await signIn();
    await navigateTo(page, 'Đồng ý của tôi');
    const card = page.getByRole('article').filter({ hasText: 'Ngân hàng Đổi Điều Khoản' });
    await card.getByText('Xem điều kiện').click();
    await card.getByText('Nội dung thông báo bạn được xem').click();
    await card.getByText('Chúng tôi chỉ dùng dữ liệu để xét khoản vay.').waitFor();

    // The bank's staff publish the change in their portal: material, reads paused meanwhile.
    const staff = await signIn({ role: /Doanh nghiệp/, organization: 'Ngân hàng Đổi Điều Khoản' });
    await navigateTo(staff, 'Thông báo đồng ý');
    await staff.getByText('Chúng tôi chỉ dùng dữ liệu để xét khoản vay.').waitFor();
    await staff.getByLabel('Nội dung (tiếng Việt)').fill('Chúng tôi có thể chia sẻ dữ liệu với công ty bảo hiểm liên kết.');
    await staff.getByLabel('Nội dung (tiếng Anh)').fill('We may share the data with our partner insurer.');
    await staff.getByLabel('Đây là thay đổi đáng kể: hỏi lại công dân đã đồng ý').check();
    await staff.getByLabel('Thay đổi đáng kể: tạm ngừng đọc cho đến khi công dân đồng ý lại').check();
    await staff.getByLabel('Điều gì thay đổi (tiếng Việt)').fill('Thêm chia sẻ cho công ty bảo hiểm liên kết');
    await staff.getByLabel('Điều gì thay đổi (tiếng Anh)').fill('Adds sharing with the partner insurer');
    await staff.getByRole('button', { name: 'Công bố' }).click();
    await staff.getByText('Đã công bố phiên bản 2. Số sự đồng ý cần hỏi lại: 1.').waitFor();
    await expectAccessible(staff, 'the organisation notice page');
    expect((await call(`/v1/consents/${consentId}/data`, await bank.token())).status).toBe(403);

    await page.reload();
    await card.getByText('Cần bạn đồng ý lại.').waitFor();
    await card.getByText(/Thêm chia sẻ cho công ty bảo hiểm liên kết/).waitFor();
    await expectAccessible(page, 'consents with a re-consent');

    await navigateTo(page, 'Yêu cầu');
    const request = page.getByRole('article').filter({ hasText: 'Ngân hàng Đổi Điều Khoản' });
    await request.getByText(/Yêu cầu này thay cho sự đồng ý bạn đã cho trước đây/).waitFor({ timeout: 15_000 });
    await request.getByText('Nội dung thông báo bạn được xem').click();
    await request.getByText('Chúng tôi có thể chia sẻ dữ liệu với công ty bảo hiểm liên kết.').waitFor();
    await expectAccessible(page, 'a re-consent request');
    await request.getByRole('button', { name: 'Đồng ý tất cả' }).click();
    await page.getByText(/Bạn đã đồng ý cho Ngân hàng Đổi Điều Khoản/).waitFor();

    const citizen = await citizenToken(shared.stack, CITIZEN);
    const mine = (await ok<{ items: { id: string; status: string; supersedes: string | null }[] }>(await call('/v1/me/consents', citizen))).items;
    expect(mine.find((c) => c.id === consentId)?.status).toBe('REVOKED');
    const successor = mine.find((c) => c.supersedes === consentId)!;
    expect(successor.status).toBe('ACTIVE');
    expect((await call(`/v1/consents/${successor.id}/data`, await bank.token())).status).toBe(200);
  }, 90_000);

  it("the operator publishes a purpose's text: a correction that is not material asks no one again", async () => {
    const operator = await signIn({ role: /vận hành/i });
    await navigateTo(operator, 'Thông báo');
    await operator.getByLabel('Mục đích', { exact: true }).selectOption({ label: 'Chấm điểm tín dụng' });
    await operator.getByText(/Chấm điểm tín dụng\. Đánh giá khả năng trả nợ/).waitFor();
    await operator.getByLabel('Nội dung (tiếng Việt)').fill('Chấm điểm tín dụng. Đánh giá khả năng trả nợ khi xét cấp tín dụng cho chính người đó.');
    await operator.getByLabel('Nội dung (tiếng Anh)').fill('Credit scoring. Assessing the ability to repay when deciding on credit for that person.');
    await operator.getByRole('button', { name: 'Công bố' }).click();
    await operator.getByText('Đã công bố phiên bản 2. Số sự đồng ý cần hỏi lại: 0.').waitFor();
    await expectAccessible(operator, 'the operator notices page');
    const citizen = await citizenToken(shared.stack, CITIZEN);
    expect((await ok<{ items: unknown[] }>(await call('/v1/me/reconsents', citizen))).items).toEqual([]);
  }, 60_000);
});
