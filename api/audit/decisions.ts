/**
 * GET /apis/audit.warden.dev/v1/decisions: the decision log, newest first,
 * filtered by subject (`user`, `group`), `namespace`, `verb`, `resource`,
 * `allowed`, review `kind` and time range, paged with `limit` and `continue`.
 * When this server has dropped entries, a Warning says the log is incomplete.
 */
import type { Request, Response } from 'express';
import type { DecisionFilter, StoredDecision } from '../../prisma/store/decision-log.ts';
import { contextOf, type AppDeps } from '../context.ts';
import { send } from '../respond.ts';
import { decodeContinue, encodeContinue, parseBoolean, parseLimit, queryOf, timeRange } from './query.ts';

export const auditGroupVersion = 'audit.warden.dev/v1';
const filters = ['user', 'group', 'namespace', 'verb', 'resource', 'allowed', 'kind', 'since', 'until'] as const;

const seconds = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** A stored entry as a `Decision` object: spec is what was asked, status the answer. */
export function decisionObject(row: StoredDecision) {
  const spec: Record<string, unknown> = {
    at: row.at.toISOString(),
    caller: row.caller,
    subject: { user: row.subjectUser, groups: row.subjectGroups ?? [] },
    kind: row.kind,
  };
  const attrs = { namespace: row.namespace, verb: row.verb, group: row.apiGroup, resource: row.resource, subresource: row.subresource, name: row.name, path: row.path };
  for (const [k, v] of Object.entries(attrs)) if (v !== null) spec[k] = v;
  spec.question = row.question;
  return {
    apiVersion: auditGroupVersion,
    kind: 'Decision',
    metadata: { name: row.id.toString(), creationTimestamp: seconds(row.at) },
    spec,
    status: { allowed: row.allowed, reason: row.reason, revision: Number(row.revision) },
  };
}

export function droppedWarning(deps: AppDeps): string | undefined {
  const stats = deps.decisions?.stats();
  if (!stats?.droppedTotal) return undefined;
  const parts = Object.entries(stats.dropped).filter(([, n]) => n > 0).map(([why, n]) => `${why.replace('_', ' ')}: ${n}`);
  return `this server dropped ${stats.droppedTotal} decision log entries since it started (${parts.join(', ')}); the log is incomplete`;
}

export function listDecisionsHandler(deps: AppDeps) {
  return async (req: Request, res: Response) => {
    const q = queryOf(req.query as Record<string, unknown>, filters);
    const filter: DecisionFilter = {
      user: q.user, group: q.group, namespace: q.namespace, verb: q.verb, resource: q.resource, kind: q.kind,
      allowed: parseBoolean('allowed', q.allowed), ...timeRange(q),
    };
    const limit = parseLimit(q.limit);
    const after = decodeContinue('decisions', filter as Record<string, unknown>, q.continue);
    const rows = await deps.store.listDecisions(filter, limit + 1, after);
    const metadata: { continue?: string } = {};
    if (rows.length > limit) {
      rows.length = limit;
      metadata.continue = encodeContinue('decisions', filter as Record<string, unknown>, rows[rows.length - 1].id);
    }
    const warning = droppedWarning(deps);
    if (warning) contextOf(res).warnings.push(warning);
    send(req, res, 200, { apiVersion: auditGroupVersion, kind: 'DecisionList', metadata, items: rows.map(decisionObject) });
  };
}
