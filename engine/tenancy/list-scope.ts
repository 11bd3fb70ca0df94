/**
 * What a cluster-scope list shows a caller RBAC does not let list the whole
 * resource, as capsule-proxy filters kubectl's lists for tenant owners: the
 * namespaces it may `get`, the tenants it may `get`, and for a namespaced
 * kind the namespaces it may list it in. Every item is decided by the one
 * authorizer (RBAC, where tenant owners' rights are managed bindings), so a
 * list never shows what a `get` would refuse.
 */
import type { KubeObject } from '../meta.ts';
import type { Attributes } from '../rbac/types.ts';
import type { Tenant } from './types.ts';

export interface TenancyState {
  tenants: ReadonlyMap<string, Tenant>;
  namespaces: ReadonlyMap<string, KubeObject>;
}

/** Which items a cluster-scope list shows a caller RBAC does not let list everything. */
export type ListScope = { by: 'name'; names: Set<string> } | { by: 'namespace'; namespaces: Set<string> };

/**
 * The scope of a cluster-scope list or watch (`attrs.namespace` empty) for
 * a caller who may not make it whole. Returns undefined when the caller may
 * see nothing, so the request stays forbidden.
 */
export function listScope(
  state: TenancyState, attrs: Attributes, namespaced: boolean, authorize: (a: Attributes) => boolean,
): ListScope | undefined {
  if (!attrs.isResourceRequest || attrs.namespace !== '' || (attrs.verb !== 'list' && attrs.verb !== 'watch')) return undefined;
  if (attrs.apiGroup === '' && attrs.resource === 'namespaces') {
    // A namespace is read with its own name as the request's namespace (kube's RequestInfo).
    return byName(state.namespaces.keys(), (ns) => authorize({ ...attrs, verb: 'get', namespace: ns, name: ns }));
  }
  if (attrs.apiGroup === 'tenancy.warden.dev' && attrs.resource === 'tenants') {
    return byName(state.tenants.keys(), (t) => authorize({ ...attrs, verb: 'get', name: t }));
  }
  if (!namespaced) return undefined;
  const namespaces = new Set<string>();
  for (const ns of state.namespaces.keys()) if (authorize({ ...attrs, namespace: ns })) namespaces.add(ns);
  return namespaces.size ? { by: 'namespace', namespaces } : undefined;
}

function byName(names: Iterable<string>, visible: (name: string) => boolean): ListScope | undefined {
  const out = new Set<string>();
  for (const n of names) if (visible(n)) out.add(n);
  return out.size ? { by: 'name', names: out } : undefined;
}
