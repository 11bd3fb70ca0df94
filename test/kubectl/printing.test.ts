/**
 * The real kubectl's `get` against Warden prints as against a cluster:
 * Warden answers kubectl's Table request with kube-apiserver's columns, so
 * `-o wide` adds the wide columns, `-A` the namespace, `--show-labels` the
 * labels, and `--sort-by` sorts the whole objects it asked for; Warden's
 * own kinds print their own columns; a caller sees only the rows it may see.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestWarden, type TestWarden } from '../support/warden.ts';
import { kubectlFor, kubectlSkip as skip, type Kubectl } from '../support/kubectl.ts';
import { api, ok, type Api } from '../api/client.ts';
import {
  clusterRole, clusterRoleBinding, group, namespace, rbacBase, role, roleBinding, roleRef, rule, serviceAccount, serviceAccountSubject, tenant, tenantLabel, tenantsPath, user,
} from '../api/builders.ts';
import { issue, userObject, usersPath } from '../iam/support.ts';


let w: TestWarden;
let admin: Api;
let kubectl: Kubectl;

/**
 * kubectl's table output as rows of named cells: each column starts where
 * its header starts (kubectl aligns columns with a tab writer).
 */
function parse(output: string): { headers: string[]; rows: Record<string, string>[] } {
  const [header, ...lines] = output.trimEnd().split('\n');
  const starts = [...header.matchAll(/\S+(?: \S+)*/g)].map((m) => ({ name: m[0], at: m.index! }));
  const rows = lines.map((line) => Object.fromEntries(starts.map((s, i) => [s.name, line.slice(s.at, starts[i + 1]?.at ?? line.length).trim()])));
  return { headers: starts.map((s) => s.name), rows };
}

const rowNamed = (t: ReturnType<typeof parse>, name: string, column = 'NAME') => {
  const row = t.rows.find((r) => r[column] === name);
  assert.ok(row, `no row ${name} in:\n${JSON.stringify(t.rows)}`);
  return row;
};

const anAge = /^\d+s$/;

before(async () => {
  if (skip) return;
  w = await startTestWarden({ listen: true, env: { PORT: '0', WARDEN_TLS_PORT: '0', HOST: '127.0.0.1' } });
  kubectl = kubectlFor(w, { prefix: 'warden-kubectl-printing-' });
  admin = api(w);
  ok(await admin.post('/api/v1/namespaces', namespace('payments', { labels: { team: 'payments' } })), 201);
  ok(await admin.post('/api/v1/namespaces', namespace('billing')), 201);
  ok(await admin.post('/api/v1/namespaces/payments/serviceaccounts', serviceAccount('robot', {}, { secrets: [{ name: 'robot-token' }] })), 201);
  ok(await admin.post(`${rbacBase}/namespaces/payments/roles`, role('pod-reader', [rule(['get', 'list'])])), 201);
  ok(await admin.post(`${rbacBase}/namespaces/payments/rolebindings`, roleBinding('readers', roleRef('Role', 'pod-reader'), [user('alice'), user('bob'), group('devs'), serviceAccountSubject('robot', 'payments')])), 201);
  ok(await admin.post(`${rbacBase}/namespaces/payments/rolebindings`, roleBinding('auditors', roleRef('ClusterRole', 'view'), [group('audit')])), 201);
  ok(await admin.post(`${rbacBase}/namespaces/billing/rolebindings`, roleBinding('billers', roleRef('ClusterRole', 'edit'), [user('carol')])), 201);
  ok(await admin.post(`${rbacBase}/clusterroles`, clusterRole('ns-viewer', [rule(['get', 'list'], ['namespaces'])])), 201);
  ok(await admin.post(`${rbacBase}/clusterrolebindings`, clusterRoleBinding('ns-viewers', roleRef('ClusterRole', 'ns-viewer'), [group('qa')])), 201);
  ok(await admin.post('/api/v1/namespaces/payments/resourcequotas', {
    apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'compute' }, spec: { hard: { pods: '10', 'requests.cpu': '0.5', 'limits.memory': '1024Mi' } },
  }), 201);
  ok(await admin.post('/apis/networking.k8s.io/v1/namespaces/payments/networkpolicies', {
    apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'web' }, spec: { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'] },
  }), 201);
  ok(await admin.post(tenantsPath, { ...tenant('acme'), spec: { owners: [user('alice'), group('devs')], namespaceLimit: 2, resourceQuota: { hard: { pods: '4' } } } }), 201);
  ok(await admin.post('/api/v1/namespaces', namespace('acme-web', { labels: { [tenantLabel]: 'acme' } })), 201);
  ok(await admin.post(usersPath, userObject('dora', ['qa', 'ops'])), 201);
  await issue(admin, 'dora-laptop', { user: 'dora', description: 'laptop' });
  // erin may list RoleBindings in payments only.
  ok(await admin.post(`${rbacBase}/namespaces/payments/roles`, role('binding-lister', [rule(['list'], ['rolebindings'], ['rbac.authorization.k8s.io'])])), 201);
  ok(await admin.post(`${rbacBase}/namespaces/payments/rolebindings`, roleBinding('erin-lists', roleRef('Role', 'binding-lister'), [user('erin')])), 201);
});
after(async () => { await w?.close(); });

test('kubectl get rolebindings -o wide shows ROLE, AGE and the subjects by kind', { skip }, async () => {
  const wide = parse(await kubectl.stdout('get', 'rolebindings', '-o', 'wide', '-n', 'payments'));
  assert.deepEqual(wide.headers, ['NAME', 'ROLE', 'AGE', 'USERS', 'GROUPS', 'SERVICEACCOUNTS']);
  const readers = rowNamed(wide, 'readers');
  assert.equal(readers.ROLE, 'Role/pod-reader');
  assert.match(readers.AGE, anAge);
  assert.equal(readers.USERS, 'alice, bob');
  assert.equal(readers.GROUPS, 'devs');
  assert.equal(readers.SERVICEACCOUNTS, 'payments/robot');
  const auditors = rowNamed(wide, 'auditors');
  assert.deepEqual([auditors.ROLE, auditors.USERS, auditors.GROUPS, auditors.SERVICEACCOUNTS], ['ClusterRole/view', '', 'audit', '']);

  const narrow = parse(await kubectl.stdout('get', 'rolebindings', '-n', 'payments'));
  assert.deepEqual(narrow.headers, ['NAME', 'ROLE', 'AGE']);
  assert.equal(rowNamed(narrow, 'readers').ROLE, 'Role/pod-reader');
});

test('kubectl get clusterrolebinding NAME -o wide prints the one object', { skip }, async () => {
  const t = parse(await kubectl.stdout('get', 'clusterrolebinding', 'ns-viewers', '-o', 'wide'));
  assert.deepEqual(t.headers, ['NAME', 'ROLE', 'AGE', 'USERS', 'GROUPS', 'SERVICEACCOUNTS']);
  assert.equal(t.rows.length, 1);
  assert.deepEqual({ ...t.rows[0], AGE: '' }, { NAME: 'ns-viewers', ROLE: 'ClusterRole/ns-viewer', AGE: '', USERS: '', GROUPS: 'qa', SERVICEACCOUNTS: '' });
});

test('kubectl get ns shows STATUS and AGE, and --show-labels the labels of each namespace', { skip }, async () => {
  const t = parse(await kubectl.stdout('get', 'ns'));
  assert.deepEqual(t.headers, ['NAME', 'STATUS', 'AGE']);
  const payments = rowNamed(t, 'payments');
  assert.equal(payments.STATUS, 'Active');
  assert.match(payments.AGE, anAge);
  const labelled = parse(await kubectl.stdout('get', 'ns', 'payments', '--show-labels'));
  assert.deepEqual(labelled.headers, ['NAME', 'STATUS', 'AGE', 'LABELS']);
  assert.equal(labelled.rows[0].LABELS, 'kubernetes.io/metadata.name=payments,team=payments');
});

test('kubectl get quota, sa, netpol and roles print kube-apiserver 1.32\'s columns', { skip }, async () => {
  const quota = parse(await kubectl.stdout('get', 'quota', '-n', 'payments'));
  assert.deepEqual(quota.headers, ['NAME', 'AGE', 'REQUEST', 'LIMIT']);
  const compute = rowNamed(quota, 'compute');
  assert.equal(compute.REQUEST, 'pods: 0/10, requests.cpu: 0/500m');
  assert.equal(compute.LIMIT, 'limits.memory: 0/1Gi');

  const sa = parse(await kubectl.stdout('get', 'sa', '-n', 'payments'));
  assert.deepEqual(sa.headers, ['NAME', 'SECRETS', 'AGE']);
  assert.equal(rowNamed(sa, 'robot').SECRETS, '1');

  const netpol = parse(await kubectl.stdout('get', 'netpol', '-n', 'payments'));
  assert.deepEqual(netpol.headers, ['NAME', 'POD-SELECTOR', 'AGE']);
  assert.equal(rowNamed(netpol, 'web')['POD-SELECTOR'], 'app=web');

  const stored = ok(await admin.get(`${rbacBase}/namespaces/payments/roles/pod-reader`));
  const roles = parse(await kubectl.stdout('get', 'roles', '-n', 'payments'));
  assert.deepEqual(roles.headers, ['NAME', 'CREATED AT']);
  assert.equal(rowNamed(roles, 'pod-reader')['CREATED AT'], stored.metadata.creationTimestamp);
});

test('kubectl get tenants, users and tokens print Warden\'s columns for its own kinds, and never a token\'s secret', { skip }, async () => {
  const tenants = parse(await kubectl.stdout('get', 'tenants'));
  assert.deepEqual(tenants.headers, ['NAME', 'OWNERS', 'NAMESPACES', 'QUOTA', 'AGE']);
  const acme = rowNamed(tenants, 'acme');
  assert.deepEqual([acme.OWNERS, acme.NAMESPACES, acme.QUOTA], ['User/alice, Group/devs', '1/2', 'pods: 0/4']);
  const users = parse(await kubectl.stdout('get', 'users'));
  assert.deepEqual(users.headers, ['NAME', 'GROUPS', 'AGE']);
  assert.equal(rowNamed(users, 'dora').GROUPS, 'qa, ops');
  const tokensText = await kubectl.stdout('get', 'tokens', '-o', 'wide');
  assert.doesNotMatch(tokensText, /wdn_/);
  const tokens = parse(tokensText);
  assert.deepEqual(tokens.headers, ['NAME', 'USER', 'EXPIRES', 'AGE', 'DESCRIPTION']);
  assert.deepEqual({ ...rowNamed(tokens, 'dora-laptop'), AGE: '' }, { NAME: 'dora-laptop', USER: 'dora', EXPIRES: '<none>', AGE: '', DESCRIPTION: 'laptop' });
});

test('kubectl get rolebindings -A adds NAMESPACE from each row\'s metadata; --sort-by sorts the objects it asked for', { skip }, async () => {
  const all = parse(await kubectl.stdout('get', 'rolebindings', '-A'));
  assert.deepEqual(all.headers, ['NAMESPACE', 'NAME', 'ROLE', 'AGE']);
  assert.equal(rowNamed(all, 'billers').NAMESPACE, 'billing');
  assert.equal(rowNamed(all, 'readers').NAMESPACE, 'payments');
  const sorted = parse(await kubectl.stdout('get', 'rolebindings', '-n', 'payments', '--sort-by=.roleRef.name'));
  const names = sorted.rows.map((r) => r.ROLE.split('/')[1]);
  assert.deepEqual(names, [...names].sort());
  assert.equal(sorted.rows.length, 3);
});

test('kubectl get -A as a caller who may list in one namespace shows that namespace\'s rows only', { skip }, async () => {
  const t = parse(await kubectl.stdout('get', 'rolebindings', '-A', '--as', 'erin'));
  assert.deepEqual([...new Set(t.rows.map((r) => r.NAMESPACE))], ['payments']);
  assert.deepEqual(t.rows.map((r) => r.NAME).sort(), ['auditors', 'erin-lists', 'readers']);
  await assert.rejects(kubectl.stdout('get', 'clusterrolebindings', '--as', 'erin'), /cannot list resource "clusterrolebindings"/);
});
