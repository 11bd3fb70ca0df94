/**
 * The one write path. A batch of operations commits in one transaction that
 * first bumps the policy revision (taking its row lock, so writes are
 * serialized in revision order and a replica replaying `change` rows in
 * revision order never skips one), writes the rows, records one `change`
 * row per object, and NOTIFYs listeners at commit. Either every operation
 * of a batch lands or none does.
 *
 * Batches submitted while a transaction is running are committed together
 * in the next one (group commit): they share its revision, and one that
 * fails is left out and the others committed again without it. Listeners
 * registered with `onCommitted` learn every committed revision with all its
 * changes, so a replica can apply its own writes without reading them back.
 */
import type { KubeObject } from '../../engine/meta.ts';
import type { ObjectChange } from '../../engine/snapshot.ts';
import type { PrismaClient } from '../generated/client.ts';
import { kindTables, namespacedKinds, toObject, toRow, type KindTable, type Row, type StoredKind } from './kinds.ts';
import { sqlOf, type Sql } from './raw.ts';
import { advanceRevision, bumpRevision, insertChanges, insertRow, missingOrConflict, rowOf, translate, updateRow, type ChangeRow } from './statements.ts';

export { revisionChannel } from './statements.ts';

export type WriteOp =
  /** `columns` sets columns no object field carries (a token's secret hash). */
  | { op: 'create'; object: KubeObject; columns?: Record<string, unknown> }
  /** `before` is the object the update was computed from; its resourceVersion is the precondition. */
  | { op: 'update'; object: KubeObject; before: KubeObject }
  | { op: 'delete'; before: KubeObject };

export interface WriteResult {
  revision: number;
  /** One entry per op: the stored object (for a delete, the object as it was). */
  objects: KubeObject[];
  /** Every object the batch removed, cascades included. */
  deleted: KubeObject[];
}

/** Statements inside a write transaction (on the database's driver adapter, see raw.ts). */
export type Tx = Sql;
type Delegate = {
  create(args: { data: Row }): Promise<Row>;
  updateMany(args: { where: Record<string, unknown>; data: Record<string, unknown> }): Promise<{ count: number }>;
  deleteMany(args: { where: Record<string, unknown> }): Promise<{ count: number }>;
  findMany(args: { where?: Record<string, unknown>; orderBy?: unknown }): Promise<Row[]>;
  findFirst(args: { where: Record<string, unknown> }): Promise<Row | null>;
};

export function delegateOf(tx: PrismaClient, table: KindTable): Delegate {
  return (tx as unknown as Record<string, Delegate>)[table.delegate];
}

function tableOf(o: KubeObject): KindTable {
  const table = kindTables[o.kind as StoredKind];
  if (!table) throw new Error(`no table stores kind ${o.kind}`);
  return table;
}


export async function writeBatch(prisma: PrismaClient, ops: WriteOp[], actor: string): Promise<WriteResult> {
  const { result } = await writeBatchWith(prisma, actor, async () => ({ ops, value: undefined }));
  if (!result) throw new Error('a batch without operations writes nothing');
  return result;
}

/** An update a plan made itself at the batch's revision (`after` carries it as resourceVersion); recorded like an update op. */
export interface PlannedUpdate {
  before: KubeObject;
  after: KubeObject;
}

export interface Plan<T> {
  ops: WriteOp[];
  /** Rows the plan updated itself, e.g. many in one statement. */
  written?: PlannedUpdate[];
  value: T;
}

/**
 * writeBatch for writes decided inside the transaction (a check that must
 * see rows no concurrent writer can change before commit). The revision is
 * bumped first, as for every batch, so locks are always taken revision
 * first; then `plan` may lock and read rows through `tx`, may update rows
 * itself at `revision`, and returns the ops to apply, what it wrote and a
 * value. Change rows are recorded for both. A plan that writes nothing
 * leaves no trace: `result` is undefined. Errors `plan` throws roll back its
 * batch and propagate.
 */
export function writeBatchWith<T>(
  prisma: PrismaClient, actor: string, plan: (tx: Tx, revision: bigint) => Promise<Plan<T>>,
): Promise<{ value: T; result?: WriteResult }> {
  return committerOf(prisma).submit(actor, plan as (tx: Tx, revision: bigint) => Promise<Plan<unknown>>) as Promise<{ value: T; result?: WriteResult }>;
}

/**
 * A write done by one statement, which is its own transaction (a database
 * function that bumps the revision itself, as every write must, first).
 * It runs in turn with this client's write transactions, so listeners still
 * learn committed revisions in order: `run` returns its value and, when it
 * committed a revision, what that revision changed, for `onCommitted`.
 */
export function writeStatement<T>(
  prisma: PrismaClient, run: (sql: Sql) => Promise<{ value: T; committed?: CommittedRevision }>,
): Promise<T> {
  return committerOf(prisma).submitStatement(run) as Promise<T>;
}

/**
 * Settles once the write this client is running now, if any, has finished
 * and its committed revision has reached `onCommitted` listeners. A
 * revision's NOTIFY can arrive before the commit's own reply: a listener of
 * both waits for this before treating the revision as someone else's.
 */
export function writeInFlight(prisma: PrismaClient): Promise<void> {
  return committers.get(prisma)?.current ?? Promise.resolve();
}

/** Everything one committed revision changed, in order; `complete` is false when a change lacks what a snapshot needs (a token's hash). */
export interface CommittedRevision {
  revision: number;
  changes: ObjectChange[];
  complete: boolean;
}

type CommitListener = (c: CommittedRevision) => void;

/** Calls `listener` after each commit through `prisma`; returns a function that stops it. */
export function onCommitted(prisma: PrismaClient, listener: CommitListener): () => void {
  const c = committerOf(prisma);
  c.listeners.add(listener);
  return () => c.listeners.delete(listener);
}

/** Most batches one transaction takes: bounds how long the revision lock is held. */
const maxGroup = 64;

interface Pending {
  actor: string;
  plan: (tx: Tx, revision: bigint) => Promise<Plan<unknown>>;
  resolve(v: { value: unknown; result?: WriteResult }): void;
  reject(err: unknown): void;
}

/** A write that is a statement on its own, its own transaction (see writeStatement). */
interface StatementJob {
  statement(sql: Sql): Promise<{ value: unknown; committed?: CommittedRevision }>;
  resolve(value: unknown): void;
  reject(err: unknown): void;
}

type Outcome = { ok: true; value: unknown; result?: WriteResult } | { ok: false; err: unknown };

/** Rolls back a transaction in which nothing was written, so no revision is consumed. */
class NothingWritten extends Error {}

class Committer {
  readonly listeners = new Set<CommitListener>();
  private queue: (Pending | StatementJob)[] = [];
  private running = false;

  constructor(private readonly prisma: PrismaClient) {}

  submit(actor: string, plan: Pending['plan']): Promise<{ value: unknown; result?: WriteResult }> {
    return new Promise((resolve, reject) => {
      this.queue.push({ actor, plan, resolve, reject });
      if (!this.running) void this.run();
    });
  }

  submitStatement(run: StatementJob['statement']): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.queue.push({ statement: run, resolve, reject });
      if (!this.running) void this.run();
    });
  }

  /** The write running now, settled once its outcome is announced; undefined when none runs. */
  current: Promise<void> | undefined;

  private async run(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length) {
        const head = this.queue[0];
        if ('statement' in head) {
          this.queue.shift();
          this.current = this.runStatement(head);
        } else {
          let n = 1;
          while (n < this.queue.length && n < maxGroup && !('statement' in this.queue[n])) n++;
          this.current = this.commit(this.queue.splice(0, n) as Pending[]);
        }
        await this.current;
      }
    } finally {
      this.running = false;
      this.current = undefined;
    }
  }

  private async runStatement(job: StatementJob): Promise<void> {
    try {
      const { value, committed } = await job.statement(await sqlOf(this.prisma));
      if (committed) this.announce(committed);
      job.resolve(value);
    } catch (err) {
      job.reject(err);
    }
  }

  /**
   * Commits `group` in one transaction. Batches run one after another
   * without savepoints (each would cost round trips); when one fails, the
   * transaction is rolled back, that batch fails alone, and the others are
   * committed again without it.
   */
  private async commit(group: Pending[]): Promise<void> {
    const outcomes: (Outcome | undefined)[] = new Array(group.length);
    let remaining = group.map((_, i) => i);
    while (remaining.length) {
      const attempt = await this.attempt(remaining.map((i) => group[i]));
      if (attempt.failedAt === undefined) {
        attempt.outcomes.forEach((o, j) => { outcomes[remaining[j]] = o; });
        for (const c of attempt.committed ?? []) this.announce(c);
        break;
      }
      const failed = remaining[attempt.failedAt];
      outcomes[failed] = { ok: false, err: attempt.error };
      remaining = remaining.filter((i) => i !== failed);
    }
    group.forEach((p, i) => {
      const o = outcomes[i]!;
      if (o.ok) p.resolve({ value: o.value, ...(o.result ? { result: o.result } : {}) });
      else p.reject(o.err);
    });
  }

  /**
   * One transaction for the group; each batch that writes takes its own
   * revision (consecutive, from the one the transaction locked), so every
   * write has a resourceVersion of its own, as in Kubernetes, and a watch
   * resuming from one misses none of the others. A batch that writes nothing
   * uses none.
   */
  private async attempt(batches: Pending[]): Promise<{ outcomes: Outcome[]; committed?: CommittedRevision[]; failedAt?: number; error?: unknown }> {
    const outcomes: Outcome[] = [];
    let current = -1;
    try {
      const db = await sqlOf(this.prisma);
      const committed = await db.transaction(async (tx) => {
        const first = await bumpRevision(tx);
        let rv = first;
        const all: ChangeRow[] = [];
        const revisions: CommittedRevision[] = [];
        for (current = 0; current < batches.length; current++) {
          const { ops, written = [], value } = await batches[current].plan(tx, rv);
          if (!ops.length && !written.length) {
            outcomes.push({ ok: true, value });
            continue;
          }
          const applied = await applyOps(tx, rv, ops, batches[current].actor, written);
          all.push(...applied.changes);
          revisions.push({ revision: Number(rv), changes: applied.objectChanges, complete: applied.complete });
          outcomes.push({ ok: true, value, result: applied.result });
          rv++;
        }
        current = -1;
        if (!all.length) throw new NothingWritten();
        if (rv - 1n > first) await advanceRevision(tx, rv - 1n);
        await insertChanges(tx, all);
        return revisions;
      });
      return { outcomes, committed };
    } catch (err) {
      if (err instanceof NothingWritten) return { outcomes };
      // A batch's own failure fails that batch; a failure of the transaction itself (commit, connection) fails them all.
      if (current >= 0) return { outcomes, failedAt: current, error: err };
      return { outcomes: batches.map(() => ({ ok: false as const, err })) };
    }
  }

  private announce(c: CommittedRevision): void {
    for (const l of this.listeners) {
      try {
        l(c);
      } catch { /* a listener's failure is its own */ }
    }
  }
}

const committers = new WeakMap<PrismaClient, Committer>();

function committerOf(prisma: PrismaClient): Committer {
  let c = committers.get(prisma);
  if (!c) {
    c = new Committer(prisma);
    committers.set(prisma, c);
  }
  return c;
}

interface Applied {
  result: WriteResult;
  /** The change rows to record, one per object, `written` ones included. */
  changes: ChangeRow[];
  objectChanges: ObjectChange[];
  complete: boolean;
}

/** Writes `ops` at revision `rv`; returns what to record and what changed. */
async function applyOps(tx: Tx, rv: bigint, ops: WriteOp[], actor: string, written: PlannedUpdate[] = []): Promise<Applied> {
  const changes: ChangeRow[] = [];
  const objects: KubeObject[] = [];
  const deleted: KubeObject[] = [];
  const record = (operation: ChangeRow['operation'], o: KubeObject, before?: KubeObject, after?: KubeObject) =>
    changes.push({
      revision: rv, kind: o.kind, namespace: o.metadata.namespace ?? '', name: o.metadata.name!, uid: o.metadata.uid!,
      operation, actor, before: before as object | undefined, after: after as object | undefined,
    });

  for (const op of ops) {
    if (op.op === 'create') {
      const table = tableOf(op.object);
      try {
        const row = { ...toRow(table, op.object, rv), ...op.columns };
        await insertRow(tx, table, row);
        const stored = toObject(table, row);
        record('create', stored, undefined, stored);
        objects.push(stored);
      } catch (err) {
        throw translate(err, table, op.object);
      }
    } else if (op.op === 'update') {
      const table = tableOf(op.object);
      const row = toRow(table, op.object, rv);
      const { uid: _uid, createdAt: _createdAt, ...data } = row;
      const count = await updateRow(tx, table, data, op.before.metadata.uid!, BigInt(op.before.metadata.resourceVersion!));
      if (count !== 1) throw await missingOrConflict(tx, table, op.before);
      const stored = toObject(table, { ...row, uid: op.before.metadata.uid!, createdAt: new Date(op.before.metadata.creationTimestamp!) });
      record('update', stored, op.before, stored);
      objects.push(stored);
    } else {
      const table = tableOf(op.before);
      if (table.kind === 'Namespace') {
        for (const kind of namespacedKinds) {
          const inner = kindTables[kind];
          const rows = await tx.query<Record<string, unknown>>(`DELETE FROM "${inner.tableName}" WHERE namespace = $1 RETURNING *`, op.before.metadata.name!);
          for (const r of rows) {
            const o = toObject(inner, rowOf(r));
            record('delete', o, o, undefined);
            deleted.push(o);
          }
        }
      }
      const count = await tx.execute(
        `DELETE FROM "${table.tableName}" WHERE uid = $1 AND resource_version = $2::bigint`, op.before.metadata.uid!, op.before.metadata.resourceVersion!,
      );
      if (count !== 1) throw await missingOrConflict(tx, table, op.before);
      record('delete', op.before, op.before, undefined);
      objects.push(op.before);
      deleted.push(op.before);
    }
  }
  for (const w of written) {
    record('update', w.after, w.before, w.after);
    objects.push(w.after);
  }
  // A token's hash is only in the op that created it; a token otherwise changed must be read back for it.
  const hashes = new Map<string, string>();
  for (const op of ops) if (op.op === 'create' && op.object.kind === 'Token' && typeof op.columns?.hash === 'string') hashes.set(op.object.metadata.name!, op.columns.hash);
  let complete = true;
  const objectChanges: ObjectChange[] = changes.map((c) => {
    const change: ObjectChange = { kind: c.kind, namespace: c.namespace, name: c.name, object: (c.after as KubeObject | undefined) ?? null };
    if (c.kind === 'Token' && c.after) {
      change.tokenHash = hashes.get(c.name);
      if (!change.tokenHash) complete = false;
    }
    return change;
  });
  return { result: { revision: Number(rv), objects, deleted }, changes, objectChanges, complete };
}
