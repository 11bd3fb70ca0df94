/** Who owns which tenant: a tenant's `spec.owners` are rbac Subjects, matched as a ClusterRoleBinding's are. */
import type { KubeObject } from '../meta.ts';
import { subjectMatches } from '../rbac/subject-match.ts';
import type { UserInfo } from '../rbac/types.ts';
import { tenantOf, type Tenant } from './types.ts';

export function isOwner(tenant: Tenant, user: UserInfo): boolean {
  // ServiceAccount owners must name their namespace: there is no binding namespace to default to.
  return (tenant.spec.owners ?? []).some((s) => subjectMatches(user, s, ''));
}

/** Names of the tenants `user` owns, in name order. */
export function ownedTenants(tenants: ReadonlyMap<string, Tenant>, user: UserInfo): string[] {
  const out: string[] = [];
  for (const [name, t] of tenants) if (isOwner(t, user)) out.push(name);
  return out.sort();
}

/** Names of the namespaces of `tenant`, in name order. */
export function namespacesOf(namespaces: ReadonlyMap<string, KubeObject>, tenant: string): string[] {
  const out: string[] = [];
  for (const [name, ns] of namespaces) if (tenantOf(ns) === tenant) out.push(name);
  return out.sort();
}
