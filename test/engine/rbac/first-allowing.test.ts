import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ruleQuery } from '../../../engine/casbin/role-evaluator.ts';
import { rbacDecision } from '../../../engine/rbac/authorizer.ts';
import type { RbacState } from '../../../engine/rbac/state.ts';
import type { Attributes, Subject } from '../../../engine/rbac/types.ts';
import { seededRandom } from '../../../bench/platform.ts';
import {
  can, canURL, clusterRole, clusterRoleBinding, group, role, roleBinding, rule, stateOf, urlRule, user, type AnyRbacObject,
} from './builders.ts';

/** kube's walk, written out: every applicable binding in visiting order, the first whose role allows. */
function referenceAllow(state: RbacState, attrs: Attributes): string | undefined {
  const namespace = attrs.isResourceRequest ? attrs.namespace : '';
  for (const entry of state.applicableBindings(attrs.user, namespace)) {
    const table = state.roleTable(entry);
    // `ask` goes to the enforcer every time: the reference never reads a memo.
    if (table && state.evaluator.ask(table, ruleQuery(attrs)) >= 0) return `${entry.ref.kind}/${entry.ref.namespace ?? ''}/${entry.ref.name}`;
  }
  return undefined;
}

function decidedBy(state: RbacState, attrs: Attributes): string | undefined {
  const d = rbacDecision(state, attrs);
  if (!d.allowed) return undefined;
  const b = (d.decidedBy as { binding: { kind: string; name: string; namespace?: string } }).binding;
  return `${b.kind}/${b.namespace ?? ''}/${b.name}`;
}

/** A role that allows nothing asked here, and one that allows getting pods. */
const roles: AnyRbacObject[] = [clusterRole('none', [rule('get', '', 'nothing')]), clusterRole('pods', [rule('get', '', 'pods')])];

// A group bound by many ClusterRoleBindings (a long list, memoized), users with bindings of their own.
const many = (n: number, role: string, subjects: Subject[], offset = 0) =>
  Array.from({ length: n }, (_, i) => clusterRoleBinding(`b${offset + i}`, role, subjects));

test('the first allowing binding in lister order wins, whichever principal it was found through', () => {
  const world: AnyRbacObject[] = [
    ...roles,
    ...many(5, 'ClusterRole/none', [group('all')]),
    clusterRoleBinding('ann-early', 'ClusterRole/pods', [user('ann')]),
    ...many(5, 'ClusterRole/none', [group('all')], 5),
    clusterRoleBinding('all-late', 'ClusterRole/pods', [group('all')]),
    clusterRoleBinding('bob-late', 'ClusterRole/pods', [user('bob')]),
  ];
  for (const listAnswerLimit of [0, 100]) {
    const state = stateOf(world, { listAnswerLimit });
    for (let round = 0; round < 2; round++) {
      assert.equal(decidedBy(state, can({ name: 'ann', groups: ['all'] }, 'get', 'pods')), 'ClusterRoleBinding//ann-early');
      assert.equal(decidedBy(state, can({ name: 'bob', groups: ['all'] }, 'get', 'pods')), 'ClusterRoleBinding//all-late');
      assert.equal(decidedBy(state, can({ name: 'cid', groups: ['all'] }, 'get', 'pods')), 'ClusterRoleBinding//all-late');
      assert.equal(decidedBy(state, can({ name: 'bob', groups: [] }, 'get', 'pods')), 'ClusterRoleBinding//bob-late');
      assert.equal(decidedBy(state, can({ name: 'ann', groups: ['all'] }, 'list', 'pods')), undefined);
    }
  }
});

test('a walk cut short by an earlier allow leaves the rest of a long list to be looked at later', () => {
  const world: AnyRbacObject[] = [
    ...roles,
    ...many(3, 'ClusterRole/none', [group('all')]),
    clusterRoleBinding('ann', 'ClusterRole/pods', [user('ann')]),
    ...many(6, 'ClusterRole/none', [group('all')], 3),
    clusterRoleBinding('all', 'ClusterRole/pods', [group('all')]),
  ];
  const state = stateOf(world);
  assert.equal(decidedBy(state, can({ name: 'ann', groups: ['all'] }, 'get', 'pods')), 'ClusterRoleBinding//ann');
  assert.equal(decidedBy(state, can({ name: 'zoe', groups: ['all'] }, 'get', 'pods')), 'ClusterRoleBinding//all');
  assert.equal(decidedBy(state, can({ name: 'ann', groups: ['all'] }, 'get', 'pods', { name: 'x' })), 'ClusterRoleBinding//ann');
});

test('what is known of a list is dropped when a role or the list changes', () => {
  const world: AnyRbacObject[] = [
    ...roles,
    ...many(6, 'ClusterRole/none', [group('all')]),
    clusterRoleBinding('last', 'ClusterRole/pods', [group('all')]),
  ];
  const ask = can({ name: 'u', groups: ['all'] }, 'get', 'pods');
  const before = stateOf(world);
  assert.equal(decidedBy(before, ask), 'ClusterRoleBinding//last');
  // b2 now uses a role that allows: its list is a new list.
  const rebound = before.apply([{ kind: 'ClusterRoleBinding', name: 'b2', object: clusterRoleBinding('b2', 'ClusterRole/pods', [group('all')]) }]);
  assert.equal(decidedBy(rebound, ask), 'ClusterRoleBinding//b2');
  // The role every early binding uses changes: same lists, new role epoch.
  const widened = before.apply([{ kind: 'ClusterRole', name: 'none', object: clusterRole('none', [rule('get', '', 'pods')]) }]);
  assert.equal(decidedBy(widened, ask), 'ClusterRoleBinding//b0');
  assert.equal(decidedBy(before, ask), 'ClusterRoleBinding//last', 'the older state still answers for its own roles');
  const removed = before.apply([{ kind: 'ClusterRoleBinding', name: 'last', object: null }]);
  assert.equal(decidedBy(removed, ask), undefined);
});

test('RoleBindings of the namespace come after every ClusterRoleBinding, with the same search', () => {
  const world: AnyRbacObject[] = [
    clusterRole('none', [rule('get', '', 'nothing')]),
    role('ns1', 'pods', [rule('get', '', 'pods')]),
    clusterRole('pods', [rule('get', '', 'pods')]),
    ...Array.from({ length: 5 }, (_, i) => roleBinding('ns1', `rb${i}`, 'ClusterRole/none', [group('all')])),
    roleBinding('ns1', 'own', 'Role/pods', [user('ann')]),
    roleBinding('ns1', 'shared', 'Role/pods', [group('all')]),
    clusterRoleBinding('cluster-late', 'ClusterRole/pods', [user('zed')]),
  ];
  const state = stateOf(world);
  assert.equal(decidedBy(state, can({ name: 'ann', groups: ['all'] }, 'get', 'pods', { namespace: 'ns1' })), 'RoleBinding/ns1/own');
  assert.equal(decidedBy(state, can({ name: 'bo', groups: ['all'] }, 'get', 'pods', { namespace: 'ns1' })), 'RoleBinding/ns1/shared');
  assert.equal(decidedBy(state, can({ name: 'zed', groups: ['all'] }, 'get', 'pods', { namespace: 'ns1' })), 'ClusterRoleBinding//cluster-late');
  assert.equal(decidedBy(state, can({ name: 'ann', groups: ['all'] }, 'get', 'pods', { namespace: 'ns2' })), undefined);
  assert.equal(decidedBy(state, can({ name: 'ann', groups: ['all'] }, 'get', 'pods')), undefined, 'RoleBindings never grant cluster-wide');
});

test('on random worlds the search decides as the plain walk, memo bounded to a handful or not', () => {
  const rand = seededRandom(11);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const verbs = ['get', 'list', 'create', '*'];
  const resources = ['pods', 'secrets', 'pods/log', '*'];
  const groups = ['g0', 'g1', 'g2', 'g3'];
  const users = ['u0', 'u1', 'u2'];
  const subject = () => (rand() < 0.7 ? group(pick(groups)) : user(pick(users)));
  for (let w = 0; w < 20; w++) {
    const world: AnyRbacObject[] = [];
    for (let r = 0; r < 6; r++) {
      world.push(clusterRole(`cr${r}`, [rule(pick(verbs), '', pick(resources)), urlRule(pick(verbs), pick(['/healthz', '/api*']))]));
      world.push(role('ns1', `r${r}`, [rule(pick(verbs), '', pick(resources))]));
    }
    for (let b = 0; b < 40; b++) {
      const ref = rand() < 0.1 ? 'ClusterRole/missing' : `ClusterRole/cr${Math.floor(rand() * 6)}`;
      world.push(rand() < 0.6
        ? clusterRoleBinding(`crb${b}`, ref, [subject(), subject()])
        : roleBinding('ns1', `rb${b}`, rand() < 0.5 ? ref : `Role/r${Math.floor(rand() * 6)}`, [subject()]));
    }
    const states = [stateOf(world), stateOf(world, { listAnswerLimit: 3 }), stateOf(world, { listAnswerLimit: 0, roleAnswerLimit: 0 })];
    for (let q = 0; q < 150; q++) {
      const who = { name: pick(users), groups: groups.filter(() => rand() < 0.5) };
      const [resource, sub] = pick(['pods', 'secrets', 'pods/log', 'nodes']).split('/');
      const attrs = rand() < 0.15
        ? canURL(who, pick(['get', 'post']), pick(['/healthz', '/api/v1', '/metrics']))
        : can(who, pick(['get', 'list', 'create', 'delete']), sub ? `${resource}/${sub}` : resource, { namespace: pick(['ns1', 'ns2', '']) });
      const expected = referenceAllow(states[2], attrs);
      for (const s of states) assert.equal(decidedBy(s, attrs), expected, JSON.stringify(attrs));
    }
  }
});
