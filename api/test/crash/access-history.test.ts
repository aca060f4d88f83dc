import { describe, expect, it } from 'vitest';
import { citizenToken, registerOrganization, requests, useStack } from '../stack.js';

describe("a citizen's access history", () => {
  const shared = useStack();
  const { call, ok } = requests(() => shared.stack.url);

  it('pages through the whole history with a cursor, newest first, each event once', async () => {
    const stack = shared.stack;
    const custodian = await registerOrganization(stack, ['custodian']);
    const bank = await registerOrganization(stack, ['consumer']);
    await ok(
      await call('/v1/records', await custodian.token(), {
        body: { subject: { nationalId: '001099012345' }, category: 'residence', fields: { province: 'Huế' } },
      }),
      201,
    );
    const consent = await ok<{ id: string }>(
      await call('/v1/consents', await bank.token(), {
        body: {
          subject: { nationalId: '001099012345' },
          purpose: 'public_service_delivery',
          fields: ['residence.province'],
          mode: 'PERIODIC',
          frequency: { limit: 100, per: 'DAY' },
          validUntil: new Date(Date.now() + 86400_000).toISOString(),
          retentionDays: 1,
          justification: 'Thủ tục hành chính',
        },
      }),
      201,
    );
    const citizen = await citizenToken(stack, '001099012345');
    await ok(await call(`/v1/consents/${consent.id}/approve`, citizen, { body: {} }));
    const token = await bank.token();
    for (let i = 0; i < 7; i++) await ok(await call(`/v1/consents/${consent.id}/data`, token));

    const seen: { id: string; at: string }[] = [];
    let cursor = '';
    for (let pages = 0; pages < 10; pages++) {
      const page = await ok<{ items: { id: string; at: string }[]; nextCursor: string }>(
        await call(`/v1/me/access-events?limit=3${cursor ? `&cursor=${cursor}` : ''}`, citizen),
      );
      expect(page.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.items);
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(seen).toHaveLength(7);
    expect(new Set(seen.map((e) => e.id)).size).toBe(7);
    expect(seen.map((e) => e.at)).toEqual([...seen.map((e) => e.at)].sort().reverse());
    const all = await ok<{ items: unknown[]; nextCursor: string }>(await call('/v1/me/access-events', citizen));
    expect(all).toMatchObject({ nextCursor: '' });
    expect(all.items).toHaveLength(7);
    expect((await call('/v1/me/access-events?cursor=bm90LWEtZGF0ZXxub3BlfA', citizen)).status).toBe(400);
  });
});
