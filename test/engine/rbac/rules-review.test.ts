import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rulesReview } from '../../../engine/rbac/rules-review.ts';
import { arrayView, clusterRole, clusterRoleBinding, group, role, roleBinding, rule, sa, urlRule, user } from './builders.ts';

const view = arrayView([
  clusterRole('reader', [rule('get', '', 'pods')], { labels: { feed: 'agg' } }),
  clusterRole('agg', [rule('delete', '', 'nodes')], { aggregate: [{ matchLabels: { feed: 'agg' } }] }),
  clusterRole('metrics', [urlRule('get', '/metrics'), { verbs: ['list'], apiGroups: [''], resources: ['nodes'] }]),
  role('ns1', 'local', [rule('list', 'apps', 'deployments', ['web'])]),
  clusterRoleBinding('readers', 'ClusterRole/agg', [group('devs')]),
  roleBinding('ns1', 'agg-again', 'ClusterRole/agg', [user('ann')]),
  roleBinding('ns1', 'metrics-here', 'ClusterRole/metrics', [user('ann')]),
  roleBinding('ns1', 'local', 'Role/local', [sa('builder')]),
  roleBinding('ns1', 'dangling', 'ClusterRole/nowhere', [user('ann')]),
  roleBinding('ns2', 'other', 'Role/local', [user('ann')]),
]);

test('rules come once per applicable binding, ClusterRoleBindings first, aggregation expanded', () => {
  const r = rulesReview(view, { name: 'ann', groups: ['devs'] }, 'ns1');
  assert.ok(r.ok);
  assert.deepEqual(r.status.resourceRules, [
    { verbs: ['get'], apiGroups: [''], resources: ['pods'] },
    { verbs: ['get'], apiGroups: [''], resources: ['pods'] },
    { verbs: ['list'], apiGroups: [''], resources: ['nodes'] },
  ]);
});

test('URL rules reached through a RoleBinding are listed though they grant nothing', () => {
  const r = rulesReview(view, { name: 'ann' }, 'ns1');
  assert.ok(r.ok);
  assert.deepEqual(r.status.nonResourceRules, [{ verbs: ['get'], nonResourceURLs: ['/metrics'] }]);
});

test('a dangling applicable binding sets evaluationError and keeps the other rules', () => {
  const r = rulesReview(view, { name: 'ann' }, 'ns1');
  assert.ok(r.ok);
  assert.equal(r.status.evaluationError, 'clusterrole.rbac.authorization.k8s.io "nowhere" not found');
  assert.equal(r.status.incomplete, false);
  const clean = rulesReview(view, { name: 'zed', groups: ['devs'] }, 'ns1');
  assert.ok(clean.ok);
  assert.equal(clean.status.evaluationError, undefined);
});

test('a Role referenced from another namespace resolves in the binding namespace', () => {
  const r = rulesReview(view, { name: 'ann' }, 'ns2');
  assert.ok(r.ok);
  assert.deepEqual(r.status.resourceRules, [], 'ns2 has no Role "local"');
  assert.equal(r.status.evaluationError, 'role.rbac.authorization.k8s.io "local" not found');
});

test('a ServiceAccount user gets rules of RoleBinding subjects that default to the binding namespace', () => {
  const r = rulesReview(view, { name: 'system:serviceaccount:ns1:builder' }, 'ns1');
  assert.ok(r.ok);
  assert.deepEqual(r.status.resourceRules, [{ verbs: ['list'], apiGroups: ['apps'], resources: ['deployments'], resourceNames: ['web'] }]);
});

test('system:masters is not special in a rules review, and a namespace is required', () => {
  const r = rulesReview(view, { name: 'root', groups: ['system:masters'] }, 'ns1');
  assert.ok(r.ok);
  assert.deepEqual(r.status, { resourceRules: [], nonResourceRules: [], incomplete: false });
  assert.deepEqual(rulesReview(view, { name: 'ann' }, ''), { ok: false, problem: 'no-namespace', message: 'no namespace on request' });
});
