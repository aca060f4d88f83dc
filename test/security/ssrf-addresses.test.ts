import { describe, expect, it } from 'vitest';
import { checkDestination, connectedAddressAllowed, isPublicAddress, pinnedLookup } from '../../api/src/webhooks/destination.js';
import { BLOCKED_ADDRESSES, PUBLIC_ADDRESSES, SSRF_URLS } from './ssrf-addresses.js';

/** The webhook address policy (issue 14, item 2), without a server: the classifier, the registration check and the socket's lookup. */
describe('webhook SSRF address list', () => {
  it('classifies every blocked range, in every IPv4-embedding IPv6 form, as not public', () => {
    expect(BLOCKED_ADDRESSES.filter(isPublicAddress)).toEqual([]);
    expect(PUBLIC_ADDRESSES.filter((a) => !isPublicAddress(a))).toEqual([]);
  });

  it('refuses every url of the SSRF list at registration, in production and in development', async () => {
    for (const allowLoopbackHttp of [false, true]) {
      const accepted: string[] = [];
      for (const url of SSRF_URLS) {
        const ok = await checkDestination(new URL(url), allowLoopbackHttp).then(
          () => true,
          () => false,
        );
        if (ok && !(allowLoopbackHttp && /^https:\/\/(127\.|\[::1\]|2130706433|0x7f|0177)/.test(url))) accepted.push(url);
      }
      expect(accepted, `allowLoopbackHttp=${allowLoopbackHttp}`).toEqual([]);
    }
  });

  it('never hands a delivery socket a refused address, however the name resolves', async () => {
    const resolve = (url: string, allowLoopbackHttp: boolean) =>
      new Promise<string>((ok, fail) =>
        pinnedLookup(new URL(url), allowLoopbackHttp)('localhost', { all: false }, (err, address) => (err ? fail(err) : ok(String(address)))),
      );
    // In production, a name that resolves to loopback is refused at connect time, even if it was public when registered.
    await expect(resolve('https://rebinding.example/', false)).rejects.toThrow(/refused/);
    // In development, plain http to this machine's loopback is what the local receiver uses.
    await expect(resolve('http://receiver.local/', true)).resolves.toMatch(/^(127\.|::1)/);
    expect(connectedAddressAllowed(new URL('https://x.example/'), false, '::ffff:127.0.0.1')).toBe(false);
    expect(connectedAddressAllowed(new URL('https://x.example/'), true, '::ffff:169.254.169.254')).toBe(false);
    expect(connectedAddressAllowed(new URL('https://x.example/'), false, '2606:4700:4700::1111')).toBe(true);
    expect(connectedAddressAllowed(new URL('https://x.example/'), false, undefined)).toBe(false);
  });
});
