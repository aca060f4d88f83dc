import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { ApiError } from '../http/problem.js';

/** IPv4 ranges a webhook may never reach: private, loopback, link-local (cloud metadata), CGNAT, multicast, reserved. */
const BLOCKED_V4: [number, number][] = [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
].map(([a, bits]) => [toInt(a as string), bits as number]);

function toInt(ip: string): number {
  return ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

export function isPublicAddress(address: string): boolean {
  if (isIP(address) === 4) {
    const n = toInt(address);
    return !BLOCKED_V4.some(([base, bits]) => Math.floor(n / 2 ** (32 - bits)) === Math.floor(base / 2 ** (32 - bits)));
  }
  const a = address.toLowerCase();
  if (a.startsWith('::ffff:')) return isPublicAddress(a.slice(7));
  return !(a === '::' || a === '::1' || a.startsWith('fc') || a.startsWith('fd') || a.startsWith('fe8') || a.startsWith('fe9') || a.startsWith('fea') || a.startsWith('feb') || a.startsWith('ff'));
}

/**
 * A webhook may only go to the public internet over https (in development, also plain http to
 * this machine's loopback). The host is resolved and every address checked, at registration and
 * again before each delivery, so a name cannot later point inside the network.
 */
export async function checkDestination(url: URL, allowLoopbackHttp: boolean): Promise<void> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host) ? [host] : (await lookup(host, { all: true }).catch(() => [])).map((a) => a.address);
  if (addresses.length === 0) throw new ApiError('invalid_request', 'the webhook host does not resolve', { errors: [{ path: '/url', message: 'does not resolve' }] });
  const loopback = addresses.every((a) => a === '::1' || a.startsWith('127.'));
  if (allowLoopbackHttp && loopback && (url.protocol === 'http:' || url.protocol === 'https:')) return;
  if (url.protocol !== 'https:') throw new ApiError('invalid_request', 'webhook urls must be https', { errors: [{ path: '/url', message: 'must be https' }] });
  if (!addresses.every(isPublicAddress)) {
    throw new ApiError('invalid_request', 'webhook urls must reach the public internet', { errors: [{ path: '/url', message: 'private, loopback or link-local address' }] });
  }
}
