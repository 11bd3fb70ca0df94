/**
 * Authorization of Warden's own API requests and of access reviews, with
 * kube-apiserver's request attributes, on the snapshot in force:
 * system:masters first (as kube-apiserver's privileged-group authorizer),
 * then RBAC. What tenant owners may do is RBAC too: bindings Warden manages
 * (engine/tenancy/managed.ts).
 */
import { allowedExcept, authorize } from '../engine/rbac/authorizer.ts';
import { isManaged } from '../engine/tenancy/types.ts';
import { privilegedDecision, privilegedGroup, type Decision } from '../engine/rbac/decision.ts';
import type { Attributes } from '../engine/rbac/types.ts';
import type { SnapshotSource } from '../prisma/snapshot-source.ts';

export interface AuthzDecision extends Decision {
  /** The snapshot revision the decision was taken at. */
  revision: number;
}

export interface Authorizer {
  authorize(attrs: Attributes): AuthzDecision;
  /** Whether the caller holds `attrs` through a binding Warden does not manage for tenants (system:masters included). */
  allowedOutsideTenancy(attrs: Attributes): boolean;
}


const privileged = Object.freeze(privilegedDecision(privilegedGroup));

/**
 * `system:masters` is decided before the snapshot is consulted, as
 * kube-apiserver's privileged-group authorizer runs before RBAC: its
 * members are authorized even while the snapshot is too stale to decide
 * anything else (`snapshots.current` throws StaleSnapshotError then).
 */
export function createAuthorizer(snapshots: SnapshotSource): Authorizer {
  const masters = (attrs: Attributes) => (attrs.user.groups ?? []).includes(privilegedGroup);
  return {
    authorize(attrs) {
      if (masters(attrs)) return { ...privileged, revision: snapshots.revision };
      const snap = snapshots.current;
      return { ...authorize(snap.rbac, attrs), revision: snap.revision };
    },
    allowedOutsideTenancy(attrs) {
      if (masters(attrs)) return true;
      return allowedExcept(snapshots.current.rbac, attrs, isManaged);
    },
  };
}
