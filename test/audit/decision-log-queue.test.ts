/**
 * The decision log's queue, against a sink the test controls: the sink is
 * the log's only port to the database, so a sink that hangs or fails on
 * demand is a database that is slow or down at exactly the moment the test
 * chooses. `record` never waits, never throws, bounds what it holds and
 * counts every entry it loses; the flusher writes batches in record order.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DecisionLog, maxQuestionBytes, type DecisionEntry, type DecisionSink } from '../../api/audit/decision-log.ts';
import type { DecisionRow } from '../../prisma/store/decision-log.ts';

const entry = (n: number, extra: Partial<DecisionEntry> = {}): DecisionEntry => ({
  caller: 'warden:admin', subject: { user: `user-${n}`, groups: ['devs'] }, kind: 'SubjectAccessReview',
  namespace: 'team-a', verb: 'get', resource: 'pods', question: { n }, allowed: n % 2 === 0, reason: `reason ${n}`, revision: 7, ...extra,
});

/** A sink whose writes wait for `release()` while `hold` is set, and fail while `failing` is set. */
class ScriptedSink implements DecisionSink {
  batches: DecisionRow[][] = [];
  failing = false;
  private gate: Promise<void> | undefined;
  private open: (() => void) | undefined;
  hold(): void { this.gate = new Promise((r) => { this.open = r; }); }
  release(): void { this.open?.(); this.gate = undefined; }
  async insert(rows: DecisionRow[]): Promise<void> {
    await this.gate;
    if (this.failing) throw new Error('connection refused');
    this.batches.push(rows);
  }
  async prune(): Promise<number> { return 0; }
  get written(): DecisionRow[] { return this.batches.flat(); }
}

const options = { queueSize: 100, batchSize: 10, flushIntervalMs: 60_000, retentionMs: 86_400_000 };

test('record returns at once, in order, one batch per insert of at most batchSize', async () => {
  const sink = new ScriptedSink();
  const log = new DecisionLog(sink, options);
  for (let i = 0; i < 25; i++) log.record(entry(i));
  assert.equal(sink.batches.length, 0, 'nothing is written on the caller\'s path');
  assert.equal(log.depth, 25);
  await log.flush();
  assert.deepEqual(sink.batches.map((b) => b.length), [10, 10, 5]);
  assert.deepEqual(sink.written.map((r) => r.subjectUser), Array.from({ length: 25 }, (_, i) => `user-${i}`));
  assert.deepEqual({ ...log.stats(), dropped: undefined }, {
    recorded: 25, written: 25, dropped: undefined, droppedTotal: 0, depth: 0, capacity: 100, flushFailures: 0, pruned: 0,
  });
});

test('a full queue drops new entries and counts them; what it holds is written once the database answers', async () => {
  const sink = new ScriptedSink();
  const log = new DecisionLog(sink, options);
  sink.hold();
  for (let i = 0; i < 40; i++) log.record(entry(i));
  const flushing = log.flush(); // one batch is now in flight, waiting on the database
  const started = process.hrtime.bigint();
  for (let i = 40; i < 1000; i++) log.record(entry(i));
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  assert.ok(ms < 200, `960 records took ${ms} ms while the database hung`);
  assert.equal(log.depth, 100, 'the queue holds exactly its capacity, the batch in flight included');
  assert.equal(log.stats().dropped.queue_full, 900);
  sink.release();
  await flushing;
  await log.flush();
  assert.equal(sink.written.length, 100);
  assert.deepEqual(sink.written.map((r) => r.subjectUser).slice(-1), ['user-99'], 'the first 100 recorded are the ones kept');
  const s = log.stats();
  assert.equal(s.written + s.droppedTotal, 1000, 'every entry is written or counted');
});

test('a failed write keeps its batch for the next flush, and drops it (counted) after maxAttempts', async () => {
  const sink = new ScriptedSink();
  const log = new DecisionLog(sink, { ...options, maxAttempts: 2 });
  for (let i = 0; i < 15; i++) log.record(entry(i));
  sink.failing = true;
  await log.flush();
  assert.deepEqual([log.stats().flushFailures, log.depth], [1, 15], 'the failed batch is kept');
  sink.failing = false;
  await log.flush();
  assert.deepEqual(sink.written.map((r) => r.subjectUser), Array.from({ length: 15 }, (_, i) => `user-${i}`), 'the retry lands in order');

  for (let i = 15; i < 30; i++) log.record(entry(i));
  sink.failing = true;
  await log.flush();
  await log.flush();
  assert.deepEqual(log.stats().dropped.write_failed, 10, 'the batch that failed twice is dropped and counted');
  sink.failing = false;
  await log.flush();
  assert.equal(sink.written.length, 20);
  assert.deepEqual(log.stats().flushFailures, 3);
});

test('an entry that cannot be serialized is counted as invalid, never thrown to the caller', () => {
  const log = new DecisionLog(new ScriptedSink(), options);
  const circular: Record<string, unknown> = {};
  circular.self = circular;
  assert.doesNotThrow(() => log.record(entry(1, { question: circular })));
  assert.doesNotThrow(() => log.record(entry(2, { question: { big: 10n } })));
  assert.doesNotThrow(() => log.record(null as unknown as DecisionEntry));
  assert.deepEqual([log.stats().dropped.invalid, log.depth], [3, 0]);
});

test('the question is captured when recorded; NUL characters are removed and oversized questions are truncated', async () => {
  const sink = new ScriptedSink();
  const log = new DecisionLog(sink, options);
  const question = { user: 'a\u0000b', spec: { note: 'x' }, ['k\u0000ey']: ['\u0000'] };
  log.record(entry(1, { question, reason: 'why\u0000not', namespace: '', at: new Date('2026-01-01T00:00:00Z') }));
  question.spec.note = 'changed after recording';
  log.record(entry(2, { question: { blob: 'y'.repeat(maxQuestionBytes) } }));
  await log.flush();
  const [first, second] = sink.written;
  assert.deepEqual(JSON.parse(first.question), { user: 'ab', spec: { note: 'x' }, key: [''] });
  assert.equal(first.reason, 'whynot');
  assert.equal(first.namespace, null, 'an empty attribute is stored as absent');
  assert.equal(first.at.toISOString(), '2026-01-01T00:00:00.000Z');
  assert.deepEqual(JSON.parse(second.question), { truncated: true, bytes: maxQuestionBytes + '{"blob":""}'.length });
});

test('stop writes what is held, then refuses new entries and counts them', async () => {
  const sink = new ScriptedSink();
  const log = new DecisionLog(sink, options);
  log.start();
  for (let i = 0; i < 12; i++) log.record(entry(i));
  assert.equal(await log.stop(), 0);
  assert.equal(sink.written.length, 12);
  log.record(entry(13));
  assert.equal(log.stats().dropped.stopped, 1);
});

test('stop gives up after its grace period when the database hangs, and says how many stayed unwritten', async () => {
  const sink = new ScriptedSink();
  const log = new DecisionLog(sink, options);
  sink.hold();
  for (let i = 0; i < 12; i++) log.record(entry(i));
  void log.flush();
  assert.equal(await log.stop(50), 12);
  sink.release();
});

test('a full batch is written without waiting for the next tick', async () => {
  const sink = new ScriptedSink();
  const log = new DecisionLog(sink, options);
  log.start();
  for (let i = 0; i < 10; i++) log.record(entry(i));
  await new Promise((r) => setImmediate(r));
  await log.flush();
  assert.equal(sink.written.length, 10);
  await log.stop();
});
