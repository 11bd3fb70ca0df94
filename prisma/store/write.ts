/**
 * The one write path. A batch of operations commits in one transaction that
 * first bumps the policy revision (taking its row lock, so writes are
 * serialized in revision order and a replica replaying `change` rows in
 * revision order never skips one), writes the rows, records one `change`
 * row per object, and NOTIFYs listeners at commit. Either every operation
 * lands or none does.
 */
import type { KubeObject } from '../../engine/meta.ts';
import type { PrismaClient } from '../generated/client.ts';
import { StoreError, prismaCode } from './errors.ts';
import { kindTables, namespacedKinds, toObject, toRow, type KindTable, type Row, type StoredKind } from './kinds.ts';

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

/** The client inside a write transaction. */
export type Tx = Omit<PrismaClient, '$connect' | '$disconnect' | '$on' | '$transaction' | '$extends'>;
type Delegate = {
  create(args: { data: Row }): Promise<Row>;
  updateMany(args: { where: Record<string, unknown>; data: Record<string, unknown> }): Promise<{ count: number }>;
  deleteMany(args: { where: Record<string, unknown> }): Promise<{ count: number }>;
  findMany(args: { where?: Record<string, unknown>; orderBy?: unknown }): Promise<Row[]>;
  findFirst(args: { where: Record<string, unknown> }): Promise<Row | null>;
};

export function delegateOf(tx: Tx | PrismaClient, table: KindTable): Delegate {
  return (tx as unknown as Record<string, Delegate>)[table.delegate];
}

function tableOf(o: KubeObject): KindTable {
  const table = kindTables[o.kind as StoredKind];
  if (!table) throw new Error(`no table stores kind ${o.kind}`);
  return table;
}

function identity(table: KindTable, o: KubeObject): Record<string, unknown> {
  return table.namespaced ? { namespace: o.metadata.namespace, name: o.metadata.name } : { name: o.metadata.name };
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

const txOptions = { timeout: 30_000, maxWait: 30_000 };

export async function writeBatch(prisma: PrismaClient, ops: WriteOp[], actor: string): Promise<WriteResult> {
  return prisma.$transaction(async (tx) => applyOps(tx, await bumpRevision(tx), ops, actor), txOptions);
}

/** The rollback of a planned write that decided to write nothing. */
class NothingToWrite<T> {
  constructor(readonly value: T) {}
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
 * rolls back: no revision is consumed and `result` is undefined. Errors
 * `plan` throws roll back and propagate.
 */
export async function writeBatchWith<T>(
  prisma: PrismaClient, actor: string, plan: (tx: Tx, revision: bigint) => Promise<Plan<T>>,
): Promise<{ value: T; result?: WriteResult }> {
  try {
    return await prisma.$transaction(async (tx) => {
      const rv = await bumpRevision(tx);
      const { ops, written = [], value } = await plan(tx, rv);
      if (!ops.length && !written.length) throw new NothingToWrite(value);
      return { value, result: await applyOps(tx, rv, ops, actor, written) };
    }, txOptions);
  } catch (err) {
    if (err instanceof NothingToWrite) return { value: err.value as T };
    throw err;
  }
}

/** Bumps the policy revision, taking its row lock until commit, and queues the NOTIFY sent at commit. */
async function bumpRevision(tx: Tx): Promise<bigint> {
  const bumped = await tx.$queryRawUnsafe<{ value: bigint }[]>(
    `WITH r AS (UPDATE policy_revision SET value = value + 1 WHERE id = 1 RETURNING value)
     SELECT value, pg_notify('${revisionChannel}', value::text)::text AS notified FROM r`,
  );
  return BigInt(bumped[0].value);
}

/** Writes `ops` at revision `rv` and records one change row per object, `written` ones included. */
async function applyOps(tx: Tx, rv: bigint, ops: WriteOp[], actor: string, written: PlannedUpdate[] = []): Promise<WriteResult> {
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
        const row = await delegateOf(tx, table).create({ data: { ...toRow(table, op.object, rv), ...op.columns } });
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
      const where = { ...identity(table, op.before), uid: op.before.metadata.uid, resourceVersion: BigInt(op.before.metadata.resourceVersion!) };
      const { count } = await delegateOf(tx, table).updateMany({ where, data });
      if (count !== 1) throw await missingOrConflict(tx, table, op.before);
      const stored = toObject(table, { ...row, uid: op.before.metadata.uid!, createdAt: new Date(op.before.metadata.creationTimestamp!) });
      record('update', stored, op.before, stored);
      objects.push(stored);
    } else {
      const table = tableOf(op.before);
      if (table.kind === 'Namespace') {
        for (const kind of namespacedKinds) {
          const inner = kindTables[kind];
          const rows = await delegateOf(tx, inner).findMany({ where: { namespace: op.before.metadata.name } });
          if (!rows.length) continue;
          await delegateOf(tx, inner).deleteMany({ where: { namespace: op.before.metadata.name } });
          for (const r of rows) {
            const o = toObject(inner, r);
            record('delete', o, o, undefined);
            deleted.push(o);
          }
        }
      }
      const where = { ...identity(table, op.before), uid: op.before.metadata.uid, resourceVersion: BigInt(op.before.metadata.resourceVersion!) };
      const { count } = await delegateOf(tx, table).deleteMany({ where });
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
  await insertChanges(tx, changes);
  return { revision: Number(rv), objects, deleted };
}

/**
 * Inserts the change rows in one statement, in order. The rows travel as
 * one JSON document, so the cost stays proportional to their size however
 * deeply the objects nest (a model `createMany` walks every nested value).
 */
async function insertChanges(tx: Tx, changes: ChangeRow[]): Promise<void> {
  if (!changes.length) return;
  await tx.$executeRawUnsafe(
    `INSERT INTO "change" (revision, kind, namespace, name, uid, operation, actor, before, after)
     SELECT (c->>'revision')::bigint, c->>'kind', c->>'namespace', c->>'name', c->>'uid', c->>'operation', c->>'actor', c->'before', c->'after'
       FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS t(c, n) ORDER BY n`,
    JSON.stringify(changes.map((c) => ({ ...c, revision: String(c.revision) }))),
  );
}

async function missingOrConflict(tx: Tx, table: KindTable, before: KubeObject): Promise<StoreError> {
  const current = await delegateOf(tx, table).findFirst({ where: identity(table, before) });
  const { name, namespace } = before.metadata;
  if (!current) return new StoreError('NotFound', table.kind, name!, namespace);
  return new StoreError('Conflict', table.kind, name!, namespace);
}

function translate(err: unknown, table: KindTable, o: KubeObject): unknown {
  const code = prismaCode(err);
  const { name, namespace } = o.metadata;
  if (code === 'P2002') return new StoreError('AlreadyExists', table.kind, name!, namespace);
  // A namespaced object's foreign key names its namespace: a violation means the namespace is missing.
  if (code === 'P2003') return new StoreError('NotFound', 'Namespace', namespace!, undefined);
  return err;
}
