import { beforeAll, describe, it } from 'vitest';
import { citizenToken, consentRequest, registerOrganization, requests, useStack, type TestOrganization } from '../../api/test/stack.js';
import { expectAccessible, HAS_CHROMIUM, NO_BROWSER_REASON, navigateTo, usePortalBrowser } from './browser.js';

const CITIZEN = '000000000401';

describe.skipIf(!HAS_CHROMIUM)(HAS_CHROMIUM ? 'the deletion-deadline pages, in Chromium' : `deletion-deadline pages — SKIPPED: ${NO_BROWSER_REASON}`, () => {
  const shared = useStack();
  const { call, ok } = requests(() => shared.stack.url);
  const portal = usePortalBrowser(() => shared.stack.url);
  let bank: TestOrganization;
  let readId: string;

  beforeAll(async () => {
    const custodian = await registerOrganization(shared.stack, ['custodian'], 'Công an tỉnh');
    bank = await registerOrganization(shared.stack, ['consumer'], 'Ngân hàng Giữ Lời');
    const citizen = await citizenToken(shared.stack, CITIZEN);
    await ok(
      await call('/v1/records', await custodian.token(), { body: { subject: { nationalId: CITIZEN }, category: 'residence', fields: { province: 'Huế' } } }),
      201,
    );
    // Keep nothing: the read is due for deletion at once.
    const { id } = await ok<{ id: string }>(await call('/v1/consents', await bank.token(), { body: consentRequest(CITIZEN, { retentionDays: 0 }) }), 201);
    await ok(await call(`/v1/consents/${id}/approve`, citizen, { body: {} }));
    await ok(await call(`/v1/consents/${id}/data`, await bank.token()));
    const [read] = (await ok<{ items: { accessEventId: string }[] }>(await call('/v1/retention/reads', await bank.token()))).items;
    readId = read!.accessEventId;
  }, 90_000);
  const signIn = portal.signIn;
  const nav = navigateTo;

  it('the citizen sees the read and its overdue deletion; the auditor sees it until the bank confirms', async () => {
    const citizen = await signIn({ nationalId: CITIZEN });
    await nav(citizen, 'Xóa dữ liệu của tôi');
    await citizen.getByRole('heading', { level: 1, name: 'Ai phải xóa dữ liệu của tôi, và trước khi nào' }).waitFor();
    await citizen.getByText('1 lần đọc dữ liệu của bạn chưa được xác nhận xóa đúng hạn.').waitFor();
    const row = citizen.getByRole('table', { name: 'Các lần đọc dữ liệu của bạn và thời hạn xóa' }).getByRole('row').filter({ hasText: 'Ngân hàng Giữ Lời' });
    await row.getByText('Quá hạn', { exact: true }).waitFor();
    await row.getByText('Tỉnh/thành phố').waitFor();
    await expectAccessible(citizen, 'citizen retention');

    const auditor = await signIn({ role: /Kiểm toán viên/ });
    await nav(auditor, 'Xóa dữ liệu quá hạn');
    await auditor
      .getByRole('table', { name: 'Các lần xóa đã quá hạn, chưa được xác nhận' })
      .getByRole('row')
      .filter({ hasText: 'Ngân hàng Giữ Lời' })
      .waitFor();
    await expectAccessible(auditor, 'auditor retention');

    await ok(await call(`/v1/retention/reads/${readId}/deletion-confirmation`, await bank.token(), { body: {} }));
    await auditor.reload();
    await auditor.getByText('Mọi lần xóa đã quá hạn đều đã được xác nhận.').waitFor();
    await citizen.reload();
    await citizen.getByText('Không có tổ chức nào chậm xóa dữ liệu của bạn.').waitFor();
    await citizen.getByText(/xác nhận muộn, lúc /).waitFor();
  }, 90_000);
});
