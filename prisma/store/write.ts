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
import { StoreError, prismaCode } from './errors.ts';
import { kindTables, namespacedKinds, toObject, toRow, type KindTable, type Row, type StoredKind } from './kinds.ts';
import { sqlOf, type Sql } from './raw.ts';

export const revisionChannel = 'warden_revision';

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

interface ChangeRow {
  revision: bigint;
  kind: string;
  namespace: string;
  name: string;
  uid: string;
  operation: 'create' | 'update' | 'delete';
  actor: string;
  before?: object;
  after?: object;
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
 * A write whose plan updates rows with statements of its own and nothing
 * else (quota usage), in a transaction on the database's driver adapter
 * (`sqlOf`), outside the group commit of `writeBatchWith` and cheaper per
 * statement. It is the same write otherwise: the revision is bumped first
 * (its row lock orders it among all other writes), the plan may lock, read
 * and update rows through `sql` at that revision, change rows are recorded
 * for what it returns as written, and `onCommitted` listeners learn the
 * revision. A plan that writes nothing rolls back and consumes no revision
 * (`result` undefined); one that throws rolls back and the error propagates.
 */
export async function writeOwnRows<T>(
  prisma: PrismaClient, actor: string, plan: (sql: Sql, revision: bigint) => Promise<{ written: PlannedUpdate[]; value: T }>,
): Promise<{ value: T; result?: WriteResult }> {
  const db = await sqlOf(prisma);
  let planned: { written: PlannedUpdate[]; value: T } | undefined;
  try {
    const { committed, result } = await db.transaction(async (sql) => {
      const rv = await bumpRevision(sql);
      planned = await plan(sql, rv);
      if (!planned.written.length) throw new NothingWritten();
      const changes = planned.written.map((w): ChangeRow => ({
        revision: rv, kind: w.after.kind, namespace: w.after.metadata.namespace ?? '', name: w.after.metadata.name!,
        uid: w.after.metadata.uid!, operation: 'update', actor, before: w.before, after: w.after,
      }));
      const applied = summary(rv, [], changes, planned.written.map((w) => w.after), []);
      await insertChanges(sql, changes);
      return { committed: { revision: Number(rv), changes: applied.objectChanges, complete: applied.complete }, result: applied.result };
    });
    committerOf(prisma).announce(committed);
    return { value: planned!.value, result };
  } catch (err) {
    if (err instanceof NothingWritten) return { value: planned!.value };
    throw err;
  }
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

type Outcome = { ok: true; value: unknown; result?: WriteResult } | { ok: false; err: unknown };

/** Rolls back a transaction in which nothing was written, so no revision is consumed. */
class NothingWritten extends Error {}

class Committer {
  readonly listeners = new Set<CommitListener>();
  private queue: Pending[] = [];
  private running = false;

  constructor(private readonly prisma: PrismaClient) {}

  submit(actor: string, plan: Pending['plan']): Promise<{ value: unknown; result?: WriteResult }> {
    return new Promise((resolve, reject) => {
      this.queue.push({ actor, plan, resolve, reject });
      if (!this.running) void this.run();
    });
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length) await this.commit(this.queue.splice(0, maxGroup));
    } finally {
      this.running = false;
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
        if (attempt.committed) this.announce(attempt.committed);
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

  private async attempt(batches: Pending[]): Promise<{ outcomes: Outcome[]; committed?: CommittedRevision; failedAt?: number; error?: unknown }> {
    const outcomes: Outcome[] = [];
    let current = -1;
    try {
      const db = await sqlOf(this.prisma);
      const committed = await db.transaction(async (tx) => {
        const rv = await bumpRevision(tx);
        const all: ChangeRow[] = [];
        const objectChanges: ObjectChange[] = [];
        let complete = true;
        for (current = 0; current < batches.length; current++) {
          const { ops, written = [], value } = await batches[current].plan(tx, rv);
          if (!ops.length && !written.length) {
            outcomes.push({ ok: true, value });
            continue;
          }
          const applied = await applyOps(tx, rv, ops, batches[current].actor, written);
          all.push(...applied.changes);
          objectChanges.push(...applied.objectChanges);
          complete &&= applied.complete;
          outcomes.push({ ok: true, value, result: applied.result });
        }
        current = -1;
        if (!all.length) throw new NothingWritten();
        await insertChanges(tx, all);
        return { revision: Number(rv), changes: objectChanges, complete };
      });
      return { outcomes, committed };
    } catch (err) {
      if (err instanceof NothingWritten) return { outcomes };
      // A batch's own failure fails that batch; a failure of the transaction itself (commit, connection) fails them all.
      if (current >= 0) return { outcomes, failedAt: current, error: err };
      return { outcomes: batches.map(() => ({ ok: false as const, err })) };
    }
  }

  announce(c: CommittedRevision): void {
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

/** Bumps the policy revision, taking its row lock until commit, and queues the NOTIFY sent at commit. */
async function bumpRevision(sql: Sql): Promise<bigint> {
  const bumped = await sql.query<{ value: string }>(
    `WITH r AS (UPDATE policy_revision SET value = value + 1 WHERE id = 1 RETURNING value)
     SELECT value, pg_notify('${revisionChannel}', value::text)::text AS notified FROM r`,
  );
  return BigInt(bumped[0].value);
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
  return summary(rv, ops, changes, objects, deleted);
}

/** What a batch at `rv` wrote, given its change rows. */
function summary(rv: bigint, ops: readonly WriteOp[], changes: ChangeRow[], objects: KubeObject[], deleted: KubeObject[]): Applied {
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

const snake = (field: string) => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const column = (field: string) => `"${snake(field)}"`;

/**
 * A row as one JSON document keyed by column names, BigInts as strings and
 * Dates as ISO text: what jsonb_populate_record reads back into the row type.
 */
function rowJson(row: Record<string, unknown>): string {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) out[snake(k)] = typeof v === 'bigint' ? v.toString() : v;
  return JSON.stringify(out);
}

/**
 * One row in one statement, typed by the table itself (jsonb_populate_record):
 * the model's query machinery costs more per row than the database does.
 */
async function insertRow(tx: Tx, table: KindTable, row: Record<string, unknown>): Promise<void> {
  const cols = Object.keys(row).map(column).join(', ');
  await tx.execute(
    `INSERT INTO "${table.tableName}" (${cols}) SELECT ${cols} FROM jsonb_populate_record(NULL::"${table.tableName}", $1::jsonb)`,
    rowJson(row),
  );
}

/** Updates the row with `uid` if it is still at `resourceVersion`; returns how many rows changed (0 or 1). */
async function updateRow(tx: Tx, table: KindTable, data: Record<string, unknown>, uid: string, resourceVersion: bigint): Promise<number> {
  const cols = Object.keys(data).map(column).join(', ');
  return tx.execute(
    `UPDATE "${table.tableName}" SET (${cols}) = (SELECT ${cols} FROM jsonb_populate_record(NULL::"${table.tableName}", $1::jsonb))
      WHERE uid = $2 AND resource_version = $3`,
    rowJson(data), uid, resourceVersion.toString(),
  );
}

/**
 * Inserts the change rows in one statement, in order. The rows travel as
 * one JSON document, so the cost stays proportional to their size however
 * deeply the objects nest (a model `createMany` walks every nested value).
 */
async function insertChanges(sql: Sql, changes: ChangeRow[]): Promise<void> {
  if (!changes.length) return;
  await sql.execute(
    `INSERT INTO "change" (revision, kind, namespace, name, uid, operation, actor, before, after)
     SELECT (c->>'revision')::bigint, c->>'kind', c->>'namespace', c->>'name', c->>'uid', c->>'operation', c->>'actor', c->'before', c->'after'
       FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS t(c, n) ORDER BY n`,
    JSON.stringify(changes.map((c) => ({ ...c, revision: String(c.revision) }))),
  );
}

async function missingOrConflict(tx: Tx, table: KindTable, before: KubeObject): Promise<StoreError> {
  const { name, namespace } = before.metadata;
  const current = table.namespaced
    ? await tx.query(`SELECT uid FROM "${table.tableName}" WHERE namespace = $1 AND name = $2`, namespace!, name!)
    : await tx.query(`SELECT uid FROM "${table.tableName}" WHERE name = $1`, name!);
  if (!current.length) return new StoreError('NotFound', table.kind, name!, namespace);
  return new StoreError('Conflict', table.kind, name!, namespace);
}

/** The database error (SQLSTATE) under a statement's error, from the adapter or through the client, if any. */
function sqlState(err: unknown): string | undefined {
  const e = err as { name?: unknown; cause?: { originalCode?: unknown }; meta?: { driverAdapterError?: { cause?: { originalCode?: unknown } } } };
  const cause = e?.name === 'DriverAdapterError' ? e.cause : e?.meta?.driverAdapterError?.cause;
  return typeof cause?.originalCode === 'string' ? cause.originalCode : undefined;
}

/** A row as the adapter returns it (columns in snake_case, int8 and times as text) in the model's shape. */
function rowOf(columns: Record<string, unknown>): Row {
  const row: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(columns)) row[k.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase())] = v;
  row.resourceVersion = BigInt(row.resourceVersion as string);
  row.createdAt = new Date(row.createdAt as string);
  if (typeof row.expiresAt === 'string') row.expiresAt = new Date(row.expiresAt);
  return row as Row;
}

function translate(err: unknown, table: KindTable, o: KubeObject): unknown {
  const code = prismaCode(err);
  const state = sqlState(err);
  const { name, namespace } = o.metadata;
  if (code === 'P2002' || state === '23505') return new StoreError('AlreadyExists', table.kind, name!, namespace);
  // A namespaced object's foreign key names its namespace: a violation means the namespace is missing.
  if (code === 'P2003' || state === '23503') return new StoreError('NotFound', 'Namespace', namespace!, undefined);
  return err;
}
