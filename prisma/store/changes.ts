/**
 * Reads of the `change` table (written by the one write path, write.ts):
 * the change history, filtered, newest first, paged by row id.
 */
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
