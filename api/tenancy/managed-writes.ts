/**
 * The writes that carry out managed-object repairs (engine/tenancy/managed.ts):
 * a new object gets a uid and a creation time; a changed one is deleted and
 * created again in the same batch (a binding's roleRef cannot change in
 * place); an unwanted one is deleted.
 */
import { randomUUID } from 'node:crypto';
import type { KubeObject } from '../../engine/meta.ts';
import type { ManagedRepairs } from '../../engine/tenancy/managed.ts';
import type { WriteOp } from '../../prisma/store/write.ts';

export function stampManaged(o: object, now: Date): KubeObject {
  const k = o as KubeObject;
  return { ...k, metadata: { ...k.metadata, uid: randomUUID(), creationTimestamp: now.toISOString().replace(/\.\d{3}Z$/, 'Z') } };
}

export function repairOps(r: ManagedRepairs, now: Date): WriteOp[] {
  const ops: WriteOp[] = [];
  for (const o of r.create) ops.push({ op: 'create', object: stampManaged(o, now) });
  for (const { current, desired } of r.replace) {
    ops.push({ op: 'delete', before: current as unknown as KubeObject });
    ops.push({ op: 'create', object: stampManaged(desired, now) });
  }
  for (const o of r.remove) ops.push({ op: 'delete', before: o as unknown as KubeObject });
  return ops;
}
