/**
 * Traffic review: may `source` open a connection to `destination` on a port,
 * and which policy and rule decide. Kubernetes NetworkPolicy semantics:
 *
 * - A pod is isolated for egress (ingress) iff some policy of its own
 *   namespace selects it and has Egress (Ingress) in its effective
 *   policyTypes. A pod nothing isolates is allowed in that direction.
 * - An isolated pod's direction allows the connection iff some rule of some
 *   selecting policy admits both the connection's port and the other end
 *   (the union of all such policies; order and "deny" rules do not exist).
 * - The connection needs both: the source's egress and the destination's
 *   ingress. An outside address has no policies: its side is always allowed.
 * - A pod talking to itself is always allowed; the plain evaluation is kept
 *   in `samePod`.
 *
 * Never throws for well-typed input; a denial is a value.
 */
import { compileNetworkState, type CompiledNetworkState, type CompiledPolicy } from './compile.ts';
import {
  isSamePod, peersMatch, portsMatch, resolveConnection, selectingPolicies, viewEndpoint,
  type Connection, type EndpointView,
} from './match.ts';
import { describeDecision } from './reason.ts';
import type {
  DirectionVerdict, NetworkPolicyState, PolicyVerdict, TrafficRequest, TrafficReview, WhatIf,
} from './types.ts';

/**
 * One direction's verdict for `pod` (the source for egress, the destination
 * for ingress); `other` is the far end; ports always resolve on `destination`.
 */
export function evaluateDirection(
  state: CompiledNetworkState,
  direction: 'ingress' | 'egress',
  pod: EndpointView,
  other: EndpointView,
  destination: EndpointView,
  conn: Connection,
): DirectionVerdict {
  if (pod.namespace === undefined) return { allowed: true, isolated: false, policies: [] };
  const selecting = selectingPolicies(state, pod, direction);
  const policies = selecting.map((p) => verdictOf(p, direction, other, destination, conn));
  const isolated = policies.length > 0;
  return { allowed: !isolated || policies.some((p) => p.allowed), isolated, policies };
}

function verdictOf(
  policy: CompiledPolicy,
  direction: 'ingress' | 'egress',
  other: EndpointView,
  destination: EndpointView,
  conn: Connection,
): PolicyVerdict {
  const rules: number[] = [];
  for (const rule of policy[direction]!) {
    if (portsMatch(rule, conn, destination) && peersMatch(rule, policy.namespace, other)) rules.push(rule.index);
  }
  return {
    namespace: policy.namespace,
    name: policy.name,
    tenantDefault: policy.tenantDefault,
    allowed: rules.length > 0,
    rules,
  };
}

/** Reviews one connection against the state, with a what-if applied to a copy when given. */
export function reviewTraffic(
  state: NetworkPolicyState | CompiledNetworkState,
  request: TrafficRequest,
  whatIf?: WhatIf,
): TrafficReview {
  const compiled = compileNetworkState(state, whatIf);
  const source = viewEndpoint(compiled, request.source);
  const destination = viewEndpoint(compiled, request.destination);
  const conn = resolveConnection(destination, request.port, request.protocol);
  const egress = evaluateDirection(compiled, 'egress', source, destination, destination, conn);
  const ingress = evaluateDirection(compiled, 'ingress', destination, source, destination, conn);
  const same = isSamePod(source, destination);
  const allowed = same || (egress.allowed && ingress.allowed);
  const review: TrafficReview = {
    allowed,
    reason: describeDecision(allowed, source, destination, conn, egress, ingress, same),
    egress: same ? { ...egress, allowed: true } : egress,
    ingress: same ? { ...ingress, allowed: true } : ingress,
    connection: {
      port: conn.port ?? null,
      protocol: conn.protocol,
      ...(conn.portName !== undefined ? { portName: conn.portName } : {}),
    },
  };
  if (same) review.samePod = { ingressAllowed: ingress.allowed, egressAllowed: egress.allowed };
  return review;
}
