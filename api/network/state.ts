/**
 * The NetworkPolicy state decisions read, cut from a snapshot: namespace
 * labels (as stored, `kubernetes.io/metadata.name` included) and the stored
 * policies, compiled once per snapshot. Policies of a namespace are in name
 * order, so verdicts list them the way a kube list would.
 */
import type { Labels } from '../../engine/meta.ts';
import { compileNetworkState, type CompiledNetworkState } from '../../engine/network/compile.ts';
import type { NetworkPolicy, NetworkPolicyState } from '../../engine/network/types.ts';
import type { Snapshot } from '../../engine/snapshot.ts';

interface Cached {
  namespaces: Snapshot['namespaces'];
  compiled: CompiledNetworkState;
}

// Keyed by the policy map: a snapshot whose policies and namespaces did not
// change (a token or user write) reuses the compiled state of the one before.
const cache = new WeakMap<Snapshot['networkPolicies'], Cached>();

/** The plain state of a snapshot: namespace labels and policies grouped by namespace. */
export function networkPolicyStateOf(snapshot: Snapshot): NetworkPolicyState {
  const namespaces = new Map<string, Labels>();
  for (const [name, ns] of snapshot.namespaces) namespaces.set(name, ns.metadata.labels ?? {});
  const policies = new Map<string, NetworkPolicy[]>();
  for (const [ns, byName] of snapshot.networkPolicies) {
    const names = [...byName.keys()].sort();
    policies.set(ns, names.map((n) => byName.get(n) as unknown as NetworkPolicy));
  }
  return { namespaces, policies };
}

/** The compiled state of a snapshot; computed once per distinct (policies, namespaces) pair. */
export function networkStateOf(snapshot: Snapshot): CompiledNetworkState {
  const hit = cache.get(snapshot.networkPolicies);
  if (hit && hit.namespaces === snapshot.namespaces) return hit.compiled;
  const compiled = compileNetworkState(networkPolicyStateOf(snapshot));
  cache.set(snapshot.networkPolicies, { namespaces: snapshot.namespaces, compiled });
  return compiled;
}

/** True when the snapshot stores a NetworkPolicy of this namespace and name. */
export function hasNetworkPolicy(snapshot: Snapshot, namespace: string, name: string): boolean {
  return snapshot.networkPolicies.get(namespace)?.has(name) ?? false;
}
