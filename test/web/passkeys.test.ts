import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { decodeJwt } from 'jose';
import { CitizenVault, verifyEvidencePackage } from '@citizen-vault/sdk';
import { seedDemoData } from '@citizen-vault/api';
import { startStack, type TestStack } from '../../api/test/stack.js';
import { HAS_CHROMIUM, launch, newContext, NO_BROWSER_REASON, signInThroughPortal } from './browser.js';

const CLI = resolve(import.meta.dirname, '../../sdk/bin/citizen-vault-audit.mjs');
const run = promisify(execFile);

interface DemoFile {
  organizations: Record<string, { id: string; signingKey: never; encryptionKey: never }>;
}

interface InPage {
  status: number;
  body: Record<string, unknown>;
}

if (!HAS_CHROMIUM) console.warn(`passkey browser tests SKIPPED: ${NO_BROWSER_REASON}`);

// WebAuthn needs a domain as its relying party id, so this stack's public URL is http://localhost:PORT.
describe.skipIf(!HAS_CHROMIUM)("passkeys: the citizen's device signs consent decisions (Chromium, virtual authenticator)", () => {
  let stack: TestStack;
  let base: string;
  let bank: CitizenVault;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const problemsSeen: string[][] = [];
  // The first citizen's page and authenticator, kept across tests: the passkey lives in it.
  let page: Page;
  let cdp: CDPSession;
  let authenticatorId: string;
  // The first decision's signed request and its answer, for the retries of later tests.
  let firstSigned: { consentId: string; body: { response: { id: string; response: { clientDataJSON: string } } }; answer: Record<string, unknown> };

  beforeAll(async () => {
    stack = await startStack({ publicHost: 'localhost' });
    base = `http://localhost:${stack.api.port}`;
    const { file } = await seedDemoData(stack.url, base, stack.dataDir);
    const b = (JSON.parse(await readFile(file, 'utf8')) as DemoFile).organizations.bank!;
    bank = await CitizenVault.create({ baseUrl: base, organizationId: b.id, signingKey: b.signingKey, encryptionKey: b.encryptionKey });
    browser = await launch();
  }, 120_000);
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await stack?.close();
    for (const p of problemsSeen) expect(p, 'CSP violations or page errors').toEqual([]);
  });

  const askCitizen = (nationalId: string, fields: string[]) =>
    bank.consents.request({
      nationalId,
      purpose: 'credit_scoring',
      fields,
      mode: 'PERIODIC',
      frequency: { limit: 10, per: 'DAY' },
      validUntil: new Date(Date.now() + 90 * 86_400_000),
      retentionDays: 30,
      justification: 'Thẩm định hồ sơ vay mua nhà',
      crossBorder: false,
      onwardTransfer: false,
    });

  async function open(withAuthenticator: boolean): Promise<{ page: Page; cdp: CDPSession; authenticatorId: string }> {
    const { context, problems } = await newContext(browser, base);
    contexts.push(context);
    problemsSeen.push(problems);
    const p = await context.newPage();
    const session = await context.newCDPSession(p);
    let id = '';
    if (withAuthenticator) {
      await session.send('WebAuthn.enable');
      ({ authenticatorId: id } = await session.send('WebAuthn.addVirtualAuthenticator', {
        options: {
          protocol: 'ctap2',
          transport: 'internal',
          hasResidentKey: true,
          hasUserVerification: true,
          isUserVerified: true,
          automaticPresenceSimulation: true,
        },
      }));
    }
    return { page: p, cdp: session, authenticatorId: id };
  }

  /** The real flow: the portal's button, the development identity provider's page, back with a session cookie. */
  async function signInCitizen(p: Page, nationalId: string): Promise<void> {
    await signInThroughPortal(p, { nationalId });
    await p.getByRole('heading', { level: 1, name: 'Yêu cầu đang chờ bạn' }).waitFor();
  }

  /** A request from inside the page, with its session cookie and CSRF token, as the portal makes them. */
  const inPage = (p: Page, path: string, method = 'GET', body?: unknown): Promise<InPage> =>
    p.evaluate(
      async ({ path, method, body }) => {
        const session = (await (await fetch('/auth/session')).json()) as { csrfToken: string };
        const res = await fetch(path, {
          method,
          headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrfToken },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        const text = await res.text();
        return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
      },
      { path, method, body },
    );

  /** Asks the API for a decision's challenge and has the device (the virtual authenticator) sign it, without sending the answer. */
  const deviceSigns = (p: Page, consentId: string, action: string) =>
    p.evaluate(
      async ({ consentId, action }) => {
        const b = (s: string) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4)), (c) => c.charCodeAt(0));
        const e = (buf: ArrayBuffer) =>
          btoa(String.fromCharCode(...new Uint8Array(buf)))
            .replace(/\+/g, '-')
            .replace(/\//g, '_')
            .replace(/=+$/, '');
        const session = (await (await fetch('/auth/session')).json()) as { csrfToken: string };
        const res = await fetch(`/v1/consents/${consentId}/decision-challenge`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrfToken },
          body: JSON.stringify({ action }),
        });
        const { statement, options } = (await res.json()) as {
          statement: Record<string, unknown>;
          options: { challenge: string; rpId: string; allowCredentials: { id: string }[] };
        };
        const credential = (await navigator.credentials.get({
          publicKey: {
            challenge: b(options.challenge),
            rpId: options.rpId,
            allowCredentials: options.allowCredentials.map((c) => ({ type: 'public-key' as const, id: b(c.id) })),
            userVerification: 'required',
          },
        })) as PublicKeyCredential;
        const r = credential.response as AuthenticatorAssertionResponse;
        return {
          statement,
          response: {
            id: credential.id,
            rawId: e(credential.rawId),
            type: 'public-key',
            response: { clientDataJSON: e(r.clientDataJSON), authenticatorData: e(r.authenticatorData), signature: e(r.signature) },
            clientExtensionResults: {},
          },
        };
      },
      { consentId, action },
    );

  /** Has the device sign a challenge already issued (and spent) once more: another assertion over the same challenge. */
  const deviceSignsAgain = (p: Page, challenge: string, credentialId: string) =>
    p.evaluate(
      async ({ challenge, credentialId }) => {
        const b = (s: string) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4)), (c) => c.charCodeAt(0));
        const e = (buf: ArrayBuffer) =>
          btoa(String.fromCharCode(...new Uint8Array(buf)))
            .replace(/\+/g, '-')
            .replace(/\//g, '_')
            .replace(/=+$/, '');
        const credential = (await navigator.credentials.get({
          publicKey: {
            challenge: b(challenge),
            rpId: location.hostname,
            allowCredentials: [{ type: 'public-key', id: b(credentialId) }],
            userVerification: 'required',
          },
        })) as PublicKeyCredential;
        const r = credential.response as AuthenticatorAssertionResponse;
        return {
          id: credential.id,
          rawId: e(credential.rawId),
          type: 'public-key',
          response: { clientDataJSON: e(r.clientDataJSON), authenticatorData: e(r.authenticatorData), signature: e(r.signature) },
          clientExtensionResults: {},
        };
      },
      { challenge, credentialId },
    );

  it('registers a passkey, lists it, approves with it, and the ledger keeps the key and assertion hashes; a retry answers the same decision', async () => {
    const consent = await askCitizen('000000000101', ['residence.province', 'residence.ward', 'health_insurance.cardNumber']);
    ({ page, cdp, authenticatorId } = await open(true));
    await signInCitizen(page, '000000000101');
    await page.getByText(/Hãy thêm khoá truy cập để chính thiết bị của bạn ký/).waitFor();
    await page.getByRole('button', { name: 'Thêm khoá truy cập' }).click();
    await page.getByText('Đã thêm khoá truy cập. Thiết bị của bạn sẽ ký các quyết định tiếp theo.').waitFor();
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    expect(credentials).toHaveLength(1);
    const passkeys = (await inPage(page, '/v1/me/passkeys')).body.items as { id: string; publicKeyHash: string }[];
    expect(passkeys).toHaveLength(1);
    // The panel lists it: its fingerprint, when it was added, never used yet.
    const listed = page.getByRole('list', { name: 'Các khoá truy cập của bạn' }).getByRole('listitem');
    await expect.poll(() => listed.count()).toBe(1);
    const item = listed.first();
    expect(await item.getAttribute('aria-label')).toBe(`Khoá truy cập ${passkeys[0]!.publicKeyHash.slice(0, 8).toUpperCase()}`);
    expect(await item.innerText()).toMatch(/Thêm lúc .*2\d{3}.*chưa dùng lần nào/s);

    const card = page.getByRole('article', { name: 'Ngân hàng Số An Tâm (demo)' });
    await card.getByRole('checkbox', { name: /Mã thẻ BHYT/ }).uncheck();
    const [signedAnswer] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith(`/v1/consents/${consent.id}/signed-decision`)),
      card.getByRole('button', { name: 'Chỉ đồng ý 2 mục đã chọn' }).click(),
    ]);
    const signed = signedAnswer.request();
    expect(signedAnswer.status()).toBe(200);
    firstSigned = {
      consentId: consent.id,
      body: JSON.parse(signed.postData()!) as typeof firstSigned.body,
      answer: (await signedAnswer.json()) as Record<string, unknown>,
    };
    await page.getByText(/Bạn đã đồng ý cho Ngân hàng Số An Tâm \(demo\) dùng 2 mục/).waitFor();
    expect((await bank.consents.readData(consent.id)).fields).toEqual({ 'residence.province': 'Hà Nội', 'residence.ward': 'Hàng Bài' });

    // On the ledger: the credential's public-key hash and the assertion's hash, with the decision.
    const onLedger = JSON.parse(Buffer.from(await stack.api.ledger.evaluate('consent', 'GetDecisionEvidence', consent.id)).toString()) as {
      items: { action: string; publicKeyHash: string; assertionHash: string; txId: string }[];
    };
    expect(onLedger.items).toHaveLength(1);
    expect(onLedger.items[0]).toMatchObject({ action: 'approve', publicKeyHash: passkeys[0]!.publicKeyHash });
    const decisions = (await inPage(page, '/v1/me/consent-decisions')).body.items as { consentId: string; method: string; transactionId: string }[];
    expect(decisions.find((d) => d.consentId === consent.id)).toMatchObject({ method: 'passkey', transactionId: onLedger.items[0]!.txId });

    // The same signed answer again (as a client whose answer was lost would send it): the same
    // decision, byte for byte, and nothing new on the ledger.
    const retry = await inPage(page, `/v1/consents/${consent.id}/signed-decision`, 'POST', firstSigned.body);
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual(firstSigned.answer);
    expect(retry.body).toMatchObject({ consentId: consent.id, status: 'ACTIVE', transactionId: onLedger.items[0]!.txId });
    // Another assertion over the same, spent challenge: refused.
    const challenge = (JSON.parse(Buffer.from(firstSigned.body.response.response.clientDataJSON, 'base64url').toString()) as { challenge: string }).challenge;
    const other = await deviceSignsAgain(page, challenge, firstSigned.body.response.id);
    expect(other.response.signature).not.toBe((firstSigned.body.response.response as { signature?: string }).signature);
    const replay = await inPage(page, `/v1/consents/${consent.id}/signed-decision`, 'POST', { response: other });
    expect(replay.status).toBe(409);
    expect(replay.body.code).toBe('passkey_challenge_invalid');
    const after = JSON.parse(Buffer.from(await stack.api.ledger.evaluate('consent', 'GetDecisionEvidence', consent.id)).toString()) as { items: unknown[] };
    expect(after.items).toHaveLength(1);
  });

  it('hands out an evidence package that verifies offline, in the SDK and the CLI, and fails after any byte is changed', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Đồng ý của tôi', exact: true }).click();
    const card = page.getByRole('article', { name: 'Ngân hàng Số An Tâm (demo)' });
    await card.getByText('Đã ký trên thiết bị của bạn').waitFor();
    await page
      .getByRole('list', { name: 'Các khoá truy cập của bạn' })
      .getByText(/dùng lần cuối lúc/)
      .waitFor();
    const consentId = ((await inPage(page, '/v1/me/consent-decisions')).body.items as { consentId: string }[])[0]!.consentId;
    // The log signs a tree head every 2 s; until one covers the decision the package is not ready.
    for (let i = 0; i < 40 && (await inPage(page, `/v1/me/consents/${consentId}/evidence`)).status === 409; i++) await page.waitForTimeout(250);
    const [download] = await Promise.all([page.waitForEvent('download'), card.getByRole('button', { name: 'Tải bằng chứng' }).click()]);
    expect(download.suggestedFilename()).toBe(`consent-evidence-${consentId}.json`);
    const file = (await download.path())!;
    const bytes = await readFile(file);

    const result = await verifyEvidencePackage(bytes);
    expect(result).toMatchObject({ verified: true, decision: { consentId, action: 'approve', grantedFields: ['residence.province', 'residence.ward'] } });
    const pkg = JSON.parse(bytes.toString()) as { artefact: string; ledger: { transactionId: string }; assertion: object; log: { auditPath: string[] } };
    expect(pkg.artefact.split('.')).toHaveLength(3);
    expect(result.transactionId).toBe(pkg.ledger.transactionId);
    const cli = await run(process.execPath, [CLI, 'evidence', file]);
    expect(cli.stdout).toMatch(/^ok {3}approve of consent/m);
    // Pinned to the keys this vault publishes: verified; pinned to a stranger's artefact key: refused.
    const pinned = await run(process.execPath, [
      CLI,
      'evidence',
      file,
      '--trusted-key',
      `${base}/.well-known/jwks.json`,
      '--trusted-key',
      `${base}/v1/log/public-key`,
    ]);
    expect(pinned.stdout).toMatch(/^ok {3}the artefact and the tree head are signed by pinned keys/m);
    const stranger = join(stack.dataDir, 'stranger-jwks.json');
    await writeFile(
      stranger,
      JSON.stringify({ keys: [{ ...(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' }) as object), kid: 'stranger' }] }),
    );
    const refusedPin = await run(process.execPath, [CLI, 'evidence', file, '--trusted-key', stranger, '--trusted-key', `${base}/v1/log/public-key`]).then(
      () => ({ code: 0, stdout: '' }),
      (err: { code: number; stdout: string }) => err,
    );
    expect(refusedPin.code).toBe(1);
    expect(refusedPin.stdout).toMatch(/^FAIL evidence package: the artefact was signed with key .+, which is not among the keys you trust/m);

    // Every single byte changed, one at a time: each copy fails.
    const started = Date.now();
    let passed = 0;
    for (let i = 0; i < bytes.length; i++) {
      const copy = Buffer.from(bytes);
      copy[i] = copy[i]! ^ 0x01;
      if ((await verifyEvidencePackage(copy)).verified) passed += 1;
    }
    console.log(`evidence package: ${bytes.length} bytes, each changed in turn, ${bytes.length - passed} refused in ${Date.now() - started} ms`);
    expect(passed).toBe(0);
    const tampered = join(stack.dataDir, 'tampered-evidence.json');
    const copy = Buffer.from(bytes);
    const at = bytes.indexOf('"signature":"') + 20;
    copy[at] = copy[at]! ^ 0x01;
    await writeFile(tampered, copy);
    const failed = await run(process.execPath, [CLI, 'evidence', tampered]).then(
      () => ({ code: 0, stdout: '' }),
      (err: { code: number; stdout: string }) => err,
    );
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/^FAIL evidence package/m);

    // Revoking asks the device too, and has evidence of its own.
    await card.getByRole('button', { name: 'Rút lại' }).click();
    const [revoked] = await Promise.all([
      page.waitForRequest((r) => r.url().endsWith(`/v1/consents/${consentId}/signed-decision`)),
      page.getByRole('dialog', { name: 'Rút lại sự đồng ý?' }).getByRole('button', { name: 'Rút lại' }).click(),
    ]);
    expect(revoked.method()).toBe('POST');
    await page.getByText(/Đã rút lại\. Ngân hàng Số An Tâm \(demo\) không còn đọc được/).waitFor();
    const latest = ((await inPage(page, '/v1/me/consent-decisions')).body.items as { consentId: string; action: string; method: string }[])[0];
    expect(latest).toMatchObject({ consentId, action: 'revoke', method: 'passkey' });
    let revocation: InPage | undefined;
    for (let i = 0; i < 40; i++) {
      revocation = await inPage(page, `/v1/me/consents/${consentId}/evidence`);
      if (revocation.status === 200 && (revocation.body.decision as { action: string }).action === 'revoke') break;
      await page.waitForTimeout(250);
    }
    const again = await page.evaluate(async (path) => (await fetch(path)).text(), `/v1/me/consents/${consentId}/evidence`);
    expect(await verifyEvidencePackage(again)).toMatchObject({
      verified: true,
      decision: { action: 'revoke', grantedFields: ['residence.province', 'residence.ward'] },
    });
    // Each package carries the artefact as its decision left it, signed then: the approval's still shows what was approved.
    const approval = ((await inPage(page, '/v1/me/consent-decisions')).body.items as { consentId: string; action: string; transactionId: string }[]).find(
      (d) => d.consentId === consentId && d.action === 'approve',
    )!;
    const approvalPackage = await page.evaluate(
      async (path) => (await fetch(path)).text(),
      `/v1/me/consents/${consentId}/evidence?transactionId=${approval.transactionId}`,
    );
    expect(await verifyEvidencePackage(approvalPackage)).toMatchObject({ verified: true, decision: { action: 'approve' } });
    const artefactOf = (pkg: string) => decodeJwt((JSON.parse(pkg) as { artefact: string }).artefact);
    expect(artefactOf(approvalPackage)).toMatchObject({ status: 'ACTIVE', grantedFields: ['residence.province', 'residence.ward'] });
    expect(artefactOf(again)).toMatchObject({ status: 'REVOKED' });
  });

  it('refuses a forged assertion, a replayed one and one for another artefact, at the API and on the ledger; nothing changes', async () => {
    const a = await askCitizen('000000000101', ['residence.province']);
    const b = await askCitizen('000000000101', ['residence.ward']);

    const forged = await deviceSigns(page, a.id, 'approve');
    const signature = Buffer.from(forged.response.response.signature, 'base64url');
    signature[signature.length - 1] = signature[signature.length - 1]! ^ 0x01;
    forged.response.response.signature = signature.toString('base64url');
    const refused = await inPage(page, `/v1/consents/${a.id}/signed-decision`, 'POST', { response: forged.response });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('passkey_assertion_invalid');

    const genuine = await deviceSigns(page, a.id, 'approve');
    const forB = await inPage(page, `/v1/consents/${b.id}/signed-decision`, 'POST', { response: genuine.response });
    expect(forB.status).toBe(403); // signed for consent A's artefact, sent as B's decision
    expect(forB.body.code).toBe('passkey_assertion_invalid');
    const again = await inPage(page, `/v1/consents/${a.id}/signed-decision`, 'POST', { response: genuine.response });
    expect(again.status).toBe(409); // its one-time challenge was spent on the attempt above
    expect(again.body.code).toBe('passkey_challenge_invalid');

    // The ledger checks for itself: a real device's assertion, sent straight to the chaincode as
    // consent B's decision, or with a changed signature, is refused there too.
    const [credential] = await stack.api.sql<{ public_key: Buffer }[]>`select public_key from passkey_credentials where id = ${genuine.response.id}`;
    const assertion = {
      credentialId: genuine.response.id,
      publicKey: credential!.public_key.toString('base64url'),
      ...genuine.response.response,
    };
    const submit = (statement: object, evidence: object) =>
      stack.api.ledger.submitTransientWithReceipt('consent', 'DecideConsentWithPasskey', [JSON.stringify(statement)], {
        passkeyAssertion: JSON.stringify(evidence),
      });
    const artefactB = (await stack.api.sql<{ artefact_hash: string }[]>`select artefact_hash from consents where id = ${b.id}`)[0]!.artefact_hash;
    await expect(submit({ ...genuine.statement, consentId: b.id, artefactHash: artefactB }, assertion)).rejects.toMatchObject({ code: 'evidence_mismatch' });
    await expect(submit(genuine.statement, { ...assertion, signature: forged.response.response.signature })).rejects.toMatchObject({
      code: 'evidence_mismatch',
    });

    // The first decision's assertion, sent again: for another consent, refused; for its own consent
    // (revoked since), the decision it made, with the state it left.
    const elsewhere = await inPage(page, `/v1/consents/${a.id}/signed-decision`, 'POST', firstSigned.body);
    expect(elsewhere.status).toBe(409);
    expect(elsewhere.body.code).toBe('passkey_challenge_invalid');
    const late = await inPage(page, `/v1/consents/${firstSigned.consentId}/signed-decision`, 'POST', firstSigned.body);
    expect(late.status).toBe(200);
    expect(late.body).toEqual(firstSigned.answer);
    expect(((await inPage(page, '/v1/me/consents?status=REVOKED')).body.items as { id: string }[]).map((c) => c.id)).toContain(firstSigned.consentId);

    const statuses = (await inPage(page, '/v1/me/consents?status=REQUESTED')).body.items as { id: string }[];
    expect(statuses.map((c) => c.id)).toEqual(expect.arrayContaining([a.id, b.id]));
  });

  it('marks a decision made without a passkey session-authenticated, and encourages adding one', async () => {
    const consent = await askCitizen('000000000102', ['residence.province']);
    const { page: other } = await open(false);
    await signInCitizen(other, '000000000102');
    await other.getByText(/Hãy thêm khoá truy cập để chính thiết bị của bạn ký/).waitFor();
    await other
      .getByRole('article', { name: 'Ngân hàng Số An Tâm (demo)' })
      .getByRole('button', { name: /Đồng ý/ })
      .first()
      .click();
    await other.getByText(/Bạn đã đồng ý cho Ngân hàng Số An Tâm \(demo\)/).waitFor();
    const decisions = (await inPage(other, '/v1/me/consent-decisions')).body.items as { consentId: string; method: string }[];
    expect(decisions.find((d) => d.consentId === consent.id)?.method).toBe('session');
    await other.getByRole('navigation').getByRole('link', { name: 'Đồng ý của tôi', exact: true }).click();
    const card = other.getByRole('article', { name: 'Ngân hàng Số An Tâm (demo)' });
    await card.getByText('Xác thực bằng phiên đăng nhập (không có khoá truy cập)').waitFor();
    expect(await card.getByRole('button', { name: 'Tải bằng chứng' }).count()).toBe(0);
    expect((await inPage(other, `/v1/me/consents/${consent.id}/evidence`)).status).toBe(404);
  });

  it('removes a passkey from the panel after a confirmation, and keeps passkeys added, refused and removed for auditors', async () => {
    const [passkey] = (await inPage(page, '/v1/me/passkeys')).body.items as { id: string; publicKeyHash: string }[];
    const list = page.getByRole('list', { name: 'Các khoá truy cập của bạn' });
    const item = list.getByRole('listitem', { name: `Khoá truy cập ${passkey!.publicKeyHash.slice(0, 8).toUpperCase()}` });
    // Cancelled: nothing removed.
    await item.getByRole('button', { name: 'Xoá khoá' }).click();
    const dialog = page.getByRole('dialog', { name: 'Xoá khoá truy cập?' });
    await dialog.getByRole('button', { name: 'Huỷ' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(((await inPage(page, '/v1/me/passkeys')).body.items as unknown[]).length).toBe(1);
    // Confirmed: gone from the panel and from the API.
    await item.getByRole('button', { name: 'Xoá khoá' }).click();
    await dialog.getByRole('button', { name: 'Xoá khoá' }).click();
    await page.getByText('Đã xoá khoá truy cập.').waitFor();
    await list.waitFor({ state: 'detached' });
    await page.getByText(/Hãy thêm khoá truy cập để chính thiết bị của bạn ký/).waitFor();
    expect(((await inPage(page, '/v1/me/passkeys')).body.items as unknown[]).length).toBe(0);
    const res = await fetch(`${stack.url}/dev/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ role: 'auditor' }),
    });
    const token = ((await res.json()) as { access_token: string }).access_token;
    const events = (await (await fetch(`${stack.url}/v1/audit/passkey-events`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
      items: { event: string; credentialId: string | null }[];
    };
    const kinds = events.items.filter((e) => e.credentialId === passkey!.id).map((e) => e.event);
    expect(kinds).toEqual(expect.arrayContaining(['passkey-added', 'passkey-refused', 'passkey-removed']));
    expect(JSON.stringify(events)).not.toContain('000000000101');
  });
});
