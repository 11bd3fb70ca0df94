/**
 * The audit group's routes (`audit.warden.dev/v1`: decisions and changes,
 * both list-only and cluster-scoped, authorized as `list` on their resource)
 * and `/metrics` (a non-resource path, authorized as `get`).
 */
import type { Request, Response } from 'express';
import type { AppDeps } from '../context.ts';
import type { DiscoveryGroup } from '../discovery.ts';
import type { RouteDef } from '../routes.ts';
import { listChangesHandler } from './changes.ts';
import { listDecisionsHandler } from './decisions.ts';

export const auditDiscovery: DiscoveryGroup = {
  group: 'audit.warden.dev', version: 'v1', resources: [
    { name: 'decisions', singularName: 'decision', namespaced: false, kind: 'Decision', verbs: ['list'] },
    { name: 'changes', singularName: 'change', namespaced: false, kind: 'Change', verbs: ['list'] },
  ],
};

/** Prometheus text exposition of the server's metrics, the decision log's among them. */
export function metricsHandler(deps: AppDeps) {
  return async (_req: Request, res: Response) => {
    const registry = deps.metrics.registry;
    res.status(200).type(registry.contentType).send(await registry.metrics());
  };
}

export function auditRoutes(deps: AppDeps): RouteDef[] {
  return [
    { method: 'get', path: '/apis/audit.warden.dev/v1/decisions', handler: listDecisionsHandler(deps) },
    { method: 'get', path: '/apis/audit.warden.dev/v1/changes', handler: listChangesHandler(deps) },
    { method: 'get', path: '/metrics', handler: metricsHandler(deps) },
  ];
}
