import { request as httpRequest, type ClientRequest, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { checkDestination, connectedAddressAllowed, pinnedLookup } from './destination.js';
import { signWebhook } from './webhook-signature.js';

const DELIVERY_TIMEOUT_MS = 5_000;

/** One signed attempt at a delivery: the error to record, or undefined when the endpoint took it. */
export type Deliver = (attempt: { url: string; secret: string; id: string; payload: unknown; nowSeconds: number }) => Promise<string | undefined>;

/**
 * One attempt over HTTP; answers the error to record, or undefined when the endpoint took it (2xx).
 * The error is only ever "delivery failed": an organisation learns that it failed, never what the
 * network looked like (a refused address, a timeout, a reset), so `lastError` cannot be used to scan ports.
 */
export function httpDelivery(allowLoopbackHttp: boolean): Deliver {
  return async ({ url, secret, id, payload, nowSeconds }) => {
    const body = JSON.stringify(payload);
    try {
      const target = new URL(url);
      await checkDestination(target, allowLoopbackHttp);
      const status = await post(target, allowLoopbackHttp, body, {
        'content-type': 'application/json',
        'cv-event-id': id,
        'cv-signature': signWebhook(secret, body, nowSeconds),
      });
      return status >= 200 && status < 300 ? undefined : 'delivery failed';
    } catch {
      return 'delivery failed';
    }
  };
}

/**
 * POSTs over a fresh connection whose address is pinned to the one the policy checked: the socket's
 * lookup only yields allowed addresses, and the peer is checked again once connected (IP literals
 * skip the lookup). Redirects are not followed. Answers the HTTP status.
 */
function post(url: URL, allowLoopbackHttp: boolean, body: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const options: RequestOptions = {
      method: 'POST',
      headers: { ...headers, 'content-length': Buffer.byteLength(body) },
      agent: false,
      lookup: pinnedLookup(url, allowLoopbackHttp),
      timeout: DELIVERY_TIMEOUT_MS,
    };
    const req: ClientRequest = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, options, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('socket', (socket) => {
      socket.once('connect', () => {
        if (!connectedAddressAllowed(url, allowLoopbackHttp, socket.remoteAddress)) req.destroy(new Error('destination refused'));
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}
