/**
 * Read-your-writes across replicas: a request may carry
 * `X-Warden-Min-Revision: R` to be answered at revision R or later. The
 * replica waits briefly for its snapshot to catch up; if it cannot, the
 * answer is 503 with Retry-After, never a decision at an older revision.
 */
import type { NextFunction, Request, Response } from 'express';
import type { AppDeps } from './context.ts';
import { badRequest, serviceUnavailable } from './status.ts';

export const minRevisionHeader = 'x-warden-min-revision';
export const minRevisionWaitMs = 2000;

export function consistencyMiddleware(deps: AppDeps) {
  const wait = async (req: Request, next: NextFunction, raw: string | string[]) => {
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (!/^\d{1,15}$/.test(value.trim())) throw badRequest(`X-Warden-Min-Revision: Invalid value: ${JSON.stringify(value)}: must be a non-negative integer revision`);
    const wanted = Number(value);
    if (!(await deps.snapshots.waitFor(wanted, minRevisionWaitMs))) {
      const err = serviceUnavailable(`this replica's policy snapshot is at revision ${deps.snapshots.revision} and did not reach the requested revision ${wanted} within ${minRevisionWaitMs} ms; retry, or ask another replica`, 1);
      err.headers['Retry-After'] = '1';
      throw err;
    }
    next();
  };
  // Without the header (nearly always) the request goes on at once, without a promise.
  return (req: Request, _res: Response, next: NextFunction) => {
    const raw = req.headers[minRevisionHeader];
    if (raw === undefined) return next();
    return wait(req, next, raw);
  };
}
