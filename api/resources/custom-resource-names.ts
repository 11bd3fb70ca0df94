/**
 * Sets a CustomResourceDefinition's status as it is written, as
 * apiextensions' naming and establishing controllers would right after:
 * accepted names, NamesAccepted and Established (engine/custom-resources.ts).
 * Names are checked against the registrations in the snapshot in force and
 * those written earlier in the same batch. Like the naming controller,
 * which looks at every registration of a group again when one changes,
 * a write that frees names (a delete, a rename) also updates, in the same
 * transaction, the group's registrations that were waiting for them.
 */
import { acceptNames, namesAccepted, specOf } from '../../engine/custom-resources.ts';
import type { KubeObject } from '../../engine/meta.ts';
import type { WriteOp } from '../../prisma/store/write.ts';
import type { OpExpander } from './commit.ts';

const kind = 'CustomResourceDefinition';
const groupOf = (o: KubeObject) => String(specOf(o).group ?? '');
const accepted = (o: KubeObject) => ((o.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? [])
  .some((c) => c.type === namesAccepted && c.status === 'True');

export const customResourceNamesExpander: OpExpander = (deps, _ctx, ops) => {
  if (!ops.some((op) => (op.op === 'delete' ? op.before : op.object).kind === kind)) return ops;
  const registered = new Map<string, KubeObject>(deps.snapshots.current.customResourceDefinitions);
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const written = new Set<string>();
  const groups = new Set<string>();
  const out = ops.map((op): WriteOp => {
    if (op.op === 'delete') {
      if (op.before.kind === kind) {
        registered.delete(op.before.metadata.name!);
        written.add(op.before.metadata.name!);
        groups.add(groupOf(op.before));
      }
      return op;
    }
    if (op.object.kind !== kind) return op;
    const object = acceptNames(op.object, registered.values(), now);
    registered.set(object.metadata.name!, object);
    written.add(object.metadata.name!);
    groups.add(groupOf(object));
    return { ...op, object };
  });
  // The group's registrations still waiting for names, oldest first, as the controller would take them.
  const waiting = [...registered.values()]
    .filter((o) => !written.has(o.metadata.name!) && groups.has(groupOf(o)) && !accepted(o))
    .sort((a, b) => String(a.metadata.creationTimestamp).localeCompare(String(b.metadata.creationTimestamp)) || a.metadata.name!.localeCompare(b.metadata.name!));
  for (const before of waiting) {
    const object = acceptNames(before, registered.values(), now);
    if (JSON.stringify(object.status) === JSON.stringify(before.status)) continue;
    registered.set(object.metadata.name!, object);
    out.push({ op: 'update', object, before });
  }
  return out;
};

