import { describe, expect, it } from 'vitest';
import { citizenToken, registerOrganization, useStack } from './stack.js';

describe('restarting the API and the devnet in the middle of a consent', () => {
  const shared = useStack();
  const { call } = shared;

  it('keeps organisations, records, consents, decisions and the access log', async () => {
    const stack = shared.stack;
    const custodian = await registerOrganization(stack, ['custodian']);
    const bank = await registerOrganization(stack, ['consumer']);
    expect(
      (
        await call('/v1/records', await custodian.token(), {
          subject: { nationalId: '001099012345' },
          category: 'tax',
          fields: { taxCode: '8001234567', compliant: true },
        })
      ).status,
    ).toBe(201);
    const { id } = (await (
      await call('/v1/consents', await bank.token(), {
        subject: { nationalId: '001099012345' },
        purpose: 'credit_scoring',
        fields: ['tax.compliant'],
        mode: 'ONCE',
        validUntil: new Date(Date.now() + 86400_000).toISOString(),
        retentionDays: 1,
        justification: 'Hồ sơ vay số 42',
      })
    ).json()) as { id: string };

    await stack.restartAll();

    const citizen = await citizenToken(stack, '001099012345'); // new token: same key, same issuer
    expect((await call(`/v1/consents/${id}/approve`, citizen, {})).status).toBe(200);
    await stack.restartAll();

    const read = await call(`/v1/consents/${id}/data`, await bank.token());
    expect(read.status).toBe(200);
    expect(((await read.json()) as { fields: unknown }).fields).toEqual({ 'tax.compliant': true });
    expect((await call(`/v1/consents/${id}/data`, await bank.token())).status).toBe(429); // ONCE means once, across restarts
    const records = (await (await call('/v1/me/records', citizen)).json()) as { items: { fields: unknown }[] };
    expect(records.items[0]?.fields).toEqual({ taxCode: '8001234567', compliant: true });
    const events = (await (await call('/v1/me/access-events', citizen)).json()) as { items: { outcome: string }[] };
    expect(events.items.map((e) => e.outcome)).toEqual(['DENIED', 'GRANTED']);
  });
});
