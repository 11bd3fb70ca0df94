/**
 * NetworkPolicy validation as pkg/apis/networking/validation writes it
 * (ValidateNetworkPolicy, ValidateNetworkPolicySpec, ValidateNetworkPolicyPort,
 * ValidateNetworkPolicyPeer, ValidateIPBlock): same order, field paths and
 * detail text. Returns every problem; an empty list means valid.
 */
import {
  child, forbidden, index, invalid, notSupported, required, type FieldError,
} from '../validation/field-error.ts';
import { isStrictSubset, parseCIDR } from '../validation/ip.ts';
import { validateLabelSelector, type LabelSelectorValidationOptions } from '../validation/labels.ts';
import { isValidCIDR, isValidPortName, isValidPortNum, nameIsDNSSubdomain } from '../validation/names.ts';
import { validateObjectMeta, validateObjectMetaUpdate } from '../validation/object-meta.ts';
import type {
  IPBlock, NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort, NetworkPolicySpec,
} from './types.ts';

export interface NetworkPolicyValidationOptions extends LabelSelectorValidationOptions {
  /** CIDR strings accepted without revalidation (those already stored in the old object on update). */
  allowCIDRsEvenIfInvalid?: readonly string[];
}

const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];
const POLICY_TYPES = ['Ingress', 'Egress'];

const list = <T>(v: T[] | null | undefined): T[] => (Array.isArray(v) ? v : []);

export function validateNetworkPolicyPort(port: NetworkPolicyPort, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const p = port ?? {};
  if (p.protocol !== undefined && p.protocol !== null && !PROTOCOLS.includes(p.protocol)) {
    errs.push(notSupported(child(path, 'protocol'), p.protocol, PROTOCOLS));
  }
  const hasEnd = p.endPort !== undefined && p.endPort !== null;
  if (p.port !== undefined && p.port !== null) {
    if (typeof p.port === 'number') {
      for (const msg of isValidPortNum(p.port)) errs.push(invalid(child(path, 'port'), p.port, msg));
      if (hasEnd) {
        const end = p.endPort as number;
        if (end < p.port) errs.push(invalid(child(path, 'endPort'), end, 'must be greater than or equal to `port`'));
        for (const msg of isValidPortNum(end)) errs.push(invalid(child(path, 'endPort'), end, msg));
      }
    } else {
      if (hasEnd) errs.push(invalid(child(path, 'endPort'), p.endPort, 'may not be specified when `port` is non-numeric'));
      for (const msg of isValidPortName(String(p.port))) errs.push(invalid(child(path, 'port'), p.port, msg));
    }
  } else if (hasEnd) {
    errs.push(invalid(child(path, 'endPort'), p.endPort, 'may not be specified when `port` is not specified'));
  }
  return errs;
}

function validateCIDRField(value: string, path: string, opts: NetworkPolicyValidationOptions): FieldError[] {
  if (opts.allowCIDRsEvenIfInvalid?.includes(value)) return [];
  return isValidCIDR(value).map((msg) => invalid(path, value, msg));
}

/** ValidateIPBlock: a valid cidr, and each except a valid CIDR strictly inside it. */
export function validateIPBlock(block: IPBlock, path: string, opts: NetworkPolicyValidationOptions = {}): FieldError[] {
  const cidrText = typeof block?.cidr === 'string' ? block.cidr : '';
  if (cidrText === '') return [required(child(path, 'cidr'))];
  const errs = validateCIDRField(cidrText, child(path, 'cidr'), opts);
  const cidr = parseCIDR(cidrText);
  if (!cidr) return errs;
  list(block.except).forEach((exceptText, i) => {
    const p = index(child(path, 'except'), i);
    errs.push(...validateCIDRField(exceptText, p, opts));
    const except = parseCIDR(exceptText);
    if (!except) return;
    if (!isStrictSubset(cidr, except)) {
      errs.push(invalid(p, exceptText, 'must be a strict subset of `cidr`'));
    }
  });
  return errs;
}

/** ValidateNetworkPolicyPeer: exactly one kind of peer; ipBlock never combined with selectors. */
export function validateNetworkPolicyPeer(
  peer: NetworkPolicyPeer,
  path: string,
  opts: NetworkPolicyValidationOptions = {},
): FieldError[] {
  const errs: FieldError[] = [];
  const p = peer ?? {};
  let count = 0;
  if (p.podSelector) {
    count++;
    errs.push(...validateLabelSelector(p.podSelector, child(path, 'podSelector'), opts));
  }
  if (p.namespaceSelector) {
    count++;
    errs.push(...validateLabelSelector(p.namespaceSelector, child(path, 'namespaceSelector'), opts));
  }
  if (p.ipBlock) {
    count++;
    errs.push(...validateIPBlock(p.ipBlock, child(path, 'ipBlock'), opts));
  }
  if (count === 0) errs.push(required(path, 'must specify a peer'));
  else if (count > 1 && p.ipBlock) errs.push(forbidden(path, 'may not specify both ipBlock and another peer'));
  return errs;
}

/** ValidateNetworkPolicySpec. */
export function validateNetworkPolicySpec(
  spec: NetworkPolicySpec,
  path = 'spec',
  opts: NetworkPolicyValidationOptions = {},
): FieldError[] {
  const s = spec ?? {};
  const errs = validateLabelSelector(s.podSelector ?? {}, child(path, 'podSelector'), opts);
  list(s.ingress).forEach((rule, i) => {
    const p = index(child(path, 'ingress'), i);
    list(rule?.ports).forEach((port, j) => errs.push(...validateNetworkPolicyPort(port, index(child(p, 'ports'), j))));
    list(rule?.from).forEach((peer, j) => errs.push(...validateNetworkPolicyPeer(peer, index(child(p, 'from'), j), opts)));
  });
  list(s.egress).forEach((rule, i) => {
    const p = index(child(path, 'egress'), i);
    list(rule?.ports).forEach((port, j) => errs.push(...validateNetworkPolicyPort(port, index(child(p, 'ports'), j))));
    list(rule?.to).forEach((peer, j) => errs.push(...validateNetworkPolicyPeer(peer, index(child(p, 'to'), j), opts)));
  });
  const types = list(s.policyTypes);
  if (types.length > POLICY_TYPES.length) {
    errs.push(invalid(child(path, 'policyTypes'), types, 'may not specify more than two policyTypes'));
    return errs;
  }
  types.forEach((t, i) => {
    if (!POLICY_TYPES.includes(t)) errs.push(notSupported(index(child(path, 'policyTypes'), i), t, POLICY_TYPES));
  });
  return errs;
}

/** ValidateNetworkPolicy: metadata (namespaced, DNS-subdomain name) and spec. */
export function validateNetworkPolicy(np: NetworkPolicy, opts: NetworkPolicyValidationOptions = {}): FieldError[] {
  return [
    ...validateObjectMeta(np?.metadata, { namespaced: true, nameFn: nameIsDNSSubdomain }),
    ...validateNetworkPolicySpec(np?.spec, 'spec', opts),
  ];
}

function cidrsOf(np: NetworkPolicy): string[] {
  const out: string[] = [];
  const peers = [
    ...list(np.spec?.ingress).flatMap((r) => list(r?.from)),
    ...list(np.spec?.egress).flatMap((r) => list(r?.to)),
  ];
  for (const peer of peers) {
    if (peer?.ipBlock) out.push(peer.ipBlock.cidr, ...list(peer.ipBlock.except));
  }
  return out;
}

/**
 * ValidateNetworkPolicyUpdate: metadata update rules, then the spec, where
 * CIDRs already present in the old object and selector values the old
 * podSelector already failed on are tolerated, so stored objects stay updatable.
 */
export function validateNetworkPolicyUpdate(
  next: NetworkPolicy,
  prev: NetworkPolicy,
  metaOpts: { requireResourceVersion?: boolean } = {},
): FieldError[] {
  const oldSelectorBad = validateLabelSelector(prev.spec?.podSelector ?? {}, 'spec.podSelector').length > 0;
  const opts: NetworkPolicyValidationOptions = {
    allowInvalidLabelValueInSelector: oldSelectorBad,
    allowCIDRsEvenIfInvalid: cidrsOf(prev),
  };
  return [
    ...validateObjectMetaUpdate(next.metadata, prev.metadata, 'metadata', metaOpts),
    ...validateNetworkPolicySpec(next.spec, 'spec', opts),
  ];
}
