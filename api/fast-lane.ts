/**
 * The hot routes (reviews and webhooks: POSTs of a JSON body, asked far
 * more often than anything else) dispatched without express's router and
 * body parser, which cost more than the decision itself. A request takes
 * the same steps, in the same order, through the same functions as in the
 * express app: context, authentication and impersonation, authorization of
 * the request, the body (size limit, decoding), validation against its
 * openapi.yaml operation, the route's handler, and the one error handler.
 * Anything unusual — another media type, a compressed body, a revision to
 * wait for, an Accept asking a conversion — is left to the express app.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import querystring from 'node:querystring';
import type { Request, Response } from 'express';
import type { AppDeps } from './context.ts';
import { authnMiddleware } from './authn.ts';
import { authzMiddleware } from './authz.ts';
import { readBody } from './body.ts';
import { decodeSegment } from './request-info.ts';
import { minRevisionHeader } from './consistency.ts';
import { asksConversion } from './negotiation.ts';
import { requestValidator } from './request-validation.ts';
import { templatePattern, type RouteDef } from './routes.ts';
import { tooLarge } from './status.ts';

type Step = (req: Request, res: Response, next: (err?: unknown) => void) => unknown;

interface HotRoute {
  pattern: RegExp;
  params: string[];
  validate: Step;
  handler: Step;
}

export function isHot(r: RouteDef): boolean {
  return r.method === 'post' && /reviews$|reviewbatches$|^\/webhooks\//.test(r.path);
}

export interface FastLaneOptions {
  deps: AppDeps;
  routes: RouteDef[];
  bodyLimit: number;
  /** Starts a request's context (request id, logger), as the app's first middleware does. */
  begin: (req: Request, res: Response) => void;
  onError: (err: unknown, req: Request, res: Response, next: () => void) => void;
}

/** Returns a dispatcher that answers a hot request and says so, or returns false to let the app take it. */
export function createFastLane(opts: FastLaneOptions): (req: IncomingMessage, res: ServerResponse) => boolean {
  const hot: HotRoute[] = opts.routes.filter(isHot).map((r) => ({
    ...templatePattern(r.path), validate: requestValidator(r.path, r.method) as Step, handler: r.handler as Step,
  }));
  const authn = authnMiddleware(opts.deps) as Step;
  const authz = authzMiddleware(opts.deps) as Step;

  return (rawReq, rawRes) => {
    if (rawReq.method !== 'POST') return false;
    const url = rawReq.url ?? '';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    let route: HotRoute | undefined;
    let match: RegExpExecArray | null = null;
    for (const h of hot) {
      match = h.pattern.exec(path);
      if (match) {
        route = h;
        break;
      }
    }
    const h = rawReq.headers;
    const type = (h['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (!route || type !== 'application/json' || h['content-encoding'] || h[minRevisionHeader] !== undefined || asksConversion(h.accept)) return false;

    const req = rawReq as unknown as Request;
    const res = rawRes as unknown as Response;
    // What the express app's request and response carry that the steps read.
    const params: Record<string, string> = {};
    try {
      route.params.forEach((name, i) => { params[name] = decodeSegment(match![i + 1]); });
    } catch {
      return false; // the app authenticates first, then refuses the path with a 400
    }
    Object.defineProperty(req, 'path', { value: path, configurable: true });
    Object.defineProperty(req, 'query', { value: q < 0 ? {} : querystring.parse(url.slice(q + 1)), configurable: true });
    req.params = params;
    (res as { locals: Record<string, unknown> }).locals = {};
    const fail = (err: unknown) => opts.onError(err, req, res, () => {});
    const step = (fn: Step, then: () => void) => {
      try {
        const out = fn(req, res, (err?: unknown) => (err ? fail(err) : then()));
        if (out && typeof (out as Promise<unknown>).catch === 'function') (out as Promise<unknown>).catch(fail);
      } catch (err) {
        fail(err);
      }
    };
    opts.begin(req, res);
    step(authn, () => step(authz, () => readRaw(req, opts.bodyLimit, (err, body) => {
      if (err) return fail(err);
      req.body = body;
      step(readBody, () => step(route!.validate, () => step(route!.handler, () => {})));
    })));
    return true;
  };
}

/** The raw body, as express.raw would give it: a Buffer, refused past `limit` bytes (413). */
function readRaw(req: IncomingMessage, limit: number, done: (err: unknown, body?: Buffer) => void): void {
  const declared = Number(req.headers['content-length']);
  if (declared > limit) {
    req.resume();
    return done(tooLarge(limit));
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let finished = false;
  req.on('data', (c: Buffer) => {
    if (finished) return;
    size += c.length;
    if (size > limit) {
      finished = true;
      req.resume();
      done(tooLarge(limit));
      return;
    }
    chunks.push(c);
  });
  req.on('end', () => {
    if (finished) return;
    finished = true;
    done(undefined, Buffer.concat(chunks, size));
  });
  req.on('error', (err) => {
    if (finished) return;
    finished = true;
    done(err);
  });
}
