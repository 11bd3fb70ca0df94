import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generatePlatform, generateRequests, seededRandom } from '../../../bench/platform.ts';
import { aggregateClusterRoles } from '../../../engine/rbac/aggregation.ts';
import { authorize } from '../../../engine/rbac/authorizer.ts';
import { PersistentMap } from '../../../engine/rbac/persistent-map.ts';
import { RbacState, type RbacChange } from '../../../engine/rbac/state.ts';
import type { ClusterRole, RbacObjects, RoleBinding, Subject } from '../../../engine/rbac/types.ts';
import {
  can, casbinModel, clusterRole, clusterRoleBinding, group, role, roleBinding, rule, stateOf, user,
} from './builders.ts';

test('a persistent map version never changes when a later version is edited', () => {
  let map = PersistentMap.empty<number>();
  const versions: PersistentMap<number>[] = [];
  for (let i = 0; i < 3000; i++) {
    map = map.set(`k${i}`, i);
    if (i % 1000 === 999) versions.push(map);
  }
  const edited = versions[2].edit().set('k5', -5).delete('k6').set('new', 1).done();
  assert.deepEqual([versions[2].get('k5'), versions[2].has('k6'), versions[2].size], [5, true, 3000]);
  assert.deepEqual([edited.get('k5'), edited.has('k6'), edited.get('new'), edited.size], [-5, false, 1, 3000]);
  assert.deepEqual([versions[0].size, versions[0].has('k1500')], [1000, false]);
  assert.equal([...edited.keys()].length, 3000);
});

test('apply returns a new state and leaves the old one answering as before', () => {
  const before = stateOf([
    clusterRole('reader', [rule('get', '', 'pods')]),
    roleBinding('ns1', 'readers', 'ClusterRole/reader', [user('ann')]),
  ]);
  const ask = can('ann', 'get', 'pods', { namespace: 'ns1' });
  assert.equal(authorize(before, ask).allowed, true);
  const after = before.apply([{ kind: 'RoleBinding', namespace: 'ns1', name: 'readers', object: null }]);
  assert.equal(authorize(after, ask).allowed, false);
  assert.equal(authorize(before, ask).allowed, true);
  assert.equal(before.roleBindings('ns1').length, 1);
  assert.equal(after.roleBindings('ns1').length, 0);
  assert.deepEqual([...after.roleBindingNamespaces()], []);
});

test('lister order is input order; an update keeps its place and a new object goes last', () => {
  const state = stateOf([
    clusterRoleBinding('b', 'ClusterRole/x', [user('u')]),
    clusterRoleBinding('a', 'ClusterRole/x', [user('u')]),
    clusterRoleBinding('c', 'ClusterRole/x', [user('u')]),
  ]);
  const next = state.apply([
    { kind: 'ClusterRoleBinding', name: 'b', object: clusterRoleBinding('b', 'ClusterRole/y', [user('u')]) },
    { kind: 'ClusterRoleBinding', name: 'd', object: clusterRoleBinding('d', 'ClusterRole/x', [user('u')]) },
    { kind: 'ClusterRoleBinding', name: 'a', object: null },
  ]);
  assert.deepEqual(next.clusterRoleBindings().map((b) => b.metadata.name), ['b', 'c', 'd']);
  assert.equal(next.clusterRoleBindings()[0].roleRef.name, 'y');
});

test('RoleBindings created one batch after another are appended in lister order and found by each of their subjects', () => {
  let state = stateOf([
    clusterRole('r', [rule('get', '', 'pods')]),
    roleBinding('ns', 'b', 'ClusterRole/r', [user('u')]),
    roleBinding('ns', 'a', 'ClusterRole/missing', [user('u'), group('g')]),
  ]);
  const add = (name: string, subjects: Subject[]): RbacChange => ({ kind: 'RoleBinding', namespace: 'ns', name, object: roleBinding('ns', name, 'ClusterRole/missing', subjects) });
  state = state.apply([add('d', [group('g')])]);
  state = state.apply([add('c', [user('u')]), add('e', [user('v'), group('g')])]);
  assert.deepEqual(state.roleBindings('ns').map((b) => b.metadata.name), ['b', 'a', 'd', 'c', 'e']);
  const considered = (name: string, groups: string[]) =>
    authorize(state, can({ name, groups }, 'list', 'pods', { namespace: 'ns' })).considered?.map((c) => c.binding.name);
  assert.deepEqual(considered('u', ['g']), ['b', 'a', 'd', 'c', 'e']);
  assert.deepEqual(considered('u', []), ['b', 'a', 'c']);
  assert.deepEqual(considered('v', []), ['e']);
  assert.deepEqual(considered('w', ['g']), ['a', 'd', 'e']);
  // An update keeps its place; a delete leaves the others in order.
  state = state.apply([
    { kind: 'RoleBinding', namespace: 'ns', name: 'a', object: roleBinding('ns', 'a', 'ClusterRole/missing', [user('v')]) },
    { kind: 'RoleBinding', namespace: 'ns', name: 'd', object: null },
  ]);
  state = state.apply([add('f', [user('v')])]);
  assert.deepEqual(state.roleBindings('ns').map((b) => b.metadata.name), ['b', 'a', 'c', 'e', 'f']);
  assert.deepEqual(considered('v', []), ['a', 'e', 'f']);
  assert.deepEqual(considered('w', ['g']), ['e']);
});

test('apply rejects a change without name, or a namespaced kind without namespace', () => {
  const state = stateOf([]);
  assert.throws(() => state.apply([{ kind: 'Role', namespace: '', name: 'r', object: role('', 'r', []) }]), /no namespace/);
  assert.throws(() => state.apply([{ kind: 'ClusterRole', name: '', object: null }]), /no name/);
  assert.throws(() => state.apply([{ kind: 'Nope', name: 'x', object: null } as unknown as RbacChange]), /unknown RBAC change kind/);
});

test('a Casbin model that does not decide as RBAC is refused at build', () => {
  const broken = casbinModel.replace('verbMatches(p.verbs, r.verb)', 'true');
  assert.throws(() => RbacState.build({ roles: [], clusterRoles: [], roleBindings: [], clusterRoleBindings: [] }, { casbinModel: broken }), /self-test/);
});

/** The state as a plain list model: replace in place, append new, remove deleted. */
function applyToLists(objects: RbacObjects, change: RbacChange): void {
  const lists: Record<RbacChange['kind'], { metadata: { name?: string; namespace?: string } }[]> = {
    Role: objects.roles, ClusterRole: objects.clusterRoles, RoleBinding: objects.roleBindings, ClusterRoleBinding: objects.clusterRoleBindings,
  };
  const list = lists[change.kind];
  const i = list.findIndex((o) => o.metadata.name === change.name && (o.metadata.namespace ?? '') === (change.namespace ?? ''));
  if (change.object === null) {
    if (i >= 0) list.splice(i, 1);
  } else if (i >= 0) list[i] = change.object;
  else list.push(change.object);
}

function randomChange(rand: () => number, objects: RbacObjects, namespaces: string[], step: number): RbacChange {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const subject = (): Subject => pick([user(`user-${Math.floor(rand() * 40)}@example.com`), { kind: 'Group', name: `team-${Math.floor(rand() * 8)}` }]);
  const r = rand();
  if (r < 0.35) {
    const existing = rand() < 0.7 && objects.roleBindings.length ? pick(objects.roleBindings) : undefined;
    const ns = existing?.metadata.namespace ?? pick(namespaces);
    const name = existing?.metadata.name ?? `new-rb-${step}`;
    if (existing && rand() < 0.3) return { kind: 'RoleBinding', namespace: ns, name, object: null };
    const ref = rand() < 0.5 ? `Role/role-${Math.floor(rand() * 10)}` : `ClusterRole/${pick(objects.clusterRoles).metadata.name}`;
    return { kind: 'RoleBinding', namespace: ns, name, object: roleBinding(ns, name, ref, [subject(), subject()]) };
  }
  if (r < 0.5) {
    const existing = rand() < 0.7 && objects.clusterRoleBindings.length ? pick(objects.clusterRoleBindings) : undefined;
    const name = existing?.metadata.name ?? `new-crb-${step}`;
    if (existing && rand() < 0.3) return { kind: 'ClusterRoleBinding', name, object: null };
    return { kind: 'ClusterRoleBinding', name, object: clusterRoleBinding(name, `ClusterRole/${pick(objects.clusterRoles).metadata.name}`, [subject()]) };
  }
  const rules = () => [rule(pick(['get', 'list', '*', 'create']), pick(['', 'apps', '*']), pick(['pods', 'deployments', '*', 'pods/log']))];
  if (r < 0.65) {
    const ns = pick(namespaces);
    const name = `role-${Math.floor(rand() * 12)}`;
    return { kind: 'Role', namespace: ns, name, object: rand() < 0.2 ? null : role(ns, name, rules()) };
  }
  // ClusterRoles: rules, labels that feed the tier aggregators, aggregation rules, deletions.
  const existing = pick(objects.clusterRoles);
  const name = rand() < 0.8 ? existing.metadata.name! : `new-cr-${step}`;
  if (rand() < 0.1) return { kind: 'ClusterRole', name, object: null };
  const labels: Record<string, string> = rand() < 0.5 ? { 'platform.warden.dev/aggregate-to-tier1': 'true', 'platform.warden.dev/stack': `s${Math.floor(rand() * 7)}` } : {};
  const aggregate = rand() < 0.15 ? [{ matchLabels: { 'platform.warden.dev/stack': `s${Math.floor(rand() * 7)}` } }] : undefined;
  const next: ClusterRole = clusterRole(name, rules(), { labels, ...(aggregate ? { aggregate } : {}) });
  return { kind: 'ClusterRole', name, object: next };
}

test('incremental apply answers exactly as a full build of the same objects (random changes)', () => {
  const rand = seededRandom(7);
  const platform = generatePlatform({ seed: 11, namespaces: 6, roles: 70, bindings: 400, users: 40, groups: 8, serviceAccountsPerNamespace: 2 });
  const objects: RbacObjects = structuredClone(platform.objects);
  let state = RbacState.build(objects, { casbinModel });
  let step = 0;
  for (let batch = 0; batch < 40; batch++) {
    const changes: RbacChange[] = [];
    for (let k = 1 + Math.floor(rand() * 4); k > 0; k--) {
      const c = randomChange(rand, objects, platform.namespaces, step++);
      changes.push(c);
      applyToLists(objects, c);
    }
    const previous = state;
    const probe = generateRequests({ ...platform, objects }, 60, batch + 100);
    const before = probe.map((a) => authorize(previous, a));
    state = state.apply(changes);
    const full = RbacState.build(objects, { casbinModel });
    for (const a of probe) {
      const [x, y] = [authorize(state, a), authorize(full, a)];
      assert.deepEqual({ allowed: x.allowed, reason: x.reason }, { allowed: y.allowed, reason: y.reason }, `batch ${batch}: ${JSON.stringify(changes)}`);
    }
    assert.deepEqual(probe.map((a) => authorize(previous, a)), before, 'the previous state still answers as before');
    assert.deepEqual(state.objects(), full.objects(), `batch ${batch}: objects in lister order`);
    const resolved = (s: RbacState) => [...s.clusterRoles()].map((cr) => [cr.metadata.name, cr.rules]);
    assert.deepEqual(resolved(state), resolved(full), `batch ${batch}: aggregated ClusterRoles`);
    assert.deepEqual(resolved(state), aggregateClusterRoles(objects.clusterRoles).map((cr) => [cr.metadata.name, cr.rules]),
      `batch ${batch}: aggregation as resolved from scratch`);
    for (const ns of platform.namespaces) assert.deepEqual(state.roleBindings(ns), full.roleBindings(ns));
  }
});

test('the state is an RbacView: roles, bindings and resolved ClusterRoles by name', () => {
  const rb: RoleBinding = roleBinding('ns1', 'rb', 'Role/r', [user('ann')]);
  const state = stateOf([
    role('ns1', 'r', [rule('get', '', 'pods')]),
    clusterRole('agg', [], { aggregate: [{ matchLabels: { f: '1' } }] }),
    clusterRole('leaf', [rule('list', '', 'pods')], { labels: { f: '1' } }),
    rb,
  ]);
  assert.deepEqual(state.role('ns1', 'r')?.rules, [rule('get', '', 'pods')]);
  assert.equal(state.role('ns2', 'r'), undefined);
  assert.deepEqual(state.clusterRole('agg')?.rules, [rule('list', '', 'pods')]);
  assert.deepEqual(state.roleBindings('ns1'), [rb]);
  assert.deepEqual([...state.roleBindingNamespaces()], ['ns1']);
  assert.deepEqual([...state.clusterRoles()].map((c) => c.metadata.name), ['agg', 'leaf']);
  assert.deepEqual(state.objects().clusterRoles[0].rules, [], 'objects() returns roles as written');
});
