/**
 * Statements a plan defers to the commit (prisma/store/write.ts `deferred`)
 * run in the statement that records the change rows: they land with the
 * plan's revision and change rows, each with its own parameters, and one
 * that changes fewer rows than it expects rolls the whole transaction back.
 * Run on PGlite and, with WARDEN_TEST_DATABASE_URL, on a PostgreSQL server.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../engine/meta.ts';
import { sqlOf, type TransactionalSql } from '../../prisma/store/raw.ts';
import type { DeferredStatement } from '../../prisma/store/statements.ts';
import { writeBatchWith } from '../../prisma/store/write.ts';
import { startTestWarden, type TestWarden } from '../support/warden.ts';

let w: TestWarden;
let sql: TransactionalSql;

before(async () => {
  w = await startTestWarden();
  sql = await sqlOf(w.warden.deps.db.prisma);
  await sql.execute('CREATE TABLE deferred_probe (id text PRIMARY KEY, n bigint NOT NULL, rv bigint NOT NULL)');
  await sql.execute(`INSERT INTO deferred_probe VALUES ('a', 0, 0), ('b', 0, 0), ('c', 0, 0)`);
});
after(async () => { await w.close(); });

const revision = async () => Number((await sql.query<{ value: string }>('SELECT value::text FROM policy_revision WHERE id = 1'))[0].value);
const probe = async () => Object.fromEntries((await sql.query<{ id: string; n: string; rv: string }>('SELECT id, n::text, rv::text FROM deferred_probe ORDER BY id'))
  .map((r) => [r.id, [Number(r.n), Number(r.rv)]]));

/** Sets `n` of rows `ids` at revision `rv`; expects `expect` rows (default: all of them). */
function setN(ids: string[], n: number, rv: bigint, expect = ids.length): DeferredStatement {
  return {
    sql: 'UPDATE deferred_probe AS p SET n = $1::bigint, rv = $2::bigint FROM jsonb_array_elements_text($3::jsonb) AS v(id) WHERE p.id = v.id RETURNING 1',
    args: [String(n), String(rv), JSON.stringify(ids)], expect, what: 'probe update',
  };
}

/** A stand-in for the object a deferred row stands for, so the batch records a change row. */
const object = (name: string, rv: bigint): KubeObject => ({
  apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default', uid: `uid-${name}`, resourceVersion: String(rv) },
});

test('deferred statements land with the batch, each with its own parameters, in the change rows\' statement', async () => {
  const before = await revision();
  const { result, value } = await writeBatchWith(w.warden.deps.db.prisma, 'tester', async (_tx, rv) => ({
    ops: [],
    written: [{ before: object('a', 0n), after: object('a', rv) }, { before: object('b', 0n), after: object('b', rv) }],
    deferred: [setN(['a'], 7, rv), setN(['b', 'c'], 9, rv)],
    value: Number(rv),
  }));
  assert.equal(value, before + 1);
  assert.equal(result?.revision, before + 1);
  assert.deepEqual(await probe(), { a: [7, before + 1], b: [9, before + 1], c: [9, before + 1] });
  const changes = await sql.query<{ name: string; revision: string }>('SELECT name, revision::text FROM change WHERE actor = $1 ORDER BY id', 'tester');
  assert.deepEqual(changes.map((c) => [c.name, Number(c.revision)]), [['a', before + 1], ['b', before + 1]]);
});

test('a deferred statement that changes fewer rows than expected rolls everything back', async () => {
  const before = await revision();
  const rows = await probe();
  const changesBefore = (await sql.query('SELECT id FROM change')).length;
  await assert.rejects(writeBatchWith(w.warden.deps.db.prisma, 'tester', async (_tx, rv) => ({
    ops: [],
    written: [{ before: object('a', 0n), after: object('a', rv) }],
    deferred: [setN(['a'], 1, rv), setN(['b', 'missing'], 2, rv)],
    value: undefined,
  })), /probe update matched 1 of 2 locked rows/);
  assert.equal(await revision(), before, 'no revision consumed');
  assert.deepEqual(await probe(), rows, 'neither statement stored anything');
  assert.equal((await sql.query('SELECT id FROM change')).length, changesBefore, 'no change rows');
  // The write path keeps working afterwards.
  const { result } = await writeBatchWith(w.warden.deps.db.prisma, 'tester', async (_tx, rv) => ({
    ops: [], written: [{ before: object('c', 0n), after: object('c', rv) }], deferred: [setN(['c'], 3, rv)], value: undefined,
  }));
  assert.equal(result?.revision, before + 1);
  assert.equal((await probe()).c[0], 3);
});
