/**
 * The decision log against a real database that is slow or down: decisions
 * keep being answered at full speed, `record` returns at once, what does not
 * fit the queue is counted as dropped, and what the queue holds is written
 * once the database answers again.
 *
 * "Slow" is the decision_log table locked ACCESS EXCLUSIVE by another
 * session (on PGlite, by a transaction holding its one connection), so every
 * flush waits. "Down" is every insert failing, made real with a constraint
 * no row satisfies (`CHECK (false) NOT VALID`).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { Registry } from 'prom-client';
import { DecisionLog, databaseSink, type DecisionEntry } from '../../api/audit/decision-log.ts';
import { backend, startTestWarden, type TestWarden } from '../support/warden.ts';

let w: TestWarden;
before(async () => {
  w = await startTestWarden({ env: { WARDEN_DECISION_LOG_QUEUE: '200', WARDEN_DECISION_LOG_BATCH: '50', WARDEN_DECISION_LOG_FLUSH_MS: '50' } });
});
after(async () => { await w?.close(); });

const entry = (n: number, caller = 'warden:admin'): DecisionEntry => ({
  caller, subject: { user: `user-${n}`, groups: ['devs'] }, kind: 'SubjectAccessReview',
  namespace: 'team-a', verb: 'get', resource: 'pods', question: { n }, allowed: false, reason: 'no binding', revision: 1,
});

const sar = {
  apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview',
  spec: { user: 'bob', groups: ['devs'], resourceAttributes: { namespace: 'team-a', verb: 'get', resource: 'pods' } },
};

/** Holds an ACCESS EXCLUSIVE lock on decision_log until the returned function is called. */
async function lockDecisionLog(): Promise<() => Promise<void>> {
  if (backend === 'postgres') {
    const c = new pg.Client({ connectionString: w.databaseUrl });
    await c.connect();
    await c.query('BEGIN');
    await c.query('LOCK TABLE decision_log IN ACCESS EXCLUSIVE MODE');
    return async () => { await c.query('COMMIT'); await c.end(); };
  }
  let open!: () => void;
  let locked!: () => void;
  const gate = new Promise<void>((r) => { open = r; });
  const isLocked = new Promise<void>((r) => { locked = r; });
  const held = w.warden.deps.db.pglite!.transaction(async (tx) => {
    await tx.query('LOCK TABLE decision_log IN ACCESS EXCLUSIVE MODE');
    locked();
    await gate;
  });
  await isLocked;
  return async () => { open(); await held; };
}

async function until(what: string, ok: () => boolean, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Stored entries recorded with `caller` (each test records as its own caller). */
async function storedCount(caller: string): Promise<number> {
  return w.warden.deps.db.prisma.decisionLogEntry.count({ where: { caller } });
}

/** Lets the app's log write what an earlier test or request left queued. */
async function settled(): Promise<void> {
  await until('the queue to drain', () => w.warden.deps.decisions!.depth === 0);
  await w.warden.deps.decisions!.flush();
}

async function askAndTime(): Promise<number> {
  const started = process.hrtime.bigint();
  const r = await w.http.post('/apis/authorization.k8s.io/v1/subjectaccessreviews').set('Authorization', w.auth).send(sar);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body.status.allowed, false);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

test(`${backend}: with decision_log locked, record returns at once, reviews are answered, overflow is counted, and the held entries land after`, async (t) => {
  const log = w.warden.deps.decisions!;
  await askAndTime(); // warm up the request path
  await settled();
  const before_ = log.stats();
  const release = await lockDecisionLog();
  let released = false;
  try {
    const started = process.hrtime.bigint();
    for (let i = 0; i < 1000; i++) log.record(entry(i, 'locked'));
    const recordMs = Number(process.hrtime.bigint() - started) / 1e6;
    assert.ok(recordMs < 250, `1000 records took ${recordMs} ms with the table locked`);

    // Every review is answered while the lock is still held: none waits for the database.
    const answered: number[] = [];
    for (let i = 0; i < 20; i++) answered.push(await askAndTime());
    answered.sort((a, b) => a - b);
    t.diagnostic(`1000 records: ${recordMs.toFixed(1)} ms; 20 reviews with the table locked: median ${answered[10].toFixed(1)} ms, max ${answered[19].toFixed(1)} ms`);

    await new Promise((r) => setTimeout(r, 200)); // several flush ticks, all waiting on the lock
    const during = log.stats();
    assert.equal(during.depth, 200, 'the queue holds its capacity');
    assert.equal(during.written, before_.written, 'nothing is written while the table is locked');
    assert.equal(during.dropped.queue_full - before_.dropped.queue_full, 800 + 20, 'every entry beyond the capacity is counted, the reviews\' own included');

    await release();
    released = true;
    await until('the queue to drain', () => log.depth === 0);
    assert.equal(log.stats().written - before_.written, 200);
    assert.equal(await storedCount('locked'), 200);
  } finally {
    if (!released) await release();
  }
});

test(`${backend}: while every insert fails, reviews are answered and failures are counted; later flushes succeed`, async () => {
  const log = w.warden.deps.decisions!;
  const prisma = w.warden.deps.db.prisma;
  await settled();
  const before_ = log.stats();
  const lastId = (await prisma.decisionLogEntry.aggregate({ _max: { id: true } }))._max.id ?? 0n;
  await prisma.$executeRawUnsafe('ALTER TABLE decision_log ADD CONSTRAINT refuse_every_row CHECK (false) NOT VALID');
  try {
    for (let i = 0; i < 30; i++) log.record(entry(i, 'refused'));
    for (let i = 0; i < 5; i++) await askAndTime();
    await until('a failed flush', () => log.stats().flushFailures > before_.flushFailures);
    assert.equal(await storedCount('refused'), 0);
  } finally {
    await prisma.$executeRawUnsafe('ALTER TABLE decision_log DROP CONSTRAINT refuse_every_row');
  }
  await settled();
  const s = log.stats();
  const written = s.written - before_.written;
  assert.equal(written + (s.dropped.write_failed - before_.dropped.write_failed), 35,
    'each of the 30 entries and the 5 reviews\' own is either written after the outage or counted as a failed write');
  assert.equal(await prisma.decisionLogEntry.count({ where: { id: { gt: lastId } } }), written, 'what is counted written is stored');

  for (let i = 0; i < 10; i++) log.record(entry(i, 'after-outage'));
  await settled();
  assert.equal(await storedCount('after-outage'), 10);
});

test(`${backend}: a write blocked longer than the write timeout fails within it, and is retried after the lock goes`, async (t) => {
  if (backend !== 'postgres') return t.skip('needs a second database session; PGlite has one connection, so its writes queue instead of timing out');
  const log = new DecisionLog(databaseSink(w.warden.deps.store), {
    queueSize: 100, batchSize: 10, flushIntervalMs: 60_000, retentionMs: 86_400_000, writeTimeoutMs: 200, maxAttempts: 100,
  });
  await settled();
  const release = await lockDecisionLog();
  try {
    for (let i = 0; i < 10; i++) log.record(entry(i, 'timed-out'));
    const started = Date.now();
    await log.flush();
    const ms = Date.now() - started;
    assert.ok(ms < 2000, `the blocked write returned after ${ms} ms`);
    assert.deepEqual([log.stats().flushFailures, log.depth], [1, 10]);
  } finally {
    await release();
  }
  await log.flush();
  assert.deepEqual([log.stats().written, log.depth], [10, 0]);
  assert.equal(await storedCount('timed-out'), 10);
  await log.stop();
});

test(`${backend}: a batch lands in order, with lone surrogates stored as U+FFFD and NUL removed, in every text and in the question`, async () => {
  await settled();
  const log = new DecisionLog(databaseSink(w.warden.deps.store), { queueSize: 10, batchSize: 10, flushIntervalMs: 60_000, retentionMs: 3_600_000, registry: new Registry() });
  const caller = 'surrogates';
  log.record({ ...entry(1, caller), subject: { user: 'u\ud800', groups: ['g\udc00x', 'ok'] }, reason: 'why\u0000 \ud83d', question: { k: 'v\udfff', ['\ud801key']: ['\u0000'] } });
  log.record({ ...entry(2, caller), subject: { user: 'pair \ud83d\ude00', groups: [] }, question: { emoji: '\ud83d\ude00' } });
  await log.flush();
  const rows = await w.warden.deps.db.prisma.decisionLogEntry.findMany({ where: { caller }, orderBy: { id: 'asc' } });
  assert.equal(rows.length, 2, 'nothing of the batch is lost');
  assert.equal(rows[0].subjectUser, 'u\ufffd');
  assert.deepEqual(rows[0].subjectGroups, ['g\ufffdx', 'ok']);
  assert.equal(rows[0].reason, 'why \ufffd');
  assert.deepEqual(rows[0].question, { k: 'v\ufffd', '\ufffdkey': [''] });
  assert.equal(rows[1].subjectUser, 'pair \ud83d\ude00', 'a surrogate pair is kept');
  assert.deepEqual(rows[1].question, { emoji: '\ud83d\ude00' });
});
