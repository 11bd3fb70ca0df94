/**
 * Authorization of Warden's own API requests, with kube-apiserver's request
 * attributes, decided on the snapshot in force. `system:masters` may do
 * everything, checked first as kube-apiserver's privileged-group authorizer
 * does.
 */
import type { Attributes } from '../engine/rbac/types.ts';
import type { SnapshotSource } from '../prisma/snapshot-source.ts';

export interface AuthzDecision {
  allowed: boolean;
  reason: string;
  revision: number;
}

export interface Authorizer {
  authorize(attrs: Attributes): AuthzDecision;
}

export const privilegedGroup = 'system:masters';

/** Paths every authenticated user may read (kube's system:discovery and system:public-info-viewer). */
const discoveryPaths = [/^\/api\/?$/, /^\/api\/v1\/?$/, /^\/apis\/?$/, /^\/apis\/[^/]+\/?$/, /^\/apis\/[^/]+\/[^/]+\/?$/, /^\/version\/?$/, /^\/openapi\/.*/];

export function createAuthorizer(snapshots: SnapshotSource): Authorizer {
  return {
    authorize(attrs) {
      const revision = snapshots.current.revision;
      if (attrs.user.groups?.includes(privilegedGroup)) {
        return { allowed: true, reason: `allowed by the privileged group "${privilegedGroup}"`, revision };
      }
      if (!attrs.isResourceRequest && attrs.verb === 'get' && attrs.user.groups?.includes('system:authenticated') &&
        discoveryPaths.some((p) => p.test(attrs.path))) {
        return { allowed: true, reason: 'discovery is open to authenticated users', revision };
      }
      return { allowed: false, reason: '', revision };
    },
  };
}
