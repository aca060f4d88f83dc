import { describe, expect, it } from 'vitest';
import { citizenToken, registerOrganization, useStack } from './stack.js';

describe('Idempotency-Key on POST', () => {
  const shared = useStack();
  const post = (path: string, token: string, body: unknown, key?: string) =>
    fetch(shared.stack.url + path, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
      body: JSON.stringify(body),
    });

  it('does the work once and answers a retry with the first answer; another body under the same key is refused', async () => {
    const bank = await registerOrganization(shared.stack, ['consumer']);
    const other = await registerOrganization(shared.stack, ['consumer']);
    const request = {
      subject: { nationalId: '001099012345' },
      purpose: 'credit_scoring',
      fields: ['residence.province'],
      mode: 'ONCE',
      validUntil: new Date(Date.now() + 86400_000).toISOString(),
      retentionDays: 0,
      justification: 'Hồ sơ vay số 7',
    };
    const first = await post('/v1/consents', await bank.token(), request, 'req-7');
    expect(first.status).toBe(201);
    const firstBody = (await first.json()) as { id: string };
    const retry = await post('/v1/consents', await bank.token(), request, 'req-7'); // a new token, the same caller
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(((await retry.json()) as { id: string }).id).toBe(firstBody.id);

    const citizen = await citizenToken(shared.stack, '001099012345');
    const mine = (await (await fetch(shared.stack.url + '/v1/me/consents', { headers: { authorization: `Bearer ${citizen}` } })).json()) as {
      items: unknown[];
    };
    expect(mine.items).toHaveLength(1); // one consent, not two

    const reused = await post('/v1/consents', await bank.token(), { ...request, justification: 'Một hồ sơ khác' }, 'req-7');
    expect(reused.status).toBe(422);
    expect(((await reused.json()) as { code: string }).code).toBe('idempotency_key_reused');

    // Keys belong to their caller: another organisation's req-7 is its own request.
    const others = await post('/v1/consents', await other.token(), request, 'req-7');
    expect(others.status).toBe(201);
    expect(((await others.json()) as { id: string }).id).not.toBe(firstBody.id);

    // A decision retried after a lost answer is not an illegal second transition.
    const approve = await post(`/v1/consents/${firstBody.id}/approve`, citizen, {}, 'approve-1');
    const again = await post(`/v1/consents/${firstBody.id}/approve`, citizen, {}, 'approve-1');
    expect([approve.status, again.status]).toEqual([200, 200]);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect((await post(`/v1/consents/${firstBody.id}/approve`, citizen, {})).status).toBe(409); // without a key it is a second approval
  });

  it("lists an organisation's consents newest first, a page at a time, and only its own", async () => {
    const bank = await registerOrganization(shared.stack, ['consumer']);
    const other = await registerOrganization(shared.stack, ['consumer']);
    const token = await bank.token();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await post('/v1/consents', token, {
        subject: { nationalId: `00109901234${i}` },
        purpose: 'recruitment',
        fields: ['education.highestLevel'],
        mode: 'ONCE',
        validUntil: new Date(Date.now() + 86400_000).toISOString(),
        retentionDays: 30,
        justification: `Tuyển dụng vị trí số ${i}`,
      });
      ids.push(((await res.json()) as { id: string }).id);
    }
    await post('/v1/consents', await other.token(), {
      subject: { nationalId: '001099012340' },
      purpose: 'recruitment',
      fields: ['education.highestLevel'],
      mode: 'ONCE',
      validUntil: new Date(Date.now() + 86400_000).toISOString(),
      retentionDays: 30,
      justification: 'Một công ty khác',
    });
    const seen: string[] = [];
    let cursor = '';
    for (let pages = 0; pages < 10; pages++) {
      const res = await fetch(`${shared.stack.url}/v1/consents?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { headers: { authorization: `Bearer ${token}` } });
      const page = (await res.json()) as { items: { id: string }[]; nextCursor: string };
      seen.push(...page.items.map((c) => c.id));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(seen).toEqual([...ids].reverse());
    const bad = await fetch(`${shared.stack.url}/v1/consents?cursor=nonsense`, { headers: { authorization: `Bearer ${token}` } });
    expect(bad.status).toBe(400);
  });
});
