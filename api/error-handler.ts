/**
 * The one place errors become responses. A StatusError is written as its
 * Status; request-validation and body-parser errors become the kube Status
 * of their kind; anything else is logged with the request id and answered
 * with a 500 that reveals nothing internal.
 */
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import {
  StatusError, badRequest, databaseUnavailable, internalError, methodNotAllowed, pathNotFound, staleSnapshot, tooLarge, unsupportedMediaType, type Status,
} from './status.ts';
import { send } from './respond.ts';
import { isDatabaseUnavailable } from '../prisma/store/errors.ts';
import { StaleSnapshotError } from '../prisma/snapshot-source.ts';
import type { ServerMetrics } from './metrics.ts';
import type { RequestContext } from './context.ts';

/** What express's body reader and router throw: an HTTP status, a type, and a message. */
interface HttpError { status?: number; message?: string; type?: string; limit?: number }

/** `contentType` is the request's, named by a 415 (the validator's own text names `undefined` when there is none). */
export function toStatusError(err: unknown, bodyLimitBytes: number, contentType?: string): StatusError | undefined {
  if (err instanceof StatusError) return err;
  const e = err as HttpError;
  if (e?.type === 'entity.too.large') return tooLarge(e.limit ?? bodyLimitBytes);
  if (e?.type === 'entity.parse.failed' || e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported') return badRequest(String(e.message));
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
    switch (e.status) {
      case 404: return pathNotFound();
      case 405: return methodNotAllowed();
      case 413: return tooLarge(bodyLimitBytes);
      case 415: return unsupportedMediaType(contentType?.split(';')[0].trim() || '(none)');
      default: return badRequest(String(e.message));
    }
  }
  return undefined;
}

export function errorHandler(log: Logger, bodyLimitBytes: number, metrics?: ServerMetrics) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    let status: Status;
    let known = toStatusError(err, bodyLimitBytes, req.headers['content-type']);
    if (!known && err instanceof StaleSnapshotError) {
      const ctx = res.locals.ctx as Partial<RequestContext> | undefined;
      metrics?.unavailableAnswer('stale_snapshot');
      metrics?.refusedStale(!ctx?.caller ? 'authentication' : !ctx.authorized ? 'authorization' : 'review');
      known = staleSnapshot(err.message);
    } else if (!known && isDatabaseUnavailable(err)) {
      (res.locals.ctx?.log ?? log).warn({ err }, 'request failed: the database is unavailable');
      metrics?.unavailableAnswer('database');
      known = databaseUnavailable();
    }
    if (known) {
      status = known.status;
      for (const [h, v] of Object.entries(known.headers)) res.setHeader(h, v);
    } else {
      (res.locals.ctx?.log ?? log).error({ err }, 'request failed');
      status = internalError().status;
    }
    if (res.headersSent) return;
    if (!res.locals.ctx) res.locals.ctx = { warnings: [] };
    send(req, res, status.code, status);
  };
}
