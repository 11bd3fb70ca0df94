/**
 * Which tenant a namespace lands in, as Capsule decides it for tenant
 * owners. RBAC grants an owner `create namespaces` cluster-wide (it cannot
 * say "in my tenant only"), so every namespace write passes this check,
 * through Warden's API and through the admission webhook alike:
 *
 * - CREATE by a requester who may create namespaces only as a tenant owner:
 *   no tenant label and one owned tenant: the namespace is assigned to it;
 *   several: the label is required; a label naming a tenant the requester
 *   does not own is refused (before looking the tenant up, so a refusal
 *   never says whether another tenant exists).
 * - CREATE by a requester who may create namespaces outside tenancy: any
 *   existing tenant, or none.
 * - Either way the tenant must exist and stay within its namespace limit.
 * - UPDATE: the tenant label never changes, appears or disappears.
 */
import { forbidden, notFound, required, type FieldError } from '../validation/field-error.ts';
import { tenantLabel, type Tenant } from './types.ts';

export const tenantLabelPath = `metadata.labels[${tenantLabel}]`;

export interface NamespaceQuestion {
  operation: 'CREATE' | 'UPDATE';
  user: string;
  /** The tenant label the namespace carries (undefined: none). */
  tenant: string | undefined;
  /** UPDATE: the label before. */
  previousTenant?: string;
  /** Tenants the requester owns, in name order. */
  owned: readonly string[];
  /** Whether the requester may create namespaces through a binding that is not a tenant owner's. */
  mayCreateAny: boolean;
  tenants: ReadonlyMap<string, Tenant>;
  /** How many namespaces a tenant has now. */
  namespaceCount(tenant: string): number;
}

export type NamespaceVerdict =
  | { allowed: true; tenant?: string; /** Set when the tenant was chosen here, not named by the request. */ assigned: boolean }
  | { allowed: false; forbidden: string }
  | { allowed: false; invalid: FieldError[] };

export function limitMessage(tenant: string, count: number, limit: number): string {
  return `namespaces is forbidden: tenant "${tenant}" has ${count} namespaces, its limit (spec.namespaceLimit is ${limit})`;
}

export function admitNamespace(q: NamespaceQuestion): NamespaceVerdict {
  if (q.operation === 'UPDATE') {
    if (q.tenant !== q.previousTenant) return { allowed: false, invalid: [forbidden(tenantLabelPath, 'a namespace\'s tenant is set at creation and cannot change')] };
    return { allowed: true, ...(q.tenant ? { tenant: q.tenant } : {}), assigned: false };
  }
  let tenant = q.tenant;
  let assigned = false;
  if (tenant === undefined) {
    if (q.mayCreateAny || q.owned.length === 0) return { allowed: true, assigned: false };
    if (q.owned.length > 1) {
      return { allowed: false, invalid: [required(tenantLabelPath, `tenant owners create namespaces in their tenant: set it to one of ${q.owned.map((t) => `"${t}"`).join(', ')}`)] };
    }
    tenant = q.owned[0];
    assigned = true;
  } else if (!q.mayCreateAny && !q.owned.includes(tenant)) {
    return { allowed: false, forbidden: `namespaces is forbidden: User "${q.user}" cannot create namespaces in tenant "${tenant}": not one of its owners` };
  }
  const t = q.tenants.get(tenant);
  if (!t) return { allowed: false, invalid: [notFound(tenantLabelPath, tenant)] };
  const count = q.namespaceCount(tenant);
  const limit = t.spec.namespaceLimit;
  if (limit !== undefined && count >= limit) return { allowed: false, forbidden: limitMessage(tenant, count, limit) };
  return { allowed: true, tenant, assigned };
}
