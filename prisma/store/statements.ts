/**
 * The statements of the write path (write.ts), each one round trip on the
 * write's transaction: the revision bump, a row's insert or conditional
 * update as one typed JSON document, the change rows, and the translation of
 * the database's refusals into store outcomes.
 */
import type { KubeObject } from '../../engine/meta.ts';
import { StoreError, prismaCode } from './errors.ts';
import type { KindTable, Row } from './kinds.ts';
import type { Sql } from './raw.ts';

export const revisionChannel = 'warden_revision';

/** One `change` row: a write of one object at a revision. */
export interface ChangeRow {
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

/** Bumps the policy revision, taking its row lock until commit, and queues the NOTIFY sent at commit. */
export async function bumpRevision(sql: Sql): Promise<bigint> {
  const bumped = await sql.query<{ value: string }>(
    `WITH r AS (UPDATE policy_revision SET value = value + 1 WHERE id = 1 RETURNING value)
     SELECT value, pg_notify('${revisionChannel}', value::text)::text AS notified FROM r`,
  );
  return BigInt(bumped[0].value);
}

/**
 * Sets the revision (already locked by `bumpRevision` in this transaction)
 * to the last one a transaction used, when it used several, and queues the
 * NOTIFY of it.
 */
export async function advanceRevision(sql: Sql, value: bigint): Promise<void> {
  await sql.query(
    `WITH r AS (UPDATE policy_revision SET value = $1::bigint WHERE id = 1 RETURNING value)
     SELECT pg_notify('${revisionChannel}', value::text)::text AS notified FROM r`,
    value.toString(),
  );
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
export async function insertRow(tx: Sql, table: KindTable, row: Record<string, unknown>): Promise<void> {
  const cols = Object.keys(row).map(column).join(', ');
  await tx.execute(
    `INSERT INTO "${table.tableName}" (${cols}) SELECT ${cols} FROM jsonb_populate_record(NULL::"${table.tableName}", $1::jsonb)`,
    rowJson(row),
  );
}

/** Updates the row with `uid` if it is still at `resourceVersion`; returns how many rows changed (0 or 1). */
export async function updateRow(tx: Sql, table: KindTable, data: Record<string, unknown>, uid: string, resourceVersion: bigint): Promise<number> {
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
export async function insertChanges(sql: Sql, changes: ChangeRow[]): Promise<void> {
  if (!changes.length) return;
  await sql.execute(
    `INSERT INTO "change" (revision, kind, namespace, name, uid, operation, actor, before, after)
     SELECT (c->>'revision')::bigint, c->>'kind', c->>'namespace', c->>'name', c->>'uid', c->>'operation', c->>'actor', c->'before', c->'after'
       FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS t(c, n) ORDER BY n`,
    JSON.stringify(changes.map((c) => ({ ...c, revision: String(c.revision) }))),
  );
}

export async function missingOrConflict(tx: Sql, table: KindTable, before: KubeObject): Promise<StoreError> {
  const { name, namespace } = before.metadata;
  const current = table.namespaced
    ? await tx.query(`SELECT uid FROM "${table.tableName}" WHERE namespace = $1 AND name = $2`, namespace!, name!)
    : await tx.query(`SELECT uid FROM "${table.tableName}" WHERE name = $1`, name!);
  if (!current.length) return new StoreError('NotFound', table.kind, name!, namespace);
  return new StoreError('Conflict', table.kind, name!, namespace);
}

/** The database error (SQLSTATE) under a statement's error, from the adapter or through the client, if any. */
export function sqlState(err: unknown): string | undefined {
  const e = err as { name?: unknown; cause?: { originalCode?: unknown }; meta?: { driverAdapterError?: { cause?: { originalCode?: unknown } } } };
  const cause = e?.name === 'DriverAdapterError' ? e.cause : e?.meta?.driverAdapterError?.cause;
  return typeof cause?.originalCode === 'string' ? cause.originalCode : undefined;
}

/** A row as the adapter returns it (columns in snake_case, int8 and times as text) in the model's shape. */
export function rowOf(columns: Record<string, unknown>): Row {
  const row: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(columns)) row[k.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase())] = v;
  row.resourceVersion = BigInt(row.resourceVersion as string);
  row.createdAt = new Date(row.createdAt as string);
  if (typeof row.expiresAt === 'string') row.expiresAt = new Date(row.expiresAt);
  return row as Row;
}

export function translate(err: unknown, table: KindTable, o: KubeObject): unknown {
  const code = prismaCode(err);
  const state = sqlState(err);
  const { name, namespace } = o.metadata;
  if (code === 'P2002' || state === '23505') return new StoreError('AlreadyExists', table.kind, name!, namespace);
  // A namespaced object's foreign key names its namespace: a violation means the namespace is missing.
  if (code === 'P2003' || state === '23503') return new StoreError('NotFound', 'Namespace', namespace!, undefined);
  return err;
}
