/**
 * Escalation prevention on every write of Roles, ClusterRoles, RoleBindings
 * and ClusterRoleBindings, as kube-apiserver's RBAC storage does it: the
 * `escalate` and `bind` verbs, or rules the actor already holds that cover
 * what the write grants. A refusal is 403 (404 for a binding to a missing
 * role) with kube's message. Deletes grant nothing and are not checked.
 * The same check answers RBAC writes arriving as AdmissionReviews at
 * /webhooks/admission, for the user the review names.
 */
import type { KubeObject } from '../../engine/meta.ts';
import { checkEscalation, type EscalationDecision, type RbacWriteObject } from '../../engine/rbac/escalation.ts';
import type { UserInfo } from '../../engine/rbac/types.ts';
import type { AppDeps } from '../context.ts';
import { forbiddenMessage, notFoundMessage, type StatusError } from '../status.ts';
import { shapeErrors } from '../object-shape.ts';
import type { AdmissionStep } from '../webhooks/admission.ts';
import type { AdmissionRequest } from '../webhooks/admission-review.ts';
import type { WriteCheck } from './admission.ts';

const rbacKinds = new Set(['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']);

function isRbacObject(request: AdmissionRequest): boolean {
  return request.kind.group === 'rbac.authorization.k8s.io' && rbacKinds.has(request.kind.kind);
}
const plural: Record<string, string> = { Role: 'roles', ClusterRole: 'clusterroles', RoleBinding: 'rolebindings', ClusterRoleBinding: 'clusterrolebindings' };

/** The escalation decision for `user` writing `next` over `prev` (null: create), on the snapshot in force. */
export function escalationDecision(deps: AppDeps, user: UserInfo, next: KubeObject, prev: KubeObject | null): EscalationDecision {
  const view = deps.snapshots.current.rbac;
  return checkEscalation(
    { authorize: (attrs) => deps.authorizer.authorize(attrs).allowed, view },
    {
      user,
      operation: prev ? 'update' : 'create',
      object: next as unknown as RbacWriteObject,
      oldObject: (prev ?? undefined) as unknown as RbacWriteObject | undefined,
      namespace: next.metadata.namespace ?? '',
      name: prev ? next.metadata.name : '',
    },
  );
}

export function escalationStatus(d: EscalationDecision, next: KubeObject): StatusError {
  if (d.denial === 'missing-role') {
    // kube answers NotFound, naming the referenced role rather than the binding being written.
    const ref = (next as { roleRef?: { kind?: string; name?: string } }).roleRef;
    return notFoundMessage(d.message ?? '', { name: ref?.name, group: 'rbac.authorization.k8s.io', kind: ref?.kind === 'Role' ? 'roles' : 'clusterroles' });
  }
  return forbiddenMessage(d.message ?? '', { name: next.metadata.name, group: 'rbac.authorization.k8s.io', kind: plural[next.kind] });
}

/** Escalation prevention on the API's own RBAC writes. */
export const escalationCheck: WriteCheck = (deps, ctx, k, next, prev) => {
  if (!next || !rbacKinds.has(k.kind)) return;
  const d = escalationDecision(deps, ctx.user, next, prev);
  if (!d.allowed) throw escalationStatus(d, next);
};

/**
 * The escalation verdict on an AdmissionReview's RBAC write (CREATE or
 * UPDATE; no opinion on others), as the API's own writes get it. An object
 * whose fields have the wrong types is refused with 400.
 */
export const admitRbacWrite: AdmissionStep = (deps, _ctx, request) => {
  if (!isRbacObject(request)) return undefined;
  if ((request.operation !== 'CREATE' && request.operation !== 'UPDATE') || !request.object) return undefined;
  const kind = request.kind.kind;
  const wrongTypes = [...shapeErrors(kind, request.object, 'request.object'), ...(request.oldObject ? shapeErrors(kind, request.oldObject, 'request.oldObject') : [])];
  if (wrongTypes.length > 0) {
    return { allowed: false, status: { code: 400, reason: 'BadRequest', message: wrongTypes.map((c) => `${c.field}: ${c.message}`).join('; ') } };
  }
  const withScope = (o: Record<string, unknown>): KubeObject => {
    const metadata = { ...((o.metadata ?? {}) as KubeObject['metadata']) };
    if (!metadata.namespace && request.namespace) metadata.namespace = request.namespace;
    if (!metadata.name && request.name) metadata.name = request.name;
    return { ...o, kind, metadata } as KubeObject;
  };
  const u = request.userInfo;
  const user: UserInfo = { name: u.username ?? '', groups: u.groups ?? [], ...(u.uid ? { uid: u.uid } : {}), ...(u.extra ? { extra: u.extra } : {}) };
  const next = withScope(request.object);
  const prev = request.operation === 'UPDATE' && request.oldObject ? withScope(request.oldObject) : null;
  const d = escalationDecision(deps, user, next, prev);
  if (d.allowed) return { allowed: true };
  const { code, reason, message } = escalationStatus(d, next).status;
  return { allowed: false, status: { code, reason: reason ?? 'Forbidden', message: message ?? '' } };
};
