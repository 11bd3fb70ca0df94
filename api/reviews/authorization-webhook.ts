/**
 * POST /webhooks/authorization: kube-apiserver's authorization webhook
 * (--authorization-webhook-config-file). The request and the answer are
 * SubjectAccessReviews (authorization.k8s.io/v1, or v1beta1 as older API
 * servers send). Warden answers as the RBAC authorizer would: `allowed`
 * when a binding grants it; otherwise no opinion (allowed and denied both
 * false), so the API server's next authorizer may still decide. RBAC
 * grants only, so Warden never says `denied`.
 */
import type { Request, Response } from 'express';
import type { AppDeps } from '../context.ts';
import { contextOf } from '../context.ts';
import { attributesOf, decideAccess, refuseInvalid, reviewBody, sendReview, subjectOf, validateSubjectSpec, type AccessSpec } from './review-common.ts';
import { recordDecision } from './record.ts';

export function authorizationWebhook(deps: AppDeps) {
  return (req: Request, res: Response) => {
    const body = reviewBody<AccessSpec>(req, 'authorization.k8s.io/v1', 'SubjectAccessReview', ['authorization.k8s.io/v1', 'authorization.k8s.io/v1beta1']);
    refuseInvalid('SubjectAccessReview', 'authorization.k8s.io', validateSubjectSpec(body.spec, 'spec'));
    const attrs = attributesOf(subjectOf(body.spec), body.spec);
    const { status, revision } = decideAccess(deps, attrs);
    const answer = { allowed: status.allowed, denied: false, ...(status.reason ? { reason: status.reason } : {}) };
    recordDecision(deps, contextOf(res), 'AuthorizationWebhook', attrs, body.spec, status, revision);
    sendReview(req, res, 200, body, answer, revision);
  };
}
