/**
 * Reads what a snapshot is built from: everything at one revision (a full
 * load, in one repeatable-read transaction so rows and revision agree), or
 * the change rows after a revision (an incremental load).
 */
import type { KubeObject } from '../engine/meta.ts';
import type { ObjectChange, SnapshotInput } from '../engine/snapshot.ts';
import type { PrismaClient } from './generated/client.ts';
import { kindTables, toObject, type StoredKind } from './store/kinds.ts';
import { delegateOf } from './store/write.ts';

/** The kinds decisions and authentication read (ServiceAccounts: the tokens bound to them). */
export const snapshotKinds: StoredKind[] = ['Namespace', 'Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding', 'NetworkPolicy', 'ServiceAccount', 'Tenant', 'User', 'Token'];
const snapshotKindSet = new Set<string>(snapshotKinds);

export async function loadFull(prisma: PrismaClient): Promise<SnapshotInput> {
  return prisma.$transaction(async (tx) => {
    const rev = await tx.$queryRawUnsafe<{ value: bigint }[]>('SELECT value FROM policy_revision WHERE id = 1');
    const objects: KubeObject[] = [];
    const tokenHashes = new Map<string, string>();
    for (const kind of snapshotKinds) {
      const table = kindTables[kind];
      const rows = await delegateOf(tx as unknown as PrismaClient, table).findMany({
        orderBy: table.namespaced ? [{ namespace: 'asc' }, { name: 'asc' }] : [{ name: 'asc' }],
      });
      for (const row of rows) {
        objects.push(toObject(table, row));
        if (kind === 'Token') tokenHashes.set(row.name, row.hash as string);
      }
    }
    return { revision: Number(rev[0].value), objects, tokenHashes };
  }, { isolationLevel: 'RepeatableRead', timeout: 120_000, maxWait: 30_000 });
}

export interface ChangeBatch {
  /** The newest revision the batch reaches (== `since` when there is nothing new). */
  revision: number;
  changes: ObjectChange[];
  /** False when change rows between `since` and `revision` are gone (pruned): reload fully. */
  contiguous: boolean;
}

export async function loadChangesSince(prisma: PrismaClient, since: number): Promise<ChangeBatch> {
  const rows = await prisma.change.findMany({
    where: { revision: { gt: BigInt(since) } },
    orderBy: { id: 'asc' },
    select: { revision: true, kind: true, namespace: true, name: true, after: true },
  });
  if (!rows.length) return { revision: since, changes: [], contiguous: true };
  let expected = since + 1;
  let contiguous = true;
  let last = since;
  for (const r of rows) {
    const rev = Number(r.revision);
    if (rev !== last) {
      if (rev !== expected) contiguous = false;
      expected = rev + 1;
      last = rev;
    }
  }
  const tokenNames = rows.filter((r) => r.kind === 'Token' && r.after).map((r) => r.name);
  const hashes = new Map<string, string>();
  if (tokenNames.length) {
    for (const t of await prisma.token.findMany({ where: { name: { in: tokenNames } }, select: { name: true, hash: true } })) {
      hashes.set(t.name, t.hash);
    }
  }
  const changes: ObjectChange[] = rows
    .filter((r) => snapshotKindSet.has(r.kind))
    .map((r) => ({
      kind: r.kind,
      namespace: r.namespace,
      name: r.name,
      object: (r.after as KubeObject | null) ?? null,
      tokenHash: r.kind === 'Token' ? hashes.get(r.name) : undefined,
    }));
  return { revision: last, changes, contiguous };
}
