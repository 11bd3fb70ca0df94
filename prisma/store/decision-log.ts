/**
 * The `decision_log` table: batched inserts from the decision log's flusher,
 * retention pruning, and filtered reads, newest first, paged by row id.
 * Writes carry a statement timeout, so a locked or overloaded table makes a
 * flush fail within a bound instead of holding a connection indefinitely.
 */
import type { DecisionLogEntry, PrismaClient } from '../generated/client.ts';

export type StoredDecision = DecisionLogEntry;

/** A row to insert; `question` is JSON text (without U+0000, which jsonb cannot hold). */
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
 * One INSERT of every row, its values passed as one array per column and
 * zipped by `unnest` (a fixed 16 parameters whatever the batch size; several
 * times cheaper to build than a VALUES list of the same rows).
 */
const insertSql = `INSERT INTO decision_log
  (at, caller, subject_user, subject_groups, kind, namespace, verb, api_group, resource, subresource, name, path, question, allowed, reason, revision)
  SELECT at, caller, subject_user, ARRAY(SELECT jsonb_array_elements_text(subject_groups)), kind, namespace, verb, api_group,
         resource, subresource, name, path, question, allowed, reason, revision
  FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::jsonb[], $5::text[], $6::text[], $7::text[], $8::text[],
              $9::text[], $10::text[], $11::text[], $12::text[], $13::jsonb[], $14::boolean[], $15::text[], $16::bigint[])
    AS r(at, caller, subject_user, subject_groups, kind, namespace, verb, api_group, resource, subresource, name, path, question, allowed, reason, revision)`;

/** Writes `rows` in one multi-row INSERT; rejects (writing nothing) when the statement fails or outlasts `timeoutMs`. */
export async function insertDecisions(prisma: PrismaClient, rows: DecisionRow[], timeoutMs: number): Promise<void> {
  if (!rows.length) return;
  const column = <T>(f: (r: DecisionRow) => T) => rows.map(f);
  await prisma.$transaction([
    prisma.$executeRawUnsafe(timeoutStatement(timeoutMs)),
    prisma.$executeRawUnsafe(insertSql,
      column((r) => r.at), column((r) => r.caller), column((r) => r.subjectUser), column((r) => JSON.stringify(r.subjectGroups)),
      column((r) => r.kind), column((r) => r.namespace), column((r) => r.verb), column((r) => r.apiGroup), column((r) => r.resource),
      column((r) => r.subresource), column((r) => r.name), column((r) => r.path), column((r) => r.question),
      column((r) => r.allowed), column((r) => r.reason), column((r) => r.revision)),
  ]);
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
