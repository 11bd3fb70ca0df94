/**
 * POST /webhooks/authorization: kube-apiserver's authorization webhook
 * (--authorization-webhook-config-file). The request and the answer are
 * SubjectAccessReviews (authorization.k8s.io/v1, or v1beta1 as older API
 * servers send). Warden answers as the RBAC authorizer would: `allowed`
 * when a binding grants it; otherwise no opinion (allowed and denied both
 * false), so the API server's next authorizer may still decide. RBAC
 * grants only, so Warden never says `denied`. A replica whose snapshot is
 * too stale to decide answers no opinion with an `evaluationError`.
 *
 * authorization.k8s.io/v1beta1 names the spec's groups `group` (v1:
 * `groups`); a v1beta1 review is read by its own field names, so an older
 * API server's groups are not lost.
 */
import type { Request, Response } from 'express';
import type { AppDeps } from '../context.ts';
import { contextOf } from '../context.ts';
import { badRequest } from '../status.ts';
import { attributesOf, decideAccess, refuseInvalid, decodeReview, sendReview, subjectOf, validateSubjectSpec, type AccessSpec, type ReviewBody } from './review-common.ts';
import { recordDecision } from './record.ts';
import { StaleSnapshotError } from '../../prisma/snapshot-source.ts';

const v1beta1 = 'authorization.k8s.io/v1beta1';

/** The spec in v1 terms: v1beta1's `group` becomes `groups` (and v1's `groups` means nothing in v1beta1). */
function v1Spec(body: ReviewBody<AccessSpec>): AccessSpec {
  if (body.apiVersion !== v1beta1) return body.spec;
  const { group, groups: _ignored, ...rest } = body.spec as AccessSpec & { group?: unknown };
  if (group === undefined || group === null) return rest;
  if (!Array.isArray(group) || !group.every((g) => typeof g === 'string')) {
    throw badRequest(`spec.group: Invalid value: ${JSON.stringify(group)}: must be a list of group names`);
  }
  return { ...rest, groups: group };
}

export function authorizationWebhook(deps: AppDeps) {
  return (req: Request, res: Response) => {
    const body = decodeReview<AccessSpec>(req, contextOf(res), 'authorization.k8s.io/v1', 'SubjectAccessReview', ['authorization.k8s.io/v1', v1beta1]);
    const spec = v1Spec(body);
    refuseInvalid('SubjectAccessReview', 'authorization.k8s.io', validateSubjectSpec(spec, 'spec'));
    const attrs = attributesOf(subjectOf(spec), spec);
    let decided: ReturnType<typeof decideAccess>;
    try {
      decided = decideAccess(deps, attrs);
    } catch (err) {
      if (!(err instanceof StaleSnapshotError)) throw err;
      // Fail closed without locking anyone out: no opinion, with the evaluation error, so the
      // API server's next authorizer (or its failure policy) decides.
      deps.metrics.refusedStale('authorization_webhook');
      decided = { status: { allowed: false, evaluationError: err.message }, revision: err.revision };
    }
    const { status, revision } = decided;
    const answer = {
      allowed: status.allowed, denied: false,
      ...(status.reason ? { reason: status.reason } : {}),
      ...(status.evaluationError ? { evaluationError: status.evaluationError } : {}),
    };
    recordDecision(deps, contextOf(res), 'AuthorizationWebhook', attrs, body.spec, status, revision);
    sendReview(req, res, 200, body, answer, revision);
  };
}
