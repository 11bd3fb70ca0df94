/**
 * Authentication: `Authorization: Bearer <token>`, looked up by its SHA-256
 * hash in the snapshot (or matched against WARDEN_ADMIN_TOKEN), and good
 * for Warden's own audiences. No or an unknown token is 401. The same
 * lookup answers TokenReviews (api/reviews/identity-reviews.ts). Then
 * kube-style impersonation: `Impersonate-User`,
 * `Impersonate-Group` (repeatable), `Impersonate-Uid`, each authorized by the
 * `impersonate` verb on users, groups, serviceaccounts and uids.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import {
  apiAudiences, authenticateToken, checkAudiences, serviceAccountGroups, serviceAccountOf, type Authenticated, type AuthenticationResult,
} from '../engine/identity.ts';
import type { Attributes } from '../engine/rbac/types.ts';
import { privilegedGroup } from '../engine/rbac/decision.ts';
import type { AppDeps } from './context.ts';
import { badRequest, forbiddenMessage, unauthorized } from './status.ts';
import { minRevisionHeader, minRevisionWaitMs, requestedRevision } from './consistency.ts';

export const adminUser: Authenticated = { name: 'warden:admin', groups: [privilegedGroup, 'system:authenticated'] };

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function bearer(req: Request): string | undefined {
  const h = req.headers.authorization;
  if (!h) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m ? m[1] : '';
}

/**
 * What a bearer token authenticates as at `now`, before its audiences are
 * checked: WARDEN_ADMIN_TOKEN (configuration, so it needs no snapshot),
 * else a token of the snapshot in force. A snapshot too stale to confirm
 * that a token is still valid throws StaleSnapshotError: no answer rather
 * than one from a state that may still hold a revoked token.
 */
export function authenticateBearer(deps: AppDeps, token: string, now: number): AuthenticationResult {
  const hash = hashToken(token);
  if (deps.adminTokenHash && timingSafeEqual(Buffer.from(hash), Buffer.from(deps.adminTokenHash))) {
    return { ok: true, user: adminUser, tokenName: '' };
  }
  return authenticateToken(deps.snapshots.current, hash, now);
}

export function authenticate(deps: AppDeps, req: Request): Authenticated {
  const token = bearer(req);
  if (!token) throw unauthorized();
  const result = authenticateBearer(deps, token, Date.now());
  // A token issued for other audiences only (a TokenRequest's) does not authenticate to Warden, as kube-apiserver checks --api-audiences.
  if (!result.ok || !checkAudiences(result.audiences, apiAudiences, apiAudiences).ok) throw unauthorized();
  return result.user;
}

function headerValues(req: Request, name: string): string[] {
  const raw = req.headersDistinct?.[name.toLowerCase()];
  // One value per header line, as Go's http.Header keeps them: a group name may contain a comma.
  return (raw ?? []).map((v) => v.trim()).filter((v) => v !== '');
}

function impersonationAttrs(caller: Authenticated, resource: string, name: string, namespace = ''): Attributes {
  return {
    user: caller, verb: 'impersonate', isResourceRequest: true, namespace, apiGroup: resource === 'uids' ? 'authentication.k8s.io' : '',
    apiVersion: '', resource, subresource: '', name, path: '',
  };
}

/** The identity a request acts as, after impersonation; throws a Status when not allowed. */
export function impersonate(deps: AppDeps, req: Request, caller: Authenticated): Authenticated {
  // Most requests impersonate no one: skip building the per-line header lists for them.
  const h = req.headers;
  if (h['impersonate-user'] === undefined && h['impersonate-group'] === undefined && h['impersonate-uid'] === undefined) return caller;
  const user = headerValues(req, 'Impersonate-User')[0];
  const groups = headerValues(req, 'Impersonate-Group');
  const uid = headerValues(req, 'Impersonate-Uid')[0];
  if (user === undefined) {
    if (groups.length || uid !== undefined) throw badRequest('requested impersonation of groups or uid without impersonating a user');
    return caller;
  }
  const checks: Attributes[] = [];
  // As kube-apiserver: a name that is not exactly system:serviceaccount:<namespace>:<name>
  // is a plain user name, and acting as it needs `impersonate` on users.
  const sa = serviceAccountOf(user);
  if (sa) checks.push(impersonationAttrs(caller, 'serviceaccounts', sa.name, sa.namespace));
  else checks.push(impersonationAttrs(caller, 'users', user));
  for (const g of groups) checks.push(impersonationAttrs(caller, 'groups', g));
  if (uid !== undefined) checks.push(impersonationAttrs(caller, 'uids', uid));
  for (const a of checks) {
    if (!deps.authorizer.authorize(a).allowed) {
      const scope = a.namespace ? ` in the namespace "${a.namespace}"` : '';
      throw forbiddenMessage(
        `${a.resource}${a.apiGroup ? `.${a.apiGroup}` : ''} "${a.name}" is forbidden: User "${caller.name}" cannot impersonate resource "${a.resource}" in API group "${a.apiGroup}"${scope || ' at the cluster scope'}`,
        { name: a.name, kind: a.resource, ...(a.apiGroup ? { group: a.apiGroup } : {}) },
      );
    }
  }
  // As kube-apiserver: an impersonated user is authenticated, and a service account
  // impersonated without groups gets the groups every service account has.
  const all = [...groups];
  if (sa && groups.length === 0) all.push(...serviceAccountGroups(sa.namespace));
  if (user !== 'system:anonymous') all.push('system:authenticated');
  const out: Authenticated = { name: user, groups: [...new Set(all)] };
  if (uid !== undefined) out.uid = uid;
  return out;
}

/**
 * Express middleware: sets ctx.caller and ctx.user, or passes a 401/403
 * Status on. A request with a token and `X-Warden-Min-Revision` naming a
 * revision this replica has not reached is authenticated at that revision
 * (after waiting for it, as the consistency step would): a token revoked or
 * issued on another replica is judged as of then. Without a token nothing
 * is waited for: the answer is 401 at once.
 */
export function authnMiddleware(deps: AppDeps) {
  const finish = (req: Request, res: Response, next: NextFunction) => {
    const ctx = res.locals.ctx;
    ctx.caller = authenticate(deps, req);
    ctx.user = impersonate(deps, req, ctx.caller);
    next();
  };
  return (req: Request, res: Response, next: NextFunction) => {
    const wanted = req.headers[minRevisionHeader] === undefined ? undefined : requestedRevision(req);
    if (wanted !== undefined && deps.snapshots.revision < wanted && bearer(req)) {
      return deps.snapshots.waitFor(wanted, minRevisionWaitMs).then(() => finish(req, res, next));
    }
    finish(req, res, next);
  };
}
