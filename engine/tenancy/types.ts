/**
 * tenancy.warden.dev/v1 Tenant: who owns a set of namespaces, how many they
 * may have, a quota over all of them, network policies every one of them
 * gets, and extra role bindings created in each.
 */
import type { KubeObject, ObjectMeta } from '../meta.ts';
import type { RoleRef, Subject } from '../rbac/types.ts';

export const tenantLabel = 'tenancy.warden.dev/tenant';
/** Marks objects Warden creates and keeps for tenants; they are not written by hand. */
export const managedLabel = 'tenancy.warden.dev/managed';
/** The RoleBinding giving a tenant's owners `admin` in each of its namespaces. */
export const ownersBindingName = 'warden-tenant-owners';
/** The RoleBinding giving a tenant's owners the namespace itself (read, change, delete) in each of its namespaces. */
export const ownersNamespaceBindingName = 'warden-tenant-owners-namespace';
/** The ClusterRole those bindings name: what an owner may do to a namespace of its tenant, granted inside that namespace only. */
export const namespaceOwnerRoleName = 'warden:tenant-namespace-owner';
/** The ClusterRole of one tenant's owners at cluster scope: create namespaces (admission places them), bulk apply, read the tenant. */
export const tenantOwnerRoleName = (tenant: string) => `warden:tenant:${tenant}:owner`;
/** The ClusterRoleBinding of a tenant's owners to that role. */
export const tenantOwnersBindingName = (tenant: string) => `warden:tenant:${tenant}:owners`;
/** Names a tenant's own spec.roleBindings may not take in its namespaces. */
export const reservedBindingNames: readonly string[] = [ownersBindingName, ownersNamespaceBindingName];

/** Whether Warden manages `o` (it keeps it as the tenants say, and refuses writes by hand). */
export function isManaged(o: { metadata?: { labels?: Record<string, string> } } | null | undefined): boolean {
  return o?.metadata?.labels?.[managedLabel] === 'true';
}

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
