/**
 * Keeps the bindings Warden manages in tenant namespaces as their tenants
 * say: after the snapshot changes, it compares what should exist with what
 * does (engine/tenancy/managed.ts) and writes the difference. A managed
 * binding someone deleted or edited is put back within one interval.
 * Replicas may race to repair the same binding; the loser's write fails on
 * AlreadyExists or Conflict and is simply dropped.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { KubeObject } from '../../engine/meta.ts';
import { bindingRepairs } from '../../engine/tenancy/managed.ts';
import { StoreError } from '../../prisma/store/errors.ts';
import { writeBatch, type WriteOp } from '../../prisma/store/write.ts';
import type { PrismaClient } from '../../prisma/generated/client.ts';
import type { SnapshotSource } from '../../prisma/snapshot-source.ts';

export const tenancyActor = 'system:warden:tenancy';

export interface Reconciler {
  /** Runs one pass now; resolves to the number of objects written. */
  runOnce(): Promise<number>;
  stop(): void;
}

export function startTenancyReconciler(prisma: PrismaClient, snapshots: SnapshotSource, log: Logger, intervalMs: number): Reconciler {
  let lastRevision = -1;
  let running: Promise<number> | undefined;
  let stopped = false;

  async function pass(): Promise<number> {
    const snapshot = snapshots.current;
    const repairs = bindingRepairs(snapshot.tenants, snapshot.namespaces, snapshot.rbac);
    const ops: WriteOp[] = [];
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const stamp = (o: KubeObject): KubeObject => ({ ...o, metadata: { ...o.metadata, uid: randomUUID(), creationTimestamp: now } });
    for (const b of repairs.create) ops.push({ op: 'create', object: stamp(b as unknown as KubeObject) });
    for (const { current, desired } of repairs.replace) {
      ops.push({ op: 'delete', before: current as unknown as KubeObject });
      ops.push({ op: 'create', object: stamp(desired as unknown as KubeObject) });
    }
    for (const b of repairs.remove) ops.push({ op: 'delete', before: b as unknown as KubeObject });
    if (!ops.length) {
      lastRevision = snapshot.revision;
      return 0;
    }
    try {
      const result = await writeBatch(prisma, ops, tenancyActor);
      await snapshots.waitFor(result.revision, 5000);
      log.info({ created: repairs.create.length, replaced: repairs.replace.length, removed: repairs.remove.length, revision: result.revision }, 'repaired tenant role bindings');
      lastRevision = result.revision;
      return ops.length;
    } catch (err) {
      if (err instanceof StoreError) return 0; // another replica repaired first; the next pass sees its write
      throw err;
    }
  }

  function runOnce(): Promise<number> {
    running ??= pass().finally(() => { running = undefined; });
    return running;
  }

  const timer = setInterval(() => {
    if (stopped || running || !snapshots.loaded || snapshots.health().stale || snapshots.revision === lastRevision) return;
    runOnce().catch((err) => log.warn({ err }, 'tenant role binding repair failed; retrying'));
  }, intervalMs).unref();

  return {
    runOnce,
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}
