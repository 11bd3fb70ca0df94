/**
 * IP addresses and CIDR blocks parsed the way kube-apiserver parses them
 * (k8s.io/utils/net ParseIPSloppy / ParseCIDRSloppy, the Go 1.16 parser):
 * IPv4 octets may carry leading zeros and are read as decimal; IPv6 groups
 * may embed a trailing dotted IPv4; zones and brackets are rejected.
 *
 * An IPv4-mapped IPv6 address (`::ffff:10.0.0.1`) is an IPv4 address, as Go's
 * `net.IP.To4` treats it; a CIDR whose network is IPv4-mapped with a prefix
 * of at least 96 is the matching IPv4 block. Everything else keeps its family:
 * an address never matches a block of the other family.
 */

export type IpFamily = 4 | 6;

export interface IpAddress {
  family: IpFamily;
  /** The address as an unsigned integer of 32 (IPv4) or 128 (IPv6) bits. */
  value: bigint;
}

export interface CidrBlock {
  family: IpFamily;
  /** The network address (host bits cleared). */
  network: bigint;
  /** Prefix length within the family: 0-32 for IPv4, 0-128 for IPv6. */
  prefix: number;
  /** The prefix length as written, against the written address's width (Go's `Mask.Size()`). */
  writtenPrefix: number;
}

const MASK32 = (1n << 32n) - 1n;

function parseIPv4Bits(s: string): bigint | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!/^[0-9]{1,3}$/.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    value = (value << 8n) | BigInt(n);
  }
  return value;
}

/** Go's parseIPv6 (pre-netip): hex groups, one `::`, an optional trailing IPv4. Returns 128 bits. */
function parseIPv6Bits(s: string): bigint | undefined {
  const groups: number[] = [];
  let ellipsis = -1;
  let i = 0;
  if (s.startsWith('::')) {
    ellipsis = 0;
    i = 2;
    if (i === s.length) return 0n;
  }
  while (groups.length < 8) {
    // A hex group: Go reads any run of hex digits whose value stays within 0xFFFF.
    let j = i;
    let n = 0;
    while (j < s.length && /[0-9a-fA-F]/.test(s[j])) {
      n = n * 16 + parseInt(s[j], 16);
      j++;
      if (n >= 0xffffff) return undefined;
    }
    if (j === i || n > 0xffff) return undefined;
    if (j < s.length && s[j] === '.') {
      // Embedded IPv4 must fill the last 32 bits (or precede an expansion point).
      if (ellipsis < 0 && groups.length !== 6) return undefined;
      if (groups.length + 2 > 8) return undefined;
      const v4 = parseIPv4Bits(s.slice(i));
      if (v4 === undefined) return undefined;
      groups.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
      i = s.length;
      break;
    }
    groups.push(n);
    i = j;
    if (i === s.length) break;
    if (s[i] !== ':' || i + 1 === s.length) return undefined;
    i++;
    if (s[i] === ':') {
      if (ellipsis >= 0) return undefined;
      ellipsis = groups.length;
      i++;
      if (i === s.length) break;
    }
  }
  if (i !== s.length) return undefined;
  if (groups.length < 8) {
    if (ellipsis < 0) return undefined;
    const fill = new Array<number>(8 - groups.length).fill(0);
    groups.splice(ellipsis, 0, ...fill);
  } else if (ellipsis >= 0) {
    // `::` must stand for at least one group.
    return undefined;
  }
  let value = 0n;
  for (const g of groups) value = (value << 16n) | BigInt(g);
  return value;
}

/** Parses an IP address; `undefined` when kube-apiserver would reject it. */
export function parseIP(s: string): IpAddress | undefined {
  if (typeof s !== 'string' || s.length === 0) return undefined;
  const v4 = parseIPv4Bits(s);
  if (v4 !== undefined) return { family: 4, value: v4 };
  const v6 = parseIPv6Bits(s);
  if (v6 === undefined) return undefined;
  if (v6 >> 32n === 0xffffn) return { family: 4, value: v6 & MASK32 };
  return { family: 6, value: v6 };
}

/** Parses `address/prefix`; `undefined` when kube-apiserver would reject it. */
export function parseCIDR(s: string): CidrBlock | undefined {
  if (typeof s !== 'string') return undefined;
  const slash = s.indexOf('/');
  if (slash < 0) return undefined;
  const addr = s.slice(0, slash);
  const bitsText = s.slice(slash + 1);
  if (!/^[0-9]+$/.test(bitsText)) return undefined;
  const bits = Number(bitsText);
  const v4 = parseIPv4Bits(addr);
  if (v4 !== undefined) {
    if (bits > 32) return undefined;
    return { family: 4, network: v4 & prefixMask(bits, 32), prefix: bits, writtenPrefix: bits };
  }
  const v6 = parseIPv6Bits(addr);
  if (v6 === undefined || bits > 128) return undefined;
  const network = v6 & prefixMask(bits, 128);
  if (bits >= 96 && network >> 32n === 0xffffn) {
    return { family: 4, network: network & MASK32, prefix: bits - 96, writtenPrefix: bits };
  }
  return { family: 6, network, prefix: bits, writtenPrefix: bits };
}

function computeMask(bits: number, width: number): bigint {
  const all = (1n << BigInt(width)) - 1n;
  return ((all >> BigInt(width - bits)) << BigInt(width - bits)) & all;
}
const MASKS4 = Array.from({ length: 33 }, (_, bits) => computeMask(bits, 32));
const MASKS6 = Array.from({ length: 129 }, (_, bits) => computeMask(bits, 128));

function prefixMask(bits: number, width: number): bigint {
  return width === 32 ? MASKS4[bits] : MASKS6[bits];
}

/** True when `ip` lies inside `block`; addresses of the other family never do. */
export function cidrContains(block: CidrBlock, ip: IpAddress): boolean {
  if (block.family !== ip.family) return false;
  const width = block.family === 4 ? 32 : 128;
  return (ip.value & prefixMask(block.prefix, width)) === block.network;
}

/**
 * True when `inner` is inside `outer` and strictly narrower, as ipBlock
 * `except` validation asks. Kubernetes compares the prefix lengths as written,
 * so an IPv4-mapped IPv6 block never nests inside an IPv4 block.
 */
export function isStrictSubset(outer: CidrBlock, inner: CidrBlock): boolean {
  const contained = cidrContains(outer, { family: inner.family, value: inner.network });
  return contained && outer.writtenPrefix < inner.writtenPrefix;
}

const IP_MSG = 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)';
const CIDR_MSG = 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)';

/** validation.IsValidIP: empty when `value` is an IP address kube accepts. */
export function isValidIP(value: string): string[] {
  return parseIP(value) ? [] : [IP_MSG];
}

/** validation.IsValidCIDR: empty when `value` is a CIDR kube accepts. */
export function isValidCIDR(value: string): string[] {
  return parseCIDR(value) ? [] : [CIDR_MSG];
}
