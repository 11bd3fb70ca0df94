/**
 * The NetworkPolicy state decisions read, cut from a snapshot: namespace
 * labels (as stored, `kubernetes.io/metadata.name` included), the stored
 * policies, and each tenant namespace's tenant default policies, compiled
 * once per snapshot. Policies of a namespace are in name order, so verdicts
 * list them the way a kube list would.
 */
import type { Labels } from '../../engine/meta.ts';
import { compileNetworkState, type CompiledNetworkState, type PolicyCache } from '../../engine/network/compile.ts';
import type { NetworkPolicy, NetworkPolicyState } from '../../engine/network/types.ts';
import type { Snapshot } from '../../engine/snapshot.ts';
import { tenantLabel, tenantOf } from '../../engine/tenancy/types.ts';

interface Cached {
  namespaces: Snapshot['namespaces'];
  tenants: Snapshot['tenants'];
  compiled: CompiledNetworkState;
}

// Keyed by the policy map: a snapshot whose policies, namespaces and tenants
// did not change (a token or user write) reuses the compiled state of the one before.
const cache = new WeakMap<Snapshot['networkPolicies'], Cached>();
// Policies unchanged from one snapshot to the next are not compiled again.
const policies: PolicyCache = new WeakMap();

/** The plain state of a snapshot: namespace labels and policies grouped by namespace. */
export function networkPolicyStateOf(snapshot: Snapshot): NetworkPolicyState {
  const namespaces = new Map<string, Labels>();
  for (const [name, ns] of snapshot.namespaces) namespaces.set(name, ns.metadata.labels ?? {});
  const policies = new Map<string, NetworkPolicy[]>();
  for (const [ns, byName] of snapshot.networkPolicies) {
    const names = [...byName.keys()].sort();
    policies.set(ns, names.map((n) => byName.get(n) as unknown as NetworkPolicy));
  }
  return { namespaces, policies, defaults: tenantDefaultsOf(snapshot) };
}

/**
 * A Tenant's `spec.defaultNetworkPolicies`, as NetworkPolicies of each of
 * its namespaces: they select and allow exactly as if stored there, and
 * verdicts mark them as tenant defaults.
 */
export function tenantDefaultsOf(snapshot: Snapshot): Map<string, NetworkPolicy[]> {
  const out = new Map<string, NetworkPolicy[]>();
  for (const [name, ns] of snapshot.namespaces) {
    const tenant = snapshot.tenants.get(tenantOf(ns) ?? '');
    const defaults = tenant?.spec.defaultNetworkPolicies ?? [];
    if (!defaults.length) continue;
    out.set(name, defaults.map((d) => ({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: d.name, namespace: name, labels: { [tenantLabel]: tenant!.metadata.name! } },
      spec: d.spec,
    }) as unknown as NetworkPolicy));
  }
  return out;
}

/** The compiled state of a snapshot; computed once per distinct (policies, namespaces) pair. */
export function networkStateOf(snapshot: Snapshot): CompiledNetworkState {
  const hit = cache.get(snapshot.networkPolicies);
  if (hit && hit.namespaces === snapshot.namespaces && hit.tenants === snapshot.tenants) return hit.compiled;
  const compiled = compileNetworkState(networkPolicyStateOf(snapshot), undefined, policies);
  cache.set(snapshot.networkPolicies, { namespaces: snapshot.namespaces, tenants: snapshot.tenants, compiled });
  return compiled;
}

/** True when the snapshot stores a NetworkPolicy of this namespace and name. */
export function hasNetworkPolicy(snapshot: Snapshot, namespace: string, name: string): boolean {
  return snapshot.networkPolicies.get(namespace)?.has(name) ?? false;
}
