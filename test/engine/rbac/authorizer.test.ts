import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ruleQuery } from '../../../engine/casbin/role-evaluator.ts';
import { authorize, rbacDecision } from '../../../engine/rbac/authorizer.ts';
import { decisionKey } from '../../../engine/rbac/decision-memo.ts';
import {
  can, canURL, clusterRole, clusterRoleBinding, group, role, roleBinding, rule, stateOf, urlRule, user,
} from './builders.ts';

test('system:masters is allowed before RBAC, by group only', () => {
  const state = stateOf([]);
  const root = authorize(state, can({ name: 'root', groups: ['system:masters'] }, 'delete', 'nodes'));
  assert.equal(root.allowed, true);
  assert.deepEqual(root.decidedBy, { authorizer: 'privileged-group', group: 'system:masters' });
  assert.match(root.reason, /privileged group "system:masters"/);
  assert.equal(authorize(state, canURL({ name: '', groups: ['system:masters'] }, 'post', '/anything')).allowed, true);
  assert.equal(authorize(state, can('system:masters', 'delete', 'nodes')).allowed, false, 'a user named system:masters is nobody special');
  assert.equal(rbacDecision(state, can({ name: 'root', groups: ['system:masters'] }, 'delete', 'nodes')).allowed, false,
    'RBAC alone does not know the privileged group');
});

test('an allow names the binding, the role, the rule and the subject that decided', () => {
  const state = stateOf([
    role('ns1', 'dev', [rule('get', '', 'secrets'), rule('get,list', 'apps', 'deployments')]),
    roleBinding('ns1', 'devs', 'Role/dev', [user('zed'), group('developers')]),
  ]);
  const d = authorize(state, can({ name: 'ann', groups: ['developers'] }, 'list', 'deployments', { namespace: 'ns1', group: 'apps' }));
  assert.deepEqual(d.decidedBy, {
    authorizer: 'rbac',
    binding: { kind: 'RoleBinding', name: 'devs', namespace: 'ns1' },
    role: { kind: 'Role', name: 'dev', namespace: 'ns1' },
    ruleIndex: 1,
    rule: rule('get,list', 'apps', 'deployments'),
    subject: group('developers'),
    subjectIndex: 1,
  });
  assert.equal(d.considered, undefined);
});

test('bindings are visited as kube does: ClusterRoleBindings, then RoleBindings, each in lister order', () => {
  const state = stateOf([
    clusterRole('reader', [rule('get', '', 'pods')]),
    roleBinding('ns1', 'first-rb', 'ClusterRole/reader', [user('ann')]),
    clusterRoleBinding('second-crb', 'ClusterRole/reader', [user('ann')]),
    clusterRoleBinding('first-crb', 'ClusterRole/reader', [group('g')]),
  ]);
  assert.equal(authorize(state, can({ name: 'ann', groups: ['g'] }, 'get', 'pods', { namespace: 'ns1' })).reason,
    'RBAC: allowed by ClusterRoleBinding "second-crb" of ClusterRole "reader" to User "ann"');
  assert.equal(authorize(state, can('ann', 'get', 'pods', { namespace: 'ns1' })).reason,
    'RBAC: allowed by ClusterRoleBinding "second-crb" of ClusterRole "reader" to User "ann"');
});

test('a deny says which bindings applied, which roles are missing, and what was asked', () => {
  const state = stateOf([
    clusterRole('reader', [rule('get', '', 'pods')]),
    clusterRoleBinding('readers', 'ClusterRole/reader', [group('dev')]),
    roleBinding('ns1', 'dangling', 'Role/gone', [user('ann')]),
  ]);
  const d = authorize(state, can({ name: 'ann', groups: ['dev'] }, 'delete', 'pods', { namespace: 'ns1', name: 'web' }));
  assert.equal(d.allowed, false);
  assert.equal(d.reason,
    'RBAC: denied "delete" on resource "pods" named "web" in API group "" in namespace "ns1" for User "ann" (groups "dev"): ' +
    '2 bindings apply, 1 of them to a missing role, and no rule of their roles matches the verb, API group, resource and name ' +
    '(RoleBinding "dangling/ns1" of Role "gone" (not found); ClusterRoleBinding "readers" of ClusterRole "reader")');
  assert.deepEqual(d.considered, [
    { binding: { kind: 'ClusterRoleBinding', name: 'readers' }, role: { kind: 'ClusterRole', name: 'reader' }, roleFound: true },
    { binding: { kind: 'RoleBinding', name: 'dangling', namespace: 'ns1' }, role: { kind: 'Role', name: 'gone', namespace: 'ns1' }, roleFound: false },
  ]);
  assert.equal(authorize(state, can('nobody', 'get', 'pods')).reason,
    'RBAC: denied "get" on resource "pods" in API group "" cluster-wide for User "nobody": no ClusterRoleBinding applies to the user or its groups');
  assert.match(authorize(state, canURL('ann', 'get', '/healthz')).reason,
    /^RBAC: denied "get" on non-resource URL "\/healthz" for User "ann": no ClusterRoleBinding applies .* \(only ClusterRoleBindings grant non-resource URLs\)$/);
});

test('a non-resource request ignores any namespace it carries: RoleBindings never grant URLs', () => {
  const state = stateOf([
    clusterRole('health', [urlRule('get', '/healthz')]),
    roleBinding('ns1', 'health', 'ClusterRole/health', [user('ann')]),
  ]);
  assert.equal(authorize(state, { ...canURL('ann', 'get', '/healthz'), namespace: 'ns1' }).allowed, false);
});

test('decisions are memoized per state, keyed by every input RBAC reads; a new state starts empty', () => {
  const state = stateOf([clusterRole('r', [rule('get', '', 'pods')]), clusterRoleBinding('b', 'ClusterRole/r', [group('a')])]);
  const first = authorize(state, can({ name: 'u', groups: ['a', 'b'] }, 'get', 'pods'));
  assert.equal(authorize(state, can({ name: 'u', groups: ['a', 'b'] }, 'get', 'pods')), first, 'same object: served from the memo');
  assert.notEqual(authorize(state, can({ name: 'u', groups: ['b'] }, 'get', 'pods')), first);
  assert.notEqual(authorize(state, can({ name: 'u:', groups: ['a', 'b'] }, 'get', 'pods')), first);
  assert.notEqual(authorize(state, can({ name: 'u', groups: ['a', 'b'] }, 'get', 'pods', { name: 'x' })), first);
  assert.ok(Object.isFrozen(first));
  const next = state.apply([{ kind: 'ClusterRoleBinding', name: 'b', object: null }]);
  assert.equal(authorize(next, can({ name: 'u', groups: ['a', 'b'] }, 'get', 'pods')).allowed, false, 'no stale memo across states');
  assert.equal(state.stats().memoized, 4);
});

test('memo keys cannot collide: fields are length-prefixed', () => {
  const state = stateOf([clusterRole('r', [rule('get', '', 'pods')]), clusterRoleBinding('b', 'ClusterRole/r', [group('a1:b')])]);
  assert.equal(authorize(state, can({ name: 'u', groups: ['a1:b'] }, 'get', 'pods')).allowed, true);
  assert.equal(authorize(state, can({ name: 'u', groups: ['a', 'b'] }, 'get', 'pods')).allowed, false);
  assert.equal(authorize(state, can({ name: 'u1:a', groups: ['b'] }, 'get', 'pods')).allowed, false);
  assert.equal(authorize(state, can({ name: 'u', groups: ['a1:b'] }, 'ge', 'tpods')).allowed, false, 'verb and resource run together');
  // Types are checked at the API; a value that slipped through still never shares a key with a string.
  const asString = can({ name: 'u', groups: ['a1:b'] }, 'get', 'pods', { group: '' });
  const asArray = { ...asString, apiGroup: [] as unknown as string };
  assert.notEqual(decisionKey(asArray), decisionKey(asString));
  assert.notEqual(ruleQuery(asArray).key, ruleQuery(asString).key);
  assert.notEqual(decisionKey({ ...asString, verb: ['get'] as unknown as string }), decisionKey(asString));
});

test('a denial names the requester\'s groups in the order given, from the memo too', () => {
  const state = stateOf([clusterRole('r', [rule('get', '', 'pods')]), clusterRoleBinding('b', 'ClusterRole/r', [group('c')])]);
  for (let round = 0; round < 2; round++) {
    assert.match(authorize(state, can({ name: 'u', groups: ['a', 'b'] }, 'get', 'pods')).reason, /\(groups "a", "b"\)/);
    assert.match(authorize(state, can({ name: 'u', groups: ['b', 'a'] }, 'get', 'pods')).reason, /\(groups "b", "a"\)/);
  }
});

test('the decision memo is bounded', () => {
  const state = stateOf([clusterRole('r', [rule('get', '', 'pods')]), clusterRoleBinding('b', 'ClusterRole/r', [user('u')])], { memoLimit: 10 });
  for (let i = 0; i < 50; i++) authorize(state, can('u', 'get', 'pods', { name: `p${i}` }));
  assert.equal(state.stats().memoized, 10);
});

test('answers do not depend on the per-role answer memo', () => {
  const world = [
    clusterRole('mixed', [rule('get', '', 'pods', ['a']), rule('list', '*', '*'), urlRule('get', '/logs*')]),
    clusterRoleBinding('b', 'ClusterRole/mixed', [user('u')]),
  ];
  const memoized = stateOf(world);
  const direct = stateOf(world, { roleAnswerLimit: 0, memoLimit: 0 });
  const asks = [
    can('u', 'get', 'pods', { name: 'a' }), can('u', 'get', 'pods', { name: 'b' }), can('u', 'list', 'things', { group: 'x' }),
    canURL('u', 'get', '/logs/x'), canURL('u', 'get', '/log'),
  ];
  for (let round = 0; round < 2; round++) {
    for (const a of asks) assert.deepEqual(authorize(memoized, a), authorize(direct, a));
  }
});
