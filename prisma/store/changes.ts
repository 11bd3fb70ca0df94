/**
 * Reads of the `change` table (written by the one write path, write.ts):
 * the change history, filtered, newest first, paged by row id.
 */
import type { KubeObject } from '../../engine/meta.ts';
import type { Change, PrismaClient } from '../generated/client.ts';
import { storable } from './errors.ts';

export type StoredChange = Change;

export interface ChangeFilter {
  kind?: string;
  namespace?: string;
  name?: string;
  actor?: string;
  /** Inclusive. */
  since?: Date;
  /** Exclusive. */
  until?: Date;
}

/** At most `limit` changes matching `filter` with an id below `beforeId` (when given), newest first. */
export async function listChanges(prisma: PrismaClient, filter: ChangeFilter, limit: number, beforeId?: bigint): Promise<StoredChange[]> {
  if (!storable(filter.kind, filter.namespace, filter.name, filter.actor)) return [];
  const at: Record<string, Date> = {};
  if (filter.since) at.gte = filter.since;
  if (filter.until) at.lt = filter.until;
  return prisma.change.findMany({
    where: {
      ...(beforeId !== undefined ? { id: { lt: beforeId } } : {}),
      ...(filter.kind !== undefined ? { kind: filter.kind } : {}),
      ...(filter.namespace !== undefined ? { namespace: filter.namespace } : {}),
      ...(filter.name !== undefined ? { name: filter.name } : {}),
      ...(filter.actor !== undefined ? { actor: filter.actor } : {}),
      ...(Object.keys(at).length ? { at } : {}),
    },
    orderBy: { id: 'desc' },
    take: limit,
  });
}

/** One committed change of one object, as a watch streams it. */
export interface ChangeEvent {
  id: bigint;
  revision: number;
  kind: string;
  namespace: string;
  name: string;
  /** The object before the change (null when created). */
  before: KubeObject | null;
  /** The object after the change (null when deleted). */
  after: KubeObject | null;
}

export interface ChangeEventFilter {
  kind?: string;
  namespace?: string;
}

/**
 * The changes of revisions `after` < revision <= `through`, in commit order
 * (row id), optionally of one kind and namespace, at most `limit`, starting
 * after row `afterId` when given (to page through a long range).
 */
export async function changesBetween(
  prisma: PrismaClient, after: number, through: number, filter: ChangeEventFilter, limit: number, afterId?: bigint,
): Promise<ChangeEvent[]> {
  if (through <= after || !storable(filter.kind, filter.namespace)) return [];
  const rows = await prisma.change.findMany({
    where: {
      revision: { gt: BigInt(after), lte: BigInt(through) },
      ...(afterId !== undefined ? { id: { gt: afterId } } : {}),
      ...(filter.kind !== undefined ? { kind: filter.kind } : {}),
      ...(filter.namespace !== undefined ? { namespace: filter.namespace } : {}),
    },
    orderBy: { id: 'asc' },
    take: limit,
    select: { id: true, revision: true, kind: true, namespace: true, name: true, before: true, after: true },
  });
  return rows.map((r) => ({
    id: r.id, revision: Number(r.revision), kind: r.kind, namespace: r.namespace, name: r.name,
    before: (r.before as KubeObject | null) ?? null, after: (r.after as KubeObject | null) ?? null,
  }));
}

/**
 * The newest revision committed more than `windowMs` ago by the database's
 * clock (0 when none): a watch may resume from this revision or any later
 * one, since every change after it is within the window.
 */
export async function watchFloor(prisma: PrismaClient, windowMs: number): Promise<number> {
  const rows = await prisma.$queryRawUnsafe<{ floor: string }[]>(
    `SELECT COALESCE(max(revision), 0)::text AS floor FROM change WHERE at < now() - ($1::float8 * interval '1 millisecond')`, windowMs,
  );
  return Number(rows[0]?.floor ?? 0);
}

/** The id of the last change row of a revision up to `revision` (0 when none): where a reader of later changes starts. */
export async function lastChangeId(prisma: PrismaClient, revision: number): Promise<bigint> {
  const r = await prisma.change.aggregate({ _max: { id: true }, where: { revision: { lte: BigInt(revision) } } });
  return r._max.id ?? 0n;
}
