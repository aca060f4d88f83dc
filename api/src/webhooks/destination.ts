import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { lookup } from 'node:dns/promises';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import { DomainError } from '../errors/index.js';

/**
 * Whether a webhook may connect to this address. Only plain global unicast passes: ipaddr.js names
 * every special range (private, loopback, link-local and cloud metadata, CGNAT, multicast, reserved,
 * documentation, benchmarking), and every IPv6 form that embeds or tunnels an IPv4 address
 * (`::ffff:a.b.c.d`, `::a.b.c.d`, NAT64 `64:ff9b::/96`, 6to4 `2002::/16`, Teredo) has a range of its
 * own, so none of them can smuggle a blocked IPv4 address through. IPv6 must also lie in 2000::/3,
 * the only block allocated for global unicast (site-local `fec0::/10`, discard `100::/64` are not).
 */
export function isPublicAddress(address: string): boolean {
  const parsed = strictAddress(address);
  if (!parsed || parsed.range() !== 'unicast') return false;
  return parsed.kind() === 'ipv4' || parsed.match(ipaddr.parseCIDR('2000::/3'));
}

/** This machine's loopback, as a development webhook receiver may use: 127.0.0.0/8 or ::1, never a mapped form. */
export function isLoopbackAddress(address: string): boolean {
  return strictAddress(address)?.range() === 'loopback';
}

/** An address in its plain form only (dotted quad, or IPv6): `1.2.3` or `0x7f.1` are not what a resolver or a socket reports. */
function strictAddress(address: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  const host = address.replace(/^\[|\]$/g, '');
  if (ipaddr.IPv4.isValidFourPartDecimal(host)) return ipaddr.IPv4.parse(host);
  if (ipaddr.IPv6.isValid(host)) return ipaddr.IPv6.parse(host);
  return undefined;
}

/** The addresses a delivery to `url` may connect to. */
function allowedFor(url: URL, allowLoopbackHttp: boolean): (address: string) => boolean {
  if (url.protocol === 'http:') return (a) => allowLoopbackHttp && isLoopbackAddress(a);
  return (a) => isPublicAddress(a) || (allowLoopbackHttp && isLoopbackAddress(a));
}

/** A name that does not resolve within this is treated as not resolving: registration answers promptly, never hangs on DNS. */
const LOOKUP_TIMEOUT_MS = 3_000;

async function resolveWithin(host: string, ms: number): Promise<string[]> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string[]>((resolve) => {
    timer = setTimeout(() => resolve([]), ms);
  });
  try {
    return await Promise.race([
      lookup(host, { all: true }).then(
        (found) => found.map((a) => a.address),
        () => [],
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function refused(message: string): DomainError {
  return new DomainError('invalid_request', `webhook urls must reach the public internet: ${message}`, { errors: [{ path: '/url', message }] });
}

/**
 * A webhook may only go to the public internet over https (in development, also plain http to
 * this machine's loopback). The host is resolved and every address checked at registration; at
 * delivery the connection itself goes through `pinnedLookup`, so the address connected to is the
 * one checked (a name cannot be re-pointed inside the network between check and connect).
 */
export async function checkDestination(url: URL, allowLoopbackHttp: boolean): Promise<void> {
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw refused('must be https');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const literal = ipaddr.isValid(host); // the URL parser has already normalised IPv4 spellings to a dotted quad
  const addresses = literal ? [host] : await resolveWithin(host, LOOKUP_TIMEOUT_MS);
  if (addresses.length === 0)
    throw new DomainError('invalid_request', 'the webhook host does not resolve', { errors: [{ path: '/url', message: 'does not resolve' }] });
  if (url.protocol === 'http:' && !(allowLoopbackHttp && addresses.every(isLoopbackAddress))) {
    throw new DomainError('invalid_request', 'webhook urls must be https', { errors: [{ path: '/url', message: 'must be https' }] });
  }
  if (!addresses.every(allowedFor(url, allowLoopbackHttp))) throw refused('private, loopback, link-local or reserved address');
}

/**
 * A `lookup` for the delivery's socket: resolves the name and hands the socket only addresses the
 * policy allows, failing when any resolved address is refused. An IP literal never reaches a lookup,
 * so `deliveryGuard` also checks the peer address once connected.
 */
export function pinnedLookup(url: URL, allowLoopbackHttp: boolean): LookupFunction {
  const allowed = allowedFor(url, allowLoopbackHttp);
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, found: LookupAddress[]) => {
      if (err) return callback(err, '', 0);
      if (found.length === 0 || !found.every((a) => allowed(a.address))) {
        return callback(Object.assign(new Error('destination refused'), { code: 'EREFUSED' }), '', 0);
      }
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, found);
      callback(null, found[0]!.address, found[0]!.family);
    });
  };
}

/** Whether the peer a delivery socket actually connected to is one the policy allows. */
export function connectedAddressAllowed(url: URL, allowLoopbackHttp: boolean, remoteAddress: string | undefined): boolean {
  return remoteAddress !== undefined && allowedFor(url, allowLoopbackHttp)(remoteAddress);
}
