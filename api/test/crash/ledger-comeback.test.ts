import { describe, expect, it } from 'vitest';
import { citizenToken, registerOrganization, requests, useStack } from '../stack.js';

const AN = '001099012345';

describe("the ledger's come-back", () => {
  const shared = useStack();
  const { call, ok } = requests(() => shared.stack.url);

  it('is followed within seconds after a long outage: ledger calls answer again and the projectors catch up', async () => {
    const stack = shared.stack;
    const bank = await registerOrganization(stack, ['consumer']);
    const request = (n: number) => ({
      subject: { nationalId: AN },
      purpose: 'public_service_delivery',
      fields: ['residence.province'],
      mode: 'ONCE',
      validUntil: new Date(Date.now() + 86400_000).toISOString(),
      retentionDays: 1,
      justification: `Thủ tục số ${n}`,
    });
    const first = await ok<{ id: string }>(await call('/v1/consents', await bank.token(), { body: request(1) }), 201);
    const second = await ok<{ id: string }>(await call('/v1/consents', await bank.token(), { body: request(2) }), 201);
    const citizen = await citizenToken(stack, AN);

    await stack.stopLedger();
    // Down long enough for default back-offs to grow: the projectors' (30 s cap) would next retry
    // 15.5 s after the outage began, grpc-js's reconnects spread out too.
    const downUntil = Date.now() + 8_000;
    while (Date.now() < downUntil) {
      expect((await call('/ready', undefined)).status).toBe(503);
      await new Promise((r) => setTimeout(r, 500));
    }
    await stack.startLedger();
    const back = Date.now();

    // A change made elsewhere right after the come-back reaches the read model within seconds.
    for (;;) {
      const done = await stack.api.ledger.submit('consent', 'RejectConsent', second.id).then(
        () => true,
        () => false,
      );
      if (done || Date.now() - back > 20_000) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    for (;;) {
      const [row] = await stack.api.sql<{ status: string }[]>`select status from consents where id = ${second.id}`;
      if (row?.status === 'REJECTED' || Date.now() - back > 20_000) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(Date.now() - back).toBeLessThan(4_000);

    // And a citizen's decision goes through.
    expect((await call(`/v1/consents/${first.id}/approve`, citizen, { body: {} })).status).toBe(200);
  }, 60_000);
});
