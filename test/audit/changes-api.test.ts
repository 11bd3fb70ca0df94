/**
 * GET /apis/audit.warden.dev/v1/changes: every write of a stored object, with
 * its revision, time, actor, operation, identity, and the object before and
 * after; a namespace's deletion shows each object it took with it; filters
 * by kind, namespace, name, actor and time; paging is complete; a Token
 * shows no more than its metadata and spec.user.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { writeBatch } from '../../prisma/store/write.ts';
import { clusterRole, namespace, rbacBase, role, roleBinding, roleRef, rule, serviceAccount, user } from '../api/builders.ts';
import { api, mergePatch, ok, type Api } from '../api/client.ts';
import { startTestWarden, type TestWarden } from '../support/warden.ts';

const base = '/apis/audit.warden.dev/v1/changes';

let w: TestWarden;
let a: Api;
before(async () => {
  w = await startTestWarden();
  a = api(w);
});
after(async () => { await w?.close(); });

const list = async (query: string) => ok(await a.get(`${base}?${query}`));
const summary = (body: Record<string, any>) => body.items.map((c: any) =>
  `${c.operation} ${c.object.kind} ${c.object.namespace ? `${c.object.namespace}/` : ''}${c.object.name}`);

test('create, update and delete are recorded with revision, actor, before and after, newest first', async () => {
  const created = await a.post(`${rbacBase}/clusterroles`, clusterRole('audited', [rule(['get'])]));
  ok(created, 201);
  const updated = await a.patch(`${rbacBase}/clusterroles/audited`, { rules: [rule(['get', 'list'])] }, mergePatch);
  ok(updated);
  const deleted = await a.delete(`${rbacBase}/clusterroles/audited`);
  ok(deleted);
  const revisions = [deleted, updated, created].map((r) => Number(r.headers['x-warden-revision']));

  const body = await list('kind=ClusterRole&name=audited');
  assert.equal(body.kind, 'ChangeList');
  assert.equal(body.apiVersion, 'audit.warden.dev/v1');
  assert.deepEqual(summary(body), ['delete ClusterRole audited', 'update ClusterRole audited', 'create ClusterRole audited']);
  const [del, upd, cre] = body.items;
  assert.deepEqual(body.items.map((c: any) => c.revision), revisions);
  for (const c of body.items) {
    assert.equal(c.kind, 'Change');
    assert.equal(c.actor, 'warden:admin');
    assert.deepEqual(c.object, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', name: 'audited', uid: created.body.metadata.uid });
    assert.match(c.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  }
  assert.equal(cre.before, undefined);
  assert.deepEqual(cre.after.rules, [rule(['get'])]);
  assert.deepEqual(cre.after.metadata.resourceVersion, created.body.metadata.resourceVersion);
  assert.deepEqual(upd.before.rules, [rule(['get'])]);
  assert.deepEqual(upd.after.rules, [rule(['get', 'list'])]);
  assert.deepEqual(del.before.rules, [rule(['get', 'list'])]);
  assert.equal(del.after, undefined);
});

test('deleting a namespace records the deletion of everything in it, in the same revision', async () => {
  ok(await a.post('/api/v1/namespaces', namespace('doomed')), 201);
  ok(await a.post(`${rbacBase}/namespaces/doomed/roles`, role('reader')), 201);
  ok(await a.post(`${rbacBase}/namespaces/doomed/rolebindings`, roleBinding('readers', roleRef('Role', 'reader'), [user('alice')])), 201);
  ok(await a.post('/api/v1/namespaces/doomed/serviceaccounts', serviceAccount('robot')), 201);
  const gone = await a.delete('/api/v1/namespaces/doomed');
  ok(gone);
  const revision = Number(gone.headers['x-warden-revision']);

  const inside = await list('namespace=doomed');
  assert.deepEqual(summary(inside).slice(0, 3).sort(), ['delete Role doomed/reader', 'delete RoleBinding doomed/readers', 'delete ServiceAccount doomed/robot']);
  assert.deepEqual(summary(inside).slice(3), ['create ServiceAccount doomed/robot', 'create RoleBinding doomed/readers', 'create Role doomed/reader']);
  assert.deepEqual(inside.items.slice(0, 3).map((c: any) => c.revision), [revision, revision, revision]);
  const binding = inside.items.find((c: any) => c.operation === 'delete' && c.object.kind === 'RoleBinding');
  assert.deepEqual(binding.before.subjects, [user('alice')]);

  const ns = await list('kind=Namespace&name=doomed');
  assert.deepEqual(summary(ns), ['delete Namespace doomed', 'create Namespace doomed']);
  assert.equal(ns.items[0].revision, revision);
  assert.equal(ns.items[0].before.metadata.name, 'doomed');
});

test('actor, kind, name and time filters select exactly their changes', async () => {
  const asBob = api(w, w.adminToken, { 'Impersonate-User': 'bob', 'Impersonate-Group': 'system:masters' });
  ok(await asBob.post(`${rbacBase}/clusterroles`, clusterRole('bobs-role')), 201);
  const byBob = await list(`actor=${encodeURIComponent('warden:admin (as bob)')}`);
  assert.deepEqual(summary(byBob), ['create ClusterRole bobs-role']);
  assert.deepEqual(summary(await list('name=bobs-role&actor=warden:admin')), []);

  const first = (await list('limit=1')).items[0];
  const since = first.time;
  ok(await a.post(`${rbacBase}/clusterroles`, clusterRole('later-role')), 201);
  assert.deepEqual(summary(await list(`since=${since}&kind=ClusterRole`)), ['create ClusterRole later-role', 'create ClusterRole bobs-role']);
  assert.deepEqual(summary(await list(`until=${since}&name=bobs-role`)), []);
  assert.deepEqual(summary(await list(`since=${since}&until=${since}`)), []);
  assert.deepEqual(summary(await list('kind=ClusterRole&name=later-role')), ['create ClusterRole later-role']);
});

test('paging with limit and continue walks the whole history once, newest first', async () => {
  const all = (await list('limit=1000')).items.map((c: any) => c.metadata.name);
  assert.ok(all.length > 20, `only ${all.length} changes`);
  const paged: string[] = [];
  let token: string | undefined;
  do {
    const body = await list(`limit=7${token ? `&continue=${token}` : ''}`);
    paged.push(...body.items.map((c: any) => c.metadata.name));
    token = body.metadata.continue;
    if (paged.length === 7) ok(await a.post(`${rbacBase}/clusterroles`, clusterRole('written-while-paging')), 201);
  } while (token);
  assert.deepEqual(paged, all);
  const kindOnly = (await list('kind=ClusterRole&limit=1000')).items.length;
  let count = 0;
  token = undefined;
  do {
    const body = await list(`kind=ClusterRole&limit=3${token ? `&continue=${token}` : ''}`);
    assert.ok(body.items.every((c: any) => c.object.kind === 'ClusterRole'));
    count += body.items.length;
    token = body.metadata.continue;
  } while (token);
  assert.equal(count, kindOnly);
});

test('a Token change shows only its metadata and spec.user', async () => {
  const token = {
    apiVersion: 'iam.warden.dev/v1', kind: 'Token',
    metadata: { name: 'ci-token', uid: randomUUID(), creationTimestamp: '2026-11-01T00:00:00Z', labels: { team: 'ci' } },
    spec: { user: 'ci-bot', groups: ['deployers'], description: 'pipeline', expirationTimestamp: '2027-01-01T00:00:00Z' },
  };
  const prisma = w.warden.deps.db.prisma;
  const created = await writeBatch(prisma, [{ op: 'create', object: token, columns: { hash: 'f'.repeat(64) } }], 'token-issuer');
  await writeBatch(prisma, [{ op: 'delete', before: created.objects[0] }], 'token-issuer');

  const body = await list('kind=Token');
  assert.deepEqual(summary(body), ['delete Token ci-token', 'create Token ci-token']);
  const shown = { apiVersion: 'iam.warden.dev/v1', kind: 'Token', metadata: created.objects[0].metadata, spec: { user: 'ci-bot' } };
  assert.deepEqual(body.items[0].before, shown);
  assert.deepEqual(body.items[1].after, shown);
  assert.doesNotMatch(JSON.stringify(body), /deployers|pipeline|2027-01-01|f{64}/);
});
