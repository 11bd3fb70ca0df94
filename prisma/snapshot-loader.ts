/**
 * Reads what a snapshot is built from: everything at one revision (a full
 * load, in one repeatable-read transaction so rows and revision agree), or
 * the change rows after a revision (an incremental load).
 */
import type { KubeObject } from '../engine/meta.ts';
import type { ObjectChange, SnapshotInput } from '../engine/snapshot.ts';
import type { PrismaClient } from './generated/client.ts';
import { kindTables, toObject, type Row, type StoredKind } from './store/kinds.ts';
import { sqlOf, type Sql } from './store/raw.ts';

/**
 * The kinds decisions, authentication and discovery read (ServiceAccounts:
 * the tokens bound to them; CustomResourceDefinitions: the resources they add).
 */
export const snapshotKinds: StoredKind[] = ['Namespace', 'Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding', 'NetworkPolicy', 'ServiceAccount', 'Tenant', 'User', 'Token', 'CustomResourceDefinition'];
const snapshotKindSet = new Set<string>(snapshotKinds);

/** Longest a statement of a full load may run. */
const fullLoadStatementTimeoutMs = 120_000;

/** How a column's value is selected and turned into the value a Prisma model gives (a Date, a bigint). */
interface ColumnRead {
  /** The select-list entry, aliased to the model field. */
  select: string;
  field: string;
  convert?: (v: unknown) => unknown;
}

const camelCase = (column: string) => column.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;
const toDate = (v: unknown) => (v === null || v === undefined ? null : new Date(Number(v)));
const toBigInt = (v: unknown) => (v === null || v === undefined ? null : BigInt(v as string));

/**
 * The select list of each snapshot table, read from the catalog: every
 * column under its model field's name (columns are the fields in snake_case),
 * timestamps as epoch milliseconds and bigints as text, converted back as the
 * Prisma model would give them. Tables are resolved through the search path,
 * as the load's own statements resolve them.
 */
async function columnReads(tx: Sql, tables: readonly string[]): Promise<Map<string, ColumnRead[]>> {
  const rows = await tx.query<{ table_name: string; column_name: string; data_type: string }>(
    `SELECT t.name AS table_name, a.attname::text AS column_name, format_type(a.atttypid, a.atttypmod) AS data_type
       FROM unnest(string_to_array($1, ',')) AS t(name)
       JOIN pg_attribute a ON a.attrelid = to_regclass(quote_ident(t.name)) AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY t.name, a.attnum`,
    tables.join(','),
  );
  const out = new Map<string, ColumnRead[]>();
  for (const r of rows) {
    const field = camelCase(r.column_name);
    const column = quoteIdent(r.column_name);
    const read: ColumnRead = r.data_type.startsWith('timestamp')
      ? { select: `floor(extract(epoch FROM ${column}) * 1000)::float8 AS ${quoteIdent(field)}`, field, convert: toDate }
      : r.data_type === 'bigint'
        ? { select: `${column}::text AS ${quoteIdent(field)}`, field, convert: toBigInt }
        : { select: `${column} AS ${quoteIdent(field)}`, field };
    const list = out.get(r.table_name);
    if (list) list.push(read);
    else out.set(r.table_name, [read]);
  }
  return out;
}

/**
 * Everything a snapshot is built from, at one revision: one repeatable-read
 * transaction, so the rows and the revision agree; each statement may run
 * for two minutes at most. Rows are read with plain statements on the
 * client's driver adapter (for 100,000 bindings about a third less time than
 * the client's `findMany`) into the rows a model would give, in the order
 * `findMany` sorted them (namespace, then name, by the database's collation),
 * which is the order objects enter the snapshot.
 */
export async function loadFull(prisma: PrismaClient): Promise<SnapshotInput> {
  const sql = await sqlOf(prisma);
  return sql.transaction(async (tx) => {
    await tx.execute('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
    await tx.execute(`SET LOCAL statement_timeout = ${fullLoadStatementTimeoutMs}`);
    const [rev] = await tx.query<{ value: string }>('SELECT value::text AS value FROM policy_revision WHERE id = 1');
    const reads = await columnReads(tx, snapshotKinds.map((k) => kindTables[k].tableName));
    const objects: KubeObject[] = [];
    const tokenHashes = new Map<string, string>();
    for (const kind of snapshotKinds) {
      const table = kindTables[kind];
      const columns = reads.get(table.tableName);
      if (!columns) throw new Error(`table ${table.tableName} not found`);
      const converted = columns.filter((c) => c.convert);
      const rows = await tx.query<Row>(
        `SELECT ${columns.map((c) => c.select).join(', ')} FROM ${quoteIdent(table.tableName)} ORDER BY ${table.namespaced ? 'namespace, name' : 'name'}`,
      );
      for (const row of rows) {
        for (const c of converted) row[c.field] = c.convert!(row[c.field]);
        objects.push(toObject(table, row));
        if (kind === 'Token') tokenHashes.set(row.name, row.hash as string);
      }
    }
    return { revision: Number(rev.value), objects, tokenHashes };
  });
}

const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The objects of one kind (in one namespace, or all) and the revision they
 * are at, read in one repeatable-read transaction: the state a watch starts
 * from, so that the changes after that revision follow it exactly. Ordered
 * as lists are (namespace, then name, by code point).
 */
export async function loadKindAt(prisma: PrismaClient, kind: StoredKind, namespace?: string): Promise<{ revision: number; objects: KubeObject[] }> {
  const sql = await sqlOf(prisma);
  const table = kindTables[kind];
  return sql.transaction(async (tx) => {
    await tx.execute('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
    const [rev] = await tx.query<{ value: string }>('SELECT value::text AS value FROM policy_revision WHERE id = 1');
    const columns = (await columnReads(tx, [table.tableName])).get(table.tableName);
    if (!columns) throw new Error(`table ${table.tableName} not found`);
    const converted = columns.filter((c) => c.convert);
    const filtered = table.namespaced && namespace !== undefined;
    const rows = await tx.query<Row>(
      `SELECT ${columns.map((c) => c.select).join(', ')} FROM ${quoteIdent(table.tableName)}${filtered ? ' WHERE namespace = $1' : ''}`,
      ...(filtered ? [namespace] : []),
    );
    const objects = rows.map((row) => {
      for (const c of converted) row[c.field] = c.convert!(row[c.field]);
      return toObject(table, row);
    });
    objects.sort((x, y) => byCodePoint(x.metadata.namespace ?? '', y.metadata.namespace ?? '') || byCodePoint(x.metadata.name!, y.metadata.name!));
    return { revision: Number(rev.value), objects };
  });
}

export interface ChangeBatch {
  /** The newest revision the batch reaches (== `since` when there is nothing new). */
  revision: number;
  changes: ObjectChange[];
  /** False when change rows between `since` and `revision` are gone (pruned): reload fully. */
  contiguous: boolean;
}

export async function loadChangesSince(prisma: PrismaClient, since: number): Promise<ChangeBatch> {
  const rows = await prisma.change.findMany({
    where: { revision: { gt: BigInt(since) } },
    orderBy: { id: 'asc' },
    select: { revision: true, kind: true, namespace: true, name: true, after: true },
  });
  if (!rows.length) return { revision: since, changes: [], contiguous: true };
  let expected = since + 1;
  let contiguous = true;
  let last = since;
  for (const r of rows) {
    const rev = Number(r.revision);
    if (rev !== last) {
      if (rev !== expected) contiguous = false;
      expected = rev + 1;
      last = rev;
    }
  }
  const tokenNames = rows.filter((r) => r.kind === 'Token' && r.after).map((r) => r.name);
  const hashes = new Map<string, string>();
  if (tokenNames.length) {
    for (const t of await prisma.token.findMany({ where: { name: { in: tokenNames } }, select: { name: true, hash: true } })) {
      hashes.set(t.name, t.hash);
    }
  }
  const changes: ObjectChange[] = rows
    .filter((r) => snapshotKindSet.has(r.kind))
    .map((r) => ({
      kind: r.kind,
      namespace: r.namespace,
      name: r.name,
      object: (r.after as KubeObject | null) ?? null,
      tokenHash: r.kind === 'Token' ? hashes.get(r.name) : undefined,
    }));
  return { revision: last, changes, contiguous };
}
