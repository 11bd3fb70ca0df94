/**
 * The store port: everything the API, the snapshot source, the decision log
 * and the tenancy reconciler ask of storage, in Warden's own terms. The
 * Prisma implementation below is the only code that knows Prisma or SQL;
 * it runs on PostgreSQL and on PGlite alike (test/store runs one suite on
 * both).
 */
import type { KubeObject } from '../../engine/meta.ts';
import type { SnapshotInput } from '../../engine/snapshot.ts';
import type { PrismaClient } from '../generated/client.ts';
import { changesBetween, lastChangeId, listChanges, watchFloor, type ChangeEvent, type ChangeEventFilter, type ChangeFilter, type StoredChange } from './changes.ts';
import { insertDecisions, listDecisions, pruneDecisions, type DecisionFilter, type DecisionRow, type StoredDecision } from './decision-log.ts';
import type { StoredKind } from './kinds.ts';
import { chargeQuotas } from './quota-charge.ts';
import { readQuotas, readTenantUsage, type ChargeOutcome, type Decide, type TenantUsage } from './quota.ts';
import { currentRevision, getObject, listObjects } from './read.ts';
import { withAggregatedRules } from './aggregation.ts';
import { onCommitted, writeBatchWith, writeInFlight, type CommittedRevision, type WriteOp, type WriteResult } from './write.ts';
import { loadChangesSince, loadFull, loadKindAt, type ChangeBatch } from '../snapshot-loader.ts';

/** Reads a check may make inside a write's transaction, after the revision lock: nothing can change under it. */
export interface CommitReads {
  /** A tenant's `spec.namespaceLimit`, or undefined (no tenant, or no limit). */
  tenantNamespaceLimit(tenant: string): Promise<number | undefined>;
  /** How many namespaces a tenant has. */
  tenantNamespaceCount(tenant: string): Promise<number>;
}

/** Run inside a write's transaction before its rows are written; throws to refuse the whole batch. */
export type CommitCheck = (reads: CommitReads, ops: WriteOp[]) => Promise<void>;

export interface Store {
  getObject(kind: StoredKind, namespace: string | undefined, name: string): Promise<KubeObject | null>;
  /** Objects of one kind, in one namespace or all, ordered by namespace then name by code point. */
  listObjects(kind: StoredKind, namespace?: string): Promise<KubeObject[]>;
  currentRevision(): Promise<number>;
  /**
   * Commits `ops` in one transaction at one new revision, after `check` (when given) passed inside it,
   * with the stored rules of aggregated ClusterRoles rewritten when the batch changes their aggregate.
   */
  write(ops: WriteOp[], actor: string, check?: CommitCheck): Promise<WriteResult>;
  /** Calls `listener` with every revision this store committed, in order; returns a function that stops it. */
  onCommitted(listener: (c: CommittedRevision) => void): () => void;
  /** Settles once the write in flight, if any, has reached the `onCommitted` listeners. */
  writeInFlight(): Promise<void>;

  /** Everything a snapshot is built from, read at one revision. */
  loadSnapshot(): Promise<SnapshotInput>;
  /** The changes committed after `revision`, in order (or word that some are gone and a full load is needed). */
  changesSince(revision: number): Promise<ChangeBatch>;

  readQuotas(namespace: string): Promise<KubeObject[]>;
  readTenantUsage(tenant: string | undefined): Promise<TenantUsage | undefined>;
  /** Decides a charge on the quotas as committed and stores it if `decide` says so, never past a hard limit under concurrency. */
  chargeQuotas<T>(namespace: string, actor: string, decide: Decide<T>, tenant?: string): Promise<ChargeOutcome<T>>;

  /** The objects of one kind (in one namespace, or all) and the revision they are at, read together. */
  listObjectsAt(kind: StoredKind, namespace?: string): Promise<{ revision: number; objects: KubeObject[] }>;
  /** Changes of revisions in (after, through], in commit order, optionally of one kind and namespace; paged by row id. */
  changesBetween(after: number, through: number, filter: ChangeEventFilter, limit: number, afterId?: bigint): Promise<ChangeEvent[]>;
  /** The oldest revision a watch may resume from when changes are kept for `windowMs`. */
  watchFloor(windowMs: number): Promise<number>;
  /** The id of the last change row of the revisions up to `revision`. */
  lastChangeId(revision: number): Promise<bigint>;

  listChanges(filter: ChangeFilter, limit: number, beforeId?: bigint): Promise<StoredChange[]>;
  listDecisions(filter: DecisionFilter, limit: number, beforeId?: bigint): Promise<StoredDecision[]>;
  insertDecisions(rows: DecisionRow[], timeoutMs: number): Promise<void>;
  pruneDecisions(before: Date, timeoutMs: number): Promise<number>;
}

/** The store on a Prisma client (PostgreSQL or PGlite through their driver adapters). */
export function prismaStore(prisma: PrismaClient): Store {
  return {
    getObject: (kind, namespace, name) => getObject(prisma, kind, namespace, name),
    listObjects: (kind, namespace) => listObjects(prisma, kind, namespace),
    currentRevision: () => currentRevision(prisma),
    async write(ops, actor, check) {
      const { result } = await writeBatchWith(prisma, actor, async (tx) => {
        if (check) {
          await check({
            async tenantNamespaceLimit(tenant) {
              const [row] = await tx.query<{ spec: { namespaceLimit?: number } }>('SELECT spec FROM tenant WHERE name = $1', tenant);
              return row?.spec?.namespaceLimit;
            },
            async tenantNamespaceCount(tenant) {
              const [{ count }] = await tx.query<{ count: number }>('SELECT count(*)::int AS count FROM namespace WHERE tenant = $1', tenant);
              return count;
            },
          }, ops);
        }
        return { ops: await withAggregatedRules(tx, ops), value: undefined };
      });
      if (!result) throw new Error('a batch without operations writes nothing');
      return result;
    },
    onCommitted: (listener) => onCommitted(prisma, listener),
    writeInFlight: () => writeInFlight(prisma),
    loadSnapshot: () => loadFull(prisma),
    changesSince: (revision) => loadChangesSince(prisma, revision),
    readQuotas: (namespace) => readQuotas(prisma, namespace),
    readTenantUsage: (tenant) => readTenantUsage(prisma, tenant),
    chargeQuotas: (namespace, actor, decide, tenant) => chargeQuotas(prisma, namespace, actor, decide, tenant),
    listObjectsAt: (kind, namespace) => loadKindAt(prisma, kind, namespace),
    changesBetween: (after, through, filter, limit, afterId) => changesBetween(prisma, after, through, filter, limit, afterId),
    watchFloor: (windowMs) => watchFloor(prisma, windowMs),
    lastChangeId: (revision) => lastChangeId(prisma, revision),
    listChanges: (filter, limit, beforeId) => listChanges(prisma, filter, limit, beforeId),
    listDecisions: (filter, limit, beforeId) => listDecisions(prisma, filter, limit, beforeId),
    insertDecisions: (rows, timeoutMs) => insertDecisions(prisma, rows, timeoutMs),
    pruneDecisions: (before, timeoutMs) => pruneDecisions(prisma, before, timeoutMs),
  };
}
