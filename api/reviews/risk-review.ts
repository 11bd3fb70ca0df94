/**
 * RiskReview (authorization.warden.dev/v1): the dangerous or broken grants
 * of the cluster, or of one namespace (engine/risks/review.ts).
 *
 * Besides `create` on riskreviews (checked with the request), the caller
 * must be able to list what the review reads: RoleBindings in the
 * namespace, or ClusterRoleBindings and RoleBindings cluster-wide; 403
 * otherwise. Whatever else it may not list (ClusterRoleBindings in a
 * namespace review, Roles, ClusterRoles, Users) is left out, with
 * `incomplete` and an `evaluationError` naming it; another tenant counts
 * only where the caller may get it. A namespace that does not exist is 422
 * naming `spec.namespace`, once the caller may list its RoleBindings.
 * Paginated with `?limit=` and `?continue=` as resourceaccessreviews are,
 * a token being bound to the question, the caller and the revision.
 */
import type { Request, Response } from 'express';
import type { Attributes, UserInfo } from '../../engine/rbac/types.ts';
import { decodeContinue, encodeContinue, questionFingerprint } from '../../engine/rbac/who-can-continue.ts';
import { reviewRisks } from '../../engine/risks/review.ts';
import type { RiskVisibility } from '../../engine/risks/types.ts';
import { notFound } from '../../engine/validation/field-error.ts';
import { contextOf, type AppDeps } from '../context.ts';
import { forbiddenText, reasonFor } from '../authz.ts';
import { send } from '../respond.ts';
import { badRequest, expired, forbiddenMessage } from '../status.ts';
import { decodeReview, refuseInvalid } from './review-common.ts';

interface RiskSpec { namespace?: string; includeDefaults?: boolean }

const rbacGroup = 'rbac.authorization.k8s.io';
export const maxRiskPage = 5000;

/** `?limit=`: absent, or 0 as in kube lists, means every finding; otherwise 1 to maxRiskPage. */
function pageSize(v: unknown): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > maxRiskPage) throw badRequest(`limit: Invalid value: ${JSON.stringify(v)}: must be an integer from 0 (no limit) to ${maxRiskPage}`);
  return n === 0 ? undefined : n;
}

function listAttrs(user: UserInfo, apiGroup: string, resource: string, namespace: string, verb = 'list', name = ''): Attributes {
  return { user, verb, isResourceRequest: true, namespace, apiGroup, apiVersion: 'v1', resource, subresource: '', name, path: '' };
}

export function riskReview(deps: AppDeps) {
  return (req: Request, res: Response) => {
    const ctx = contextOf(res);
    const body = decodeReview<RiskSpec>(req, ctx, 'authorization.warden.dev/v1', 'RiskReview');
    const namespace = body.spec.namespace || undefined;
    const user = ctx.user;
    const may = (a: Attributes) => deps.authorizer.authorize(a).allowed;

    const required = namespace !== undefined
      ? [listAttrs(user, rbacGroup, 'rolebindings', namespace)]
      : [listAttrs(user, rbacGroup, 'clusterrolebindings', ''), listAttrs(user, rbacGroup, 'rolebindings', '')];
    for (const attrs of required) {
      const d = deps.authorizer.authorize(attrs);
      if (!d.allowed) {
        throw forbiddenMessage(`riskreviews.authorization.warden.dev is forbidden: ${forbiddenText(attrs, reasonFor(deps, user, attrs, d))}`,
          { group: 'authorization.warden.dev', kind: 'riskreviews' });
      }
    }

    const snapshot = deps.snapshots.current;
    if (namespace !== undefined && !snapshot.namespaces.has(namespace)) {
      refuseInvalid('RiskReview', 'authorization.warden.dev', [notFound('spec.namespace', namespace)]);
    }

    const allRoles = may(listAttrs(user, rbacGroup, 'roles', ''));
    const visible: RiskVisibility = {
      clusterRoleBindings: namespace === undefined || may(listAttrs(user, rbacGroup, 'clusterrolebindings', '')),
      clusterRoles: may(listAttrs(user, rbacGroup, 'clusterroles', '')),
      roles: (ns) => allRoles || may(listAttrs(user, rbacGroup, 'roles', ns)),
      users: may(listAttrs(user, 'iam.warden.dev', 'users', '')),
      tenant: (name) => may(listAttrs(user, 'tenancy.warden.dev', 'tenants', '', 'get', name)),
    };
    const includeDefaults = body.spec.includeDefaults === true;
    // A page is bound to the question, the caller (what it may read shapes the answer) and the revision.
    const limit = pageSize(req.query.limit);
    const fingerprint = questionFingerprint(['RiskReview', namespace ?? '', includeDefaults, user.name, [...(user.groups ?? [])].sort()]);
    let offset = 0;
    if (typeof req.query.continue === 'string' && req.query.continue !== '') {
      const token = decodeContinue(req.query.continue, fingerprint, String(snapshot.revision));
      if (!token.ok) throw token.problem === 'expired-token' ? expired(token.message) : badRequest(token.message);
      offset = token.offset;
    }

    const result = reviewRisks(snapshot, { namespace, includeDefaults, visible });
    const end = limit === undefined ? result.findings.length : offset + limit;
    const status: Record<string, unknown> = { findings: result.findings.slice(offset, end) };
    if (result.omitted.length) {
      status.incomplete = true;
      status.evaluationError = `left out, as the caller may not list them: ${result.omitted.join(', ')}`;
    }
    const metadata: Record<string, unknown> = { ...(body.metadata ?? {}), creationTimestamp: null };
    if (end < result.findings.length) {
      metadata.continue = encodeContinue(end, fingerprint, String(snapshot.revision));
      metadata.remainingItemCount = result.findings.length - end;
    }
    send(req, res, 201, { apiVersion: body.apiVersion, kind: body.kind, metadata, spec: body.spec, status }, snapshot.revision);
  };
}
