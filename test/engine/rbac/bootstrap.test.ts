import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { resourceVocabulary } from '../../../bench/platform.ts';
import { aggregateClusterRoles } from '../../../engine/rbac/aggregation.ts';
import { authorize } from '../../../engine/rbac/authorizer.ts';
import { loadBootstrapClusterRoles } from '../../../engine/rbac/bootstrap.ts';
import { ruleAllows } from '../../../engine/rbac/rule-matching.ts';
import type { Attributes, ClusterRole } from '../../../engine/rbac/types.ts';
import { can, clusterRole, group, roleBinding, rule, stateOf } from './builders.ts';

const text = readFileSync(new URL('../../../policies/bootstrap-cluster-roles.yaml', import.meta.url), 'utf8');
const documents = parseAllDocuments(text).map((d) => d.toJS());
const bootstrap = loadBootstrapClusterRoles(documents);
const resolved = aggregateClusterRoles(bootstrap);
const byName = (name: string): ClusterRole => resolved.find((r) => r.metadata.name === name)!;

test('the bootstrap file holds cluster-admin, the aggregated admin, edit and view, the roles that feed them, and what every caller may do', () => {
  assert.deepEqual(bootstrap.map((r) => r.metadata.name), [
    'cluster-admin', 'admin', 'edit', 'view', 'system:aggregate-to-admin', 'system:aggregate-to-edit', 'system:aggregate-to-view',
    'system:discovery', 'system:basic-user', 'system:public-info-viewer', 'system:auth-delegator',
  ]);
  for (const name of ['admin', 'edit', 'view']) assert.ok(bootstrap.find((r) => r.metadata.name === name)?.aggregationRule, name);
  assert.deepEqual(byName('cluster-admin').rules, [rule('*', '*', '*'), { nonResourceURLs: ['*'], verbs: ['*'] }]);
});

const verbs = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection', 'impersonate', 'escalate', 'bind'];
const samples: Attributes[] = [];
for (const [apiGroup, resources] of Object.entries({
  ...resourceVocabulary, 'authorization.k8s.io': ['localsubjectaccessreviews', 'subjectaccessreviews'],
})) {
  for (const r of resources) for (const v of verbs) samples.push(can('x', v, r, { group: apiGroup, namespace: 'ns' }));
}
const allows = (role: ClusterRole, a: Attributes): boolean => (role.rules ?? []).some((r) => ruleAllows(a, r));

test('admin covers edit covers view on every sample request', () => {
  let viewCount = 0;
  for (const a of samples) {
    if (allows(byName('view'), a)) {
      viewCount++;
      assert.ok(allows(byName('edit'), a), `edit lacks ${a.verb} ${a.resource}`);
    }
    if (allows(byName('edit'), a)) assert.ok(allows(byName('admin'), a), `admin lacks ${a.verb} ${a.resource}`);
  }
  assert.ok(viewCount > 20, 'view allows a fair share of the samples');
});

test('namespace owners get NetworkPolicies, read-only ResourceQuotas, and admins LocalSubjectAccessReviews', () => {
  const state = stateOf([...bootstrap, roleBinding('ns', 'v', 'ClusterRole/view', [group('viewers')]),
    roleBinding('ns', 'e', 'ClusterRole/edit', [group('editors')]), roleBinding('ns', 'a', 'ClusterRole/admin', [group('admins')])]);
  const as = (g: string) => ({ name: `a-${g}`, groups: [g] });
  const rows: Array<[string, string, string, string, boolean]> = [
    ['viewers', 'list', 'networking.k8s.io', 'networkpolicies', true],
    ['viewers', 'create', 'networking.k8s.io', 'networkpolicies', false],
    ['editors', 'create', 'networking.k8s.io', 'networkpolicies', true],
    ['viewers', 'get', '', 'resourcequotas', true],
    ['admins', 'get', '', 'resourcequotas', true],
    ['admins', 'update', '', 'resourcequotas', false],
    ['editors', 'create', 'authorization.k8s.io', 'localsubjectaccessreviews', false],
    ['admins', 'create', 'authorization.k8s.io', 'localsubjectaccessreviews', true],
    ['admins', 'create', 'rbac.authorization.k8s.io', 'rolebindings', true],
    ['editors', 'create', 'rbac.authorization.k8s.io', 'rolebindings', false],
  ];
  for (const [g, verb, apiGroup, resource, expected] of rows) {
    assert.equal(authorize(state, can(as(g), verb, resource, { group: apiGroup, namespace: 'ns' })).allowed, expected, `${g} ${verb} ${resource}`);
  }
});

test('the loader accepts Lists and skips empty documents, and names what is wrong', () => {
  const list = { apiVersion: 'v1', kind: 'List', items: [clusterRole('a', []), clusterRole('b', [rule('get', '', 'pods')])] };
  assert.deepEqual(loadBootstrapClusterRoles([null, list]).map((r) => r.metadata.name), ['a', 'b']);
  assert.throws(() => loadBootstrapClusterRoles([{ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'x' } }]),
    /document 0: expected rbac.authorization.k8s.io\/v1 ClusterRole/);
  assert.throws(() => loadBootstrapClusterRoles([clusterRole('a', []), clusterRole('a', [])]), /document 1: duplicate ClusterRole "a"/);
  assert.throws(() => loadBootstrapClusterRoles([{ ...clusterRole('a', []), rules: [{ verbs: 'get' }] }]), /rules\[0\]\.verbs is required/);
  assert.throws(() => loadBootstrapClusterRoles([{ ...clusterRole('', []) }]), /metadata.name is required/);
});
