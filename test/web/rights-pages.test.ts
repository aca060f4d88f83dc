import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { citizenToken, registerOrganization, requests, useStack } from '../../api/test/stack.js';
import { VietnamWorkingCalendar } from '../../api/src/rights/working-days.js';
import { dayInWords, workingDaysUntil } from '../../web/src/rights/deadline-words.js';
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

// Never a silent pass: the run says the browser tests were skipped, and why.
if (!HAS_CHROMIUM) console.warn(`rights pages browser tests SKIPPED: ${NO_BROWSER_REASON}`);

interface RequestView {
  id: string;
  kind: string;
  fields: string[];
  state: string;
  receivedAt: string;
  replyDueAt: string;
  dueAt: string;
  extension: { days: number; previousDueAt: string } | null;
}

const CITIZEN = '000000000301';
const KINDS_VI = {
  EXPORT: 'Nhận bản sao dữ liệu của tôi',
  RECTIFY: 'Chỉnh sửa dữ liệu của tôi',
  ERASE: 'Xoá dữ liệu của tôi',
  RESTRICT: 'Hạn chế xử lý dữ liệu của tôi',
  OBJECT: 'Phản đối việc xử lý dữ liệu của tôi',
  WITHDRAW_ALL: 'Rút lại mọi sự đồng ý',
} as const;

describe.skipIf(!HAS_CHROMIUM)(
  HAS_CHROMIUM ? 'the data-subject request pages, in Chromium' : `the data-subject request pages — SKIPPED: ${NO_BROWSER_REASON}`,
  () => {
    // Requests are worked by hand here, as the operator's queue shows them: the export worker stays out of the way.
    const shared = useStack({ exportIntervalMs: 3_600_000 });
    const { call, ok } = requests(() => shared.stack.url);
    const calendar = new VietnamWorkingCalendar();
    let browser: Browser;
    const contexts: BrowserContext[] = [];
    const problemsSeen: string[][] = [];
    let citizen: Page;
    let operator: Page;
    let token: string;

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
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);
      return page;
    }

    /** The real flow: the portal's button, the development identity provider's page, back with a session cookie. */
    async function signIn(page: Page, role: RegExp | { nationalId: string }, home: string): Promise<void> {
      await signInThroughPortal(page, role instanceof RegExp ? { role } : role);
      await page.getByRole('heading', { level: 1, name: home }).waitFor();
    }

    const nav = navigateTo;
    const mine = async (): Promise<RequestView[]> => (await ok<{ items: RequestView[] }>(await call('/v1/me/rights-requests', token))).items;
    const ofKind = async (kind: string): Promise<RequestView> => (await mine()).find((r) => r.kind === kind)!;
    const ref = (r: RequestView): string => r.id.slice(-8);
    const operatorToken = async (): Promise<string> =>
      (
        (await (
          await fetch(`${shared.stack.url}/dev/token`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ role: 'operator' }),
          })
        ).json()) as { access_token: string }
      ).access_token;

    const viDay = (iso: string): string => dayInWords('vi', iso, new Date());
    const enDay = (iso: string): string => dayInWords('en', iso, new Date());

    it('a citizen files a request of each kind, with the right explained, and sees each deadline in words', async () => {
      token = await citizenToken(shared.stack, CITIZEN);
      // A custodian holds the citizen's province, so a correction of it has someone to go to.
      const police = await registerOrganization(shared.stack, ['custodian'], 'Công an tỉnh');
      await ok(
        await call('/v1/records', await police.token(), { body: { subject: { nationalId: CITIZEN }, category: 'residence', fields: { province: 'Huế' } } }),
        201,
      );
      citizen = await open(DESKTOP);
      await signIn(citizen, { nationalId: CITIZEN }, 'Yêu cầu đang chờ bạn');
      await nav(citizen, 'Quyền của tôi');
      await citizen.getByRole('heading', { level: 1, name: 'Yêu cầu thực hiện quyền của tôi' }).waitFor();
      await citizen.getByText('Bạn chưa gửi yêu cầu nào.').waitFor();
      await expectAccessible(citizen, 'citizen rights requests (empty)');

      // Nothing chosen, then a correction without the items to correct: each says what is missing.
      const send = citizen.getByRole('button', { name: 'Gửi yêu cầu' });
      await send.click();
      await citizen.getByRole('alert').getByText('Hãy chọn việc bạn muốn làm.').waitFor();
      await citizen.getByRole('radio', { name: KINDS_VI.RECTIFY }).check();
      await citizen.getByRole('group', { name: 'Thông tin nào bị sai?' }).waitFor();
      await send.click();
      await citizen.getByRole('alert').getByText('Hãy chọn ít nhất một mục cần chỉnh sửa.').waitFor();
      await citizen.locator('[id="rr-f-residence.province"]').check();
      await send.click();
      await citizen.getByRole('alert').getByText('Hãy nhập giá trị đúng cho từng mục bạn đã chọn.').waitFor();
      await citizen.getByLabel('Giá trị đúng của Tỉnh/thành phố').fill('Đà Nẵng');
      await expectAccessible(citizen, 'citizen rights request form (rectify)');
      await send.click();
      await citizen
        .getByRole('status')
        .getByText(/^Đã nhận yêu cầu "Chỉnh sửa dữ liệu của tôi" của bạn\. Chúng tôi sẽ trả lời chậm nhất vào /)
        .waitFor();
      expect((await ofKind('RECTIFY')).fields).toEqual(['residence.province']);
      // It went to the custodian that deposited the province, with the value the citizen typed.
      const [task] = (
        await ok<{ items: { fields: string[]; proposed: Record<string, unknown> }[] }>(await call('/v1/rectification-tasks', await police.token()))
      ).items;
      expect(task).toMatchObject({ fields: ['residence.province'], proposed: { 'residence.province': 'Đà Nẵng' } });

      for (const kind of ['EXPORT', 'ERASE', 'RESTRICT', 'OBJECT', 'WITHDRAW_ALL'] as const) {
        const radio = citizen.getByRole('radio', { name: KINDS_VI[kind] });
        await radio.check();
        // Each right is explained in plain words, tied to its choice.
        expect((await radio.getAttribute('aria-describedby')) ?? '').not.toBe('');
        await send.click();
        if (kind === 'ERASE' || kind === 'WITHDRAW_ALL') {
          const dialog = citizen.getByRole('dialog');
          await dialog.waitFor();
          await dialog.getByRole('button', { name: 'Gửi yêu cầu' }).click();
        }
        await citizen.getByRole('status').getByText(`Đã nhận yêu cầu "${KINDS_VI[kind]}" của bạn`, { exact: false }).waitFor();
      }
      const filed = await mine();
      expect(filed.map((r) => r.kind).sort()).toEqual(['ERASE', 'EXPORT', 'OBJECT', 'RECTIFY', 'RESTRICT', 'WITHDRAW_ALL']);
      expect(new Set(filed.map((r) => r.state))).toEqual(new Set(['RECEIVED']));

      // The deadlines in words: the reply 2 working days away, the completion in Vietnam's working days.
      const exported = await ofKind('EXPORT');
      const card = citizen.getByRole('article', { name: KINDS_VI.EXPORT });
      await card.getByText('Đã nhận', { exact: true }).waitFor();
      const completionDays = workingDaysUntil(new Date(exported.dueAt), new Date(), calendar);
      await card.getByText(`còn 2 ngày làm việc, hạn chót ${viDay(exported.replyDueAt)}`, { exact: true }).waitFor();
      await card.getByText(`còn ${completionDays} ngày làm việc, hạn chót ${viDay(exported.dueAt)}`, { exact: true }).waitFor();
      expect(viDay(exported.replyDueAt)).toMatch(/^(Thứ (Hai|Ba|Tư|Năm|Sáu)), \d{1,2} tháng \d{1,2}/);
      // No download before the request is completed.
      expect(await card.getByRole('link', { name: 'Tải dữ liệu của tôi (JSON)' }).count()).toBe(0);
      await card.getByText('Các bước của yêu cầu này').click();
      await card.getByText(/Bạn gửi yêu cầu/).waitFor();
      await expectAccessible(citizen, 'citizen rights requests (filed)');
      await screenshot(citizen, 'citizen-rights-requests-desktop-vi');
    }, 90_000);

    it('the operator acknowledges and extends the request with a reason; a wrong step is refused in words', async () => {
      const exported = await ofKind('EXPORT');
      const rectify = await ofKind('RECTIFY');
      operator = await open(DESKTOP);
      await signIn(operator, /vận hành/i, 'Tổ chức');
      await nav(operator, 'Yêu cầu thực hiện quyền');
      await operator.getByRole('heading', { level: 1, name: 'Yêu cầu thực hiện quyền' }).waitFor();
      await operator.getByText('6 yêu cầu đang mở, 0 quá hạn.').waitFor();
      const card = operator.getByRole('article', { name: new RegExp(ref(exported)) });
      await card.getByText(`Trả lời: còn 2 ngày làm việc, hạn chót ${viDay(exported.replyDueAt)}`).waitFor();
      await expectAccessible(operator, 'operator rights queue');

      await card.getByRole('button', { name: 'Xác nhận đã nhận' }).click();
      await operator
        .getByRole('status')
        .getByText(`Đã xác nhận yêu cầu "${KINDS_VI.EXPORT}" (${ref(exported)}).`)
        .waitFor();
      expect((await ofKind('EXPORT')).state).toBe('ACKNOWLEDGED');

      // An extension of more days than the law allows is stopped before it is sent.
      await card.getByLabel('Số ngày (1 đến 15)').fill('20');
      await card.getByRole('button', { name: 'Gia hạn' }).click();
      await card.getByRole('alert').getByText('Số ngày gia hạn phải là số nguyên từ 1 đến 15.').waitFor();
      expect((await ofKind('EXPORT')).state).toBe('ACKNOWLEDGED');
      await card.getByLabel('Lý do gia hạn').selectOption({ label: 'Yêu cầu phức tạp' });
      await card.getByLabel('Số ngày (1 đến 15)').fill('10');
      await card.getByRole('button', { name: 'Gia hạn' }).click();
      await operator
        .getByRole('status')
        .getByText(`Đã gia hạn yêu cầu "${KINDS_VI.EXPORT}" (${ref(exported)}).`)
        .waitFor();
      const extended = await ofKind('EXPORT');
      expect(extended).toMatchObject({ state: 'EXTENDED', extension: { days: 10, previousDueAt: exported.dueAt } });
      expect(extended.dueAt).toBe(calendar.calendarDeadline(new Date(exported.dueAt), 10).toISOString());
      await card.getByText('Đã gia hạn', { exact: true }).waitFor();
      await expect(card.getByRole('button', { name: 'Gia hạn' }).count()).resolves.toBe(0); // once only

      // The page still shows the correction as just received; meanwhile another operator acknowledged it.
      const stale = operator.getByRole('article', { name: new RegExp(ref(rectify)) });
      const operatorToken = (
        (await (
          await fetch(`${shared.stack.url}/dev/token`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ role: 'operator' }),
          })
        ).json()) as { access_token: string }
      ).access_token;
      await ok(await call(`/v1/rights-requests/${rectify.id}/acknowledge`, operatorToken, { body: {} }));
      await stale.getByRole('button', { name: 'Xác nhận đã nhận' }).click();
      const alert = stale.getByRole('alert');
      await alert.getByText('Không thể làm bước này ở trạng thái hiện tại của yêu cầu. Hãy tải lại trang để xem yêu cầu đang ở đâu.').waitFor();
      expect(await alert.textContent()).not.toMatch(/illegal_transition|[{}]/);
      await screenshot(operator, 'operator-rights-queue-desktop-vi');
    }, 60_000);

    it('the citizen sees the extension, its reason and the new deadline, in Vietnamese and in English', async () => {
      const extended = await ofKind('EXPORT');
      await citizen.reload();
      const card = citizen.getByRole('article', { name: KINDS_VI.EXPORT });
      await card.getByText('Đã gia hạn', { exact: true }).waitFor();
      const days = workingDaysUntil(new Date(extended.dueAt), new Date(), calendar);
      await card.getByText(`còn ${days} ngày làm việc, hạn chót ${viDay(extended.dueAt)}`, { exact: true }).waitFor();
      await card
        .getByText(
          `Đã gia hạn một lần, thêm 10 ngày, vào ${viDay(new Date().toISOString())}: hạn chót dời từ ${viDay(extended.extension!.previousDueAt)} sang ${viDay(extended.dueAt)}. Lý do: Yêu cầu phức tạp.`,
        )
        .waitFor();
      await card.getByText('Các bước của yêu cầu này').click();
      await card.getByText(/Gia hạn thời hạn · Yêu cầu phức tạp/).waitFor();
      await expectAccessible(citizen, 'citizen rights requests (extended)');

      await citizen.getByRole('button', { name: /English/ }).click();
      await citizen.getByRole('heading', { level: 1, name: 'My rights requests' }).waitFor();
      const en = citizen.getByRole('article', { name: 'Get a copy of my data' });
      await en.getByText('Extended', { exact: true }).waitFor();
      await en.getByText(`due in ${days} working day${days === 1 ? '' : 's'}, on ${enDay(extended.dueAt)}`, { exact: true }).waitFor();
      await en
        .getByText(
          `Extended once, by 10 days, on ${enDay(new Date().toISOString())}: the deadline moved from ${enDay(extended.extension!.previousDueAt)} to ${enDay(extended.dueAt)}. Reason: The request is complex.`,
        )
        .waitFor();
      await citizen.getByRole('radio', { name: 'Withdraw all my consents' }).waitFor();
      await expectAccessible(citizen, 'citizen rights requests (English)');
      await screenshot(citizen, 'citizen-rights-requests-desktop-en');
    }, 60_000);

    it('the auditor sees an overdue request in the report, in both languages', async () => {
      const objection = await ofKind('OBJECT');
      // Time passes for one request: received a month ago and never answered.
      await shared.stack.api.sql.unsafe(
        `update rights_requests set received_at = received_at - interval '30 days', reply_due_at = reply_due_at - interval '30 days', due_at = due_at - interval '30 days' where id = $1`,
        [objection.id],
      );
      const [moved] = (await mine()).filter((r) => r.id === objection.id);
      const auditor = await open(DESKTOP);
      await signIn(auditor, /Kiểm toán viên/, 'Sổ cái');
      await nav(auditor, 'Hạn xử lý yêu cầu');
      await auditor.getByRole('heading', { level: 1, name: 'Hạn xử lý yêu cầu' }).waitFor();
      const overdue = auditor.getByRole('table', { name: /Còn mở khi đã quá hạn/ });
      const row = overdue.getByRole('row').filter({ hasText: ref(objection) });
      await row.getByText(`Trả lời: đã quá hạn, hạn chót là ${viDay(moved!.replyDueAt)}`).waitFor();
      await row.getByText(KINDS_VI.OBJECT, { exact: false }).waitFor();
      expect(await overdue.getByRole('row').count()).toBe(2); // the header and this one request
      await expectAccessible(auditor, 'auditor rights report');
      await screenshot(auditor, 'auditor-rights-report-desktop-vi');

      await auditor.getByRole('button', { name: /English/ }).click();
      await auditor.getByRole('heading', { level: 1, name: 'Request deadlines' }).waitFor();
      const enRow = auditor
        .getByRole('table', { name: /Open past their deadline/ })
        .getByRole('row')
        .filter({ hasText: ref(objection) });
      await enRow.getByText(`Reply: overdue, it was due on ${enDay(moved!.replyDueAt)}`).waitFor();
      await enRow.getByText('Object to the processing of my data', { exact: false }).waitFor();

      // The citizen and the operator see the same clock.
      await citizen.reload();
      await citizen.getByRole('article', { name: 'Object to the processing of my data' }).getByText('Overdue', { exact: true }).waitFor();
      await operator.reload();
      await operator.getByText('6 yêu cầu đang mở, 1 quá hạn.').waitFor();
    }, 60_000);

    it('once completed, the citizen is offered the export as files; once erased, the certificate is theirs alone', async () => {
      const exported = await ofKind('EXPORT');
      const erase = await ofKind('ERASE');
      await operator.reload();
      const card = operator.getByRole('article', { name: new RegExp(ref(exported)) });
      await card.getByRole('button', { name: 'Đánh dấu hoàn thành' }).click();
      await operator
        .getByRole('status')
        .getByText(`Đã hoàn thành yêu cầu "${KINDS_VI.EXPORT}" (${ref(exported)}).`)
        .waitFor();

      await citizen.reload(); // in English since the switch
      const done = citizen.getByRole('article', { name: 'Get a copy of my data' });
      await done.getByText('Completed', { exact: true }).first().waitFor();
      for (const [name, filename] of [
        ['Download my data (JSON)', new RegExp(`^export-${exported.id}\\.json$`)],
        ['Download the readable document (HTML)', new RegExp(`^export-${exported.id}\\.html$`)],
      ] as const) {
        const download = citizen.waitForEvent('download');
        await done.getByRole('button', { name }).click();
        expect((await download).suggestedFilename()).toMatch(filename);
      }
      // Requests that produced nothing to download offer nothing.
      await expect(
        citizen
          .getByRole('article', { name: 'Restrict the use of my data' })
          .getByRole('button', { name: /^Download/ })
          .count(),
      ).resolves.toBe(0);
      await expectAccessible(citizen, 'citizen rights requests (completed)');

      // Carrying out the erasure shreds the citizen: the portal finds nothing of them any more, and
      // the certificate answers only its owner, by the request's reference.
      for (const step of ['acknowledge', 'start', 'complete'])
        await ok(await call(`/v1/rights-requests/${erase.id}/${step}`, await operatorToken(), { body: {} }));
      const certificate = await ok<{ jws: string; sha256: string }>(await call(`/v1/me/rights-requests/${erase.id}/certificate`, token));
      expect(certificate.jws.split('.')).toHaveLength(3);
      expect((await call(`/v1/me/rights-requests/${erase.id}/certificate`, await citizenToken(shared.stack, '000000000302'))).status).toBe(404);
      // Erasure also ended the citizen's portal sessions.
      await citizen.reload();
      await citizen.getByRole('heading', { level: 1, name: /^(Sign in|Đăng nhập)$/ }).waitFor();
    }, 90_000);

    it('fits a 360 px phone, with the citizen page accessible and usable from the keyboard', async () => {
      const page = await open(PHONE);
      await signIn(page, { nationalId: '000000000302' }, 'Yêu cầu đang chờ bạn');
      await nav(page, 'Quyền của tôi');
      await page.getByRole('heading', { level: 1, name: 'Yêu cầu thực hiện quyền của tôi' }).waitFor();
      await page.waitForLoadState('networkidle');
      await expectNoHorizontalScroll(page);
      await expectAccessible(page, 'citizen rights requests (phone)');
      // Keyboard only: to the first choice, arrow to the next, and send with Enter.
      await page.getByRole('radio', { name: KINDS_VI.EXPORT }).focus();
      await page.keyboard.press('Space');
      await page.keyboard.press('ArrowDown');
      expect(await page.getByRole('radio', { name: KINDS_VI.RECTIFY }).isChecked()).toBe(true);
      await page.keyboard.press('ArrowUp');
      expect(await page.getByRole('radio', { name: KINDS_VI.EXPORT }).isChecked()).toBe(true);
      await page.getByRole('button', { name: 'Gửi yêu cầu' }).focus();
      await page.keyboard.press('Enter');
      await page.getByRole('status').getByText(`Đã nhận yêu cầu "${KINDS_VI.EXPORT}" của bạn`, { exact: false }).waitFor();
      await page.getByRole('article', { name: KINDS_VI.EXPORT }).waitFor();
      await expectNoHorizontalScroll(page);
      await screenshot(page, 'citizen-rights-requests-phone-vi');
    }, 60_000);
  },
);
