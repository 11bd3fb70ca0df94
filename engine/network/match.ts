/**
 * The matching predicates of NetworkPolicy semantics, over compiled policies.
 * Both the single traffic review and the reachability matrix are built from
 * these, so they cannot disagree.
 */
import type { Labels } from '../meta.ts';
import { matchesLabelSelector } from '../labels/selector.ts';
import { cidrContains, parseIP, type IpAddress } from '../validation/ip.ts';
import type { CompiledNetworkState, CompiledPeer, CompiledPolicy, CompiledRule } from './compile.ts';
import type { ContainerPort, Endpoint, Protocol } from './types.ts';

/** An endpoint resolved against the state: namespace labels looked up, IP parsed. */
export interface EndpointView {
  endpoint: Endpoint;
  /** The pod's namespace; undefined for an outside address. */
  namespace: string | undefined;
  labels: Labels;
  /**
   * Labels of the pod's namespace as the state holds them. A namespace the
   * state does not know has no labels: `namespaceSelector: {}` still matches
   * it, a selector on `kubernetes.io/metadata.name` does not.
   */
  namespaceLabels: Labels;
  /** Parsed IP; undefined when absent or unparsable (then no ipBlock matches). */
  ip: IpAddress | undefined;
  ports: readonly ContainerPort[];
}

/** The connection a rule's ports are checked against. */
export interface Connection {
  /** undefined when a named port could not be resolved on the destination. */
  port: number | undefined;
  protocol: Protocol;
  portName?: string;
}

const EMPTY: Labels = Object.freeze({}) as Labels;

export function isPod(e: Endpoint): e is Endpoint & { namespace: string } {
  return typeof e.namespace === 'string';
}

export function viewEndpoint(state: CompiledNetworkState, e: Endpoint): EndpointView {
  if (isPod(e)) {
    return {
      endpoint: e,
      namespace: e.namespace,
      labels: e.labels ?? EMPTY,
      namespaceLabels: state.namespaces.get(e.namespace) ?? EMPTY,
      ip: e.ip ? parseIP(e.ip) : undefined,
      ports: Array.isArray(e.ports) ? e.ports : [],
    };
  }
  return { endpoint: e, namespace: undefined, labels: EMPTY, namespaceLabels: EMPTY, ip: parseIP(e.ip), ports: [] };
}

/**
 * Resolves the requested port against the destination. A number is taken as
 * is. A name must be a container port of the destination pod whose protocol
 * agrees with the requested one (when given); the connection then goes to
 * that port's number and protocol.
 */
export function resolveConnection(destination: EndpointView, port: number | string, protocol?: Protocol): Connection {
  if (typeof port === 'number') return { port, protocol: protocol ?? 'TCP' };
  const named = destination.ports.find((p) => p.name === port);
  const namedProtocol = named?.protocol ?? 'TCP';
  if (!named || (protocol !== undefined && protocol !== namedProtocol)) {
    return { port: undefined, protocol: protocol ?? 'TCP', portName: port };
  }
  return { port: named.containerPort, protocol: namedProtocol, portName: port };
}

/** True when the destination pod exposes `name` as a container port with this number and protocol. */
function namedPortMatches(name: string, conn: Connection, destination: EndpointView): boolean {
  if (destination.namespace === undefined || conn.port === undefined) return false;
  return destination.ports.some((p) => p.name === name && p.containerPort === conn.port && (p.protocol ?? 'TCP') === conn.protocol);
}

/**
 * A rule's ports admit the connection: no ports admits all; otherwise some
 * entry has the connection's protocol and either no port, a numeric port or
 * inclusive range holding it, or a name the destination pod resolves to it.
 * Named ports resolve on the destination for egress rules too.
 */
export function portsMatch(rule: CompiledRule, conn: Connection, destination: EndpointView): boolean {
  if (rule.ports === null) return true;
  for (const p of rule.ports) {
    if (p.protocol !== conn.protocol) continue;
    if (p.kind === 'all') return true;
    if (p.kind === 'range') {
      if (conn.port !== undefined && conn.port >= p.from && conn.port <= p.to) return true;
    } else if (namedPortMatches(p.name, conn, destination)) {
      return true;
    }
  }
  return false;
}

/**
 * One peer element admits the endpoint. Selectors in one element are ANDed:
 * podSelector alone means pods of the policy's own namespace; a
 * namespaceSelector picks the namespaces instead. Selectors never admit an
 * outside address. An ipBlock admits any endpoint whose IP lies in `cidr`
 * and outside every `except`, pod IPs included.
 */
export function peerMatches(peer: CompiledPeer, policyNamespace: string, other: EndpointView): boolean {
  if (peer.ipBlock) {
    const { cidr, except } = peer.ipBlock;
    if (!cidr || !other.ip || !cidrContains(cidr, other.ip)) return false;
    return !except.some((e) => cidrContains(e, other.ip!));
  }
  if (!peer.podSelector && !peer.namespaceSelector) return false;
  if (other.namespace === undefined) return false;
  if (peer.namespaceSelector) {
    if (!matchesLabelSelector(peer.namespaceSelector, other.namespaceLabels)) return false;
  } else if (other.namespace !== policyNamespace) {
    return false;
  }
  return !peer.podSelector || matchesLabelSelector(peer.podSelector, other.labels);
}

/** A rule's peers admit the endpoint: no peers admits everyone; otherwise any element (OR). */
export function peersMatch(rule: CompiledRule, policyNamespace: string, other: EndpointView): boolean {
  if (rule.peers === null) return true;
  return rule.peers.some((p) => peerMatches(p, policyNamespace, other));
}

/** The policy's spec.podSelector selects this pod (the policy must be of the pod's namespace). */
export function selectsPod(policy: CompiledPolicy, pod: EndpointView): boolean {
  return pod.namespace === policy.namespace && matchesLabelSelector(policy.podSelector, pod.labels);
}

/** The policies of the pod's namespace that select it for one direction, in state order. */
export function selectingPolicies(
  state: CompiledNetworkState,
  pod: EndpointView,
  direction: 'ingress' | 'egress',
): CompiledPolicy[] {
  if (pod.namespace === undefined) return [];
  const candidates = state.byNamespace.get(pod.namespace) ?? [];
  return candidates.filter((p) => p[direction] !== null && selectsPod(p, pod));
}

/**
 * Source and destination are the same pod: same namespace and the same name,
 * or, when either name is missing, the same IP. Outside addresses never are.
 */
export function isSamePod(a: EndpointView, b: EndpointView): boolean {
  if (a.endpoint === b.endpoint && a.namespace !== undefined) return true;
  if (a.namespace === undefined || a.namespace !== b.namespace) return false;
  const an = (a.endpoint as { name?: string }).name;
  const bn = (b.endpoint as { name?: string }).name;
  if (an !== undefined && bn !== undefined) return an === bn;
  return a.ip !== undefined && b.ip !== undefined && a.ip.family === b.ip.family && a.ip.value === b.ip.value;
}
