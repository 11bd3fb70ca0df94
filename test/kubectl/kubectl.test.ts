/**
 * The real kubectl binary against a listening Warden over HTTPS (kubectl
 * sends tokens only over TLS): create, get, list -o yaml, server-side apply
 * and delete of a namespace, a Role and a RoleBinding.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import YAML from 'yaml';
import { startTestWarden, type TestWarden } from '../support/warden.ts';
import { kubectlFor, kubectlSkip as skip, type Kubectl } from '../support/kubectl.ts';


let w: TestWarden;
let kubectl: Kubectl;

const namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'payments' } };
const role = (verbs: string[]) => ({
  apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'pod-reader', namespace: 'payments' },
  rules: [{ apiGroups: [''], resources: ['pods'], verbs }],
});
const binding = {
  apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'readers', namespace: 'payments' },
  subjects: [{ kind: 'User', name: 'alice', apiGroup: 'rbac.authorization.k8s.io' }],
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-reader' },
};

before(async () => {
  if (skip) return;
  w = await startTestWarden({ listen: true, env: { PORT: '0', WARDEN_TLS_PORT: '0', HOST: '127.0.0.1' } });
  kubectl = kubectlFor(w, { prefix: 'warden-kubectl-' });
});
after(async () => { await w?.close(); });

test('kubectl create -f stores every object of a multi-document file, validated on the server', { skip }, async () => {
  const r = await kubectl.run('create', '-f', kubectl.file('create.yaml', [namespace, role(['get']), binding]));
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /namespace\/payments created/);
  assert.match(r.stdout, /role\.rbac\.authorization\.k8s\.io\/pod-reader created/);
  assert.match(r.stdout, /rolebinding\.rbac\.authorization\.k8s\.io\/readers created/);
  const stored = await w.http.get('/apis/rbac.authorization.k8s.io/v1/namespaces/payments/rolebindings/readers').set('Authorization', w.auth);
  assert.equal(stored.status, 200);
  assert.equal(stored.body.roleRef.name, 'pod-reader');
});

test('kubectl get lists by name and prints objects as YAML', { skip }, async () => {
  const table = await kubectl.run('get', 'roles', '-n', 'payments');
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /pod-reader/);
  const all = await kubectl.run('get', 'rolebindings', '--all-namespaces', '-o', 'yaml');
  assert.equal(all.code, 0, all.stderr);
  const list = YAML.parse(all.stdout);
  assert.deepEqual(list.items.map((i: { metadata: { name: string } }) => i.metadata.name), ['readers']);
  const one = YAML.parse((await kubectl.run('get', 'role', 'pod-reader', '-n', 'payments', '-o', 'yaml')).stdout);
  assert.deepEqual(one.rules, [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }]);
  assert.match(one.metadata.resourceVersion, /^\d+$/);
});

test('kubectl get clusterrole admin -o yaml shows the rules the aggregation controller writes', { skip }, async () => {
  const rulesOf = async (name: string) => (YAML.parse(await kubectl.stdout('get', 'clusterrole', name, '-o', 'yaml')) as { rules: object[] }).rules;
  const admin = await rulesOf('admin');
  // admin selects edit and system:aggregate-to-admin; the controller takes them by name, each rule once.
  const expected: object[] = [];
  const seen = new Set<string>();
  for (const rule of [...await rulesOf('edit'), ...await rulesOf('system:aggregate-to-admin')]) {
    if (!seen.has(JSON.stringify(rule))) { seen.add(JSON.stringify(rule)); expected.push(rule); }
  }
  assert.ok(admin.length > 0);
  assert.deepEqual(admin, expected);
  assert.ok(admin.some((r) => (r as { resources?: string[] }).resources?.includes('rolebindings')), 'system:aggregate-to-admin\'s rules');
  assert.ok(admin.some((r) => (r as { resources?: string[] }).resources?.includes('deployments')), 'edit\'s rules');
});

test('kubectl refuses an invalid object with the server\'s field error', { skip }, async () => {
  const bad = { ...role(['get']), metadata: { name: 'Bad_Name', namespace: 'payments' }, rules: [{ apiGroups: [''], resources: ['pods'] }] };
  const r = await kubectl.run('create', '-f', kubectl.file('bad.yaml', [bad]));
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /is invalid/);
  assert.match(r.stderr, /rules\[0\]\.verbs: Required value/);
});

test('kubectl apply --server-side creates, then updates what the manager applies', { skip }, async () => {
  const created = await kubectl.run('apply', '--server-side', '-f', kubectl.file('apply.yaml', [{ ...role(['list']), metadata: { name: 'lister', namespace: 'payments' } }]));
  assert.equal(created.code, 0, created.stderr);
  assert.match(created.stdout, /role\.rbac\.authorization\.k8s\.io\/lister serverside-applied/);
  const updated = await kubectl.run('apply', '--server-side', '-f', kubectl.file('apply2.yaml', [{ ...role(['list', 'watch']), metadata: { name: 'lister', namespace: 'payments' } }]));
  assert.equal(updated.code, 0, updated.stderr);
  const got = await w.http.get('/apis/rbac.authorization.k8s.io/v1/namespaces/payments/roles/lister').set('Authorization', w.auth);
  assert.deepEqual(got.body.rules[0].verbs, ['list', 'watch']);
  assert.equal(got.body.metadata.managedFields[0].manager, 'kubectl');
  assert.equal(got.body.metadata.managedFields[0].operation, 'Apply');
});

test('kubectl apply --server-side reports a conflict with another manager, and --force-conflicts takes over', { skip }, async () => {
  const conflict = await kubectl.run('apply', '--server-side', '-f', kubectl.file('conflict.yaml', [role(['get', 'list'])]));
  assert.notEqual(conflict.code, 0);
  assert.match(conflict.stderr, /Apply failed with 1 conflict: conflict with "kubectl-create"/);
  const forced = await kubectl.run('apply', '--server-side', '--force-conflicts', '-f', kubectl.file('conflict.yaml', [role(['get', 'list'])]));
  assert.equal(forced.code, 0, forced.stderr);
  const got = await w.http.get('/apis/rbac.authorization.k8s.io/v1/namespaces/payments/roles/pod-reader').set('Authorization', w.auth);
  assert.deepEqual(got.body.rules[0].verbs, ['get', 'list']);
});

test('kubectl delete removes one object, and deleting the namespace removes its contents', { skip }, async () => {
  const r = await kubectl.run('delete', 'rolebinding', 'readers', '-n', 'payments');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /rolebinding\.rbac\.authorization\.k8s\.io "readers" deleted/);
  const missing = await kubectl.run('get', 'rolebinding', 'readers', '-n', 'payments');
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /NotFound.*rolebindings\.rbac\.authorization\.k8s\.io "readers" not found/);
  const ns = await kubectl.run('delete', 'namespace', 'payments');
  assert.equal(ns.code, 0, ns.stderr);
  const roles = await kubectl.run('get', 'roles', '--all-namespaces', '-o', 'yaml');
  assert.deepEqual(YAML.parse(roles.stdout).items, []);
});
