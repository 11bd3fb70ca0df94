/**
 * ClusterRole aggregation kept in the stored rules, as the
 * clusterrole-aggregation controller keeps it on a cluster, but in the same
 * revision as the write that changes an aggregate: a batch that writes any
 * ClusterRole reads every ClusterRole inside its transaction (after the
 * revision lock, so concurrent batches cannot interleave), applies its own
 * operations to them, and rewrites the `rules` of each aggregator whose
 * stored rules differ from its resolved ones (engine/rbac/aggregation.ts):
 * in the batch's own write of that aggregator when it has one, else as an
 * update of its own, with a new resourceVersion and a change record.
 */
import type { KubeObject } from '../../engine/meta.ts';
import { staleAggregatedRules } from '../../engine/rbac/aggregation.ts';
import type { ClusterRole } from '../../engine/rbac/types.ts';
import { kindTables, toObject } from './kinds.ts';
import { rowOf } from './statements.ts';
import type { Tx, WriteOp } from './write.ts';

const isClusterRole = (op: WriteOp) => (op.op === 'delete' ? op.before : op.object).kind === 'ClusterRole';

export async function withAggregatedRules(tx: Tx, ops: WriteOp[]): Promise<WriteOp[]> {
  if (!ops.some(isClusterRole)) return ops;
  const table = kindTables.ClusterRole;
  const stored = new Map<string, KubeObject>();
  for (const r of await tx.query(`SELECT * FROM "${table.tableName}"`)) {
    const o = toObject(table, rowOf(r));
    stored.set(o.metadata.name!, o);
  }
  const after = new Map(stored);
  /** The index of the batch's last write of each ClusterRole it keeps. */
  const written = new Map<string, number>();
  ops.forEach((op, i) => {
    if (!isClusterRole(op)) return;
    if (op.op === 'delete') {
      after.delete(op.before.metadata.name!);
      written.delete(op.before.metadata.name!);
    } else {
      after.set(op.object.metadata.name!, op.object);
      written.set(op.object.metadata.name!, i);
    }
  });
  const stale = staleAggregatedRules(after.values() as Iterable<KubeObject> as Iterable<ClusterRole>);
  if (!stale.size) return ops;
  const out = ops.slice();
  for (const [name, rules] of stale) {
    const i = written.get(name);
    const op = i === undefined ? undefined : out[i];
    if (op && op.op !== 'delete') {
      out[i!] = { ...op, object: { ...op.object, rules } };
    } else {
      const before = stored.get(name)!;
      out.push({ op: 'update', object: { ...before, rules }, before });
    }
  }
  return out;
}
