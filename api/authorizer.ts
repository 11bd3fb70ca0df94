/**
 * Authorization of Warden's own API requests, with kube-apiserver's request
 * attributes, decided by the RBAC engine on the snapshot in force
 * (system:masters first, as kube-apiserver's privileged-group authorizer).
 */
import { authorize } from '../engine/rbac/authorizer.ts';
import type { Decision } from '../engine/rbac/decision.ts';
import type { Attributes } from '../engine/rbac/types.ts';
import type { SnapshotSource } from '../prisma/snapshot-source.ts';

export interface AuthzDecision extends Decision {
  /** The snapshot revision the decision was taken at. */
  revision: number;
}

export interface Authorizer {
  authorize(attrs: Attributes): AuthzDecision;
}

export { privilegedGroup } from '../engine/rbac/decision.ts';

export function createAuthorizer(snapshots: SnapshotSource): Authorizer {
  return {
    authorize(attrs) {
      const snap = snapshots.current;
      return { ...authorize(snap.rbac, attrs), revision: snap.revision };
    },
  };
}
