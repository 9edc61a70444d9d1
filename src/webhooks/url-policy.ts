import dns from 'node:dns';
import net from 'node:net';

/**
 * Where webhooks may be sent. In production: https only, and never to an address inside the platform's own networks
 * (loopback, private, link-local, unique-local, CGNAT, multicast, reserved): otherwise a webhook is a way to make the
 * worker call internal services (SSRF). Hosts are checked after DNS resolution, and deliveries connect to the address
 * that was checked (`pinnedLookup`), so a name that resolves to a public address at the check and to a private one at
 * the connection (DNS rebinding) is refused too. WEBHOOKS_ALLOW_INSECURE_URLS lifts both rules (local development).
 */

const INTERNAL = new net.BlockList();
for (const [prefix, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  INTERNAL.addSubnet(prefix, bits, 'ipv4');
for (const [prefix, bits] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const)
  INTERNAL.addSubnet(prefix, bits, 'ipv6');

/** True for an address no webhook may reach in production. IPv4-mapped IPv6 addresses are judged as the IPv4 inside. */
export function isInternalAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return isInternalAddress(mapped[1]);
  const family = net.isIP(address);
  if (family === 0) return true; // not an address: fail closed
  return INTERNAL.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

export class UrlPolicyError extends Error {
  override name = 'UrlPolicyError';
  constructor(
    readonly code: 'invalid_url' | 'https_required' | 'credentials_in_url' | 'internal_address' | 'unresolvable',
    message: string,
  ) {
    super(message);
  }
}

/** The URL's parts once its form is allowed (scheme, no credentials, an internal IP literal); throws UrlPolicyError. */
export function checkUrlForm(raw: string, allowInsecure: boolean): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UrlPolicyError('invalid_url', 'not an absolute URL');
  }
  if (url.protocol !== 'https:' && !(allowInsecure && url.protocol === 'http:'))
    throw new UrlPolicyError('https_required', allowInsecure ? 'must be http or https' : 'must be https');
  if (url.username || url.password) throw new UrlPolicyError('credentials_in_url', 'must not carry a user name or password');
  const host = hostOf(url);
  if (net.isIP(host) !== 0 && !allowInsecure && isInternalAddress(host))
    throw new UrlPolicyError('internal_address', 'must not point at a loopback, private or link-local address');
  return url;
}

/** The host of a URL without IPv6 brackets. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

/** Every address `host` resolves to, refused when any is internal (and that is not allowed). */
export async function resolveAllowed(host: string, allowInsecure: boolean): Promise<dns.LookupAddress[]> {
  if (net.isIP(host) !== 0) {
    if (!allowInsecure && isInternalAddress(host))
      throw new UrlPolicyError('internal_address', 'must not point at a loopback, private or link-local address');
    return [{ address: host, family: net.isIP(host) }];
  }
  let addresses: dns.LookupAddress[];
  try {
    addresses = await dns.promises.lookup(host, { all: true, verbatim: true });
  } catch {
    throw new UrlPolicyError('unresolvable', `the host ${host} does not resolve`);
  }
  if (addresses.length === 0) throw new UrlPolicyError('unresolvable', `the host ${host} does not resolve`);
  if (!allowInsecure && addresses.some((a) => isInternalAddress(a.address)))
    throw new UrlPolicyError('internal_address', `the host ${host} resolves to a loopback, private or link-local address`);
  return addresses;
}

/** Checks a URL as registration does: its form, then its host after resolution. */
export async function checkWebhookUrl(raw: string, allowInsecure: boolean): Promise<URL> {
  const url = checkUrlForm(raw, allowInsecure);
  await resolveAllowed(hostOf(url), allowInsecure);
  return url;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

/**
 * A `lookup` for http(s).request that resolves, checks every address, and hands the socket only the checked ones:
 * the connection goes where the policy looked.
 */
export function pinnedLookup(allowInsecure: boolean) {
  return (hostname: string, options: dns.LookupOptions, callback: LookupCallback): void => {
    resolveAllowed(hostname, allowInsecure).then(
      (addresses) => {
        const usable = options.family === 4 || options.family === 6 ? addresses.filter((a) => a.family === options.family) : addresses;
        if (usable.length === 0)
          return callback(Object.assign(new Error(`no IPv${options.family} address for ${hostname}`), { code: 'ENOTFOUND' }), '');
        if (options.all) callback(null, usable);
        else callback(null, usable[0].address, usable[0].family);
      },
      (err: Error) => callback(Object.assign(err, { code: 'EPOLICY' }), ''),
    );
  };
}
