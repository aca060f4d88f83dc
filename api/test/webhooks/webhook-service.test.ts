import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newDataKey } from '../../src/infra/aead.js';
import { createWebhooks, MemoryWebhookStore, verifyWebhook, type Webhooks } from '../../src/webhooks/index.js';
import { TestClock } from '../support/fixtures.js';

// The webhook service and dispatcher against their ports: the in-memory outbox (held to the Postgres
// outbox's contract), a test clock, and a real HTTP receiver on this machine's loopback.
const ORG = '0190c1b2-0000-7000-8000-0000000000aa';

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

describe('webhooks', () => {
  let receiver: Server;
  let url: string;
  let received: Received[];
  let answer: number;
  let clock: TestClock;
  let store: MemoryWebhookStore;
  let webhooks: Webhooks;
  let wakes: number;
  const logged: string[] = [];

  beforeEach(async () => {
    received = [];
    answer = 204;
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.statusCode = answer;
        res.end();
      });
    });
    await new Promise<void>((ok) => receiver.listen(0, '127.0.0.1', ok));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
    clock = new TestClock(new Date('2026-03-10T10:00:00.000Z'));
    store = new MemoryWebhookStore(clock);
    webhooks = createWebhooks({
      store,
      options: { kek: newDataKey(), allowLoopbackHttp: true, retryBaseMs: 1_000, maxAttempts: 3, log: (m) => void logged.push(m), intervalMs: 50 },
      clock,
      random: () => 0.5, // the jitter's middle: each delay is exactly base × 2^(attempt-1)
    });
    wakes = 0;
    const wake = webhooks.dispatcher.wake.bind(webhooks.dispatcher);
    webhooks.dispatcher.wake = () => {
      wakes++;
      wake();
    };
  });

  afterEach(async () => {
    await webhooks.dispatcher.stop();
    expect(logged.splice(0)).toEqual([]); // no dispatch round failed
    await new Promise((ok) => receiver.close(ok));
  });

  describe('registering endpoints', () => {
    it('shows the signing secret once and keeps it only sealed', async () => {
      const endpoint = await webhooks.service.register(ORG, url);
      expect(endpoint.secret).toMatch(/^whsec_[A-Za-z0-9_-]{32}$/);
      const [kept] = await store.endpoints(ORG);
      expect(kept!.sealedSecret.includes(Buffer.from(endpoint.secret))).toBe(false);
      expect(await webhooks.service.endpoints(ORG)).toEqual([{ id: endpoint.id, url, createdAt: '2026-03-10T10:00:00.000Z' }]);
    });

    it.each([
      ['not a url', 'not a URL'],
      ['https://user:pw@hooks.example/x', 'no user:password'],
      ['ftp://127.0.0.1/x', 'must be https'],
    ])('refuses %s as invalid_request', async (bad, message) => {
      await expect(webhooks.service.register(ORG, bad)).rejects.toMatchObject({ code: 'invalid_request', extra: { errors: [{ path: '/url', message }] } });
    });

    it('refuses plain http outside development, and private addresses always', async () => {
      const production = createWebhooks({ store, options: { kek: newDataKey(), allowLoopbackHttp: false, retryBaseMs: 1, maxAttempts: 1, log: () => {} } });
      await expect(production.service.register(ORG, url)).rejects.toMatchObject({ code: 'invalid_request' });
      await expect(webhooks.service.register(ORG, 'https://10.0.0.1/hooks')).rejects.toMatchObject({ code: 'invalid_request' });
      expect(await store.countEndpoints(ORG)).toBe(0);
    });

    it('allows ten endpoints an organisation, not eleven', async () => {
      for (let i = 0; i < 10; i++) await webhooks.service.register(ORG, `${url}/${i}`);
      await expect(webhooks.service.register(ORG, `${url}/10`)).rejects.toMatchObject({ code: 'conflict' });
    });
  });

  describe('delivering', () => {
    it('queues nothing for an organisation without endpoints', async () => {
      await webhooks.service.notify(ORG, 'consent.approved', { consentId: 'c-1' });
      expect(wakes).toBe(0);
      expect(await store.claimDue(10, 0)).toEqual([]);
    });

    it('delivers a signed event to every endpoint, once, and records it', async () => {
      const a = await webhooks.service.register(ORG, `${url}/a`);
      const b = await webhooks.service.register(ORG, `${url}/b`);
      await webhooks.service.notify(ORG, 'consent.approved', { consentId: 'c-1' });
      expect(wakes).toBe(1);
      await webhooks.dispatcher.dispatchDue();
      expect(received).toHaveLength(2);
      const secrets = new Map([
        [`/hooks/a`, a.secret],
        [`/hooks/b`, b.secret],
      ]);
      for (const r of received) {
        const event = JSON.parse(r.body) as { id: string; type: string; createdAt: string; data: unknown };
        expect(event).toMatchObject({ type: 'consent.approved', createdAt: '2026-03-10T10:00:00.000Z', data: { consentId: 'c-1' } });
        expect(r.headers['cv-event-id']).toBe(event.id);
        const nowSeconds = Date.parse('2026-03-10T10:00:00.000Z') / 1000;
        const secret = [...secrets.values()].find((s) => verifyWebhook(s, r.body, String(r.headers['cv-signature']), nowSeconds));
        expect(secret).toBeDefined();
        expect(verifyWebhook('whsec_wrong', r.body, String(r.headers['cv-signature']), nowSeconds)).toBe(false);
      }
      const deliveries = (await webhooks.service.deliveries(ORG)) as {
        status: string;
        attempts: number;
        deliveredAt: string | null;
        nextAttemptAt: string | null;
      }[];
      expect(deliveries.map((d) => [d.status, d.attempts, d.deliveredAt, d.nextAttemptAt])).toEqual([
        ['DELIVERED', 1, '2026-03-10T10:00:00.000Z', null],
        ['DELIVERED', 1, '2026-03-10T10:00:00.000Z', null],
      ]);
      await webhooks.dispatcher.dispatchDue();
      expect(received).toHaveLength(2);
    });

    it('retries a refused delivery after 1 s, then 2 s, and gives up after the last attempt', async () => {
      await webhooks.service.register(ORG, url);
      answer = 500;
      await webhooks.service.notify(ORG, 'consent.revoked', { consentId: 'c-2' });
      const state = async () =>
        ((await webhooks.service.deliveries(ORG)) as { status: string; attempts: number; lastError: string | null; nextAttemptAt: string | null }[])[0]!;

      await webhooks.dispatcher.dispatchDue();
      expect(await state()).toEqual(
        expect.objectContaining({ status: 'PENDING', attempts: 1, lastError: 'delivery failed', nextAttemptAt: '2026-03-10T10:00:01.000Z' }),
      );
      clock.advance(999);
      await webhooks.dispatcher.dispatchDue();
      expect(received).toHaveLength(1); // not due yet
      clock.advance(1);
      await webhooks.dispatcher.dispatchDue();
      expect(await state()).toEqual(expect.objectContaining({ status: 'PENDING', attempts: 2, nextAttemptAt: '2026-03-10T10:00:03.000Z' }));
      clock.advance(2_000);
      await webhooks.dispatcher.dispatchDue();
      expect(await state()).toEqual(expect.objectContaining({ status: 'FAILED', attempts: 3, lastError: 'delivery failed', nextAttemptAt: null }));
      clock.advance(60_000);
      await webhooks.dispatcher.dispatchDue();
      expect(received).toHaveLength(3);
    });

    it('recovers when the endpoint comes back before the attempts run out', async () => {
      await webhooks.service.register(ORG, url);
      answer = 503;
      await webhooks.service.notify(ORG, 'consent.paused', {});
      await webhooks.dispatcher.dispatchDue();
      answer = 200;
      clock.advance(1_000);
      await webhooks.dispatcher.dispatchDue();
      expect(((await webhooks.service.deliveries(ORG)) as { status: string; attempts: number; lastError: string | null }[])[0]).toMatchObject({
        status: 'DELIVERED',
        attempts: 2,
        lastError: null,
      });
    });

    it('says only "delivery failed" when nothing listens, never what the network answered', async () => {
      const endpoint = await webhooks.service.register(ORG, url);
      await new Promise((ok) => receiver.close(ok));
      receiver = createServer().listen(0, '127.0.0.1');
      await webhooks.service.notify(ORG, 'consent.approved', {});
      await webhooks.dispatcher.dispatchDue();
      const [delivery] = (await webhooks.service.deliveries(ORG)) as { endpointId: string; lastError: string }[];
      expect(delivery).toMatchObject({ endpointId: endpoint.id, lastError: 'delivery failed' });
    });
  });

  describe('as a worker', () => {
    it('delivers what is queued while started, and nothing once stopped', async () => {
      await webhooks.service.register(ORG, url);
      webhooks.dispatcher.start();
      await webhooks.service.notify(ORG, 'consent.approved', { n: 1 });
      await expect.poll(() => received.length, { timeout: 5_000 }).toBe(1);
      await webhooks.dispatcher.stop();
      await webhooks.service.notify(ORG, 'consent.approved', { n: 2 });
      await new Promise((r) => setTimeout(r, 200)); // several of the dispatcher's 50 ms rounds
      expect(received).toHaveLength(1);
      expect(webhooks.dispatcher.name).toBe('webhook-dispatcher');
    });

    it('waits for the round in flight before it stops', async () => {
      await webhooks.service.register(ORG, url);
      let release!: () => void;
      const gate = new Promise<void>((ok) => (release = ok));
      let arrived = false;
      receiver.removeAllListeners('request');
      receiver.on('request', (req, res) => {
        arrived = true;
        req.resume();
        void gate.then(() => {
          received.push({ headers: req.headers, body: '' });
          res.end();
        });
      });
      webhooks.dispatcher.start();
      await webhooks.service.notify(ORG, 'consent.approved', {});
      await expect.poll(() => arrived, { timeout: 5_000 }).toBe(true); // the attempt is under way
      let stopped = false;
      const stopping = webhooks.dispatcher.stop().then(() => (stopped = true));
      await new Promise((r) => setTimeout(r, 100));
      expect(stopped).toBe(false);
      release();
      await stopping;
      expect(((await webhooks.service.deliveries(ORG)) as { status: string }[])[0]!.status).toBe('DELIVERED');
    });
  });
});
