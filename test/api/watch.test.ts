/**
 * Watch as kube-apiserver serves it, over the real HTTP stack: where a watch
 * starts (current state, a resourceVersion, WatchList), each change once and
 * in order, selectors and partial views (ADDED/DELETED as objects enter and
 * leave them), bookmarks, 410 Expired at the exact edge of the history,
 * limits, identity checked again, timeouts, shutdown, and bad input.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { startTestWarden, type TestWarden } from '../support/warden.ts';
import { openWatch, type OpenWatch } from '../support/watch.ts';
import { api, ok as expectStatus, type Api } from './client.ts';
import type { Response } from 'supertest';

/** The body of a successful answer (200 or 201). */
const ok = (res: Response) => expectStatus(res, res.status === 201 ? 201 : 200);
import { namespace } from './builders.ts';
import { hashToken } from '../../api/authn.ts';
import { writeBatch } from '../../prisma/store/write.ts';

const rbac = '/apis/rbac.authorization.k8s.io/v1';
let w: TestWarden;
let a: Api;
let url: string;
const open: OpenWatch[] = [];

async function watch(path: string, token = w.adminToken, headers: Record<string, string> = {}): Promise<OpenWatch> {
  const s = await openWatch(url, path, token, headers);
  open.push(s);
  return s;
}

const role = (ns: string, name: string, labels: Record<string, string> = {}, verbs = ['get']) => ({
  apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name, namespace: ns, labels },
  rules: [{ apiGroups: [''], resources: ['pods'], verbs }],
});

async function create(ns: string, name: string, labels: Record<string, string> = {}): Promise<number> {
  const r = ok(await a.post(`${rbac}/namespaces/${ns}/roles`, role(ns, name, labels)));
  return Number(r.metadata.resourceVersion);
}

async function tokenFor(user: string): Promise<{ secret: string; name: string }> {
  const secret = `watch-${randomBytes(16).toString('hex')}`;
  const name = `${user}-${randomBytes(3).toString('hex')}`;
  const object = {
    apiVersion: 'iam.warden.dev/v1', kind: 'Token',
    metadata: { name, uid: randomUUID(), creationTimestamp: new Date().toISOString() }, spec: { user },
  };
  await writeBatch(w.warden.deps.db.prisma, [{ op: 'create', object, columns: { hash: hashToken(secret) } }], 'test');
  await w.warden.deps.snapshots.refresh();
  return { secret, name };
}

const names = (events: { type: string; object: { metadata?: { name?: string } } }[]) => events.map((e) => `${e.type} ${e.object.metadata?.name}`);

before(async () => {
  w = await startTestWarden({ listen: true, env: { WARDEN_TLS_PORT: 'off', WARDEN_WATCH_MAX_PER_USER: '6', WARDEN_WATCH_BOOKMARK_INTERVAL: '1s' } });
  url = w.warden.url!;
  a = api(w);
  for (const ns of ['w1', 'w2', 'w3']) ok(await a.post('/api/v1/namespaces', namespace(ns)));
});

after(async () => {
  for (const s of open) s.close();
  await w.close();
});

describe('where a watch starts', () => {
  test('without a resourceVersion: the current state as ADDED, then every change as it is committed', async () => {
    await create('w1', 'start-a');
    const s = await watch(`${rbac}/namespaces/w1/roles?watch=true`);
    assert.equal(s.status, 200);
    assert.match(String(s.headers['content-type']), /^application\/json;stream=watch/);
    assert.deepEqual(names(await s.count(1)), ['ADDED start-a']);
    const rv = await create('w1', 'start-b');
    const updated = ok(await a.put(`${rbac}/namespaces/w1/roles/start-b`, { ...role('w1', 'start-b', {}, ['get', 'list']), metadata: { name: 'start-b', namespace: 'w1', resourceVersion: String(rv) } }));
    ok(await a.delete(`${rbac}/namespaces/w1/roles/start-a`));
    const events = await s.count(4);
    assert.deepEqual(names(events), ['ADDED start-a', 'ADDED start-b', 'MODIFIED start-b', 'DELETED start-a']);
    assert.equal(events[2].object.metadata?.resourceVersion, updated.metadata.resourceVersion);
    // A deleted object comes with its last state at the revision of its deletion.
    assert.ok(Number(events[3].object.metadata?.resourceVersion) > Number(updated.metadata.resourceVersion));
    assert.deepEqual((events[3].object as { rules?: unknown }).rules, role('w1', 'start-a').rules);
    s.close();
  });

  test('from a resourceVersion: every change after it, in order, exactly once, and nothing before it', async () => {
    const first = await create('w2', 'rv-1');
    await create('w2', 'rv-2');
    ok(await a.delete(`${rbac}/namespaces/w2/roles/rv-1`));
    const s = await watch(`${rbac}/namespaces/w2/roles?watch=1&resourceVersion=${first}`);
    await create('w2', 'rv-3');
    const events = await s.count(3);
    assert.deepEqual(names(events), ['ADDED rv-2', 'DELETED rv-1', 'ADDED rv-3']);
    const rvs = events.map((e) => Number(e.object.metadata?.resourceVersion));
    assert.deepEqual(rvs, [...rvs].sort((x, y) => x - y));
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(s.events.length, 3, 'no event twice');
    s.close();
  });

  test('WatchList: sendInitialEvents=true ends the initial state with the initial-events-end bookmark', async () => {
    await create('w3', 'list-a');
    await create('w3', 'list-b');
    const s = await watch(`${rbac}/namespaces/w3/roles?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true`);
    const events = await s.count(3);
    assert.deepEqual(events.slice(0, 2).map((e) => e.type), ['ADDED', 'ADDED']);
    assert.equal(events[2].type, 'BOOKMARK');
    assert.equal(events[2].object.kind, 'Role');
    assert.equal(events[2].object.metadata?.annotations?.['k8s.io/initial-events-end'], 'true');
    const list = ok(await a.get(`${rbac}/namespaces/w3/roles`));
    assert.equal(events[2].object.metadata?.resourceVersion, list.metadata.resourceVersion);
    s.close();
  });

  test('sendInitialEvents=false with no resourceVersion starts at the most recent state, with no initial events', async () => {
    await create('w3', 'quiet-a');
    const s = await watch(`${rbac}/namespaces/w3/roles?watch=true&sendInitialEvents=false&resourceVersionMatch=NotOlderThan`);
    await new Promise((r) => setTimeout(r, 200));
    await create('w3', 'quiet-b');
    assert.deepEqual(names(await s.count(1)), ['ADDED quiet-b']);
    s.close();
  });

  test('bookmarks come periodically with the current revision when allowed', async () => {
    const s = await watch(`${rbac}/namespaces/w3/roles?watch=true&resourceVersion=${ok(await a.get(`${rbac}/namespaces/w3/roles`)).metadata.resourceVersion}&allowWatchBookmarks=true`);
    const elsewhere = await create('w1', 'elsewhere');
    // Bookmarks carry the revision every change through which was handed out: soon one past the write elsewhere.
    for (let n = 1; ; n++) {
      const events = await s.count(n, 4000);
      assert.ok(events.every((e) => e.type === 'BOOKMARK'), 'nothing but bookmarks on a quiet collection');
      if (Number(events[n - 1].object.metadata?.resourceVersion) >= elsewhere) break;
    }
    s.close();
  });
});

describe('what a watcher sees', () => {
  test('a label selector: objects entering the selection are ADDED, leaving it DELETED', async () => {
    const s = await watch(`${rbac}/namespaces/w1/roles?watch=true&labelSelector=team%3Dblue`);
    const rv = await create('w1', 'sel', { team: 'red' });
    const moved = ok(await a.patch(`${rbac}/namespaces/w1/roles/sel`, { metadata: { labels: { team: 'blue' } } }, 'application/merge-patch+json'));
    ok(await a.patch(`${rbac}/namespaces/w1/roles/sel`, { metadata: { labels: { team: 'green' } } }, 'application/merge-patch+json'));
    const events = await s.count(2);
    assert.deepEqual(names(events), ['ADDED sel', 'DELETED sel']);
    assert.equal(events[0].object.metadata?.resourceVersion, moved.metadata.resourceVersion);
    assert.ok(Number(events[1].object.metadata?.resourceVersion) > rv);
    s.close();
  });

  test('a field selector, and the legacy /watch/ path of one object', async () => {
    const s = await watch(`${rbac}/watch/namespaces/w2/roles/named`);
    const t = await watch(`${rbac}/roles?watch=true&fieldSelector=metadata.namespace%3Dw2,metadata.name%3Dnamed&resourceVersion=${ok(await a.get(`${rbac}/roles`)).metadata.resourceVersion}`);
    await create('w2', 'other');
    await create('w2', 'named');
    await create('w1', 'named');
    assert.deepEqual(names(await s.count(1)), ['ADDED named']);
    assert.deepEqual(names(await t.count(1)), ['ADDED named']);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(s.events.length, 1);
    assert.equal(t.events.length, 1);
    s.close();
    t.close();
  });

  test('a cluster-wide watch as a Table for kubectl get -w', async () => {
    const s = await watch(`${rbac}/roles?watch=true&resourceVersion=${ok(await a.get(`${rbac}/roles`)).metadata.resourceVersion}`, w.adminToken, { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' });
    await create('w3', 'tabled');
    const [e] = await s.count(1);
    assert.equal(e.type, 'ADDED');
    assert.equal(e.object.kind, 'Table');
    const rows = (e.object as { rows: { cells: unknown[] }[] }).rows;
    assert.equal(rows[0].cells[0], 'tabled');
    s.close();
  });

  test('watching needs the watch verb; a partial viewer sees its namespaces only, and DELETED when one leaves its view', async () => {
    const { secret } = await tokenFor('wanda');
    const member = api(w, secret);
    // list alone does not let one watch.
    ok(await a.post(`${rbac}/namespaces/w1/roles`, { ...role('w1', 'lister'), rules: [{ apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles'], verbs: ['list'] }] }));
    ok(await a.post(`${rbac}/namespaces/w1/rolebindings`, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'wanda-list', namespace: 'w1' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'lister' }, subjects: [{ kind: 'User', name: 'wanda', apiGroup: 'rbac.authorization.k8s.io' }] }));
    assert.equal((await member.get(`${rbac}/namespaces/w1/roles`)).status, 200);
    const refused = await watch(`${rbac}/namespaces/w1/roles?watch=true`, secret);
    assert.equal(refused.status, 403);
    assert.match(String((await refused.body()).message), /cannot watch resource "roles"/);
    // With list and watch on roles in w1 and w2 only, a cluster-wide watch shows those two.
    ok(await a.post(`${rbac}/clusterroles`, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'role-watcher' }, rules: [{ apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles'], verbs: ['list', 'watch'] }] }));
    for (const ns of ['w1', 'w2']) {
      ok(await a.post(`${rbac}/namespaces/${ns}/rolebindings`, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'wanda-watch', namespace: ns }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'role-watcher' }, subjects: [{ kind: 'User', name: 'wanda', apiGroup: 'rbac.authorization.k8s.io' }] }));
    }
    const start = ok(await a.get(`${rbac}/roles`)).metadata.resourceVersion;
    const s = await watch(`${rbac}/roles?watch=true&resourceVersion=${start}`, secret);
    assert.equal(s.status, 200);
    await create('w3', 'hidden');
    await create('w2', 'seen');
    const [first] = await s.count(1);
    assert.deepEqual(names([first]), ['ADDED seen']);
    // Taking w2 out of the view ends what it held there as DELETED.
    ok(await a.delete(`${rbac}/namespaces/w2/rolebindings/wanda-watch`));
    const events = await s.count(2);
    assert.deepEqual(names(events), ['ADDED seen', 'DELETED seen']);
    await create('w2', 'after-leaving');
    await create('w1', 'still-seen');
    const more = await s.count(3);
    assert.deepEqual(names(more.slice(2)), ['ADDED still-seen']);
    s.close();
  });

  test('a revoked token ends its watches', async () => {
    const { secret, name } = await tokenFor('walter');
    ok(await a.post(`${rbac}/clusterrolebindings`, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'walter-watch' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'role-watcher' }, subjects: [{ kind: 'User', name: 'walter', apiGroup: 'rbac.authorization.k8s.io' }] }));
    const s = await watch(`${rbac}/roles?watch=true&resourceVersion=${ok(await a.get(`${rbac}/roles`)).metadata.resourceVersion}`, secret);
    assert.equal(s.status, 200);
    ok(await a.delete(`/apis/iam.warden.dev/v1/tokens/${name}`));
    await s.end();
  });
});

describe('history, limits and lifetime', () => {
  test('a resourceVersion older than the watch history is one ERROR event with 410 Expired, at the exact edge', async () => {
    const short = await startTestWarden({ listen: true, env: { WARDEN_TLS_PORT: 'off', WARDEN_WATCH_HISTORY: '1500ms' } });
    try {
      const sa = api(short);
      ok(await sa.post('/api/v1/namespaces', namespace('old')));
      const first = Number(ok(await sa.post(`${rbac}/namespaces/old/roles`, role('old', 'one'))).metadata.resourceVersion);
      await new Promise((r) => setTimeout(r, 2000));
      ok(await sa.post(`${rbac}/namespaces/old/roles`, role('old', 'two')));
      const tooOld = await openWatch(short.warden.url!, `${rbac}/namespaces/old/roles?watch=true&resourceVersion=${first - 1}`, short.adminToken);
      open.push(tooOld);
      const [e] = await tooOld.count(1);
      assert.equal(e.type, 'ERROR');
      assert.equal(e.object.code, 410);
      assert.equal(e.object.reason, 'Expired');
      assert.equal(e.object.message, `too old resource version: ${first - 1} (${first})`);
      await tooOld.end();
      const edge = await openWatch(short.warden.url!, `${rbac}/namespaces/old/roles?watch=true&resourceVersion=${first}&timeoutSeconds=1`, short.adminToken);
      open.push(edge);
      assert.deepEqual(names(await edge.count(1)), ['ADDED two']);
      const metrics = await short.http.get('/metrics').set('Authorization', short.auth);
      assert.match(metrics.text, /warden_watch_expired_total 1/);
    } finally {
      await short.close();
    }
  });

  test('open watches per user are limited with 429; timeoutSeconds ends a stream cleanly', async () => {
    const { secret } = await tokenFor('busy');
    ok(await a.post(`${rbac}/clusterrolebindings`, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'busy-watch' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'role-watcher' }, subjects: [{ kind: 'User', name: 'busy', apiGroup: 'rbac.authorization.k8s.io' }] }));
    const streams = [];
    for (let i = 0; i < 6; i++) streams.push(await watch(`${rbac}/roles?watch=true&sendInitialEvents=false&resourceVersionMatch=NotOlderThan`, secret));
    assert.deepEqual(streams.map((s) => s.status), [200, 200, 200, 200, 200, 200]);
    const refused = await watch(`${rbac}/roles?watch=true`, secret);
    assert.equal(refused.status, 429);
    assert.equal(refused.headers['retry-after'], '1');
    const body = await refused.body();
    assert.equal(body.reason, 'TooManyRequests');
    assert.match(String(body.message), /too many open watches for user "busy" \(limit 6\)/);
    streams[0].close();
    await new Promise((r) => setTimeout(r, 200));
    const timed = await watch(`${rbac}/roles?watch=true&sendInitialEvents=false&resourceVersionMatch=NotOlderThan&timeoutSeconds=1`, secret);
    assert.equal(timed.status, 200);
    await timed.end(3000);
    for (const s of streams) s.close();
    const metrics = await w.http.get('/metrics').set('Authorization', w.auth);
    assert.match(metrics.text, /warden_watch_refused_total\{limit="user"\} 1/);
    assert.match(metrics.text, /warden_watch_events_sent_total\{type="ADDED"\} [1-9]/);
    assert.match(metrics.text, /warden_watches_open \d+/);
  });

  test('bad input is a Status before any stream opens', async () => {
    const cases: [string, number, RegExp][] = [
      [`${rbac}/namespaces/w1/roles?watch=true&resourceVersion=abc`, 400, /invalid resource version/],
      [`${rbac}/namespaces/w1/roles?watch=true&fieldSelector=spec.x%3Dy`, 400, /field label not supported: spec.x/],
      [`${rbac}/namespaces/w1/roles?watch=true&labelSelector=a%20in`, 400, /unable to parse labelSelector/],
      [`${rbac}/namespaces/w1/roles?watch=true&timeoutSeconds=-1`, 422, /timeoutSeconds/],
      [`${rbac}/namespaces/w1/roles?watch=true&sendInitialEvents=true`, 422, /sendInitialEvents requires setting resourceVersionMatch to NotOlderThan/],
      ['/apis/authorization.k8s.io/v1/subjectaccessreviews?watch=true', 405, /does not allow this method/],
      ['/apis/apps/v1/namespaces/w1/deployments?watch=true', 404, /does not store them/],
    ];
    for (const [path, code, message] of cases) {
      const s = await watch(path);
      assert.equal(s.status, code, path);
      const body = await s.body();
      assert.equal(body.kind, 'Status', path);
      assert.match(String(body.message), message, path);
    }
    const yamlOnly = await watch(`${rbac}/namespaces/w1/roles?watch=true`, w.adminToken, { accept: 'application/yaml' });
    assert.equal(yamlOnly.status, 406);
    assert.equal(w.warden.deps.watches.open, open.filter((s) => !s.ended && s.status === 200).length);
    ok(await a.get('/api/v1/namespaces'));
  });

  test('shutdown ends every stream cleanly', async () => {
    const other = await startTestWarden({ listen: true, env: { WARDEN_TLS_PORT: 'off' } });
    const s = await openWatch(other.warden.url!, `${rbac}/roles?watch=true`, other.adminToken);
    open.push(s);
    assert.equal(s.status, 200);
    await other.close();
    await s.end(3000);
  });
});
