/**
 * Tenancy rules on writes through Warden's API:
 * - a namespace lands in a tenant as engine/tenancy/namespace-admission.ts
 *   decides (an owner of one tenant gets it assigned; the tenant must exist
 *   and stay within its limit, checked again inside the transaction, so
 *   concurrent creates cannot overshoot it);
 * - a tenant namespace is created together with the bindings Warden keeps
 *   in it, and a Tenant's write carries its managed role and bindings, so
 *   owners' rights change in the same revision as what grants them;
 * - writing a tenant grants its owners and bindings those roles in every
 *   namespace of it, and the owners' cluster-scope role, so the writer must
 *   be able to grant them cluster-wide (escalation prevention, as for a
 *   ClusterRoleBinding and a ClusterRole);
 * - the RBAC objects Warden manages are not written by hand: their names
 *   are reserved and writes to them are refused, even to system:masters;
 * - a tenant's namespace limit may not go below its current namespaces;
 * - a tenant with namespaces is deleted only with propagationPolicy
 *   Foreground (kubectl delete --cascade=foreground), which deletes its
 *   namespaces and everything in them in the same transaction.
 */
import type { KubeObject } from '../../engine/meta.ts';
import type { Attributes, ClusterRoleBinding } from '../../engine/rbac/types.ts';
import { desiredBindings, desiredTenantRbac, tenantRemovals, tenantRepairs } from '../../engine/tenancy/managed.ts';
import { limitMessage } from '../../engine/tenancy/namespace-admission.ts';
import { namespaceCreateVerdict } from './namespace-verdict.ts';
import { namespacesOf } from '../../engine/tenancy/owners.ts';
import { isManaged, reservedBindingNames, tenantLabel, tenantOf, type Tenant } from '../../engine/tenancy/types.ts';
import { validateTenantSpec } from '../../engine/tenancy/validation.ts';
import type { Snapshot } from '../../engine/snapshot.ts';
import type { WriteOp } from '../../prisma/store/write.ts';
import type { AppDeps } from '../context.ts';
import { conflict, forbidden, forbiddenMessage, invalid } from '../status.ts';
import type { WriteCheck } from '../resources/admission.ts';
import type { CommitGuard, OpExpander } from '../resources/commit.ts';
import { escalationDecision, escalationStatus } from '../resources/escalation-check.ts';
import { repairOps, stampManaged } from './managed-writes.ts';

const rbacKinds = new Set(['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']);
const plural: Record<string, string> = { Role: 'roles', ClusterRole: 'clusterroles', RoleBinding: 'rolebindings', ClusterRoleBinding: 'clusterrolebindings' };

/** Whether `o`'s name is one Warden keeps for tenants (a binding in a tenant namespace, or a tenant's cluster objects). */
function reservedName(o: KubeObject, snapshot: Snapshot): boolean {
  const name = o.metadata.name ?? '';
  if (o.kind === 'RoleBinding') return reservedBindingNames.includes(name) && tenantOf(snapshot.namespaces.get(o.metadata.namespace ?? '')) !== undefined;
  return (o.kind === 'ClusterRole' || o.kind === 'ClusterRoleBinding') && name.startsWith('warden:tenant');
}

/** RBAC objects Warden manages for tenants, or named as they would be, are not written through the API. */
export const managedObjectsCheck: WriteCheck = (deps, ctx, k, next, prev) => {
  if (!rbacKinds.has(k.kind)) return;
  const target = next ?? prev!;
  if (!isManaged(prev) && !isManaged(next) && (prev || !reservedName(target, deps.snapshots.current))) return;
  const tenant = (prev ?? next)?.metadata.labels?.[tenantLabel];
  throw forbidden(
    { resource: plural[k.kind], group: 'rbac.authorization.k8s.io', name: target.metadata.name },
    `it is managed by Warden${tenant ? ` for tenant "${tenant}"` : ' for tenants'} and kept as the Tenant says; change the Tenant instead`,
  );
};

/** Where namespaces land, and what writing or deleting a Tenant takes. */
export const tenancyCheck: WriteCheck = (deps, ctx, k, next, prev) => {
  const snapshot = deps.snapshots.current;
  if (k.kind === 'Namespace' && next && !prev) {
    const verdict = namespaceCreateVerdict(deps, snapshot, ctx.user, tenantOf(next), next.metadata.name ?? '');
    if ('forbidden' in verdict) throw forbiddenMessage(verdict.forbidden, { kind: 'namespaces' });
    if ('invalid' in verdict) throw invalid('Namespace', undefined, next.metadata.name, verdict.invalid);
    // An owner of exactly one tenant creates its namespaces there.
    if (verdict.assigned && verdict.tenant) next.metadata.labels = { ...(next.metadata.labels ?? {}), [tenantLabel]: verdict.tenant };
    return;
  }
  if (k.kind === 'Tenant' && next) {
    if (prev) {
      const count = namespacesOf(snapshot.namespaces, next.metadata.name!).length;
      const errs = validateTenantSpec(next.spec, count);
      if (errs.length) throw invalid('Tenant', 'tenancy.warden.dev', next.metadata.name, errs);
    }
    const tenant = next as Tenant;
    // Owners get admin, the namespace itself, and every binding its ClusterRole in each namespace:
    // grantable only by someone who could bind them cluster-wide.
    for (const b of desiredBindings(tenant, '')) {
      const crb: ClusterRoleBinding = {
        apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding',
        metadata: { name: `tenant:${tenant.metadata.name}:${b.metadata.name}` }, subjects: b.subjects, roleRef: b.roleRef,
      };
      refuseEscalation(deps, ctx.user, tenant, crb as unknown as KubeObject, `ClusterRole "${b.roleRef.name}" in every namespace of the tenant`);
    }
    // And the owners' cluster-scope role: whoever writes it must hold its rules.
    const [ownerRole] = desiredTenantRbac(tenant);
    refuseEscalation(deps, ctx.user, tenant, ownerRole as unknown as KubeObject, `its owners the rules of ClusterRole "${ownerRole.metadata.name}"`);
    return;
  }
  if (k.kind === 'Tenant' && !next && prev) {
    const namespaces = namespacesOf(snapshot.namespaces, prev.metadata.name!);
    if (namespaces.length && ctx.deleteOptions?.propagationPolicy !== 'Foreground') {
      throw conflict({ resource: 'tenants', group: 'tenancy.warden.dev', name: prev.metadata.name },
        `the tenant still has ${namespaces.length} namespaces (${namespaces.slice(0, 5).join(', ')}${namespaces.length > 5 ? ', …' : ''}); delete them first, or delete the tenant with propagationPolicy Foreground (kubectl delete --cascade=foreground) to delete them with it`);
    }
  }
};

function refuseEscalation(deps: AppDeps, user: Attributes['user'], tenant: Tenant, grant: KubeObject, what: string): void {
  const d = escalationDecision(deps, user, grant, null);
  if (d.allowed) return;
  const err = escalationStatus(d, grant);
  err.status.message = `tenants.tenancy.warden.dev "${tenant.metadata.name}" is forbidden: it grants ${what}, which the writer may not grant: ${err.status.message}`;
  throw err;
}

/** The managed objects a namespace or Tenant write brings with it, and a Foreground tenant delete's namespaces. */
export const tenancyExpander: OpExpander = (deps, ctx, ops) => {
  const snapshot = deps.snapshots.current;
  const extra: WriteOp[] = [];
  const now = new Date();
  for (const op of ops) {
    if (op.op === 'create' && op.object.kind === 'Namespace') {
      const tenant = snapshot.tenants.get(tenantOf(op.object) ?? '');
      if (!tenant) continue;
      for (const b of desiredBindings(tenant, op.object.metadata.name!)) extra.push({ op: 'create', object: stampManaged(b, now) });
    }
    // A tenant being deleted (its finalizers keep it) loses what Warden keeps for it, as a removed one does.
    const going = op.op === 'update' && op.object.kind === 'Tenant' && !!op.object.metadata.deletionTimestamp;
    if ((op.op === 'create' || op.op === 'update') && op.object.kind === 'Tenant' && !going) {
      const tenant = op.object as Tenant;
      extra.push(...repairOps(tenantRepairs(tenant, namespacesOf(snapshot.namespaces, tenant.metadata.name!), snapshot.rbac), now));
    }
    if ((op.op === 'delete' && op.before.kind === 'Tenant') || going) {
      const gone = op.op === 'delete' ? op.before : op.object;
      for (const o of tenantRemovals(gone.metadata.name!, snapshot.rbac)) extra.push({ op: 'delete', before: o as unknown as KubeObject });
      if (ctx.deleteOptions?.propagationPolicy === 'Foreground') {
        for (const name of namespacesOf(snapshot.namespaces, gone.metadata.name!)) {
          const ns = snapshot.namespaces.get(name);
          if (ns) extra.push({ op: 'delete', before: ns });
        }
      }
    }
  }
  return extra.length ? [...ops, ...extra] : ops;
};

/** A tenant's namespace limit, checked again inside the transaction so racing creates cannot pass it. */
export const namespaceLimitGuard: CommitGuard = async (reads, ops) => {
  const creating = new Map<string, number>();
  for (const op of ops) {
    const t = op.op === 'create' && op.object.kind === 'Namespace' ? tenantOf(op.object) : undefined;
    if (t) creating.set(t, (creating.get(t) ?? 0) + 1);
  }
  for (const [name, adding] of creating) {
    const limit = await reads.tenantNamespaceLimit(name);
    if (limit === undefined) continue;
    const count = await reads.tenantNamespaceCount(name);
    if (count + adding > limit) throw forbiddenMessage(limitMessage(name, count, limit), { kind: 'namespaces' });
  }
};
