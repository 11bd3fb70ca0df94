/**
 * Keeps the RBAC objects Warden manages for tenants as their tenants say:
 * after the snapshot changes, it compares what should exist with what does
 * (engine/tenancy/managed.ts) and writes the difference. Writes by hand
 * are refused, so drift comes only from outside the API (a restore, a
 * failed write); it is put back within one interval.
 * Replicas may race to repair the same binding; the loser's write fails on
 * AlreadyExists or Conflict and is simply dropped.
 */
import type { Logger } from 'pino';
import { managedRepairs } from '../../engine/tenancy/managed.ts';
import { StoreError } from '../../prisma/store/errors.ts';
import { repairOps } from './managed-writes.ts';
import type { Store } from '../../prisma/store/store.ts';
import type { SnapshotSource } from '../../prisma/snapshot-source.ts';

export const tenancyActor = 'system:warden:tenancy';

export interface Reconciler {
  /** Runs one pass now; resolves to the number of objects written. */
  runOnce(): Promise<number>;
  stop(): void;
}

export function startTenancyReconciler(store: Store, snapshots: SnapshotSource, log: Logger, intervalMs: number): Reconciler {
  let lastRevision = -1;
  let running: Promise<number> | undefined;
  let stopped = false;

  async function pass(): Promise<number> {
    const snapshot = snapshots.current;
    const repairs = managedRepairs(snapshot.tenants, snapshot.namespaces, snapshot.rbac);
    const ops = repairOps(repairs, new Date());
    if (!ops.length) {
      lastRevision = snapshot.revision;
      return 0;
    }
    try {
      const result = await store.write(ops, tenancyActor);
      await snapshots.waitFor(result.revision, 5000);
      log.info({ created: repairs.create.length, replaced: repairs.replace.length, removed: repairs.remove.length, revision: result.revision }, 'repaired the RBAC objects Warden manages for tenants');
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
    runOnce().catch((err) => log.warn({ err }, 'repairing the RBAC objects Warden manages for tenants failed; retrying'));
  }, intervalMs).unref();

  return {
    runOnce,
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}
