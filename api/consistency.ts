/**
 * Read-your-writes across replicas: a request may carry
 * `X-Warden-Min-Revision: R` to be answered at revision R or later. The
 * replica waits briefly for its snapshot to catch up; if it cannot, the
 * answer is 503 with Retry-After, never a decision at an older revision.
 * It runs after authentication (so an anonymous caller gets 401, not a
 * header error or a wait) and before authorization, which then decides at
 * that revision. Authentication itself waits only for a token it does not
 * know yet, when the header asks for a revision this replica lacks.
 */
import type { NextFunction, Request, Response } from 'express';
import type { AppDeps } from './context.ts';
import { badRequest, retryLater } from './status.ts';

export const minRevisionHeader = 'x-warden-min-revision';
export const minRevisionWaitMs = 2000;

/** The revision the request asks for, when its header is a valid one; undefined otherwise (the middleware refuses bad ones). */
export function requestedRevision(req: Request): number | undefined {
  const raw = req.headers[minRevisionHeader];
  const value = Array.isArray(raw) ? raw[0] : raw;
  return value !== undefined && /^\d{1,15}$/.test(value.trim()) ? Number(value) : undefined;
}

/**
 * Before authorization: waits for the revision a valid header asks for
 * (503 with Retry-After when this replica cannot reach it in time), so the
 * request is authorized and answered at that revision or later. A malformed
 * header is left for `refuseMalformedMinRevision`, after authorization, so
 * a caller who may not make the request learns nothing more than 403.
 */
/** The cause of a 503 that refused a request before it ran, because the replica had not reached its minimum revision. */
export const minRevisionCause = 'MinRevisionNotReached';

export function consistencyMiddleware(deps: AppDeps) {
  const wait = async (next: NextFunction, wanted: number) => {
    if (!(await deps.snapshots.waitFor(wanted, minRevisionWaitMs))) {
      const err = retryLater(`this replica's policy snapshot is at revision ${deps.snapshots.revision} and did not reach the requested revision ${wanted} within ${minRevisionWaitMs} ms; retry, or ask another replica`);
      // Refused before anything was read or written: a client may retry even a write.
      err.status.details = { ...err.status.details, causes: [{ reason: minRevisionCause, message: `revision ${wanted} not reached` }] };
      throw err;
    }
    next();
  };
  // Without the header (nearly always) the request goes on at once, without a promise.
  return (req: Request, _res: Response, next: NextFunction) => {
    if (req.headers[minRevisionHeader] === undefined) return next();
    const wanted = requestedRevision(req);
    if (wanted === undefined) return next();
    return wait(next, wanted);
  };
}

/** After authorization: a min-revision header that is not a revision is 400. */
export function refuseMalformedMinRevision(req: Request, _res: Response, next: NextFunction): void {
  const raw = req.headers[minRevisionHeader];
  if (raw !== undefined && requestedRevision(req) === undefined) {
    const value = Array.isArray(raw) ? raw[0] : raw;
    throw badRequest(`X-Warden-Min-Revision: Invalid value: ${JSON.stringify(value)}: must be a non-negative integer revision`);
  }
  next();
}
