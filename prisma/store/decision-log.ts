/**
 * The `decision_log` table: batched inserts from the decision log's flusher,
 * retention pruning, and filtered reads, newest first, paged by row id.
 * Writes carry a statement timeout, so a locked or overloaded table makes a
 * flush fail within a bound instead of holding a connection indefinitely.
 */
import type { DecisionLogEntry, PrismaClient } from '../generated/client.ts';
import { sqlOf } from './raw.ts';
import { storable } from './errors.ts';

export type StoredDecision = DecisionLogEntry;

/** A row to insert; its text holds no U+0000 and no lone surrogate (which neither text nor jsonb can hold), `question` is JSON text. */
export interface DecisionRow {
  at: Date;
  caller: string;
  subjectUser: string;
  subjectGroups: string[];
  kind: string;
  namespace: string | null;
  verb: string | null;
  apiGroup: string | null;
  resource: string | null;
  subresource: string | null;
  name: string | null;
  path: string | null;
  question: string;
  allowed: boolean;
  reason: string;
  revision: bigint;
}

export interface DecisionFilter {
  user?: string;
  group?: string;
  namespace?: string;
  verb?: string;
  resource?: string;
  allowed?: boolean;
  kind?: string;
  /** Inclusive. */
  since?: Date;
  /** Exclusive. */
  until?: Date;
}

const timeoutStatement = (ms: number) => `SET LOCAL statement_timeout = ${Math.max(1, Math.floor(ms))}`;

/**
 * One INSERT of every row, the rows passed as one JSON document and typed by
 * `jsonb_to_record`: one parameter whatever the batch size, and no array
 * literal to escape element by element. `question` travels as JSON text.
 */
const insertSql = `INSERT INTO decision_log
  (at, caller, subject_user, subject_groups, kind, namespace, verb, api_group, resource, subresource, name, path, question, allowed, reason, revision)
  SELECT at, caller, subject_user, ARRAY(SELECT jsonb_array_elements_text(subject_groups)), kind, namespace, verb, api_group,
         resource, subresource, name, path, question::jsonb, allowed, reason, revision
  FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS e(row, n),
       jsonb_to_record(e.row) AS r(at timestamptz, caller text, subject_user text, subject_groups jsonb, kind text, namespace text,
         verb text, api_group text, resource text, subresource text, name text, path text, question text, allowed boolean, reason text,
         revision bigint)
  ORDER BY e.n`;

/** Writes `rows` in one multi-row INSERT, in order; rejects (writing nothing) when the statement fails or outlasts `timeoutMs`. */
export async function insertDecisions(prisma: PrismaClient, rows: DecisionRow[], timeoutMs: number): Promise<void> {
  if (!rows.length) return;
  const document = JSON.stringify(rows.map((r) => ({
    at: r.at.toISOString(), caller: r.caller, subject_user: r.subjectUser, subject_groups: r.subjectGroups, kind: r.kind,
    namespace: r.namespace, verb: r.verb, api_group: r.apiGroup, resource: r.resource, subresource: r.subresource, name: r.name,
    path: r.path, question: r.question, allowed: r.allowed, reason: r.reason, revision: r.revision.toString(),
  })));
  const sql = await sqlOf(prisma);
  await sql.transaction(async (tx) => {
    await tx.execute(timeoutStatement(timeoutMs));
    await tx.execute(insertSql, document);
  });
}

/**
 * Deletes entries recorded before `before`, oldest first, `chunk` rows per
 * statement so a large backlog never holds one long lock; returns how many.
 */
export async function pruneDecisions(prisma: PrismaClient, before: Date, timeoutMs: number, chunk = 5000): Promise<number> {
  let total = 0;
  for (;;) {
    const [, deleted] = await prisma.$transaction([
      prisma.$executeRawUnsafe(timeoutStatement(timeoutMs)),
      prisma.$executeRawUnsafe(
        'DELETE FROM decision_log WHERE id IN (SELECT id FROM decision_log WHERE at < $1 ORDER BY id LIMIT $2)',
        before, chunk,
      ),
    ]);
    total += Number(deleted);
    if (Number(deleted) < chunk) return total;
  }
}

/** At most `limit` entries matching `filter` with an id below `beforeId` (when given), newest first. */
export async function listDecisions(prisma: PrismaClient, filter: DecisionFilter, limit: number, beforeId?: bigint): Promise<StoredDecision[]> {
  if (!storable(filter.user, filter.group, filter.namespace, filter.verb, filter.resource, filter.kind)) return [];
  const at: Record<string, Date> = {};
  if (filter.since) at.gte = filter.since;
  if (filter.until) at.lt = filter.until;
  return prisma.decisionLogEntry.findMany({
    where: {
      ...(beforeId !== undefined ? { id: { lt: beforeId } } : {}),
      ...(filter.user !== undefined ? { subjectUser: filter.user } : {}),
      ...(filter.group !== undefined ? { subjectGroups: { has: filter.group } } : {}),
      ...(filter.namespace !== undefined ? { namespace: filter.namespace } : {}),
      ...(filter.verb !== undefined ? { verb: filter.verb } : {}),
      ...(filter.resource !== undefined ? { resource: filter.resource } : {}),
      ...(filter.allowed !== undefined ? { allowed: filter.allowed } : {}),
      ...(filter.kind !== undefined ? { kind: filter.kind } : {}),
      ...(Object.keys(at).length ? { at } : {}),
    },
    orderBy: { id: 'desc' },
    take: limit,
  });
}
