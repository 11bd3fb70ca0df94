/**
 * Durability and replicas: what Warden stored is there after a restart (a
 * PGlite data directory, or a Postgres database), and two Warden processes
 * on one Postgres see each other's writes, in their reads and in the
 * snapshots their decisions use.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import supertest from 'supertest';
import { writeBatch } from '../../prisma/store/write.ts';
import { startWardenProcess, type WardenProcess } from '../support/process.ts';
import { createTestDatabase, startTestWarden, testServerUrl, type StartOptions, type TestWarden } from '../support/warden.ts';
import { clusterRoleBinding, group, namespace, rbacBase, role, roleRef, type Obj } from './builders.ts';
import { api, ok } from './client.ts';

const needsPostgres = 'needs a Postgres server (WARDEN_TEST_DATABASE_URL)';

/** Writes a namespace, a role in it and a cluster role binding; returns them as stored. */
async function writeSample(w: TestWarden): Promise<Obj[]> {
  const a = api(w);
  return [
    ok(await a.post('/api/v1/namespaces', namespace('durable', { labels: { team: 'storage' } })), 201),
    ok(await a.post(`${rbacBase}/namespaces/durable/roles`, role('keeper')), 201),
    ok(await a.post(`${rbacBase}/clusterrolebindings`, clusterRoleBinding('durable-readers', roleRef('ClusterRole', 'view'), [group('readers')])), 201),
  ];
}

/** Starts Warden twice on the same storage: writes on the first, reads back on the second. */
async function survivesRestart(opts: StartOptions): Promise<void> {
  const first = await startTestWarden(opts);
  let written: Obj[];
  try {
    written = await writeSample(first);
  } finally {
    await first.close();
  }
  const second = await startTestWarden(opts);
  try {
    const a = api(second);
    assert.deepEqual(ok(await a.get('/api/v1/namespaces/durable')), written[0]);
    assert.deepEqual(ok(await a.get(`${rbacBase}/namespaces/durable/roles/keeper`)), written[1]);
    assert.deepEqual(ok(await a.get(`${rbacBase}/clusterrolebindings/durable-readers`)), written[2]);
    const last = Number(written[2].metadata.resourceVersion);
    assert.ok(ok(await second.http.get('/readyz')).revision >= last, 'the snapshot is loaded at the stored revision');
    const next = ok(await a.post(`${rbacBase}/namespaces/durable/roles`, role('after-restart')), 201);
    assert.equal(Number(next.metadata.resourceVersion), last + 1, 'revisions continue where they stopped');
  } finally {
    await second.close();
  }
}

test('data in a PGlite data directory survives a restart', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'warden-data-'));
  try {
    await survivesRestart({ dataDir: dir });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('data in a Postgres database survives a restart', async (t) => {
  if (!testServerUrl) return t.skip(needsPostgres);
  const db = await createTestDatabase();
  try {
    await survivesRestart({ databaseUrl: db.url });
  } finally {
    await db.drop();
  }
});

/** Polls until `check` holds, or fails after `ms`. */
async function eventually(check: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('two Warden processes on one Postgres see each other\'s writes', async (t) => {
  if (!testServerUrl) return t.skip(needsPostgres);
  const db = await createTestDatabase();
  const here = await startTestWarden({ databaseUrl: db.url });
  let other: WardenProcess | undefined;
  try {
    other = await startWardenProcess({ DATABASE_URL: db.url, WARDEN_ADMIN_TOKEN: here.adminToken, WARDEN_DATA_DIR: 'memory://', WARDEN_POLL_INTERVAL_MS: '200' });
    const there = supertest(other.url);
    const thereAuth = { Authorization: here.auth };
    const a = api(here);

    const written = ok(await a.post('/api/v1/namespaces', namespace('shared')), 201);
    assert.deepEqual(ok(await there.get('/api/v1/namespaces/shared').set(thereAuth)), written, 'a write here is read there');

    const fromThere = ok(await there.post(`${rbacBase}/namespaces/shared/roles`).set(thereAuth).send(role('from-there')), 201);
    assert.deepEqual(ok(await a.get(`${rbacBase}/namespaces/shared/roles/from-there`)), fromThere, 'a write there is read here');
    assert.ok(Number(fromThere.metadata.resourceVersion) > Number(written.metadata.resourceVersion), 'both take revisions from one sequence');
    await eventually(async () => ok(await here.http.get('/readyz')).revision >= Number(fromThere.metadata.resourceVersion), 5_000,
      'this replica\'s snapshot reaches the other\'s write');

    // A token stored through this replica authenticates at the other once its snapshot takes the change.
    const secret = `test-${randomBytes(16).toString('hex')}`;
    await writeBatch(here.warden.deps.db.prisma, [{
      op: 'create',
      object: { apiVersion: 'iam.warden.dev/v1', kind: 'Token', metadata: { name: 'carol-token', uid: randomUUID(), creationTimestamp: new Date().toISOString() }, spec: { user: 'carol' } },
      columns: { hash: createHash('sha256').update(secret).digest('hex') },
    }], 'test');
    await eventually(async () => (await there.get('/apis').set('Authorization', `Bearer ${secret}`)).status === 200, 5_000,
      'the other process authenticates a token stored here');
  } finally {
    await other?.stop();
    await here.close();
    await db.drop();
  }
});
