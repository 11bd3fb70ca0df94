/**
 * Plain SQL statements on the Prisma driver adapter the client itself runs
 * on (`@prisma/adapter-pg` over the pool, `pglite-prisma-adapter` over
 * PGlite), for writes, where the client's own query machinery costs more
 * than the database: a raw statement through the client takes about three
 * times as long as the same statement through its adapter. Reads that load
 * many rows keep the client's models.
 *
 * `sqlOf` gives the adapter of a client opened by `openDatabase`, or, for
 * any other client, the same statements through the client, so callers
 * need not know which they have. Transactions on the adapter take the same
 * row locks as the client's and, on PGlite, queue behind them on its one
 * connection.
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
const connected = new WeakMap<PrismaClient, AdapterSql>();

/** Makes `sqlOf(prisma)` use `factory`, the adapter factory `prisma` was created with. */
export function registerAdapter(prisma: PrismaClient, factory: SqlDriverAdapterFactory): void {
  factories.set(prisma, factory);
}

/** Statements for `prisma`'s database: on its driver adapter when one was registered, else through the client. */
export async function sqlOf(prisma: PrismaClient): Promise<TransactionalSql> {
  const known = connected.get(prisma);
  if (known) return known;
  const factory = factories.get(prisma);
  if (!factory) return new ClientSql(prisma);
  const sql = new AdapterSql(await factory.connect());
  // Two callers may have connected at once; keep one.
  const winner = connected.get(prisma) ?? sql;
  connected.set(prisma, winner);
  return winner;
}

/** Releases what `sqlOf` connected for `prisma` (the pool itself is the caller's). */
export async function releaseAdapter(prisma: PrismaClient): Promise<void> {
  const sql = connected.get(prisma);
  connected.delete(prisma);
  await sql?.dispose();
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

/** The same statements through a Prisma client (or a client inside its transaction). */
export class ClientSql implements TransactionalSql {
  constructor(private readonly client: Pick<PrismaClient, '$queryRawUnsafe' | '$executeRawUnsafe'>) {}

  async query<T>(sql: string, ...args: (string | null)[]): Promise<T[]> {
    const rows = await this.client.$queryRawUnsafe<Record<string, unknown>[]>(sql, ...args);
    // As the adapter gives them: int8 and timestamps as text.
    return rows.map((r) => {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(r)) out[k] = typeof v === 'bigint' ? v.toString() : v instanceof Date ? v.toISOString() : v;
      return out as T;
    });
  }

  execute(sql: string, ...args: (string | null)[]): Promise<number> {
    return this.client.$executeRawUnsafe(sql, ...args);
  }

  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
    const client = this.client as PrismaClient;
    return client.$transaction((tx) => fn(new ClientSql(tx)), { timeout: 30_000, maxWait: 30_000 });
  }
}
