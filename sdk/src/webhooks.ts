import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Checks a webhook delivery: the `CV-Signature` header (`t=<unix seconds>,v1=<hex HMAC-SHA256>`)
 * over `"<t>.<raw body>"` with your endpoint's secret, and a timestamp within the tolerance.
 * Pass the raw body exactly as received.
 *
 * @example
 * if (!verifyWebhookSignature(secret, rawBody, req.headers['cv-signature'])) return res.status(400).end();
 */
export function verifyWebhookSignature(
  secret: string,
  rawBody: string,
  header: string | undefined,
  options: { toleranceSeconds?: number; now?: Date } = {},
): boolean {
  if (!header) return false;
  const parts = new Map(header.split(',').map((p) => p.trim().split('=', 2) as [string, string]));
  const t = Number(parts.get('t'));
  const v1 = parts.get('v1') ?? '';
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  if (!Number.isInteger(t) || Math.abs(now - t) > (options.toleranceSeconds ?? 300) || !/^[0-9a-f]{64}$/.test(v1)) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${rawBody}`).digest();
  return timingSafeEqual(expected, Buffer.from(v1, 'hex'));
}

/**
 * Builds the headers of a delivery as the vault would send it, for testing your webhook handler.
 *
 * @example
 * const headers = generateTestWebhookHeaders(secret, JSON.stringify(event));
 */
export function generateTestWebhookHeaders(secret: string, rawBody: string, options: { now?: Date; eventId?: string } = {}): Record<string, string> {
  const t = Math.floor((options.now ?? new Date()).getTime() / 1000);
  return {
    'content-type': 'application/json',
    'cv-event-id': options.eventId ?? 'evt_test',
    'cv-signature': `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${rawBody}`).digest('hex')}`,
  };
}
