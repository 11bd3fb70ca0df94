/**
 * The request listener. The hot review routes go through the fast lane
 * (api/fast-lane.ts); everything else through the express app: request id
 * and logger, probes, authentication and impersonation, authorization of
 * the request itself, body reading (1 MiB by default), the routes — each
 * validated against its openapi.yaml operation first — and the one error
 * handler. Both run the same steps and handlers.
 */
import { randomUUID } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import type { AppDeps, RequestContext } from './context.ts';
import { authnMiddleware } from './authn.ts';
import { authzMiddleware } from './authz.ts';
import { consistencyMiddleware, refuseMalformedMinRevision } from './consistency.ts';
import { readBody } from './body.ts';
import { errorHandler } from './error-handler.ts';
import { expressPath, routes, templatePattern, type RouteDef } from './routes.ts';
import { methodNotAllowed, pathNotFound } from './status.ts';
import { requestValidator } from './request-validation.ts';
import { createFastLane } from './fast-lane.ts';
import { parseSize } from './config.ts';
import { legacyWatchPaths } from './watch/legacy-paths.ts';
import { discoveryIndexSource, registrationsOf } from './discovery.ts';
import { refuseUnserved } from './unserved-resources.ts';
import { outputNegotiation } from './negotiation.ts';
import { uiRouter } from './ui.ts';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A request's context; its child logger is made on first use, since most requests never log. */
class Context implements Partial<RequestContext> {
  warnings: string[] = [];
  #log: Logger | undefined;
  constructor(readonly id: string, private readonly root: Logger) {}
  get log(): Logger {
    this.#log ??= this.root.child({ reqId: this.id });
    return this.#log;
  }
}

export function createApp(deps: AppDeps, extra: RouteDef[] = []) {
  const app = express();
  app.disable('x-powered-by');
  // Paths are case-sensitive, as kube-apiserver's: authorization reads the path as
  // written (api/request-info.ts), so routing must not match `/APIS/...` to `/apis/...`.
  app.set('case sensitive routing', true);
  app.set('etag', false);
  const bodyLimit = parseSize(deps.config.bodyLimit);

  const debug = deps.log.isLevelEnabled('debug');
  /** Requests begun before draining started, whose answers may not be written yet. */
  const inFlight = new Set<Response>();
  const begin = (req: Request, res: Response) => {
    const header = req.headers['x-request-id'];
    const id = typeof header === 'string' && /^[\w.-]{1,64}$/.test(header) ? header : randomUUID();
    res.locals.ctx = new Context(id, deps.log);
    res.setHeader('X-Request-Id', id);
    // While draining, every answer ends its connection, so clients move to other replicas
    // before the listener closes instead of finding a kept-alive socket gone.
    if (deps.draining.since !== undefined) {
      res.setHeader('Connection', 'close');
      deps.metrics.closedWhileDraining();
    } else {
      inFlight.add(res);
      res.once('close', () => inFlight.delete(res));
    }
    if (debug) {
      const started = process.hrtime.bigint();
      res.on('finish', () => {
        const ctx = res.locals.ctx as RequestContext;
        ctx.log.debug({ method: req.method, path: req.path, status: res.statusCode, ms: Number(process.hrtime.bigint() - started) / 1e6, user: ctx.user?.name }, 'request');
      });
    }
  };
  app.use((req: Request, res: Response, next: NextFunction) => {
    begin(req, res);
    next();
  });
  app.use(legacyWatchPaths);
  // One discovery index for the discovery routes and the answer to resources Warden does not store.
  const index = discoveryIndexSource(deps.discovery ?? [], registrationsOf(deps.snapshots));
  const table = routes(deps, extra, index);
  for (const r of table.filter((x) => x.public)) app[r.method](expressPath(r.path), r.handler as express.RequestHandler);

  // The dashboard's page and assets are public; the calls it makes are authenticated as any other.
  app.use(uiRouter());
  app.use(authnMiddleware(deps));
  app.use(consistencyMiddleware(deps));
  app.use(authzMiddleware(deps));
  app.use(refuseMalformedMinRevision);
  app.use(express.raw({ type: () => true, limit: bodyLimit }));
  app.use(readBody);
  for (const r of table.filter((x) => !x.public)) {
    app[r.method](expressPath(r.path), outputNegotiation, requestValidator(r.path, r.method), r.handler as express.RequestHandler);
  }
  // A path Warden serves, asked with a method it does not take, is 405; a resource Warden decides on
  // but does not store, its own Status (api/unserved-resources.ts); anything else 404.
  const served = table.map((r) => templatePattern(r.path, true).pattern);
  const unserved = refuseUnserved(index, deps.discovery ?? []);
  app.use((req: Request, res: Response) => {
    if (served.some((re) => re.test(req.path))) throw methodNotAllowed();
    unserved(req, res);
    throw pathNotFound();
  });
  const onError = errorHandler(deps.log, bodyLimit, deps.metrics);
  app.use(onError);
  const fast = createFastLane({ deps, routes: table.filter((x) => !x.public), bodyLimit, begin, onError });
  /**
   * Starts draining: /readyz answers 503 from now on, and every answer —
   * those of requests in flight that are not written yet included — closes
   * its connection.
   */
  const drain = () => {
    if (deps.draining.since !== undefined) return;
    deps.draining.since = Date.now();
    for (const res of inFlight) {
      if (!res.headersSent) {
        res.setHeader('Connection', 'close');
        deps.metrics.closedWhileDraining();
      }
    }
    inFlight.clear();
  };
  // The server's request listener: the hot routes by the fast lane, everything else by express.
  return Object.assign((req: IncomingMessage, res: ServerResponse) => {
    if (!fast(req, res)) app(req, res);
  }, { express: app, drain });
}
