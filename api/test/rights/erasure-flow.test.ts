import { createHash, createHmac } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { compactVerify, createLocalJWKSet } from 'jose';
import sodium from 'libsodium-wrappers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '@citizen-vault/chaincode/rules';
import { citizenToken, registerOrganization, requests, startStack, type TestOrganization, type TestStack } from '../stack.js';

/**
 * Issue 15 items 4 and 5 on the whole stack: WITHDRAW_ALL revoking every consent; a restriction
 * refusing reads and leaving statistics until lifted; a legal hold blocking erasure; then an erasure
 * by crypto-shredding, followed by a scan of the Postgres data directory and a call of every
 * documented route as the erased citizen and as their former consumers.
 */
const AN = '001099077001'; // erased
const BINH = '079188077002'; // restricted
const CHI = '048190077003'; // withdraws every consent
const AN_VALUES = { fullName: 'Trần Thị Xóa Sạch', cardNumber: 'HN4019876543210', streetAddress: '77 Ngõ Tẩy Trắng', hospital: 'Bệnh viện Quên Lãng' };

interface Problem {
  code: string;
}
interface RequestView {
  id: string;
  state: string;
  subjectId?: string;
}

await sodium.ready;

describe('erasure, legal hold, restriction and WITHDRAW_ALL, end to end', () => {
  let stack: TestStack;
  let custodian: TestOrganization;
  let bank: TestOrganization;
  let insurer: TestOrganization;
  let operator: string;
  let an: string;
  let binh: string;
  let chi: string;
  const { call, ok } = requests(() => stack.url);
  const devToken = async (role: string) =>
    (
      (await (
        await fetch(`${stack.url}/dev/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ role }) })
      ).json()) as { access_token: string }
    ).access_token;
  const problem = async (res: Response, status: number, code: string) => {
    const text = await res.text();
    expect(res.status, text).toBe(status);
    expect((JSON.parse(text) as Problem).code).toBe(code);
  };
  const deposit = async (nationalId: string, category: string, fields: Record<string, unknown>) =>
    ok<{ id: string; subjectId: string }>(await call('/v1/records', await custodian.token(), { body: { subject: { nationalId }, category, fields } }), 201);
  const consentFor = async (consumer: TestOrganization, nationalId: string, citizen: string, fields: string[]): Promise<string> => {
    const res = await fetch(`${stack.url}/v1/consents`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await consumer.token()}`,
        'content-type': 'application/json',
        'idempotency-key': `consent-${nationalId}-${consumer.id}`,
      },
      body: JSON.stringify({
        subject: { nationalId },
        purpose: 'credit_scoring',
        fields,
        mode: 'PERIODIC',
        frequency: { limit: 50, per: 'DAY' },
        validUntil: new Date(Date.now() + 30 * 86400_000).toISOString(),
        retentionDays: 30,
        justification: 'Thẩm định hồ sơ vay',
      }),
    });
    const { id } = await ok<{ id: string }>(res, 201);
    await ok(await call(`/v1/consents/${id}/approve`, citizen, { body: {} }));
    return id;
  };
  /** Files a request as the citizen and has the operator take it to IN_PROGRESS. */
  const fileAndStart = async (citizen: string, kind: string): Promise<RequestView> => {
    const filed = await ok<RequestView>(await call('/v1/me/rights-requests', citizen, { body: { kind } }), 201);
    await ok(await call(`/v1/rights-requests/${filed.id}/acknowledge`, operator, { body: {} }));
    return ok<RequestView>(await call(`/v1/rights-requests/${filed.id}/start`, operator, { body: {} }));
  };
  const complete = (id: string) => call(`/v1/rights-requests/${id}/complete`, operator, { body: {} });
  const counted = async () => Number((await stack.api.sql<{ n: string }[]>`select coalesce(sum(n), 0)::text as n from statistics_cube`)[0]!.n);
  const controlsOnLedger = async (subjectId: string) =>
    JSON.parse(Buffer.from(await stack.api.ledger.evaluate('rights', 'ListSubjectControls', subjectId)).toString()) as {
      type: string;
      certificateHash?: string;
      reasonHash?: string;
    }[];
  const consentOnLedger = async (id: string) =>
    JSON.parse(Buffer.from(await stack.api.ledger.evaluate('consent', 'GetConsent', id)).toString()) as { status: string };
  const waitFor = async (check: () => Promise<boolean>, what: string) => {
    for (let i = 0; i < 100; i++) {
      if (await check()) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timed out waiting for ${what}`);
  };

  beforeAll(async () => {
    stack = await startStack({ rightsRecorderIntervalMs: 500 });
    custodian = await registerOrganization(stack, ['custodian'], 'Bảo hiểm xã hội');
    bank = await registerOrganization(stack, ['consumer'], 'Ngân hàng A');
    insurer = await registerOrganization(stack, ['consumer'], 'Bảo hiểm B');
    operator = await devToken('operator');
    [an, binh, chi] = await Promise.all([citizenToken(stack, AN), citizenToken(stack, BINH), citizenToken(stack, CHI)]);
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
  });

  describe('WITHDRAW_ALL', () => {
    it('carrying it out revokes every active or paused consent of the citizen, on the ledger', async () => {
      await deposit(CHI, 'residence', { province: 'Huế', streetAddress: '3 Lê Lợi' });
      const one = await consentFor(bank, CHI, chi, ['residence.province']);
      const two = await consentFor(insurer, CHI, chi, ['residence.streetAddress']);
      await ok(await call(`/v1/consents/${two}/pause`, chi, { method: 'POST' }));
      const request = await fileAndStart(chi, 'WITHDRAW_ALL');
      expect((await ok<RequestView>(await complete(request.id))).state).toBe('COMPLETED');
      expect((await consentOnLedger(one)).status).toBe('REVOKED');
      expect((await consentOnLedger(two)).status).toBe('REVOKED');
      const mine = await ok<{ items: { id: string; status: string }[] }>(await call('/v1/me/consents', chi));
      expect(mine.items.map((c) => c.status)).toEqual(['REVOKED', 'REVOKED']);
      await problem(await call(`/v1/consents/${one}/data`, await bank.token()), 403, 'consent_not_active');
    });
  });

  describe('restriction', () => {
    let consent: string;
    let requestId: string;
    let subjectId: string;

    it('refuses reads of a restricted citizen with its own code and leaves them out of statistics, until lifted', async () => {
      await deposit(BINH, 'identity', { fullName: 'Lê Văn Bình', dateOfBirth: '1988-04-02', sex: 'male' });
      await deposit(BINH, 'residence', { province: 'Cà Mau', streetAddress: '5 Phan Ngọc Hiển' });
      consent = await consentFor(bank, BINH, binh, ['residence.province']);
      expect((await ok<{ fields: Record<string, unknown> }>(await call(`/v1/consents/${consent}/data`, await bank.token()))).fields).toEqual({
        'residence.province': 'Cà Mau',
      });
      const before = await counted();
      const request = await fileAndStart(binh, 'RESTRICT');
      requestId = request.id;
      subjectId = request.subjectId!;
      expect((await ok<RequestView>(await complete(requestId))).state).toBe('COMPLETED');

      await problem(await call(`/v1/consents/${consent}/data`, await bank.token()), 403, 'subject_restricted');
      expect(await counted()).toBe(before - 1);
      const events = await ok<{ items: { outcome: string }[] }>(await call('/v1/me/access-events', binh));
      expect(events.items[0]!.outcome).toBe('DENIED'); // the refusal is in the access log too
      expect(await ok<{ active: boolean; kind: string }>(await call(`/v1/rights-requests/${requestId}/restriction`, operator))).toMatchObject({
        active: true,
        kind: 'RESTRICT',
      });

      const lifted = await ok<{ active: boolean; liftReason: string }>(
        await call(`/v1/rights-requests/${requestId}/lift-restriction`, operator, { body: { reason: 'Citizen withdrew the restriction by letter 12/2026' } }),
      );
      expect(lifted).toMatchObject({ active: false, liftReason: 'Citizen withdrew the restriction by letter 12/2026' });
      await problem(await call(`/v1/rights-requests/${requestId}/lift-restriction`, operator, { body: { reason: 'again' } }), 409, 'illegal_transition');
      expect((await ok<{ fields: Record<string, unknown> }>(await call(`/v1/consents/${consent}/data`, await bank.token()))).fields).toEqual({
        'residence.province': 'Cà Mau',
      });
      expect(await counted()).toBe(before);
    });

    it('records the restriction and its lifting on the ledger, with the reason as a digest only', async () => {
      await waitFor(async () => (await controlsOnLedger(subjectId)).length === 2, 'the restriction events on the ledger');
      const onLedger = await controlsOnLedger(subjectId);
      expect(onLedger.map((e) => e.type).sort()).toEqual(['RESTRICTION_LIFTED', 'RESTRICTION_PLACED']);
      const lift = onLedger.find((e) => e.type === 'RESTRICTION_LIFTED')!;
      expect(lift.reasonHash).toBe(createHash('sha256').update('Citizen withdrew the restriction by letter 12/2026').digest('hex'));
      expect(JSON.stringify(onLedger)).not.toContain('letter');
      // Recording an event again (a retry after a lost answer) answers the stored record; other content under its id is refused.
      const [placed] = await stack.api.sql<{ record: Record<string, unknown> }[]>`
        select record from subject_control_events where subject_id = ${subjectId} and type = 'RESTRICTION_PLACED'`;
      const again = JSON.parse(Buffer.from(await stack.api.ledger.submit('rights', 'RecordSubjectControl', JSON.stringify(placed!.record))).toString()) as {
        txId: string;
      };
      expect(again.txId).toBe((onLedger.find((e) => e.type === 'RESTRICTION_PLACED') as unknown as { txId: string }).txId);
      await expect(
        stack.api.ledger.submit('rights', 'RecordSubjectControl', JSON.stringify({ ...placed!.record, at: new Date(0).toISOString() })),
      ).rejects.toMatchObject({ code: 'already_exists' });
    });
  });

  describe('erasure', () => {
    let subjectId: string;
    let requestId: string;
    let recordId: string;
    let consent: string;
    let wrappedKey: Buffer;
    let blindIndex: Buffer;
    let holdId: string;
    let indexKey: Buffer;
    let kek: Buffer;
    let erasureMs: number;
    const plaintexts = [AN, ...Object.values(AN_VALUES)];
    const values = (text: string) => plaintexts.filter((v) => text.includes(v));

    /** Where in the Postgres data directory (every file, WAL included) each needle's bytes are found. */
    const scan = async (needles: { what: string; bytes: Buffer }[]): Promise<string[]> => {
      const hits: string[] = [];
      let files = 0;
      for (const file of await walk(join(stack.dataDir, 'postgres'))) {
        const bytes = await readFile(file).catch(() => undefined);
        if (!bytes) continue;
        files++;
        for (const n of needles) if (bytes.includes(n.bytes)) hits.push(`${n.what} in ${file.slice(stack.dataDir.length)}`);
      }
      expect(files).toBeGreaterThan(100);
      return hits;
    };

    /** Every documented operation, its path ids filled with each of the citizen's ids, as each caller; what each answer shows of the plaintexts. */
    const everyRoute = async (callers: string[], methods: string[]): Promise<{ route: string; status: number; found: string[] }[]> => {
      const doc = (await (await fetch(stack.url + '/openapi.json')).json()) as { paths: Record<string, Record<string, unknown>> };
      const ids = [subjectId, requestId, recordId, consent];
      const seen: { route: string; status: number; found: string[] }[] = [];
      for (const [path, item] of Object.entries(doc.paths)) {
        for (const method of Object.keys(item).filter((m) => methods.includes(m))) {
          for (const id of path.includes('{') ? ids : ['']) {
            const url = path.replace(/\{[^}]+\}/g, id) + (path === '/v1/legal-holds' ? `?subjectId=${subjectId}` : '');
            for (const token of callers) {
              const res = await fetch(stack.url + url, {
                method: method.toUpperCase(),
                headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
                ...(method === 'get' ? {} : { body: '{}' }),
              });
              const text = await res.text();
              expect(res.status, `${method} ${url}: ${text}`).toBeLessThan(500);
              seen.push({ route: `${method} ${url}`, status: res.status, found: values(text) });
            }
          }
        }
      }
      return seen;
    };

    it('(before) the citizen has records, a consent in use, statistics, a session-like trail, and the sweep of every route finds their data', async () => {
      await deposit(AN, 'identity', { fullName: AN_VALUES.fullName, dateOfBirth: '1990-07-07', sex: 'female', citizenIdNumber: AN });
      await deposit(AN, 'residence', { province: 'Hà Nội', streetAddress: AN_VALUES.streetAddress });
      recordId = (await deposit(AN, 'health_insurance', { cardNumber: AN_VALUES.cardNumber, status: 'ACTIVE', registeredHospital: AN_VALUES.hospital })).id;
      consent = await consentFor(bank, AN, an, ['health_insurance.cardNumber', 'identity.fullName']);
      expect((await ok<{ fields: Record<string, unknown> }>(await call(`/v1/consents/${consent}/data`, await bank.token()))).fields).toMatchObject({
        'health_insurance.cardNumber': AN_VALUES.cardNumber,
      });
      // The citizen files the ERASE request with an Idempotency-Key: its answer is kept under their scope.
      const res = await fetch(`${stack.url}/v1/me/rights-requests`, {
        method: 'POST',
        headers: { authorization: `Bearer ${an}`, 'content-type': 'application/json', 'idempotency-key': 'erase-me-please' },
        body: JSON.stringify({ kind: 'ERASE' }),
      });
      requestId = (await ok<RequestView>(res, 201)).id;
      await ok(await call(`/v1/rights-requests/${requestId}/acknowledge`, operator, { body: {} }));
      subjectId = (await ok<RequestView>(await call(`/v1/rights-requests/${requestId}/start`, operator, { body: {} }))).subjectId!;

      const [row] = await stack.api.sql<
        { wrapped_key: Buffer; national_id_index: Buffer }[]
      >`select wrapped_key, national_id_index from subjects where id = ${subjectId}`;
      wrappedKey = row!.wrapped_key;
      blindIndex = row!.national_id_index;
      indexKey = Buffer.from((await readFile(join(stack.dataDir, 'keys', 'index.key'), 'utf8')).trim(), 'base64');
      kek = Buffer.from((await readFile(join(stack.dataDir, 'keys', 'kek.key'), 'utf8')).trim(), 'base64');
      expect(blindIndex.equals(createHmac('sha256', indexKey).update(`cv:national-id:v1|${AN}`).digest())).toBe(true);
      expect(unwraps(kek, wrappedKey, subjectId)).toBe(true); // the detector used after the erasure works
      // The scan used after the erasure finds the key where it is now (the detector works).
      await stack.api.sql`checkpoint`;
      expect(await scan([{ what: 'the wrapped data key', bytes: wrappedKey }])).not.toEqual([]);
      const idempotent = await stack.api.sql<{ scope: string }[]>`select scope from idempotency_keys where scope like 'citizen:%'`;
      expect(idempotent.length).toBeGreaterThan(0);

      const seen = await everyRoute([an, await bank.token()], ['get']);
      expect(seen.filter((s) => s.found.length > 0).map((s) => s.route)).toEqual(
        expect.arrayContaining([`get /v1/me/records`, `get /v1/consents/${consent}/data`]),
      );
    });

    it('a legal hold blocks the erasure with legal_hold_active until it is lifted; both recorded on the ledger', async () => {
      const hold = await ok<{ id: string; active: boolean }>(
        await call('/v1/legal-holds', operator, { body: { subjectId, reason: 'Court order 45/2026/QĐ-TA keeps the records' } }),
        201,
      );
      holdId = hold.id;
      expect(hold.active).toBe(true);
      await problem(await complete(requestId), 409, 'legal_hold_active');
      expect((await ok<RequestView>(await call(`/v1/rights-requests/${requestId}`, operator))).state).toBe('IN_PROGRESS');
      // Nothing was touched: the key still unwraps, the consent still reads.
      expect((await stack.api.sql`select 1 from subjects where id = ${subjectId} and wrapped_key is not null`).length).toBe(1);
      await ok(await call(`/v1/consents/${consent}/data`, await bank.token()));
      await problem(await call('/v1/legal-holds', await bank.token(), { body: { subjectId, reason: 'nope' } }), 403, 'forbidden');
      await problem(await call('/v1/legal-holds', operator, { body: { subjectId: 'x', reason: 'bad id' } }), 400, 'invalid_request');
      await problem(await call('/v1/legal-holds', operator, { body: { subjectId: crypto.randomUUID(), reason: 'nobody' } }), 404, 'not_found');
      const lifted = await ok<{ active: boolean }>(await call(`/v1/legal-holds/${holdId}/lift`, operator, { body: { reason: 'Order revoked on appeal' } }));
      expect(lifted.active).toBe(false);
    });

    it('carrying out the ERASE request crypto-shreds the citizen, revokes their consents and completes the request', async () => {
      const started = performance.now();
      const done = await ok<RequestView>(await complete(requestId));
      erasureMs = performance.now() - started;
      console.log(`one erasure (complete → answered, storage compaction included): ${erasureMs.toFixed(0)} ms`);
      expect(done.state).toBe('COMPLETED');
      const [times] = await stack.api.sql<{ to_shred: number; to_finish: number }[]>`
        select extract(epoch from shredded_at - started_at) * 1000 as to_shred, extract(epoch from finished_at - shredded_at) * 1000 as to_finish
        from erasures where request_id = ${requestId}`;
      console.log(
        `  of which: start → key destroyed ${Number(times!.to_shred).toFixed(0)} ms, key destroyed → compacted, certified, completed ${Number(times!.to_finish).toFixed(0)} ms`,
      );
      const erasure = await ok<{ steps: string[]; finishedAt: string | null }>(await call(`/v1/rights-requests/${requestId}/erasure`, operator));
      expect(erasure.steps).toEqual(['consents_revoked', 'copies_deleted', 'keys_destroyed', 'storage_compacted', 'certified']);
      expect(erasure.finishedAt).not.toBeNull();
      expect((await consentOnLedger(consent)).status).toBe('REVOKED');
      const [subject] = await stack.api.sql<{ wrapped_key: Buffer | null; national_id_index: Buffer; erased_at: Date | null }[]>`
        select wrapped_key, national_id_index, erased_at from subjects where id = ${subjectId}`;
      expect(subject!.wrapped_key).toBeNull();
      expect(subject!.erased_at).not.toBeNull();
      // The blind index no longer resolves the national id.
      const index = createHmac('sha256', indexKey).update(`cv:national-id:v1|${AN}`).digest();
      expect((await stack.api.sql`select 1 from subjects where national_id_index = ${index}`).length).toBe(0);
      expect((await stack.api.sql`select 1 from statistics_profiles where subject_id = ${subjectId}`).length).toBe(0);
      expect((await stack.api.sql`select 1 from idempotency_keys where scope like 'citizen:%' and key = 'erase-me-please'`).length).toBe(0);
      // No stored answer, of anyone, still names the subject.
      const bodies = await stack.api.sql<
        { scope: string; key: string; body: Buffer }[]
      >`select scope, key, body from idempotency_keys where octet_length(body) > 0`;
      for (const b of bodies) expect(opened(kek, b.body, `cv:idempotency:v1|${b.scope}|${b.key}`)).not.toContain(subjectId);
      // The pseudonymous trail stays: the records' commitments, the request's steps, the log leaves.
      expect((await stack.api.sql`select 1 from records where subject_id = ${subjectId}`).length).toBe(3);
      expect((await stack.api.sql`select 1 from access_events where subject_id = ${subjectId}`).length).toBeGreaterThan(0);
    });

    it('serves the certificate to its owner only: signed by the vault, its hash anchored on the ledger', async () => {
      await waitFor(async () => (await controlsOnLedger(subjectId)).some((e) => e.type === 'ERASURE_CERTIFIED'), 'the certificate on the ledger');
      const served = await ok<{ certificate: Record<string, unknown>; jws: string; sha256: string; ledgerTransactionId: string | null }>(
        await call(`/v1/me/rights-requests/${requestId}/certificate`, an),
      );
      const jwks = (await (await fetch(stack.url + '/.well-known/jwks.json')).json()) as { keys: [] };
      const { payload, protectedHeader } = await compactVerify(served.jws, createLocalJWKSet(jwks));
      expect(protectedHeader.typ).toBe('erasure-certificate+jws');
      expect(JSON.parse(new TextDecoder().decode(payload))).toEqual(served.certificate);
      expect(served.sha256).toBe(createHash('sha256').update(canonicalJson(served.certificate)).digest('hex'));
      expect(served.certificate).toMatchObject({ requestId, subjectId, consentsRevoked: [consent], storageCompacted: true });
      expect(served.ledgerTransactionId).toMatch(/^[0-9a-f]{64}$/);
      const onLedger = await controlsOnLedger(subjectId);
      expect(onLedger.find((e) => e.type === 'ERASURE_CERTIFIED')!.certificateHash).toBe(served.sha256);
      expect(onLedger.map((e) => e.type).sort()).toEqual(['ERASURE_CERTIFIED', 'LEGAL_HOLD_LIFTED', 'LEGAL_HOLD_PLACED']);
      expect(JSON.stringify(served.certificate) + JSON.stringify(onLedger)).not.toMatch(new RegExp([AN, ...Object.values(AN_VALUES), 'Court order'].join('|')));
      // Another citizen is told it does not exist; the owner also still sees the request itself.
      await problem(await call(`/v1/me/rights-requests/${requestId}/certificate`, binh), 404, 'not_found');
      expect((await ok<RequestView>(await call(`/v1/me/rights-requests/${requestId}`, an))).state).toBe('COMPLETED');
      // A hold can no longer be placed on an erased subject.
      await problem(await call('/v1/legal-holds', operator, { body: { subjectId, reason: 'too late now' } }), 409, 'subject_erased');
    });

    it('leaves no plaintext and no wrapped key that still unwraps anywhere in the Postgres data directory', async () => {
      await stack.api.sql`checkpoint`;
      const needles = [
        ...plaintexts.map((v) => ({ what: `plaintext ${v}`, bytes: Buffer.from(v, 'utf8') })),
        { what: 'the wrapped data key', bytes: wrappedKey },
        { what: 'the blind index entry', bytes: blindIndex },
      ];
      expect(await scan(needles)).toEqual([]);
      // And the only wrapped keys left unwrap to other citizens' keys, bound to their own subject ids.
      for (const s of await stack.api.sql<{ id: string; wrapped_key: Buffer }[]>`select id, wrapped_key from subjects where wrapped_key is not null`)
        expect(s.id).not.toBe(subjectId);
    });

    it('answers no documented route with their data, as the erased citizen or as their former consumers', async () => {
      const callers = [an, await bank.token(), await insurer.token(), await custodian.token()];
      const seen = await everyRoute(callers, ['get', 'post', 'put', 'patch', 'delete']);
      expect(seen.length).toBeGreaterThan(100);
      expect(seen.filter((s) => s.found.length > 0)).toEqual([]);
      expect((await ok<{ items: unknown[] }>(await call('/v1/me/records', an))).items).toEqual([]);
      await problem(await call(`/v1/consents/${consent}/data`, await bank.token()), 403, 'consent_not_active');
    });
  });
});

function unwraps(kek: Uint8Array, wrapped: Uint8Array, subjectId: string): boolean {
  try {
    opened(kek, wrapped, `cv:data-key:v1|${subjectId}|1`);
    return true;
  } catch {
    return false;
  }
}

/** Opens what infra/aead.ts seals (XChaCha20-Poly1305, nonce first). */
function opened(key: Uint8Array, sealed: Uint8Array, associatedData: string): string {
  const n = sodium.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
  return Buffer.from(sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(null, sealed.subarray(n), associatedData, sealed.subarray(0, n), key)).toString(
    'latin1',
  );
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(path)));
    else if (entry.isFile() && (await stat(path).catch(() => undefined))) out.push(path);
  }
  return out;
}
