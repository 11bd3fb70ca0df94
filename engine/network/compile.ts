/**
 * Policies compiled for evaluation: Kubernetes defaults applied once
 * (effective policyTypes, TCP protocol, `{}` podSelector), CIDRs parsed once,
 * policies grouped by the namespace whose pods they can select.
 *
 * Compiling never throws. A part the API would have rejected matches nothing:
 * an unparsable `cidr` admits no address, an unparsable `except` carves out
 * nothing, a peer with no field admits no one.
 */
import type { LabelSelector, Labels } from '../meta.ts';
import { parseCIDR, type CidrBlock } from '../validation/ip.ts';
import type {
  NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort, NetworkPolicyState, Protocol, WhatIf,
} from './types.ts';

export interface CompiledPeer {
  podSelector: LabelSelector | null;
  namespaceSelector: LabelSelector | null;
  ipBlock: { cidr: CidrBlock | undefined; except: CidrBlock[] } | null;
}

export type CompiledPort =
  | { protocol: string; kind: 'all' }
  | { protocol: string; kind: 'range'; from: number; to: number }
  | { protocol: string; kind: 'named'; name: string };

export interface CompiledRule {
  /** Index in `spec.ingress` / `spec.egress`. */
  index: number;
  /** null: every port and protocol. */
  ports: CompiledPort[] | null;
  /** null: every peer, outside addresses included. */
  peers: CompiledPeer[] | null;
}

export interface CompiledPolicy {
  /** The namespace whose pods it selects (for a tenant default, the namespace it is attached to). */
  namespace: string;
  name: string;
  tenantDefault: boolean;
  podSelector: LabelSelector;
  /** null when the effective policyTypes lack Ingress: the policy does not isolate ingress. */
  ingress: CompiledRule[] | null;
  /** null when the effective policyTypes lack Egress. */
  egress: CompiledRule[] | null;
  source: NetworkPolicy;
}

export interface CompiledNetworkState {
  readonly compiled: true;
  namespaces: ReadonlyMap<string, Labels>;
  /** Per namespace: its regular policies in state order, then its tenant defaults. */
  byNamespace: ReadonlyMap<string, readonly CompiledPolicy[]>;
}

const list = <T>(v: T[] | null | undefined): T[] => (Array.isArray(v) ? v : []);

/**
 * Effective policyTypes: as given when non-empty; otherwise Ingress, plus
 * Egress only when `spec.egress` has at least one rule (the API's defaulting).
 */
export function effectivePolicyTypes(policy: NetworkPolicy): { ingress: boolean; egress: boolean } {
  const given = list(policy.spec?.policyTypes);
  if (given.length > 0) return { ingress: given.includes('Ingress'), egress: given.includes('Egress') };
  return { ingress: true, egress: list(policy.spec?.egress).length > 0 };
}

function compilePort(p: NetworkPolicyPort): CompiledPort {
  const protocol = (p?.protocol ?? 'TCP') as Protocol;
  if (p?.port === undefined || p?.port === null) return { protocol, kind: 'all' };
  if (typeof p.port === 'string') return { protocol, kind: 'named', name: p.port };
  const to = typeof p.endPort === 'number' ? p.endPort : p.port;
  return { protocol, kind: 'range', from: p.port, to };
}

function compilePeer(p: NetworkPolicyPeer): CompiledPeer {
  const block = p?.ipBlock;
  return {
    podSelector: p?.podSelector ?? null,
    namespaceSelector: p?.namespaceSelector ?? null,
    ipBlock: block
      ? {
        cidr: parseCIDR(block.cidr),
        except: list(block.except).map(parseCIDR).filter((c): c is CidrBlock => c !== undefined),
      }
      : null,
  };
}

function compileRules(rules: Array<{ ports?: NetworkPolicyPort[] | null; peers?: NetworkPolicyPeer[] | null }>): CompiledRule[] {
  return rules.map((r, index) => {
    const ports = list(r.ports);
    const peers = list(r.peers);
    return {
      index,
      ports: ports.length ? ports.map(compilePort) : null,
      peers: peers.length ? peers.map(compilePeer) : null,
    };
  });
}

/**
 * Compiled policies by policy object, kept by a caller across compilations
 * of states that share most policies (the engine itself keeps nothing).
 */
export type PolicyCache = WeakMap<NetworkPolicy, Map<string, CompiledPolicy>>;

/** Compiles one policy as acting in `namespace`; memoized per policy object in `cache` when one is given. */
export function compilePolicy(policy: NetworkPolicy, namespace: string, tenantDefault: boolean, cache?: PolicyCache): CompiledPolicy {
  const key = `${tenantDefault ? 'd' : 'r'}/${namespace}`;
  let perNs = cache?.get(policy);
  const hit = perNs?.get(key);
  if (hit) return hit;
  const types = effectivePolicyTypes(policy);
  const spec = policy.spec ?? {};
  const compiled: CompiledPolicy = {
    namespace,
    name: policy.metadata?.name ?? '',
    tenantDefault,
    podSelector: spec.podSelector ?? {},
    ingress: types.ingress ? compileRules(list(spec.ingress).map((r) => ({ ports: r?.ports, peers: r?.from }))) : null,
    egress: types.egress ? compileRules(list(spec.egress).map((r) => ({ ports: r?.ports, peers: r?.to }))) : null,
    source: policy,
  };
  if (cache) {
    if (!perNs) cache.set(policy, (perNs = new Map()));
    perNs.set(key, compiled);
  }
  return compiled;
}

function groupRegular(policies: NetworkPolicyState['policies']): Map<string, NetworkPolicy[]> {
  const out = new Map<string, NetworkPolicy[]>();
  if (policies instanceof Map) {
    for (const [ns, ps] of policies) out.set(ns, [...ps]);
    return out;
  }
  for (const p of policies as readonly NetworkPolicy[]) {
    const ns = p.metadata?.namespace ?? '';
    const group = out.get(ns);
    if (group) group.push(p);
    else out.set(ns, [p]);
  }
  return out;
}

/**
 * Applies a what-if to the regular policies: removals first, then each added
 * policy replaces the one of the same namespace and name or joins the end.
 * An added policy without a namespace lands in namespace "" and selects no pod.
 */
function applyWhatIf(groups: Map<string, NetworkPolicy[]>, whatIf: WhatIf): void {
  for (const ref of list(whatIf.removePolicies)) {
    const group = groups.get(ref.namespace);
    if (group) groups.set(ref.namespace, group.filter((p) => p.metadata?.name !== ref.name));
  }
  for (const p of list(whatIf.addPolicies)) {
    const ns = p.metadata?.namespace ?? '';
    const group = groups.get(ns) ?? [];
    const at = group.findIndex((q) => q.metadata?.name === p.metadata?.name);
    if (at >= 0) group[at] = p;
    else group.push(p);
    groups.set(ns, group);
  }
}

/**
 * Compiles a state, with a what-if applied when given. The state itself is
 * never modified; an already compiled state is returned as it is (or, with
 * a what-if, with only the touched namespaces compiled again).
 */
export function compileNetworkState(
  state: NetworkPolicyState | CompiledNetworkState,
  whatIf?: WhatIf,
  cache?: PolicyCache,
): CompiledNetworkState {
  const hasWhatIf = !!whatIf && (list(whatIf.addPolicies).length > 0 || list(whatIf.removePolicies).length > 0);
  if ('compiled' in state) {
    if (!hasWhatIf) return state;
    return recompile(state, whatIf!);
  }
  const groups = groupRegular(state.policies);
  if (hasWhatIf) applyWhatIf(groups, whatIf!);
  const byNamespace = new Map<string, CompiledPolicy[]>();
  for (const [ns, ps] of groups) byNamespace.set(ns, ps.map((p) => compilePolicy(p, ns, false, cache)));
  for (const [ns, ps] of state.defaults ?? new Map<string, readonly NetworkPolicy[]>()) {
    const compiled = ps.map((p) => compilePolicy(p, ns, true, cache));
    byNamespace.set(ns, [...(byNamespace.get(ns) ?? []), ...compiled]);
  }
  return { compiled: true, namespaces: state.namespaces, byNamespace };
}

/** A what-if on an already compiled state: only the touched namespaces are rebuilt. */
function recompile(state: CompiledNetworkState, whatIf: WhatIf): CompiledNetworkState {
  const touched = new Set<string>([
    ...list(whatIf.removePolicies).map((r) => r.namespace),
    ...list(whatIf.addPolicies).map((p) => p.metadata?.namespace ?? ''),
  ]);
  const byNamespace = new Map(state.byNamespace);
  for (const ns of touched) {
    const current = state.byNamespace.get(ns) ?? [];
    const regular = new Map<string, NetworkPolicy[]>([[ns, current.filter((c) => !c.tenantDefault).map((c) => c.source)]]);
    applyWhatIf(regular, {
      removePolicies: list(whatIf.removePolicies).filter((r) => r.namespace === ns),
      addPolicies: list(whatIf.addPolicies).filter((p) => (p.metadata?.namespace ?? '') === ns),
    });
    byNamespace.set(ns, [
      ...regular.get(ns)!.map((p) => compilePolicy(p, ns, false)),
      ...current.filter((c) => c.tenantDefault),
    ]);
  }
  return { compiled: true, namespaces: state.namespaces, byNamespace };
}
