import ipaddr from 'ipaddr.js';
import { AgentConfigError } from '@smol/core';
import { UrlRefusedError } from '../errors.ts';

/**
 * Which addresses a tool may connect to. `false` (the default): public unicast addresses only.
 * `true`: any address. A list of CIDR ranges (e.g. `['10.0.0.0/8', '127.0.0.1/32']`): public
 * addresses plus those ranges.
 */
export type PrivateNetworkPolicy = boolean | readonly string[];

// ipaddr.js range names, as the model reads them.
const RANGE_NAMES: Record<string, string> = {
  loopback: 'a loopback address',
  private: 'a private network address (RFC 1918)',
  uniqueLocal: 'a private network address (IPv6 unique local)',
  linkLocal: 'a link-local address',
  carrierGradeNat: 'a carrier-grade NAT address (RFC 6598)',
  unspecified: 'an unspecified address',
  multicast: 'a multicast address',
  broadcast: 'a broadcast address',
  reserved: 'a reserved address',
  benchmarking: 'a benchmarking address (RFC 2544)',
  rfc6052: 'an IPv6 address embedding an IPv4 one (NAT64)',
  rfc6145: 'an IPv6 address embedding an IPv4 one (SIIT)',
  '6to4': 'an IPv6 address embedding an IPv4 one (6to4)',
  teredo: 'an IPv6 address embedding an IPv4 one (Teredo)',
};

export class AddressPolicy {
  private readonly allowAll: boolean;
  private readonly ranges: [ipaddr.IPv4 | ipaddr.IPv6, number][];

  constructor(policy: PrivateNetworkPolicy = false) {
    this.allowAll = policy === true;
    this.ranges = [];
    if (Array.isArray(policy)) {
      for (const cidr of policy) {
        try {
          this.ranges.push(ipaddr.parseCIDR(cidr));
        } catch {
          throw new AgentConfigError(`allowPrivateNetwork: "${cidr}" is not a CIDR range such as 10.0.0.0/8.`);
        }
      }
    }
  }

  /** Why `ip` is refused (the class, for the model), or undefined when it may be used. */
  refusal(ip: string): string | undefined {
    if (this.allowAll) return undefined;
    let addr: ipaddr.IPv4 | ipaddr.IPv6;
    try {
      addr = ipaddr.parse(ip);
    } catch {
      return 'not an IP address';
    }
    if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress()) addr = (addr as ipaddr.IPv6).toIPv4Address();
    for (const [net, bits] of this.ranges) if (net.kind() === addr.kind() && addr.match(net, bits)) return undefined;
    const range = addr.range();
    if (range === 'unicast') return undefined;
    if (ip === '169.254.169.254' || (addr.kind() === 'ipv4' && addr.toString() === '169.254.169.254')) {
      return 'a link-local address (the cloud metadata service)';
    }
    return RANGE_NAMES[range] ?? `a non-public address (${range})`;
  }

  /** Throws UrlRefusedError naming the class when `ip` is refused. */
  check(ip: string, host: string): void {
    const why = this.refusal(ip);
    if (why === undefined) return;
    const shown = host === ip ? ip : `${host} (${ip})`;
    throw new UrlRefusedError(
      `Refused to connect to ${shown}: it is ${why}, not a public internet address. Only public http(s) URLs can be fetched.`,
    );
  }
}

/** The IP literal in a URL hostname (brackets removed), or undefined for a name. */
export function ipLiteral(hostname: string): string | undefined {
  const bare = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  return ipaddr.isValid(bare) && (bare.includes(':') || ipaddr.IPv4.isValidFourPartDecimal(bare)) ? bare : undefined;
}
