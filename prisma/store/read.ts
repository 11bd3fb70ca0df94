/** Reads of stored objects, always from the database (the API's reads see every committed write). */
import type { KubeObject } from '../../engine/meta.ts';
import type { PrismaClient } from '../generated/client.ts';
import { kindTables, toObject, type StoredKind } from './kinds.ts';
import { delegateOf } from './write.ts';
import { storable } from './errors.ts';

export async function getObject(prisma: PrismaClient, kind: StoredKind, namespace: string | undefined, name: string): Promise<KubeObject | null> {
  if (!storable(namespace, name)) return null;
  const table = kindTables[kind];
  const where = table.namespaced ? { namespace, name } : { name };
  const row = await delegateOf(prisma, table).findFirst({ where });
  return row ? toObject(table, row) : null;
}

const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Objects of one kind, in one namespace or all, ordered by namespace then
 * name as kube lists them (by key bytes), whatever the database's collation:
 * `a` before `a-b`, and `a-b` before `a.b`.
 */
export async function listObjects(prisma: PrismaClient, kind: StoredKind, namespace?: string): Promise<KubeObject[]> {
  if (!storable(namespace)) return [];
  const table = kindTables[kind];
  const where = table.namespaced && namespace ? { namespace } : {};
  const rows = await delegateOf(prisma, table).findMany({ where });
  return rows
    .map((r) => toObject(table, r))
    .sort((x, y) => byCodePoint(x.metadata.namespace ?? '', y.metadata.namespace ?? '') || byCodePoint(x.metadata.name!, y.metadata.name!));
}

export async function currentRevision(prisma: PrismaClient): Promise<number> {
  const rows = await prisma.$queryRawUnsafe<{ value: bigint }[]>('SELECT value FROM policy_revision WHERE id = 1');
  return Number(rows[0]?.value ?? 0);
}
