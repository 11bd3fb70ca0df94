/**
 * What tenancy grants beyond RBAC: a tenant's owners may create namespaces
 * (which tenant they land in is checked when the namespace is written), and
 * may read, change and delete the namespaces of their tenants, read their
 * tenants, and call bulk apply (`create` on `apply.warden.dev`), which
 * authorizes every object it carries on its own, so it grants nothing an
 * owner could not do object by object. Anything else is no opinion: RBAC
 * decides. For lists at
 * cluster scope, `listScope` gives the names or namespaces a caller may see
 * instead of the whole list, as capsule-proxy filters kubectl's lists.
 */
import type { KubeObject } from '../meta.ts';
import type { Attributes } from '../rbac/types.ts';
import { namespacesOf, ownedTenants } from './owners.ts';
import { tenantOf, type Tenant } from './types.ts';

export interface TenancyState {
  tenants: ReadonlyMap<string, Tenant>;
  namespaces: ReadonlyMap<string, KubeObject>;
}

export interface TenancyGrant { allowed: true; reason: string }

const namespaceVerbs = new Set(['get', 'update', 'patch', 'delete']);

export function tenancyDecision(state: TenancyState, attrs: Attributes): TenancyGrant | undefined {
  if (!attrs.isResourceRequest || attrs.subresource !== '' || state.tenants.size === 0) return undefined;
  if (attrs.apiGroup === '' && attrs.resource === 'namespaces') {
    if (attrs.verb === 'create' && attrs.name === '') {
      const owned = ownedTenants(state.tenants, attrs.user);
      if (owned.length) return { allowed: true, reason: `tenancy: owner of tenant ${owned.map((t) => `"${t}"`).join(', ')} may create namespaces in it` };
      return undefined;
    }
    if (namespaceVerbs.has(attrs.verb) && attrs.name) {
      const tenant = tenantOf(state.namespaces.get(attrs.name));
      if (tenant && ownedTenants(state.tenants, attrs.user).includes(tenant)) {
        return { allowed: true, reason: `tenancy: namespace "${attrs.name}" belongs to tenant "${tenant}", owned by the user` };
      }
    }
    return undefined;
  }
  if (attrs.apiGroup === 'warden.dev' && attrs.resource === 'apply' && attrs.verb === 'create' && attrs.namespace === '' && attrs.name === '') {
    const owned = ownedTenants(state.tenants, attrs.user);
    if (owned.length) return { allowed: true, reason: `tenancy: owner of tenant ${owned.map((t) => `"${t}"`).join(', ')} may apply objects, each authorized on its own` };
    return undefined;
  }
  if (attrs.apiGroup === 'tenancy.warden.dev' && attrs.resource === 'tenants' && attrs.verb === 'get' && attrs.name) {
    if (ownedTenants(state.tenants, attrs.user).includes(attrs.name)) return { allowed: true, reason: `tenancy: the user owns tenant "${attrs.name}"` };
  }
  return undefined;
}

/** Which items a cluster-scope list shows a caller RBAC does not let list everything. */
export type ListScope = { by: 'name'; names: Set<string> } | { by: 'namespace'; namespaces: Set<string> };

/**
 * The scope of a cluster-scope list request (`attrs.namespace` empty) for a
 * caller who may not list the resource cluster-wide. `authorize` is the
 * full authorizer (RBAC and tenancy). Returns undefined when the caller may
 * see nothing, so the request stays forbidden.
 */
export function listScope(
  state: TenancyState, attrs: Attributes, namespaced: boolean, authorize: (a: Attributes) => boolean,
): ListScope | undefined {
  if (!attrs.isResourceRequest || attrs.namespace !== '' || (attrs.verb !== 'list' && attrs.verb !== 'watch')) return undefined;
  if (attrs.apiGroup === '' && attrs.resource === 'namespaces') {
    const names = new Set<string>();
    for (const t of ownedTenants(state.tenants, attrs.user)) for (const ns of namespacesOf(state.namespaces, t)) names.add(ns);
    for (const ns of state.namespaces.keys()) {
      if (!names.has(ns) && authorize({ ...attrs, verb: 'get', namespace: ns, name: ns })) names.add(ns);
    }
    return names.size ? { by: 'name', names } : undefined;
  }
  if (attrs.apiGroup === 'tenancy.warden.dev' && attrs.resource === 'tenants') {
    const names = new Set(ownedTenants(state.tenants, attrs.user));
    return names.size ? { by: 'name', names } : undefined;
  }
  if (!namespaced) return undefined;
  const namespaces = new Set<string>();
  for (const ns of state.namespaces.keys()) if (authorize({ ...attrs, namespace: ns })) namespaces.add(ns);
  return namespaces.size ? { by: 'namespace', namespaces } : undefined;
}
