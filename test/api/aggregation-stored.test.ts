/**
 * Aggregated ClusterRoles carry their aggregate in their stored rules, as
 * the clusterrole-aggregation controller writes them on a cluster, in the
 * same revision as the write that changed the aggregate: reads, lists and
 * the change history show the real rules, and concurrent writes of members
 * never conflict with each other.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { startTestWarden, type TestWarden } from '../support/warden.ts';
import { materializeAggregation } from '../../api/bootstrap.ts';
import { writeBatch } from '../../prisma/store/write.ts';
import type { KubeObject } from '../../engine/meta.ts';
import { api, assertStatus, json, mergePatch, type Api } from './client.ts';
import type { Obj } from './builders.ts';

const crs = '/apis/rbac.authorization.k8s.io/v1/clusterroles';
const sar = '/apis/authorization.k8s.io/v1/subjectaccessreviews';
const toView = { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' };

let w: TestWarden;
let a: Api;

before(async () => {
  w = await startTestWarden();
  a = api(w);
});
after(async () => { await w?.close(); });

type Rule = Record<string, unknown>;
const key = (r: Rule) => JSON.stringify(['verbs', 'apiGroups', 'resources', 'resourceNames', 'nonResourceURLs'].map((f) => r[f] ?? []));

/**
 * The controller's rules for `name` by its definition, over every stored
 * ClusterRole: per selector, the selected roles (itself excepted) by name,
 * their stored rules in order, each rule once.
 */
function expectedRules(all: Obj[], name: string): Rule[] {
  const self = all.find((r) => r.metadata.name === name)!;
  const out: Rule[] = [];
  const seen = new Set<string>();
  for (const selector of self.aggregationRule.clusterRoleSelectors as { matchLabels: Record<string, string> }[]) {
    const selected = all
      .filter((r) => r.metadata.name !== name && Object.entries(selector.matchLabels ?? {}).every(([k, v]) => r.metadata.labels?.[k] === v))
      .sort((x, y) => (x.metadata.name < y.metadata.name ? -1 : 1));
    for (const r of selected) for (const rule of (r.rules ?? []) as Rule[]) if (!seen.has(key(rule))) { seen.add(key(rule)); out.push(rule); }
  }
  return out;
}

async function clusterRoles(): Promise<Obj[]> {
  const r = await a.get(crs);
  assert.equal(r.status, 200);
  return r.body.items;
}

async function role(name: string): Promise<Obj> {
  const r = await a.get(`${crs}/${encodeURIComponent(name)}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
}

const member = (name: string, labels: Record<string, string>, rules: Rule[]) => ({
  apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name, labels }, rules,
});

test('a new Warden stores admin, edit and view with the rules the aggregation controller would write', async () => {
  const all = await clusterRoles();
  for (const name of ['admin', 'edit', 'view']) {
    const stored = all.find((r) => r.metadata.name === name)!;
    assert.ok(stored.aggregationRule, `${name} is an aggregated role`);
    assert.ok(stored.rules.length > 0, `${name} has its aggregate stored`);
    assert.deepEqual(stored.rules, expectedRules(all, name), name);
  }
  // admin ⊇ edit ⊇ view, by content.
  const rulesOf = (n: string) => new Set((all.find((r) => r.metadata.name === n)!.rules as Rule[]).map(key));
  for (const k of rulesOf('view')) assert.ok(rulesOf('edit').has(k));
  for (const k of rulesOf('edit')) assert.ok(rulesOf('admin').has(k));
  assert.ok([...rulesOf('admin')].some((k) => k.includes('rolebindings')), 'admin carries system:aggregate-to-admin\'s rules');
});

test('adding a member rewrites every aggregate it reaches in the same revision, recorded in the history', async () => {
  const rule = { apiGroups: ['widgets.example.com'], resources: ['widgets'], verbs: ['get', 'list'] };
  const created = await a.post(crs, member('zz-widgets-view', toView, [rule]));
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const revision = created.body.metadata.resourceVersion;
  for (const name of ['view', 'edit', 'admin']) {
    const r = await role(name);
    assert.equal(r.metadata.resourceVersion, revision, `${name} written at the member's revision`);
    assert.ok(r.rules.some((x: Rule) => key(x) === key(rule)), `${name} carries the new member's rule`);
  }
  // Members are taken in name order: view's newest member comes last; admin takes edit (and so view) before system:aggregate-to-admin.
  assert.deepEqual((await role('view')).rules.at(-1), rule);
  const all = await clusterRoles();
  for (const name of ['view', 'edit', 'admin']) assert.deepEqual(all.find((r) => r.metadata.name === name)!.rules, expectedRules(all, name));

  const history = await a.get('/apis/audit.warden.dev/v1/changes?kind=ClusterRole&name=view');
  assert.equal(history.status, 200);
  const change = history.body.items[0];
  assert.equal(String(change.revision), revision);
  assert.equal(change.operation, 'update');
  assert.ok(!(change.before.rules as Rule[]).some((r) => key(r) === key(rule)));
  assert.deepEqual(change.after.rules.at(-1), rule);

  // The stored rules and the decisions agree: view now grants widgets.
  await a.post('/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'carol-view' },
    subjects: [{ kind: 'User', name: 'carol', apiGroup: 'rbac.authorization.k8s.io' }],
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
  });
  const decision = await a.post(sar, { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: { user: 'carol', resourceAttributes: { verb: 'list', group: 'widgets.example.com', resource: 'widgets' } } });
  assert.equal(decision.body.status.allowed, true);

  // Changing and removing the member follows through.
  const changed = await a.patch(`${crs}/zz-widgets-view`, { rules: [{ ...rule, verbs: ['get'] }] }, mergePatch);
  assert.equal(changed.status, 200);
  assert.deepEqual((await role('view')).rules.at(-1), { ...rule, verbs: ['get'] });
  const removed = await a.delete(`${crs}/zz-widgets-view`);
  assert.equal(removed.status, 200);
  const view = await role('view');
  assert.ok(!(view.rules as Rule[]).some((r) => (r.apiGroups as string[] | undefined)?.includes('widgets.example.com')));
  assert.deepEqual(view.rules, expectedRules(await clusterRoles(), 'view'));
});

test('an aggregated role\'s own rules are overwritten, duplicates taken once, nothing selected gives no rules', async () => {
  const own = { apiGroups: [''], resources: ['secrets'], verbs: ['get'] };
  const made = await a.post(crs, {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'team-agg' },
    aggregationRule: { clusterRoleSelectors: [{ matchLabels: { team: 'a' } }, { matchLabels: { team: 'b' } }] },
    rules: [own],
  });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  assert.deepEqual(made.body.rules, [], 'the answer to the create shows the stored rules');
  assert.deepEqual((await role('team-agg')).rules, []);

  const shared = { apiGroups: [''], resources: ['configmaps'], verbs: ['get'] };
  const onlyB = { apiGroups: [''], resources: ['services'], verbs: ['list'] };
  assert.equal((await a.post(crs, member('team-b', { team: 'b' }, [onlyB, shared]))).status, 201);
  assert.equal((await a.post(crs, member('team-a', { team: 'a' }, [shared]))).status, 201);
  // Selector order first (team a, then team b), the shared rule once.
  assert.deepEqual((await role('team-agg')).rules, [shared, onlyB]);

  // Writing the aggregator's own rules changes nothing it stores.
  const put = await a.patch(`${crs}/team-agg`, { rules: [own] }, mergePatch);
  assert.equal(put.status, 200);
  assert.deepEqual(put.body.rules, [shared, onlyB]);
});

test('concurrent writes of members of one aggregate all land, and the aggregate holds every one', async () => {
  const names = Array.from({ length: 8 }, (_, i) => `parallel-${i}`);
  const answers = await Promise.all(names.map((n) => a.post(crs, member(n, toView, [{ apiGroups: [`${n}.example.com`], resources: ['things'], verbs: ['get'] }]))));
  for (const r of answers) assert.equal(r.status, 201, JSON.stringify(r.body));
  const view = await role('view');
  for (const n of names) assert.ok((view.rules as Rule[]).some((r) => (r.apiGroups as string[])[0] === `${n}.example.com`), n);
  assert.deepEqual(view.rules, expectedRules(await clusterRoles(), 'view'));
});

test('a stale update of an aggregated role still conflicts; a bad one writes nothing', async () => {
  const stale = await role('edit');
  await a.post(crs, member('bump-edit', { 'rbac.authorization.k8s.io/aggregate-to-edit': 'true' }, [{ apiGroups: ['bump.example.com'], resources: ['x'], verbs: ['get'] }]));
  const r = await a.put(`${crs}/edit`, { ...stale, metadata: { ...stale.metadata, annotations: { a: 'b' } } });
  assertStatus(r, { code: 409, reason: 'Conflict' });
  const bad = await a.put(`${crs}/edit`, { ...(await role('edit')), rules: [{ verbs: [] }] }, json);
  assertStatus(bad, { code: 422, reason: 'Invalid' });
});

test('at start, aggregates written before they were kept in the stored rules are rewritten', async () => {
  const view = await role('view');
  // A database written by an earlier version: view stored without its aggregate.
  const result = await writeBatch(w.warden.deps.db.prisma, [{ op: 'update', object: { ...view, rules: [] } as unknown as KubeObject, before: view as unknown as KubeObject }], 'test');
  await w.warden.deps.snapshots.waitFor(result.revision, 5000);
  assert.deepEqual((await role('view')).rules, []);
  await materializeAggregation(w.warden.deps.store, pino({ level: 'silent' }));
  assert.deepEqual((await role('view')).rules, expectedRules(await clusterRoles(), 'view'));
});
