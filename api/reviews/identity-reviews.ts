/**
 * Who is this? The identity reviews of authentication.k8s.io/v1 and the
 * authentication webhook:
 *
 * - SelfSubjectReview (`kubectl auth whoami`): the caller as authenticated,
 *   after impersonation, as kube-apiserver's
 *   pkg/registry/authentication/selfsubjectreview answers it. Authorized as
 *   `create selfsubjectreviews`, which system:basic-user gives everyone.
 * - TokenReview: what a bearer token authenticates as, as kube-apiserver's
 *   pkg/registry/authentication/tokenreview answers it. Authorized as
 *   `create tokenreviews` (system:auth-delegator).
 * - POST /webhooks/authentication: kube-apiserver's webhook token
 *   authenticator (--authentication-token-webhook-config-file). A TokenReview
 *   comes in (authentication.k8s.io/v1, or v1beta1, the same fields, as
 *   --authentication-token-webhook-version=v1beta1 sends it) and goes back
 *   with its status. Authorized as `post` on the non-resource path, as the
 *   authorization webhook is.
 *
 * Both TokenReview endpoints take the one decision, reviewToken. A token
 * that is unknown, expired or revoked is `invalid bearer token`, nothing
 * more. A replica too stale to confirm that a token it holds is still valid
 * answers 503 (StaleSnapshotError), never a stale `authenticated: true`.
 */
import type { Request, Response } from 'express';
import { apiAudiences, checkAudiences, type Authenticated } from '../../engine/identity.ts';
import { authenticateBearer } from '../authn.ts';
import { contextOf, type AppDeps } from '../context.ts';
import { formatTime } from '../iam/token-strategy.ts';
import { send } from '../respond.ts';
import { badRequest } from '../status.ts';
import { decodeReview, sendReview } from './review-common.ts';

const v1 = 'authentication.k8s.io/v1';
const v1beta1 = 'authentication.k8s.io/v1beta1';

export interface TokenReviewSpec { token?: string; audiences?: string[] }

/** authentication.k8s.io UserInfo; empty fields are left out, as Go's omitempty leaves them. */
export interface UserInfo { username?: string; uid?: string; groups?: string[]; extra?: Record<string, string[]> }

export interface TokenReviewStatus { authenticated?: boolean; user: UserInfo; audiences?: string[]; error?: string }

/** kube's answer for a token no authenticator accepts (k8s.io/apiserver's bearer-token authenticator). */
export const invalidBearerToken = 'invalid bearer token';

export function userInfoOf(user: Authenticated): UserInfo {
  const info: UserInfo = { username: user.name };
  if (user.uid) info.uid = user.uid;
  if (user.groups.length) info.groups = [...user.groups];
  return info;
}

/**
 * The TokenReview decision. `implicit` is what an audience-agnostic token
 * (the admin's, a User's) is good for: Warden's own audiences for the API;
 * undefined for the webhook, whose caller takes an answer naming no
 * audiences as valid for its own (checkAudiences). A token issued for
 * audiences is good only for those asked for, or Warden's own when none is.
 * A refusal carries `authenticated` unset (false), an empty user and kube's
 * error text. No token is 400, in kube's words.
 */
export function reviewToken(deps: AppDeps, spec: TokenReviewSpec, implicit: readonly string[] | undefined, now = Date.now()): TokenReviewStatus {
  if (!spec.token) throw badRequest('token is required for TokenReview in authentication');
  const result = authenticateBearer(deps, spec.token, now);
  if (!result.ok) return { user: {}, error: invalidBearerToken };
  const audiences = checkAudiences(result.audiences, spec.audiences ?? [], implicit);
  if (!audiences.ok) return { user: {}, error: audiences.error ?? invalidBearerToken };
  const status: TokenReviewStatus = { authenticated: true, user: userInfoOf(result.user) };
  if (audiences.audiences.length) status.audiences = audiences.audiences;
  return status;
}

export function selfSubjectReview(deps: AppDeps) {
  return (req: Request, res: Response) => {
    const ctx = contextOf(res);
    const body = decodeReview(req, ctx, v1, 'SelfSubjectReview');
    // As kube: a new object, whatever the body held, stamped now.
    send(req, res, 201, {
      apiVersion: body.apiVersion, kind: body.kind,
      metadata: { creationTimestamp: formatTime(Date.now()) },
      status: { userInfo: userInfoOf(ctx.user) },
    }, deps.snapshots.revision);
  };
}

export function tokenReview(deps: AppDeps) {
  return (req: Request, res: Response) => {
    const body = decodeReview<TokenReviewSpec>(req, contextOf(res), v1, 'TokenReview');
    const status = reviewToken(deps, body.spec, apiAudiences);
    sendReview(req, res, 201, body, status, deps.snapshots.revision);
  };
}

export function authenticationWebhook(deps: AppDeps) {
  return (req: Request, res: Response) => {
    const body = decodeReview<TokenReviewSpec>(req, contextOf(res), v1, 'TokenReview', [v1, v1beta1]);
    const status = reviewToken(deps, body.spec, undefined);
    sendReview(req, res, 200, body, status, deps.snapshots.revision);
  };
}
