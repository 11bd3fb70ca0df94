/** GET of one object and of collections (kube's get and list handlers). */
import type { Request, Response } from 'express';
import type { KubeObject } from '../../engine/meta.ts';
import { parseFieldSelector, parseLabelSelector } from '../../engine/labels/parse.ts';
import { getObject, listObjects, currentRevision } from '../../prisma/store/read.ts';
import { contextOf, type AppDeps } from '../context.ts';
import { send } from '../respond.ts';
import { badRequest, methodNotAllowed, notFound } from '../status.ts';
import { param } from './decode.ts';
import { apiVersionOf, type ApiKind } from './registry.ts';

export function targetOf(k: ApiKind, name?: string) {
  return { resource: k.plural, group: k.group, name };
}

/** The stored object or a 404 Status. */
export async function mustGet(deps: AppDeps, k: ApiKind, namespace: string | undefined, name: string): Promise<KubeObject> {
  const o = await getObject(deps.db.prisma, k.kind, k.namespaced ? namespace : undefined, name);
  if (!o) throw notFound(targetOf(k, name));
  return o;
}

export function read(deps: AppDeps, k: ApiKind) {
  return async (req: Request, res: Response) => {
    const o = await mustGet(deps, k, param(req, 'namespace'), param(req, 'name')!);
    send(req, res, 200, k.decorate ? k.decorate(o, deps.snapshots.current) : o);
  };
}

/** Objects of the collection matching `labelSelector` and `fieldSelector`; 400 for a malformed selector. */
export async function selectObjects(deps: AppDeps, k: ApiKind, namespace: string | undefined, query: Record<string, unknown>): Promise<KubeObject[]> {
  const label = typeof query.labelSelector === 'string' && query.labelSelector !== '' ? parseLabelSelector(query.labelSelector) : undefined;
  if (label && !label.ok) throw badRequest(`unable to parse labelSelector: ${label.message}`);
  const fieldFields = k.namespaced ? ['metadata.name', 'metadata.namespace'] : ['metadata.name'];
  const field = typeof query.fieldSelector === 'string' && query.fieldSelector !== '' ? parseFieldSelector(query.fieldSelector, fieldFields) : undefined;
  if (field && !field.ok) throw badRequest(`unable to parse fieldSelector: ${field.message}`);
  const all = await listObjects(deps.db.prisma, k.kind, namespace);
  return all.filter((o) => {
    if (label?.ok && !label.selector.matches(o.metadata.labels)) return false;
    if (field?.ok && !field.selector.matches({ 'metadata.name': o.metadata.name, 'metadata.namespace': o.metadata.namespace ?? '' })) return false;
    return true;
  });
}

/** Where a page ended: the last object's namespace ('' when cluster-scoped) and name. */
interface ContinueToken { namespace: string; name: string }

const positionOf = (o: KubeObject): ContinueToken => ({ namespace: o.metadata.namespace ?? '', name: o.metadata.name ?? '' });

/** Objects after the position in list order (namespace, then name), compared as the list is sorted. */
function isAfter(o: KubeObject, t: ContinueToken): boolean {
  const p = positionOf(o);
  return p.namespace !== t.namespace ? p.namespace > t.namespace : p.name > t.name;
}

function decodeContinue(v: unknown): ContinueToken | undefined {
  if (v === undefined || v === '') return undefined;
  try {
    const t = JSON.parse(Buffer.from(String(v), 'base64url').toString('utf8')) as ContinueToken;
    if (typeof t?.namespace !== 'string' || typeof t.name !== 'string') throw new Error('no position');
    return { namespace: t.namespace, name: t.name };
  } catch {
    throw badRequest('continue: Invalid value: the continue token is not valid: it must come from a previous list of the same collection');
  }
}

function pageLimit(v: unknown): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw badRequest(`limit: Invalid value: ${JSON.stringify(v)}: must be a non-negative integer`);
  return n === 0 ? undefined : n;
}

export function list(deps: AppDeps, k: ApiKind) {
  return async (req: Request, res: Response) => {
    const query = req.query as Record<string, unknown>;
    if (query.watch === 'true' || query.watch === '1') throw methodNotAllowed('watch is not supported; list and poll resourceVersion instead');
    const limit = pageLimit(query.limit);
    const token = decodeContinue(query.continue);
    const revision = await currentRevision(deps.db.prisma);
    let items = await selectObjects(deps, k, param(req, 'namespace'), query);
    // A caller allowed to see only part of a cluster-scope list (tenancy) gets that part.
    const scope = contextOf(res).listScope;
    if (scope) items = items.filter((o) => (scope.by === 'name' ? scope.names.has(o.metadata.name!) : scope.namespaces.has(o.metadata.namespace ?? '')));
    if (k.decorate) {
      const snapshot = deps.snapshots.current;
      items = items.map((o) => k.decorate!(o, snapshot));
    }
    if (token) items = items.filter((o) => isAfter(o, token));
    const metadata: Record<string, unknown> = { resourceVersion: String(revision) };
    if (limit !== undefined && items.length > limit) {
      const remaining = items.length - limit;
      items = items.slice(0, limit);
      metadata.continue = Buffer.from(JSON.stringify(positionOf(items[items.length - 1]))).toString('base64url');
      metadata.remainingItemCount = remaining;
    }
    send(req, res, 200, { apiVersion: apiVersionOf(k), kind: `${k.kind}List`, metadata, items }, revision);
  };
}
