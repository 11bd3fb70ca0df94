/**
 * tenancy.warden.dev/v1 Tenant: who owns a set of namespaces, how many they
 * may have, a quota over all of them, network policies every one of them
 * gets, and extra role bindings created in each.
 */
import type { KubeObject, ObjectMeta } from '../meta.ts';
import type { RoleRef, Subject } from '../rbac/types.ts';

export const tenantLabel = 'tenancy.warden.dev/tenant';
/** Marks objects Warden creates and keeps for a tenant. */
export const managedLabel = 'tenancy.warden.dev/managed';
/** The RoleBinding giving a tenant's owners `admin` in each of its namespaces. */
export const ownersBindingName = 'warden-tenant-owners';

export interface TenantRoleBinding {
  name: string;
  roleRef: RoleRef;
  subjects: Subject[];
}

export interface TenantDefaultNetworkPolicy {
  name: string;
  spec: Record<string, unknown>;
}

export interface TenantSpec {
  owners?: Subject[];
  /** Most namespaces the tenant may have; absent means no limit. */
  namespaceLimit?: number;
  /** A quota over the sum of all the tenant's namespaces. */
  resourceQuota?: { hard?: Record<string, string | number> };
  defaultNetworkPolicies?: TenantDefaultNetworkPolicy[];
  roleBindings?: TenantRoleBinding[];
}

export interface Tenant extends KubeObject {
  apiVersion: 'tenancy.warden.dev/v1';
  kind: 'Tenant';
  metadata: ObjectMeta;
  spec: TenantSpec;
  status?: { used?: Record<string, string>; namespaces?: string[]; namespaceCount?: number };
}

/** The tenant a namespace belongs to, from its label. */
export function tenantOf(namespace: KubeObject | undefined): string | undefined {
  return namespace?.metadata.labels?.[tenantLabel];
}
