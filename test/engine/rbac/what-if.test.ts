import { test } from 'node:test';
import assert from 'node:assert/strict';
import { whatIf, type WhatIfResult } from '../../../engine/rbac/what-if.ts';
import { applyChanges } from '../../../engine/rbac/overlay-view.ts';
import { compactString } from '../../../engine/rbac/rule-format.ts';
import { arrayView, clusterRole, clusterRoleBinding, group, role, roleBinding, rule, sa, urlRule, user } from './builders.ts';

const before = arrayView([
  clusterRole('view', [rule('get,list', '', 'pods')], { labels: { 'feeds-admin': 'true' } }),
  clusterRole('admin', [], { aggregate: [{ matchLabels: { 'feeds-admin': 'true' } }] }),
  clusterRole('metrics', [urlRule('get', '/metrics')]),
  role('ns1', 'deployer', [rule('update', 'apps', 'deployments')]),
  clusterRoleBinding('viewers', 'ClusterRole/view', [group('auditors')]),
  roleBinding('ns1', 'admins', 'ClusterRole/admin', [user('ann'), sa('bot')]),
  roleBinding('ns1', 'deploy', 'Role/deployer', [sa('bot')]),
  roleBinding('ns2', 'admins', 'ClusterRole/admin', [user('bob')]),
]);

/** `Kind:ns/name@scope +atom -atom` lines: compact enough to compare whole answers. */
function lines(r: WhatIfResult): string[] {
  return r.entries.map((e) => {
    const s = e.subject;
    return `${s.kind}:${s.namespace ? `${s.namespace}/` : ''}${s.name}@${e.namespace ?? '*'} ` +
      [...e.gained.map((a) => `+${compactString(a)}`), ...e.lost.map((a) => `-${compactString(a)}`)].join(' ');
  });
}

test('a ClusterRole that feeds an aggregated role gives every holder of that role its rules', () => {
  const r = whatIf(before, { apply: [clusterRole('scaler', [rule('patch', 'apps', 'deployments/scale')], { labels: { 'feeds-admin': 'true' } })] });
  assert.deepEqual(lines(r), [
    'ServiceAccount:ns1/bot@ns1 +{APIGroups:["apps"], Resources:["deployments/scale"], Verbs:["patch"]}',
    'User:ann@ns1 +{APIGroups:["apps"], Resources:["deployments/scale"], Verbs:["patch"]}',
    'User:bob@ns2 +{APIGroups:["apps"], Resources:["deployments/scale"], Verbs:["patch"]}',
  ]);
});

test('deleting a binding loses its rules; other subjects are untouched', () => {
  const r = whatIf(before, { delete: [{ kind: 'RoleBinding', namespace: 'ns1', name: 'deploy' }] });
  assert.deepEqual(lines(r), ['ServiceAccount:ns1/bot@ns1 -{APIGroups:["apps"], Resources:["deployments"], Verbs:["update"]}']);
});

test('widening a rule to * reports only the atoms the wildcard adds', () => {
  const r = whatIf(before, { apply: [role('ns1', 'deployer', [rule('*', 'apps', 'deployments')])] });
  assert.deepEqual(lines(r), ['ServiceAccount:ns1/bot@ns1 +{APIGroups:["apps"], Resources:["deployments"], Verbs:["*"]}']);
});

test('cluster-wide grants are one entry; namespace entries only show what RoleBindings add beyond them', () => {
  const r = whatIf(before, { apply: [clusterRoleBinding('ann-view', 'ClusterRole/view', [user('ann')])] });
  assert.deepEqual(lines(r), [
    'User:ann@* +{APIGroups:[""], Resources:["pods"], Verbs:["get"]} +{APIGroups:[""], Resources:["pods"], Verbs:["list"]}',
    'User:ann@ns1 -{APIGroups:[""], Resources:["pods"], Verbs:["get"]} -{APIGroups:[""], Resources:["pods"], Verbs:["list"]}',
  ], 'ns1 keeps the rules, now through the cluster-wide grant');
});

test('a RoleBinding to a URL-only role changes nothing', () => {
  assert.deepEqual(whatIf(before, { apply: [roleBinding('ns1', 'm', 'ClusterRole/metrics', [user('ann')])] }).entries, []);
  assert.deepEqual(lines(whatIf(before, { apply: [clusterRoleBinding('m', 'ClusterRole/metrics', [user('ann')])] })),
    ['User:ann@* +{NonResourceURLs:["/metrics"], Verbs:["get"]}']);
});

test('the current view is only read', () => {
  const after = applyChanges(before, { delete: [{ kind: 'ClusterRole', name: 'view' }] });
  assert.equal(after.clusterRole('view'), undefined);
  assert.deepEqual(after.clusterRole('admin')?.rules, [], 'aggregation is re-resolved without the deleted role');
  assert.deepEqual(before.clusterRole('admin')?.rules, [rule('get,list', '', 'pods')]);
  assert.equal(before.roleBindings('ns1').length, 2);
});
