/**
 * Tenancy rules on writes:
 * - a namespace may name a tenant (tenancy.warden.dev/tenant) only if that
 *   tenant exists; a caller who may create namespaces only as a tenant owner
 *   must name a tenant it owns; a tenant never has more namespaces than its
 *   limit (checked again inside the transaction, so concurrent creates
 *   cannot overshoot it);
 * - a tenant namespace is created together with the bindings Warden keeps
 *   in it (owners get `admin`, plus the tenant's own role bindings);
 * - writing a tenant grants its owners and bindings those roles in every
 *   namespace of it, so the writer must be able to grant them cluster-wide
 *   (escalation prevention, as for a ClusterRoleBinding);
 * - a tenant's namespace limit may not go below its current namespaces;
 * - a tenant with namespaces is deleted only with propagationPolicy
 *   Foreground (kubectl delete --cascade=foreground), which deletes its
 *   namespaces and everything in them in the same transaction.
 */
import { randomUUID } from 'node:crypto';
import type { KubeObject } from '../../engine/meta.ts';
import type { Attributes, ClusterRoleBinding } from '../../engine/rbac/types.ts';
import { desiredBindings } from '../../engine/tenancy/managed.ts';
import { namespacesOf, ownedTenants } from '../../engine/tenancy/owners.ts';
import { tenantLabel, tenantOf, type Tenant } from '../../engine/tenancy/types.ts';
import { validateTenantSpec } from '../../engine/tenancy/validation.ts';
import { notFound as fieldNotFound, required } from '../../engine/validation/field-error.ts';
import type { WriteOp } from '../../prisma/store/write.ts';
import { StatusError, conflict, forbiddenMessage, invalid } from '../status.ts';
import { registerWriteCheck } from '../resources/admission.ts';
import { registerCommitGuard, registerOpExpander } from '../resources/commit.ts';
import { escalationDecision, escalationStatus } from '../resources/escalation-check.ts';

const labelPath = `metadata.labels[${tenantLabel}]`;

function createNamespacesAttrs(user: Attributes['user']): Attributes {
  return { user, verb: 'create', isResourceRequest: true, namespace: '', apiGroup: '', apiVersion: 'v1', resource: 'namespaces', subresource: '', name: '', path: '' };
}

function limitReached(tenant: Tenant, count: number): StatusError {
  return forbiddenMessage(
    `namespaces is forbidden: tenant "${tenant.metadata.name}" has ${count} namespaces, its limit (spec.namespaceLimit is ${tenant.spec.namespaceLimit})`,
    { kind: 'namespaces' },
  );
}

registerWriteCheck((deps, ctx, k, next, prev) => {
  const snapshot = deps.snapshots.current;
  if (k.kind === 'Namespace' && next && !prev) {
    const tenantName = tenantOf(next);
    const mayCreateAny = deps.authorizer.authorizeRbac(createNamespacesAttrs(ctx.user)).allowed;
    const owned = ownedTenants(snapshot.tenants, ctx.user);
    if (!tenantName) {
      if (mayCreateAny) return;
      throw invalid('Namespace', undefined, next.metadata.name, [
        required(labelPath, `tenant owners create namespaces in their tenant: set it to one of ${owned.map((t) => `"${t}"`).join(', ')}`),
      ]);
    }
    // Refused before the tenant is looked up: a caller who may only create in its own tenants gets
    // the same answer for another tenant and a missing one, so it cannot probe which tenants exist.
    if (!mayCreateAny && !owned.includes(tenantName)) {
      throw forbiddenMessage(
        `namespaces is forbidden: User "${ctx.user.name}" cannot create namespaces in tenant "${tenantName}": not one of its owners`,
        { kind: 'namespaces' },
      );
    }
    const tenant = snapshot.tenants.get(tenantName);
    if (!tenant) throw invalid('Namespace', undefined, next.metadata.name, [fieldNotFound(labelPath, tenantName)]);
    const count = namespacesOf(snapshot.namespaces, tenantName).length;
    if (tenant.spec.namespaceLimit !== undefined && count >= tenant.spec.namespaceLimit) throw limitReached(tenant, count);
    return;
  }
  if (k.kind === 'Tenant' && next) {
    if (prev) {
      const count = namespacesOf(snapshot.namespaces, next.metadata.name!).length;
      const errs = validateTenantSpec(next.spec, count);
      if (errs.length) throw invalid('Tenant', 'tenancy.warden.dev', next.metadata.name, errs);
    }
    // Owners get admin and every binding its ClusterRole in each namespace: grantable only by someone who could bind them cluster-wide.
    const tenant = next as Tenant;
    for (const b of desiredBindings(tenant, '')) {
      const crb: ClusterRoleBinding = {
        apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding',
        metadata: { name: `tenant:${tenant.metadata.name}:${b.metadata.name}` }, subjects: b.subjects, roleRef: b.roleRef,
      };
      const d = escalationDecision(deps, ctx.user, crb as unknown as KubeObject, null);
      if (!d.allowed) {
        const err = escalationStatus(d, crb as unknown as KubeObject);
        err.status.message = `tenants.tenancy.warden.dev "${tenant.metadata.name}" is forbidden: it grants ClusterRole "${b.roleRef.name}" in every namespace of the tenant, which the writer may not grant: ${err.status.message}`;
        throw err;
      }
    }
    return;
  }
  if (k.kind === 'Tenant' && !next && prev) {
    const namespaces = namespacesOf(snapshot.namespaces, prev.metadata.name!);
    if (namespaces.length && ctx.deleteOptions?.propagationPolicy !== 'Foreground') {
      throw conflict({ resource: 'tenants', group: 'tenancy.warden.dev', name: prev.metadata.name },
        `the tenant still has ${namespaces.length} namespaces (${namespaces.slice(0, 5).join(', ')}${namespaces.length > 5 ? ', …' : ''}); delete them first, or delete the tenant with propagationPolicy Foreground (kubectl delete --cascade=foreground) to delete them with it`);
    }
  }
});

registerOpExpander((deps, _ctx, ops) => {
  const snapshot = deps.snapshots.current;
  const extra: WriteOp[] = [];
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  for (const op of ops) {
    if (op.op === 'create' && op.object.kind === 'Namespace') {
      const tenant = snapshot.tenants.get(tenantOf(op.object) ?? '');
      if (!tenant) continue;
      for (const b of desiredBindings(tenant, op.object.metadata.name!)) {
        extra.push({ op: 'create', object: { ...(b as unknown as KubeObject), metadata: { ...b.metadata, uid: randomUUID(), creationTimestamp: now } } });
      }
    }
    if (op.op === 'delete' && op.before.kind === 'Tenant' && _ctx.deleteOptions?.propagationPolicy === 'Foreground') {
      for (const name of namespacesOf(snapshot.namespaces, op.before.metadata.name!)) {
        const ns = snapshot.namespaces.get(name);
        if (ns) extra.push({ op: 'delete', before: ns });
      }
    }
  }
  return extra.length ? [...ops, ...extra] : ops;
});

registerCommitGuard(async (tx, ops) => {
  const creating = new Map<string, number>();
  for (const op of ops) {
    const t = op.op === 'create' && op.object.kind === 'Namespace' ? tenantOf(op.object) : undefined;
    if (t) creating.set(t, (creating.get(t) ?? 0) + 1);
  }
  for (const [name, adding] of creating) {
    const [row] = await tx.query<{ spec: { namespaceLimit?: number } }>('SELECT spec FROM tenant WHERE name = $1', name);
    const limit = row?.spec?.namespaceLimit;
    if (limit === undefined) continue;
    const [{ count }] = await tx.query<{ count: number }>('SELECT count(*)::int AS count FROM namespace WHERE tenant = $1', name);
    if (count + adding > limit) throw limitReached({ metadata: { name }, spec: { namespaceLimit: limit } } as unknown as Tenant, count);
  }
});
