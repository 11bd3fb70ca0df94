/**
 * ResourceAccessReview (authorization.warden.dev/v1), "who can": every
 * subject that may do the verb on the resource (or non-resource URL), each
 * once, with the bindings that grant it; system:masters first. Answered from
 * the snapshot; paginated with `?limit=` and `?continue=`, a token being
 * bound to the question and the revision it was issued at.
 */
import type { Request, Response } from 'express';
import { whoCan, type WhoCanQuestion } from '../../engine/rbac/who-can.ts';
import { contextOf, type AppDeps } from '../context.ts';
import { send } from '../respond.ts';
import { badRequest, expired } from '../status.ts';
import { refuseInvalid, decodeReview, validateAttributeBlocks, type AccessSpec } from './review-common.ts';

export const maxWhoCanPage = 5000;

/** `?limit=`: absent, or 0 as in kube lists, means no limit; otherwise 1 to maxWhoCanPage. */
function pageSize(v: unknown): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > maxWhoCanPage) throw badRequest(`limit: Invalid value: ${JSON.stringify(v)}: must be an integer from 0 (no limit) to ${maxWhoCanPage}`);
  return n === 0 ? undefined : n;
}

export function resourceAccessReview(deps: AppDeps) {
  return (req: Request, res: Response) => {
    const body = decodeReview<AccessSpec>(req, contextOf(res), 'authorization.warden.dev/v1', 'ResourceAccessReview');
    refuseInvalid('ResourceAccessReview', 'authorization.warden.dev', validateAttributeBlocks(body.spec, 'spec'));
    const limit = pageSize(req.query.limit);
    const token = typeof req.query.continue === 'string' && req.query.continue !== '' ? req.query.continue : undefined;
    const snapshot = deps.snapshots.current;
    const question = (body.spec.resourceAttributes ? { resourceAttributes: body.spec.resourceAttributes } : { nonResourceAttributes: body.spec.nonResourceAttributes }) as WhoCanQuestion;
    const out = whoCan(snapshot.rbac, question, { revision: snapshot.revision, limit, continue: token });
    if (!out.ok) throw out.problem === 'expired-token' ? expired(out.message) : badRequest(out.message);
    const subjects = out.subjects.map((e) => ({
      ...e.subject,
      grantedBy: e.grantedBy.map((b) => ({ ...b })),
      ...(e.privileged ? { privileged: e.privileged } : {}),
    }));
    const status: Record<string, unknown> = { subjects, complete: out.continue === undefined };
    if (out.evaluationError) status.evaluationError = out.evaluationError;
    const metadata: Record<string, unknown> = { ...(body.metadata ?? {}), creationTimestamp: null };
    if (out.continue) {
      metadata.continue = out.continue;
      metadata.remainingItemCount = out.remainingItemCount;
    }
    send(req, res, 201, { apiVersion: body.apiVersion, kind: body.kind, metadata, spec: body.spec, status }, snapshot.revision);
  };
}
