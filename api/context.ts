/**
 * What every handler gets: the services built at boot (`AppDeps`) and, per
 * request, who is asking and what they ask (`RequestContext` in res.locals).
 */
import type { Response } from 'express';
import type { Logger } from 'pino';
import type { Authenticated } from '../engine/identity.ts';
import type { Config } from './config.ts';
import type { Database } from '../prisma/database.ts';
import type { Store } from '../prisma/store/store.ts';
import type { SnapshotSource } from '../prisma/snapshot-source.ts';
import type { RequestInfo } from './request-info.ts';
import type { Authorizer } from './authorizer.ts';
import type { ListScope } from '../engine/tenancy/list-scope.ts';
import type { DecisionLog } from './audit/decision-log.ts';
import type { ServerMetrics } from './metrics.ts';
import type { WritePolicy } from './composition.ts';
import type { AdmissionStep } from './webhooks/admission.ts';
import type { DiscoveryGroup } from './discovery.ts';
import type { OutputMedia } from './negotiation.ts';
import type { WatchHub } from './watch/hub.ts';

export interface AppDeps {
  config: Readonly<Config>;
  /** The database, for its lifecycle; requests reach storage through `store`. */
  db: Database;
  store: Store;
  snapshots: SnapshotSource;
  authorizer: Authorizer;
  log: Logger;
  /** Hash of WARDEN_ADMIN_TOKEN, when configured. */
  adminTokenHash?: string;
  /** Where review, admission and traffic decisions are recorded (`record` never blocks or throws). */
  decisions?: DecisionLog;
  metrics: ServerMetrics;
  /** What every write passes and brings with it (api/composition.ts). */
  writes: WritePolicy;
  /** The validating admission webhook's steps, in order. */
  admission: AdmissionStep[];
  /** Discovery entries of resources that are not stored kinds. */
  discovery: DiscoveryGroup[];
  /** The open watches of this replica. */
  watches: WatchHub;
  /** Set once SIGTERM came: /readyz answers 503 and every answer closes its connection. */
  draining: { since?: number };
}

export interface RequestContext {
  id: string;
  log: Logger;
  user: Authenticated;
  /** The authenticated caller before impersonation (recorded as the actor of writes). */
  caller: Authenticated;
  info: RequestInfo;
  /** Set once the request itself is authorized (what fails later failed in its handler). */
  authorized?: boolean;
  /** Kube-style warnings, sent as `Warning: 299 - "..."` headers. */
  warnings: string[];
  /** Set when the caller may see only part of a cluster-scope list. */
  listScope?: ListScope;
  /** The DeleteOptions of a delete request (propagationPolicy decides whether a tenant cascades). */
  deleteOptions?: { propagationPolicy?: string };
  /** Set when the request asked a conversion (a Table): what its answer is written as (api/negotiation.ts). */
  output?: OutputMedia;
}

export function contextOf(res: Response): RequestContext {
  return res.locals.ctx as RequestContext;
}

/** The actor recorded with a write: the caller, and whom it impersonated. */
export function actorOf(ctx: RequestContext): string {
  return ctx.caller.name === ctx.user.name ? ctx.user.name : `${ctx.caller.name} (as ${ctx.user.name})`;
}
