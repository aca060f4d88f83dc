import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { citizenToken, registerOrganization, requests, useStack, type TestStack } from '../stack.js';

const AN = '001099012345';

async function activeConsent(stack: TestStack, call: ReturnType<typeof requests>['call']) {
  const custodian = await registerOrganization(stack, ['custodian']);
  const bank = await registerOrganization(stack, ['consumer']);
  await call('/v1/records', await custodian.token(), { body: { subject: { nationalId: AN }, category: 'residence', fields: { province: 'Huế' } } });
  const res = await call('/v1/consents', await bank.token(), {
    body: {
      subject: { nationalId: AN },
      purpose: 'public_service_delivery',
      fields: ['residence.province'],
      mode: 'PERIODIC',
      frequency: { limit: 100, per: 'DAY' },
      validUntil: new Date(Date.now() + 86400_000).toISOString(),
      retentionDays: 1,
      justification: 'Thủ tục hành chính',
    },
  });
  const { id } = (await res.json()) as { id: string };
  const citizen = await citizenToken(stack, AN);
  expect((await call(`/v1/consents/${id}/approve`, citizen, { body: {} })).status).toBe(200);
  return { id, bank, citizen };
}

describe('Idempotency-Key: nothing stuck, no secret kept in clear, no token replayed', () => {
  const shared = useStack({ idempotencyLeaseMs: 600 });
  const { call } = requests(() => shared.stack.url);
  const post = (path: string, token: string, body: unknown, key: string, signal?: AbortSignal) =>
    fetch(shared.stack.url + path, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify(body),
      ...(signal ? { signal } : {}),
    });

  it('lets a citizen retry a revoke whose first attempt died after the ledger committed it, and answers with the revoked consent', async () => {
    const stack = shared.stack;
    const { id, citizen } = await activeConsent(stack, call);
    const me = (await (await call('/v1/me', citizen)).json()) as { role: string; subject: string };
    // What a process killed mid-revoke leaves: the key taken (its lease no longer renewed), the revoke on the ledger.
    const hash = createHash('sha256').update(`POST /v1/consents/${id}/revoke\n`).update(JSON.stringify({})).digest('hex');
    await stack.api
      .sql`insert into idempotency_keys (scope, key, request_hash, lease_until) values (${`${me.role}:${me.subject}`}, 'revoke-1', ${hash}, now() - interval '1 second')`;
    await stack.api.ledger.submit('consent', 'RevokeConsent', id);

    const retry = await post(`/v1/consents/${id}/revoke`, citizen, {}, 'revoke-1');
    expect(retry.status, await retry.clone().text()).toBe(200);
    expect(((await retry.json()) as { status: string }).status).toBe('REVOKED');
    const replay = await post(`/v1/consents/${id}/revoke`, citizen, {}, 'revoke-1');
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
  });

  it('refuses a retry while the first attempt is still running with 409 idempotency_key_in_use, then frees a key whose client gave up', async () => {
    const stack = shared.stack;
    const bank = await registerOrganization(stack, ['consumer']);
    const token = await bank.token();
    const body = {
      subject: { nationalId: AN },
      purpose: 'recruitment',
      fields: ['education.highestLevel'],
      mode: 'ONCE',
      validUntil: new Date(Date.now() + 86400_000).toISOString(),
      retentionDays: 1,
      justification: 'Ứng viên bỏ cuộc giữa chừng',
    };
    // The client gives up before the ledger has answered: the answer is never delivered, and the socket never "finishes".
    await post('/v1/consents', token, body, 'gave-up', AbortSignal.timeout(20)).catch(() => undefined);
    const early = await post('/v1/consents', token, body, 'gave-up');
    expect([201, 409]).toContain(early.status);
    if (early.status === 409) expect(((await early.json()) as { code: string }).code).toBe('idempotency_key_in_use');
    let answer: Response | undefined;
    for (let i = 0; i < 50 && !answer; i++) {
      const res = await post('/v1/consents', token, body, 'gave-up');
      if (res.status !== 409) answer = res;
      else await new Promise((r) => setTimeout(r, 100));
    }
    expect(answer?.status).toBe(201);
    const list = (await (await call('/v1/consents', token)).json()) as { items: unknown[] };
    expect(list.items).toHaveLength(1); // done once
  });

  it('answers the retry of a consent request that failed after the ledger committed it with that consent, not a second one', async () => {
    const stack = shared.stack;
    const bank = await registerOrganization(stack, ['consumer']);
    const token = await bank.token();
    const ledger = stack.api.ledger;
    const real = ledger.submitWithReceipt.bind(ledger);
    let committedId: string | undefined;
    ledger.submitWithReceipt = async (contract, fn, ...args) => {
      const receipt = await real(contract, fn, ...args);
      if (fn !== 'RequestConsent') return receipt;
      committedId = (JSON.parse(args[0]!) as { id: string }).id;
      throw new Error('the process died right after the commit'); // what the request sees: a failure after the ledger said yes
    };
    const body = {
      subject: { nationalId: AN },
      purpose: 'recruitment',
      fields: ['education.highestLevel'],
      mode: 'ONCE',
      validUntil: new Date(Date.now() + 86400_000).toISOString(),
      retentionDays: 1,
      justification: 'Hồ sơ tuyển dụng số 9',
    };
    try {
      expect((await post('/v1/consents', token, body, 'request-9')).status).toBe(500);
    } finally {
      ledger.submitWithReceipt = real;
    }
    const retry = await post('/v1/consents', token, body, 'request-9');
    expect(retry.status).toBe(201);
    expect((await retry.json()) as { id: string; justification: string }).toMatchObject({ id: committedId, justification: 'Hồ sơ tuyển dụng số 9' });
    const list = (await (await call('/v1/consents', token)).json()) as { items: unknown[] };
    expect(list.items).toHaveLength(1);
  });

  it('answers the retry of a deposit that failed after its commitment committed with that record: no second copy', async () => {
    const stack = shared.stack;
    const custodian = await registerOrganization(stack, ['custodian']);
    const token = await custodian.token();
    const ledger = stack.api.ledger;
    const real = ledger.submitWithReceipt.bind(ledger);
    ledger.submitWithReceipt = async (contract, fn, ...args) => {
      const receipt = await real(contract, fn, ...args);
      if (fn === 'AnchorCommitment') throw new Error('the process died right after the commit');
      return receipt;
    };
    const body = { subject: { nationalId: '079188004321' }, category: 'tax', fields: { taxCode: '8009990001', compliant: true } };
    try {
      expect((await post('/v1/records', token, body, 'deposit-1')).status).toBe(500);
    } finally {
      ledger.submitWithReceipt = real;
    }
    const retry = await post('/v1/records', token, body, 'deposit-1');
    expect(retry.status).toBe(201);
    const { id } = (await retry.json()) as { id: string };
    const citizen = await citizenToken(stack, '079188004321');
    const mine = (await (await call('/v1/me/records', citizen)).json()) as { items: { id: string; category: string }[] };
    expect(mine.items.filter((r) => r.category === 'tax').map((r) => r.id)).toEqual([id]);
    expect(await stack.api.sql`select 1 from log_leaves where kind = 'record_deposit' and (entry::jsonb ->> 'recordId') = ${id}`).toHaveLength(1);
  });

  it("keeps stored answers sealed: a webhook's one-time secret is replayed, never stored in clear", async () => {
    const stack = shared.stack;
    const bank = await registerOrganization(stack, ['consumer']);
    const token = await bank.token();
    const first = await post('/v1/webhooks', token, { url: 'http://127.0.0.1:9/hooks' }, 'hook-1');
    expect(first.status).toBe(201);
    const { secret } = (await first.json()) as { secret: string };
    expect(secret).toMatch(/^whsec_/);
    const replay = await post('/v1/webhooks', token, { url: 'http://127.0.0.1:9/hooks' }, 'hook-1');
    expect(((await replay.json()) as { secret: string }).secret).toBe(secret);
    const [row] = await stack.api.sql<{ body: Buffer }[]>`select body from idempotency_keys where key = 'hook-1'`;
    expect(row!.body.length).toBeGreaterThan(0);
    expect(row!.body.toString('latin1')).not.toContain(secret);
    expect(row!.body.toString('latin1')).not.toContain('whsec_');
  });

  it('never replays a token: a garbage assertion under a used key is refused', async () => {
    const stack = shared.stack;
    const bank = await registerOrganization(stack, ['consumer']);
    const bearer = await bank.token();
    const good = await bank.token(); // a real assertion goes through /oauth/token inside token(); here we replay its form under a key
    expect(good).toBeTruthy();
    const form = (assertion: string) =>
      new URLSearchParams({
        grant_type: 'client_credentials',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: assertion,
      });
    const tokenCall = (assertion: string) =>
      fetch(stack.url + '/oauth/token', {
        method: 'POST',
        headers: { authorization: `Bearer ${bearer}`, 'idempotency-key': 'tok-1', 'content-type': 'application/x-www-form-urlencoded' },
        body: form(assertion),
      });
    await tokenCall('garbage.first.try');
    const attack = await tokenCall('garbage.second.try');
    expect(attack.status).toBeGreaterThanOrEqual(400);
    expect(attack.headers.get('idempotent-replayed')).toBeNull();
    expect(((await attack.json()) as { access_token?: string }).access_token).toBeUndefined();
    const stored = await stack.api.sql`select 1 from idempotency_keys where key = 'tok-1'`;
    expect(stored).toHaveLength(0);
  });
});
