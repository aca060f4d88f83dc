import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPublicAddress } from '../src/webhooks/destination.js';
import { signWebhook, verifyWebhook } from '../src/webhooks/webhook-signature.js';
import { citizenToken, registerOrganization, startStack, type TestOrganization, type TestStack } from './stack.js';

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

describe('consent webhooks', () => {
  let stack: TestStack;
  let bank: TestOrganization;
  let receiver: Server;
  let receiverUrl: string;
  const received: Received[] = [];
  let failuresLeft = 2;

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        if (failuresLeft > 0 && body.includes('consent.active')) {
          failuresLeft--;
          res.writeHead(503).end();
          return;
        }
        received.push({ headers: req.headers, body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((ok) => receiver.listen(0, '127.0.0.1', ok));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hooks`;
    stack = await startStack();
    bank = await registerOrganization(stack, ['consumer'], 'Ngân hàng Webhook');
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
    receiver?.close();
  });

  const call = async (path: string, token: string, body?: unknown) =>
    fetch(stack.url + path, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  it('tells the consumer of each status change, signed and timestamped, retrying until it lands', async () => {
    const registered = await call('/v1/webhooks', await bank.token(), { url: receiverUrl });
    expect(registered.status).toBe(201);
    const { secret } = (await registered.json()) as { secret: string };
    expect(secret).toMatch(/^whsec_/);

    const consent = (await (
      await call('/v1/consents', await bank.token(), {
        subject: { nationalId: '001099012345' },
        purpose: 'identity_verification',
        fields: ['identity.fullName'],
        mode: 'ONCE',
        validUntil: new Date(Date.now() + 86400_000).toISOString(),
        retentionDays: 0,
        justification: 'Mở tài khoản trực tuyến',
      })
    ).json()) as { id: string };
    await call(`/v1/consents/${consent.id}/approve`, await citizenToken(stack, '001099012345'), {});

    for (let i = 0; i < 100 && received.length < 2; i++) await new Promise((r) => setTimeout(r, 50));
    const events = received.map((r) => JSON.parse(r.body) as { type: string; data: { consentId: string; status: string } });
    expect(events.map((e) => e.type)).toEqual(['consent.requested', 'consent.active']);
    expect(events[1]!.data).toMatchObject({ consentId: consent.id, status: 'ACTIVE' });
    expect(JSON.stringify(events)).not.toContain('001099012345');
    for (const r of received) expect(verifyWebhook(secret, r.body, String(r.headers['cv-signature']), Math.floor(Date.now() / 1000))).toBe(true);

    const deliveries = (await (await call('/v1/webhooks/deliveries', await bank.token())).json()) as {
      items: { eventType: string; status: string; attempts: number }[];
    };
    const active = deliveries.items.find((d) => d.eventType === 'consent.active')!;
    expect(active).toMatchObject({ status: 'DELIVERED', attempts: 3 }); // two 503s, then delivered
  });

  it('refuses endpoints inside the network, plain http off loopback, and forged or stale signatures', async () => {
    const token = await bank.token();
    for (const url of [
      'http://example.com/hook',
      'https://169.254.169.254/latest/meta-data',
      'https://10.0.0.7/hook',
      'https://[fd00::1]/hook',
      'https://user:pw@example.com/hook',
      'not a url',
    ]) {
      expect((await call('/v1/webhooks', token, { url })).status, url).toBe(400);
    }
    expect(isPublicAddress('8.8.8.8')).toBe(true);
    expect(
      ['127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '::1', 'fe80::1', '::ffff:10.0.0.1'].filter(isPublicAddress),
    ).toEqual([]);
    const body = '{"a":1}';
    const now = Math.floor(Date.now() / 1000);
    expect(verifyWebhook('whsec_x', body, signWebhook('whsec_x', body, now), now)).toBe(true);
    expect(verifyWebhook('whsec_x', body, signWebhook('whsec_y', body, now), now)).toBe(false);
    expect(verifyWebhook('whsec_x', '{"a":2}', signWebhook('whsec_x', body, now), now)).toBe(false);
    expect(verifyWebhook('whsec_x', body, signWebhook('whsec_x', body, now - 3600), now)).toBe(false);
  });
});
