/**
 * GET /apis/audit.warden.dev/v1/changes: the change history of stored
 * objects, newest first, filtered by object `kind`, `namespace`, `name`,
 * `actor` and time range, paged with `limit` and `continue`. Each item is one
 * object's write: revision, time, actor, operation, the object's identity,
 * and the object before and after. A Token shows only its metadata and
 * `spec.user`: whatever else a token carries stays out of the history.
 */
import type { Request, Response } from 'express';
import type { ChangeFilter, StoredChange } from '../../prisma/store/changes.ts';
import type { AppDeps } from '../context.ts';
import { send } from '../respond.ts';
import { auditGroupVersion } from './decisions.ts';
import { decodeContinue, encodeContinue, parseLimit, queryOf, timeRange } from './query.ts';

const filters = ['kind', 'namespace', 'name', 'actor', 'since', 'until'] as const;

type Obj = Record<string, unknown>;

const seconds = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** What the history shows of an object's state. */
export function shownState(kind: string, state: unknown): Obj | undefined {
  if (state === null || typeof state !== 'object') return undefined;
  const o = state as Obj;
  if (kind !== 'Token') return o;
  const spec = (o.spec ?? {}) as Obj;
  return { apiVersion: o.apiVersion, kind: o.kind, metadata: o.metadata, spec: { user: spec.user } };
}

export function changeObject(row: StoredChange) {
  const before = shownState(row.kind, row.before);
  const after = shownState(row.kind, row.after);
  const object: Obj = {};
  const apiVersion = (after ?? before)?.apiVersion;
  if (typeof apiVersion === 'string') object.apiVersion = apiVersion;
  object.kind = row.kind;
  if (row.namespace) object.namespace = row.namespace;
  object.name = row.name;
  object.uid = row.uid;
  const out: Obj = {
    apiVersion: auditGroupVersion,
    kind: 'Change',
    metadata: { name: row.id.toString(), creationTimestamp: seconds(row.at) },
    revision: Number(row.revision),
    time: row.at.toISOString(),
    actor: row.actor,
    operation: row.operation,
    object,
  };
  if (before) out.before = before;
  if (after) out.after = after;
  return out;
}

export function listChangesHandler(deps: AppDeps) {
  return async (req: Request, res: Response) => {
    const q = queryOf(req.query as Record<string, unknown>, filters);
    const filter: ChangeFilter = { kind: q.kind, namespace: q.namespace, name: q.name, actor: q.actor, ...timeRange(q) };
    const limit = parseLimit(q.limit);
    const after = decodeContinue('changes', filter as Record<string, unknown>, q.continue);
    const rows = await deps.store.listChanges(filter, limit + 1, after);
    const metadata: { continue?: string } = {};
    if (rows.length > limit) {
      rows.length = limit;
      metadata.continue = encodeContinue('changes', filter as Record<string, unknown>, rows[rows.length - 1].id);
    }
    send(req, res, 200, { apiVersion: auditGroupVersion, kind: 'ChangeList', metadata, items: rows.map(changeObject) });
  };
}
