/**
 * Validated review bodies as the engine's questions: endpoints, what-ifs,
 * and the scope the checks consult. Call only after the spec validated.
 */
import type { Endpoint, NetworkPolicy, PodEndpoint, Protocol, WhatIf } from '../../engine/network/types.ts';
import type { Snapshot } from '../../engine/snapshot.ts';
import type { EndpointBody, ReviewScope, WhatIfBody } from './review-validation.ts';
import { hasNetworkPolicy } from './state.ts';

/** A pod keeps only the fields the engine reads; an outside address is its ip alone. */
export function toEndpoint(e: EndpointBody): Endpoint {
  if (e.namespace === undefined) return { ip: e.ip! };
  const pod: PodEndpoint = { namespace: e.namespace, labels: e.labels ?? {} };
  if (e.name !== undefined) pod.name = e.name;
  if (e.ip !== undefined) pod.ip = e.ip;
  if (e.ports) pod.ports = e.ports.map((p) => ({ name: p.name, containerPort: p.containerPort!, protocol: (p.protocol ?? 'TCP') as Protocol }));
  return pod;
}

export function toWhatIf(w: WhatIfBody | undefined): WhatIf | undefined {
  if (!w) return undefined;
  return {
    addPolicies: (w.addPolicies ?? []) as unknown as NetworkPolicy[],
    removePolicies: (w.removePolicies ?? []).map((r) => ({ namespace: r.namespace!, name: r.name! })),
  };
}

export function toProtocol(p: string | undefined): Protocol | undefined {
  return p as Protocol | undefined;
}

/** The stored namespaces and policies of a snapshot, as the spec checks consult them. */
export function reviewScopeOf(snapshot: Snapshot): ReviewScope {
  return {
    hasNamespace: (name) => snapshot.namespaces.has(name),
    hasPolicy: (namespace, name) => hasNetworkPolicy(snapshot, namespace, name),
  };
}
