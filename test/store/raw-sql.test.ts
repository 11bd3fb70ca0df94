/**
 * Statements on the driver adapter (prisma/store/raw.ts) behave as the same
 * statements through the Prisma client: same row shapes, transactions that
 * commit everything or nothing, and connections that go back to the pool
 * with no transaction left open. Run on PGlite and, with
 * WARDEN_TEST_DATABASE_URL, on a PostgreSQL server.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { PrismaClient } from '../../prisma/generated/client.ts';
import { sqlOf, type Sql, type TransactionalSql } from '../../prisma/store/raw.ts';
import { startTestWarden, type TestWarden } from '../support/warden.ts';

let w: TestWarden;
let adapter: TransactionalSql;
/** The same statements through the Prisma client (its own connection on a server), rows as the adapter shapes them. */
let client: Sql;

function throughClient(prisma: PrismaClient): Sql {
  return {
    async query<T>(sql: string, ...args: (string | null)[]) {
      const rows = await prisma.$queryRawUnsafe<Record<string, unknown>[]>(sql, ...args);
      return rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) =>
        [k, typeof v === 'bigint' ? v.toString() : v instanceof Date ? v.toISOString() : v]))) as T[];
    },
    execute: (sql: string, ...args: (string | null)[]) => prisma.$executeRawUnsafe(sql, ...args),
  };
}

before(async () => {
  w = await startTestWarden();
  const prisma = w.warden.deps.db.prisma;
  adapter = await sqlOf(prisma);
  client = throughClient(prisma);
  await client.execute('CREATE TABLE raw_probe (id text PRIMARY KEY, n bigint NOT NULL, doc jsonb, at timestamptz(0) NOT NULL)');
});
after(async () => {
  await w.close();
});

test('a client opened by openDatabase has one adapter connection; any other client is refused', async () => {
  assert.equal(await sqlOf(w.warden.deps.db.prisma), adapter);
  await assert.rejects(sqlOf({} as PrismaClient), /no registered driver adapter/);
});

test('rows read through the adapter have the shapes the client gives: json parsed, int8 and timestamps as text', async () => {
  await adapter.execute(
    `INSERT INTO raw_probe VALUES ($1, $2::bigint, $3::jsonb, $4::timestamptz)`,
    'shape', '9007199254740993', JSON.stringify({ a: [1, { b: 'x' }], s: 'quote " and \u00e9' }), '2026-01-02T03:04:05Z',
  );
  const select = 'SELECT id, n, doc, at FROM raw_probe WHERE id = $1';
  const [viaAdapter] = await adapter.query<{ id: string; n: string; doc: unknown; at: string }>(select, 'shape');
  const [viaClient] = await client.query<typeof viaAdapter>(select, 'shape');
  assert.equal(viaAdapter.n, '9007199254740993', 'an int8 beyond 2^53 keeps its digits');
  assert.deepEqual(viaAdapter.doc, { a: [1, { b: 'x' }], s: 'quote " and \u00e9' });
  assert.equal(new Date(viaAdapter.at).toISOString(), '2026-01-02T03:04:05.000Z');
  assert.deepEqual({ ...viaAdapter, at: new Date(viaAdapter.at).getTime() }, { ...viaClient, at: new Date(viaClient.at).getTime() });
  const [nulls] = await adapter.query<{ doc: unknown }>('SELECT NULL::jsonb AS doc');
  assert.equal(nulls.doc, null);
});

test('a transaction that resolves is committed and seen by every other connection', async () => {
  const n = await adapter.transaction(async (tx) => {
    await tx.execute(`INSERT INTO raw_probe VALUES ('committed', 1, NULL, now())`);
    return tx.execute(`UPDATE raw_probe SET n = n + 1 WHERE id = 'committed'`);
  });
  assert.equal(n, 1, 'execute counts the rows changed');
  const rows = await client.query<{ n: string }>(`SELECT n FROM raw_probe WHERE id = 'committed'`);
  assert.deepEqual(rows, [{ n: '2' }]);
});

test('a transaction that throws writes nothing, and leaves no transaction open on the connection it used', async () => {
  await assert.rejects(adapter.transaction(async (tx) => {
    await tx.execute(`INSERT INTO raw_probe VALUES ('rolled-back', 1, NULL, now())`);
    throw new Error('changed my mind');
  }), /changed my mind/);
  await assert.rejects(adapter.transaction(async (tx) => {
    await tx.execute(`INSERT INTO raw_probe VALUES ('bad-sql', 1, NULL, now())`);
    await tx.execute('SELECT no_such_column FROM raw_probe');
  }));
  assert.deepEqual(await client.query(`SELECT id FROM raw_probe WHERE id IN ('rolled-back', 'bad-sql')`), []);
  // Were a connection handed back inside a transaction, writes made on it later would be invisible elsewhere.
  for (let i = 0; i < 12; i++) await adapter.execute(`INSERT INTO raw_probe VALUES ($1, $2::bigint, NULL, now())`, `later-${i}`, String(i));
  const [{ count }] = await client.query<{ count: string }>(`SELECT count(*)::text AS count FROM raw_probe WHERE id LIKE 'later-%'`);
  assert.equal(count, '12');
});

test('transactions on the adapter hold row locks: concurrent increments are never lost', async () => {
  await adapter.execute(`INSERT INTO raw_probe VALUES ('counter', 0, NULL, now())`);
  await Promise.all(Array.from({ length: 20 }, () => adapter.transaction(async (tx) => {
    const [{ n }] = await tx.query<{ n: string }>(`SELECT n FROM raw_probe WHERE id = 'counter' FOR UPDATE`);
    await tx.execute(`UPDATE raw_probe SET n = $1::bigint WHERE id = 'counter'`, String(Number(n) + 1));
  })));
  assert.deepEqual(await client.query(`SELECT n FROM raw_probe WHERE id = 'counter'`), [{ n: '20' }]);
});
