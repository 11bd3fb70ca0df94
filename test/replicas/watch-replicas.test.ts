/**
 * Watch across replicas on one PostgreSQL: two Wardens (separate pools and
 * LISTEN connections), a cluster-wide watch of roles on each, opened at a
 * resourceVersion read before the writes; 500 role writes (creates,
 * updates, deletes) sent concurrently through both. Each watcher receives
 * exactly the events of those writes, once each, in revision order, with
 * the revisions the writes answered. Then the same with one replica's
 * LISTEN connection cut during the writes (and not re-opened), followed by
 * writes through the other replica alone: its poll catches it up, and
 * nothing is skipped or doubled.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { backend, startTestWarden, type TestWarden } from '../support/warden.ts';
import { openWatch, type OpenWatch, type WatchEventLine } from '../support/watch.ts';

const needsServer = backend === 'postgres' ? false : 'needs a PostgreSQL server (set WARDEN_TEST_DATABASE_URL)';

const rbac = '/apis/rbac.authorization.k8s.io/v1';
const namespaces = ['wa', 'wb', 'wc', 'wd'];
let a: TestWarden;
let b: TestWarden;
let urls: string[];
let auth: string;
const open: OpenWatch[] = [];

const role = (ns: string, name: string, verbs: string[], resourceVersion?: string) => ({
  apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role',
  metadata: { name, namespace: ns, ...(resourceVersion ? { resourceVersion } : {}) },
  rules: [{ apiGroups: [''], resources: ['pods'], verbs }],
});

before(async () => {
  if (needsServer) return;
  const env = { WARDEN_TLS_PORT: 'off', WARDEN_POLL_INTERVAL_MS: '200' };
  a = await startTestWarden({ listen: true, env });
  // The second replica, once its LISTEN connection is lost, waits far longer than the test to reopen it: only its poll catches up.
  b = await startTestWarden({ listen: true, databaseUrl: a.databaseUrl, env: { ...env, WARDEN_ADMIN_TOKEN: a.adminToken }, listenReconnectMs: 600_000 });
  urls = [a.warden.url!, b.warden.url!];
  auth = a.auth;
  for (const ns of namespaces) {
    const r = await a.http.post('/api/v1/namespaces').set('Authorization', auth).send({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    assert.equal(r.status, 201);
  }
});

after(async () => {
  for (const s of open) s.close();
  await b?.close();
  await a?.close();
});

/** The collection's resourceVersion now, as a client reads it before watching. */
async function listRevision(url: string): Promise<string> {
  const r = await fetch(`${url}${rbac}/roles`, { headers: { Authorization: auth } });
  assert.equal(r.status, 200);
  return ((await r.json()) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
}

async function watchFrom(url: string, rv: string): Promise<OpenWatch> {
  const s = await openWatch(url, `${rbac}/roles?watch=true&resourceVersion=${rv}`, a.adminToken);
  open.push(s);
  assert.equal(s.status, 200);
  return s;
}

/** One write as the client saw it answered: the event it must cause. */
interface Written { type: 'ADDED' | 'MODIFIED' | 'DELETED'; key: string; revision: number }

async function send(url: string, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${url}${path}`, {
    method, headers: { Authorization: auth, ...(body ? { 'Content-Type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined,
  });
}

/**
 * 500 writes from `workers` concurrent clients, each through both replicas in
 * turn: 200 roles created, each updated once, and every other one deleted.
 * Each object's writes run in order, on alternating replicas.
 */
async function writeMix(prefix: string, workers: number, during?: (done: number) => Promise<void>): Promise<Written[]> {
  const written: Written[] = [];
  const perReplica = [0, 0];
  let next = 0;
  let turn = 0;
  const names = Array.from({ length: 200 }, (_, i) => i);
  const worker = async () => {
    for (;;) {
      const i = names[next++];
      if (i === undefined) return;
      const ns = namespaces[i % namespaces.length];
      const name = `${prefix}-${i}`;
      const key = `${ns}/${name}`;
      const at = () => {
        const r = turn++ % 2;
        perReplica[r]++;
        return urls[r];
      };
      const created = await send(at(), 'POST', `${rbac}/namespaces/${ns}/roles`, role(ns, name, ['get']));
      assert.equal(created.status, 201, await created.clone().text());
      const c = (await created.json()) as { metadata: { resourceVersion: string } };
      written.push({ type: 'ADDED', key, revision: Number(c.metadata.resourceVersion) });
      await during?.(written.length);
      const updated = await send(at(), 'PUT', `${rbac}/namespaces/${ns}/roles/${name}`, role(ns, name, ['get', 'list'], c.metadata.resourceVersion));
      assert.equal(updated.status, 200, await updated.clone().text());
      const u = (await updated.json()) as { metadata: { resourceVersion: string } };
      written.push({ type: 'MODIFIED', key, revision: Number(u.metadata.resourceVersion) });
      await during?.(written.length);
      if (i % 2 === 0) {
        const deleted = await send(at(), 'DELETE', `${rbac}/namespaces/${ns}/roles/${name}`);
        assert.equal(deleted.status, 200, await deleted.clone().text());
        await deleted.arrayBuffer();
        const revision = Number(deleted.headers.get('x-warden-revision'));
        assert.ok(revision > Number(u.metadata.resourceVersion), `the delete of ${key} names its revision (got ${deleted.headers.get('x-warden-revision')})`);
        written.push({ type: 'DELETED', key, revision });
        await during?.(written.length);
      }
    }
  };
  await Promise.all(Array.from({ length: workers }, worker));
  assert.equal(written.length, 500);
  assert.deepEqual(perReplica, [250, 250], 'the writes are spread evenly over both replicas');
  return written;
}

const eventOf = (e: WatchEventLine) => `${e.type} ${e.object.metadata?.namespace}/${e.object.metadata?.name} ${e.object.metadata?.resourceVersion}`;
const expectedOf = (w: Written) => `${w.type} ${w.key} ${w.revision}`;

/**
 * Every write's event once, in revision order (each write has a revision of
 * its own, also when writes are committed together), and nothing more after
 * a quiet second.
 */
async function assertExactly(s: OpenWatch, which: string, written: Written[]): Promise<void> {
  const events = await s.count(written.length, 30_000);
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal(s.events.length, written.length, `${which}: no event beyond the ${written.length} writes (got ${s.events.slice(written.length).map(eventOf).join(', ')})`);
  assert.equal(s.ended, false, `${which}: the stream is still open`);
  const revisions = events.map((e) => Number(e.object.metadata?.resourceVersion));
  for (let i = 1; i < revisions.length; i++) {
    assert.ok(revisions[i] > revisions[i - 1], `${which}: revisions strictly increase (event ${i}: ${revisions[i - 1]} then ${revisions[i]}; events ${events.slice(Math.max(0, i - 3), i + 3).map(eventOf).join(', ')})`);
  }
  const got = events.map(eventOf);
  assert.equal(new Set(got).size, got.length, `${which}: no event twice`);
  const expected = written.map(expectedOf);
  assert.equal(new Set(expected).size, expected.length);
  assert.equal(new Set(written.map((w) => w.revision)).size, written.length, 'every write answered a revision of its own');
  assert.deepEqual([...got].sort(), [...expected].sort(), `${which}: the events are exactly the writes' (type, object, revision)`);
  // Each object's events in the order its writes were made (ADDED, MODIFIED, then DELETED for half of them).
  const byObject = new Map<string, string[]>();
  for (const e of events) {
    const key = `${e.object.metadata?.namespace}/${e.object.metadata?.name}`;
    byObject.set(key, [...(byObject.get(key) ?? []), e.type]);
  }
  for (const [key, types] of byObject) {
    assert.match(types.join(' '), key.includes('/tail-') ? /^ADDED$/ : /^ADDED MODIFIED( DELETED)?$/, `${which}: ${key}'s events in write order`);
  }
}

test('500 writes through two replicas reach a watcher on each, exactly once and in revision order', { skip: needsServer }, async () => {
  const rv = await listRevision(urls[1]);
  const watchers = [await watchFrom(urls[0], rv), await watchFrom(urls[1], rv)];
  const written = await writeMix('mix', 8);
  await assertExactly(watchers[0], 'watcher on replica A', written);
  await assertExactly(watchers[1], 'watcher on replica B', written);
});

test('a replica whose LISTEN connection is cut during the writes still delivers every change, with no gap', { skip: needsServer }, async () => {
  const listenerB = b.warden.listener!;
  const pidB = listenerB.pid;
  assert.ok(pidB, 'replica B listens');
  assert.notEqual(a.warden.listener!.pid, pidB);
  const rv = await listRevision(urls[0]);
  const watchers = [await watchFrom(urls[0], rv), await watchFrom(urls[1], rv)];
  let cut = false;
  const written = await writeMix('cut', 8, async (done) => {
    if (cut || done < 150) return;
    cut = true;
    const admin = new pg.Client({ connectionString: a.databaseUrl });
    await admin.connect();
    const killed = await admin.query('SELECT pg_terminate_backend($1)', [pidB]);
    await admin.end();
    assert.equal(killed.rows[0].pg_terminate_backend, true, 'replica B\'s LISTEN connection was terminated');
  });
  assert.ok(cut);
  // Then writes through replica A alone: nothing of B's own advances B, only its poll.
  for (let i = 0; i < 20; i++) {
    const ns = namespaces[i % namespaces.length];
    const created = await send(urls[0], 'POST', `${rbac}/namespaces/${ns}/roles`, role(ns, `tail-${i}`, ['get']));
    assert.equal(created.status, 201);
    const c = (await created.json()) as { metadata: { resourceVersion: string } };
    written.push({ type: 'ADDED', key: `${ns}/tail-${i}`, revision: Number(c.metadata.resourceVersion) });
  }
  assert.equal(listenerB.pid, undefined, 'replica B is still without its LISTEN connection: only its poll and its own writes advanced it');
  assert.ok(a.warden.listener!.pid, 'replica A still listens');
  await assertExactly(watchers[1], 'watcher on replica B (LISTEN cut)', written);
  await assertExactly(watchers[0], 'watcher on replica A', written);
  assert.equal(listenerB.pid, undefined);
});
