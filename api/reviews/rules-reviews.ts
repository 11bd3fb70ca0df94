/**
 * Rules reviews: SelfSubjectRulesReview (authorization.k8s.io/v1) for the
 * caller, and SubjectRulesReview (authorization.warden.dev/v1) for any
 * subject, both with Kubernetes' rule lists (one entry per rule per
 * applicable binding), `incomplete` and `evaluationError`.
 */
import type { Request, Response } from 'express';
import { rulesReview } from '../../engine/rbac/rules-review.ts';
import type { UserInfo } from '../../engine/rbac/types.ts';
import { invalid, required, type FieldError } from '../../engine/validation/field-error.ts';
import type { AppDeps } from '../context.ts';
import { contextOf } from '../context.ts';
import { badRequest } from '../status.ts';
import { refuseInvalid, decodeReview, sendReview } from './review-common.ts';

function review(deps: AppDeps, user: UserInfo, namespace: string) {
  const snapshot = deps.snapshots.current;
  const out = rulesReview(snapshot.rbac, user, namespace);
  if (!out.ok) throw badRequest(out.message);
  return { status: out.status, revision: snapshot.revision };
}

export function selfSubjectRulesReview(deps: AppDeps) {
  return (req: Request, res: Response) => {
    const body = decodeReview<{ namespace?: string }>(req, contextOf(res), 'authorization.k8s.io/v1', 'SelfSubjectRulesReview');
    const { status, revision } = review(deps, contextOf(res).user, body.spec.namespace ?? '');
    sendReview(req, res, 201, body, status, revision);
  };
}

interface SubjectRulesSpec { user?: string; groups?: string[]; uid?: string; namespace?: string }

export function subjectRulesReview(deps: AppDeps) {
  return (req: Request, res: Response) => {
    const body = decodeReview<SubjectRulesSpec>(req, contextOf(res), 'authorization.warden.dev/v1', 'SubjectRulesReview');
    const spec = body.spec;
    const errs: FieldError[] = [];
    if (!spec.user && !(spec.groups?.length)) errs.push(invalid('spec.user', spec.user ?? '', 'at least one of user or group must be specified'));
    if (!spec.namespace) errs.push(required('spec.namespace', 'rules are reviewed in one namespace'));
    refuseInvalid('SubjectRulesReview', 'authorization.warden.dev', errs);
    const user: UserInfo = { name: spec.user ?? '', groups: spec.groups ?? [] };
    const { status, revision } = review(deps, user, spec.namespace!);
    sendReview(req, res, 201, body, status, revision);
  };
}
