import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  defaultBinding, validateClusterRole, validateClusterRoleBinding, validateClusterRoleBindingUpdate,
  validatePolicyRule, validateRbacName, validateRole, validateRoleBinding, validateRoleBindingUpdate,
} from '../../../engine/rbac/validation.ts';
import { aggregateMessage, errorString } from '../../../engine/validation/field-error.ts';
import type { ClusterRoleBinding, PolicyRule, RoleBinding, Subject } from '../../../engine/rbac/types.ts';
import { clusterRole, clusterRoleBinding, group, role, roleBinding, rule, sa, urlRule, user } from './builders.ts';

const messages = (errs: { field: string }[]) => errs.map((e) => errorString(e as never));

test('policy rules: verbs required, resource XOR URL, Roles never name URLs', () => {
  const cases: { name: string; rule: PolicyRule; namespaced: boolean; want: string[] }[] = [
    { name: 'valid resource rule', rule: rule('get', '', 'pods'), namespaced: true, want: [] },
    { name: 'valid URL rule in a ClusterRole', rule: urlRule('get', '/healthz'), namespaced: false, want: [] },
    { name: 'no verbs', rule: { verbs: [], apiGroups: [''], resources: ['pods'] }, namespaced: false,
      want: ['r.verbs: Required value: verbs must contain at least one value'] },
    { name: 'no api group', rule: { verbs: ['get'], resources: ['pods'] }, namespaced: false,
      want: ['r.apiGroups: Required value: resource rules must supply at least one api group'] },
    { name: 'no resources', rule: { verbs: ['get'], apiGroups: [''] }, namespaced: false,
      want: ['r.resources: Required value: resource rules must supply at least one resource'] },
    { name: 'URL rule in a Role', rule: urlRule('get', '/metrics'), namespaced: true,
      want: ['r.nonResourceURLs: Invalid value: ["/metrics"]: namespaced rules cannot apply to non-resource URLs'] },
    { name: 'URL rule that also names resource names', rule: { verbs: ['get'], nonResourceURLs: ['/x'], resourceNames: ['a'] }, namespaced: false,
      want: ['r.nonResourceURLs: Invalid value: ["/x"]: rules cannot apply to both regular resources and non-resource URLs'] },
  ];
  for (const c of cases) assert.deepEqual(messages(validatePolicyRule(c.rule, c.namespaced, 'r')), c.want, c.name);
});

test('a Role reports the index of each bad rule', () => {
  const errs = validateRole(role('ns', 'r', [rule('get', '', 'pods'), urlRule('get', '/metrics')]));
  assert.deepEqual(errs.map((e) => e.field), ['rules[1].nonResourceURLs']);
});

test('aggregationRule needs at least one valid selector', () => {
  const empty = clusterRole('agg', [], { aggregate: [] });
  assert.equal(aggregateMessage(validateClusterRole(empty)),
    'aggregationRule.clusterRoleSelectors: Required value: at least one clusterRoleSelector required if aggregationRule is non-nil');
  const bad = clusterRole('agg', [], { aggregate: [{ matchExpressions: [{ key: 'team', operator: 'In' }] }] });
  assert.deepEqual(messages(validateClusterRole(bad)), [
    "aggregationRule.clusterRoleSelectors[0].matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
    'aggregationRule.clusterRoleSelectors[0]: Invalid value: "null": invalid label selector.',
  ]);
  const good = clusterRole('agg', [], { aggregate: [{ matchLabels: { 'rbac.example.com/aggregate-to-agg': 'true' } }, {}] });
  assert.deepEqual(validateClusterRole(good), []);
});

test('RBAC names only have to be one URL path segment', () => {
  assert.deepEqual(validateRbacName('system:aggregate-to-edit'), []);
  assert.deepEqual(validateRbacName('..'), ["may not be '..'"]);
  assert.deepEqual(validateRbacName('a/b%c'), ["may not contain '/'", "may not contain '%'"]);
});

test('roleRef: group, kind per binding kind, and a path-segment name', () => {
  const rb = (roleRef: RoleBinding['roleRef']): RoleBinding => ({ ...roleBinding('ns', 'b', 'ClusterRole/view', []), roleRef });
  assert.deepEqual(validateRoleBinding(rb({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' })), []);
  assert.deepEqual(messages(validateRoleBinding(rb({ apiGroup: 'example.com', kind: 'User', name: '' }))), [
    'roleRef.apiGroup: Unsupported value: "example.com": supported values: "rbac.authorization.k8s.io"',
    'roleRef.kind: Unsupported value: "User": supported values: "Role", "ClusterRole"',
    'roleRef.name: Required value',
  ]);
  assert.deepEqual(messages(validateRoleBinding(rb({ apiGroup: '', kind: 'Role', name: 'a/b' }))),
    ['roleRef.name: Invalid value: "a/b": may not contain \'/\''], 'an omitted apiGroup is defaulted, not refused');
  const crb: ClusterRoleBinding = { ...clusterRoleBinding('c', 'ClusterRole/view', []), roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' } };
  assert.deepEqual(messages(validateClusterRoleBinding(crb)),
    ['roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"']);
});

test('subjects: kind, apiGroup per kind, names, and ServiceAccount namespaces in ClusterRoleBindings', () => {
  const cases: { name: string; subject: Subject; cluster: boolean; want: string[] }[] = [
    { name: 'user', subject: user('ann'), cluster: true, want: [] },
    { name: 'user with omitted apiGroup is defaulted', subject: { kind: 'User', name: 'ann' }, cluster: true, want: [] },
    { name: 'group in the wrong api group', subject: { kind: 'Group', apiGroup: 'example.com', name: 'g' }, cluster: false,
      want: ['subjects[0].apiGroup: Unsupported value: "example.com": supported values: "rbac.authorization.k8s.io"'] },
    { name: 'service account in a RoleBinding may omit its namespace', subject: sa('builder'), cluster: false, want: [] },
    { name: 'service account in a ClusterRoleBinding needs a namespace', subject: sa('builder'), cluster: true,
      want: ['subjects[0].namespace: Required value'] },
    { name: 'service account names are DNS subdomains', subject: sa('Builder', 'ci'), cluster: true,
      want: ['subjects[0].name: Invalid value: "Builder": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, ' +
        "'-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is " +
        "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"] },
    { name: 'service account subjects carry no api group', subject: { kind: 'ServiceAccount', apiGroup: 'rbac.authorization.k8s.io', name: 'x', namespace: 'ns' }, cluster: true,
      want: ['subjects[0].apiGroup: Unsupported value: "rbac.authorization.k8s.io": supported values: ""'] },
    { name: 'unknown kind', subject: { kind: 'Robot', name: 'r2' }, cluster: false,
      want: ['subjects[0].kind: Unsupported value: "Robot": supported values: "ServiceAccount", "User", "Group"'] },
    { name: 'empty name', subject: group(''), cluster: false, want: ['subjects[0].name: Required value'] },
  ];
  for (const c of cases) {
    const errs = c.cluster
      ? validateClusterRoleBinding(clusterRoleBinding('b', 'ClusterRole/view', [c.subject]))
      : validateRoleBinding(roleBinding('ns', 'b', 'ClusterRole/view', [c.subject]));
    assert.deepEqual(messages(errs), c.want, c.name);
  }
});

test('roleRef cannot change on update; subjects can', () => {
  const prev = roleBinding('ns', 'b', 'ClusterRole/view', [user('ann')]);
  assert.deepEqual(validateRoleBindingUpdate({ ...prev, subjects: [user('bob')] }, prev), []);
  const errs = validateRoleBindingUpdate(roleBinding('ns', 'b', 'ClusterRole/edit', [user('ann')]), prev);
  assert.equal(errs.length, 1);
  assert.equal(errs[0].field, 'roleRef');
  assert.equal(errs[0].detail, 'cannot change roleRef');
  const crb = clusterRoleBinding('c', 'ClusterRole/view', []);
  assert.deepEqual(validateClusterRoleBindingUpdate({ ...crb, roleRef: { ...crb.roleRef, apiGroup: '' } }, crb), [],
    'an omitted apiGroup defaults to the same roleRef');
});

test('defaulting fills User/Group api groups and leaves ServiceAccounts alone', () => {
  const b = defaultBinding(roleBinding('ns', 'b', 'Role/r', [{ kind: 'User', name: 'u' }, sa('s')]));
  assert.deepEqual(b.subjects, [{ kind: 'User', name: 'u', apiGroup: 'rbac.authorization.k8s.io' }, { kind: 'ServiceAccount', name: 's' }]);
});
