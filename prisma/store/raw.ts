/**
 * Plain SQL statements on the Prisma driver adapter the client itself runs
 * on (`@prisma/adapter-pg` over the pool, `pglite-prisma-adapter` over
 * PGlite), where the client's own query machinery costs more than the
 * database: a raw statement through the client takes about three times as
 * long as the same statement through its adapter. Writes use it, and so does
 * the snapshot's full load (prisma/snapshot-loader.ts), which reads every
 * row of its tables.
 *
 * `sqlOf` gives the adapter of a client opened by `openDatabase`.
 * Transactions on the adapter take the same row locks as the client's and,
 * on PGlite, queue behind them on its one connection.
 */
import { ColumnTypeEnum, type SqlDriverAdapter, type SqlDriverAdapterFactory, type SqlQuery, type SqlQueryable, type SqlResultSet } from '@prisma/driver-adapter-utils';
import type { PrismaClient } from '../generated/client.ts';

/** Statements with text parameters (`$1`, `$2`, ... cast in the SQL where a type is needed). */
export interface Sql {
  /** The rows as objects by column name; json columns parsed, int8 and timestamps as text. */
  query<T = Record<string, unknown>>(sql: string, ...args: (string | null)[]): Promise<T[]>;
  /** The number of rows the statement changed. */
  execute(sql: string, ...args: (string | null)[]): Promise<number>;
}

/** A connection that can run a function in a transaction. */
export interface TransactionalSql extends Sql {
  /** Runs `fn` in a transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
}

const factories = new WeakMap<PrismaClient, SqlDriverAdapterFactory>();
const connected = new WeakMap<PrismaClient, Promise<AdapterSql>>();

/** Makes `sqlOf(prisma)` use `factory`, the adapter factory `prisma` was created with. */
export function registerAdapter(prisma: PrismaClient, factory: SqlDriverAdapterFactory): void {
  factories.set(prisma, factory);
}

/** Statements on the driver adapter of `prisma`, which must have been registered (`openDatabase` does). */
export function sqlOf(prisma: PrismaClient): Promise<TransactionalSql> {
  let sql = connected.get(prisma);
  if (!sql) {
    const factory = factories.get(prisma);
    if (!factory) return Promise.reject(new Error('this Prisma client has no registered driver adapter (open it with openDatabase)'));
    sql = factory.connect().then((adapter) => new AdapterSql(adapter));
    connected.set(prisma, sql);
  }
  return sql;
}

/** Releases what `sqlOf` connected for `prisma` (the pool itself is the caller's). */
export async function releaseAdapter(prisma: PrismaClient): Promise<void> {
  const sql = connected.get(prisma);
  connected.delete(prisma);
  await (await sql)?.dispose();
}

const textArg = { scalarType: 'string', arity: 'scalar' } as const;

function statement(sql: string, args: readonly (string | null)[]): SqlQuery {
  return { sql, args: [...args], argTypes: args.map(() => textArg) };
}

/** Rows of a result set as objects; json columns come from the adapters as text and are parsed. */
function rowsOf<T>(set: SqlResultSet): T[] {
  const { columnNames, columnTypes } = set;
  return set.rows.map((values) => {
    const row: Record<string, unknown> = {};
    for (let i = 0; i < columnNames.length; i++) {
      const v = values[i];
      row[columnNames[i]] = columnTypes[i] === ColumnTypeEnum.Json && typeof v === 'string' ? JSON.parse(v) : v;
    }
    return row as T;
  });
}

class QueryableSql implements Sql {
  constructor(protected readonly on: SqlQueryable) {}

  async query<T>(sql: string, ...args: (string | null)[]): Promise<T[]> {
    return rowsOf<T>(await this.on.queryRaw(statement(sql, args)));
  }

  execute(sql: string, ...args: (string | null)[]): Promise<number> {
    return this.on.executeRaw(statement(sql, args));
  }
}

class AdapterSql extends QueryableSql implements TransactionalSql {
  constructor(private readonly adapter: SqlDriverAdapter) {
    super(adapter);
  }

  /**
   * An adapter transaction whose options say `usePhantomQuery: false` (pg)
   * expects its user to send COMMIT or ROLLBACK itself; `commit()` and
   * `rollback()` then only give the connection back. PGlite's sends them.
   */
  async transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
    const tx = await this.adapter.startTransaction();
    const ownStatements = !tx.options.usePhantomQuery;
    const end = (sql: 'COMMIT' | 'ROLLBACK') => tx.executeRaw({ sql, args: [], argTypes: [] });
    let value: T;
    try {
      value = await fn(new QueryableSql(tx));
      if (ownStatements) await end('COMMIT');
    } catch (err) {
      if (ownStatements) await end('ROLLBACK').catch(() => {});
      await tx.rollback().catch(() => {});
      throw err;
    }
    await tx.commit();
    return value;
  }

  dispose(): Promise<void> {
    return this.adapter.dispose();
  }
}
