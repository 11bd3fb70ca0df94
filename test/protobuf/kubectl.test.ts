/**
 * kubectl's typed commands, which send protobuf bodies, against a listening
 * Warden over HTTPS: the create generators, auth can-i (one check and
 * --list, impersonating), and create token, whose token then works.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestWarden, type TestWarden } from '../support/warden.ts';
import { kubectlFor, kubectlSkip as skip, type Kubectl } from '../support/kubectl.ts';

const ns = 'pb-kubectl';

let w: TestWarden;
let kubectl: Kubectl;

async function created(args: string[], output: RegExp): Promise<void> {
  const r = await kubectl.run('create', ...args);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, output);
}

const stored = async (p: string) => (await w.http.get(p).set('Authorization', w.auth)).body;

before(async () => {
  if (skip) return;
  w = await startTestWarden({ listen: true, env: { PORT: '0', WARDEN_TLS_PORT: '0', HOST: '127.0.0.1' } });
  kubectl = kubectlFor(w, { prefix: 'warden-kubectl-protobuf-' });
});
after(async () => { await w?.close(); });

test('kubectl create namespace and create serviceaccount store what they send', { skip }, async () => {
  await created(['namespace', ns], /^namespace\/pb-kubectl created/);
  await created(['serviceaccount', 'deployer', '-n', ns], /^serviceaccount\/deployer created/);
  assert.equal((await stored(`/api/v1/namespaces/${ns}`)).metadata.managedFields[0].manager, 'kubectl-create');
  assert.equal((await stored(`/api/v1/namespaces/${ns}/serviceaccounts/deployer`)).metadata.namespace, ns);
});

test('kubectl create role, rolebinding, clusterrole and clusterrolebinding store their rules and subjects', { skip }, async () => {
  await created(['role', 'sa-reader', '--verb=get', '--verb=list', '--resource=serviceaccounts', '-n', ns], /role\.rbac\.authorization\.k8s\.io\/sa-reader created/);
  await created(['rolebinding', 'sa-readers', '--role=sa-reader', '--user=alice', '--group=devs', '-n', ns], /rolebinding\.rbac\.authorization\.k8s\.io\/sa-readers created/);
  await created(['clusterrole', 'ns-viewer', '--verb=get,list', '--resource=namespaces'], /clusterrole\.rbac\.authorization\.k8s\.io\/ns-viewer created/);
  await created(['clusterrolebinding', 'ns-viewers', '--clusterrole=ns-viewer', `--serviceaccount=${ns}:deployer`], /clusterrolebinding\.rbac\.authorization\.k8s\.io\/ns-viewers created/);
  const rbac = '/apis/rbac.authorization.k8s.io/v1';
  assert.deepEqual((await stored(`${rbac}/namespaces/${ns}/roles/sa-reader`)).rules, [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['serviceaccounts'] }]);
  assert.deepEqual((await stored(`${rbac}/namespaces/${ns}/rolebindings/sa-readers`)).subjects, [
    { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice' },
    { kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'devs' },
  ]);
  assert.deepEqual((await stored(`${rbac}/clusterroles/ns-viewer`)).rules, [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['namespaces'] }]);
  const crb = await stored(`${rbac}/clusterrolebindings/ns-viewers`);
  assert.deepEqual(crb.subjects, [{ kind: 'ServiceAccount', name: 'deployer', namespace: ns }]);
  assert.deepEqual(crb.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'ns-viewer' });
});

// kubectl's role generator names only resources the server lists in discovery: the whole Kubernetes
// API is listed, so a rule on pods (which Warden does not store) is written as on a cluster.
test('kubectl create role names resources discovery lists, stored or not, and refuses unknown ones', { skip }, async () => {
  await created(['role', 'sa-getter', '--verb=get', '--resource=serviceaccounts', '-n', ns], /sa-getter created/);
  await created(['role', 'pods-by-generator', '--verb=get', '--resource=pods', '-n', ns], /pods-by-generator created/);
  const unknown = await kubectl.run('create', 'role', 'gizmos-by-generator', '--verb=get', '--resource=gizmos', '-n', ns);
  assert.notEqual(unknown.code, 0);
  assert.match(unknown.stderr, /the server doesn't have a resource type "gizmos"/);
});

test('kubectl auth can-i answers yes and no, for the user and through its groups', { skip }, async () => {
  const podReader = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'pod-reader', namespace: ns }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] };
  const file = kubectl.file('pod-reader.yaml', podReader);
  assert.equal((await kubectl.run('create', '-f', file)).code, 0);
  await created(['rolebinding', 'pod-readers', '--role=pod-reader', '--user=alice', '-n', ns], /pod-readers created/);

  const yes = await kubectl.run('auth', 'can-i', 'get', 'pods', '-n', ns, '--as', 'alice');
  assert.equal(yes.code, 0, yes.stderr);
  assert.equal(yes.stdout.trim(), 'yes');
  const no = await kubectl.run('auth', 'can-i', 'get', 'pods', '-n', ns, '--as', 'bob');
  assert.equal(no.code, 1);
  assert.match(no.stdout, /^no/);
  const viaGroup = await kubectl.run('auth', 'can-i', 'list', 'serviceaccounts', '-n', ns, '--as', 'bob', '--as-group', 'devs');
  assert.equal(viaGroup.stdout.trim(), 'yes', viaGroup.stderr);
  const notDelete = await kubectl.run('auth', 'can-i', 'delete', 'serviceaccounts', '-n', ns, '--as', 'alice');
  assert.equal(notDelete.code, 1);
  assert.match(notDelete.stdout, /^no - RBAC: denied "delete" on resource "serviceaccounts"/);
});

test('kubectl auth can-i --list shows what the impersonated user may do in the namespace', { skip }, async () => {
  const r = await kubectl.run('auth', 'can-i', '--list', '-n', ns, '--as', 'alice');
  assert.equal(r.code, 0, r.stderr);
  const rows = r.stdout.split('\n').map((l) => l.trim().split(/\s{2,}/));
  assert.ok(rows.some((c) => c[0] === 'serviceaccounts' && c.at(-1) === '[get list]'), r.stdout);
  assert.ok(rows.some((c) => c[0] === 'pods' && c.at(-1) === '[get]'), r.stdout);
  assert.ok(!rows.some((c) => c[0] === 'namespaces'), r.stdout);
});

test('kubectl create token issues a token that works as a bearer token', { skip }, async () => {
  const r = await kubectl.run('create', 'token', 'deployer', '-n', ns, '--duration=10m');
  assert.equal(r.code, 0, r.stderr);
  const token = r.stdout.trim();
  assert.ok(token.length > 20, token);
  const namespaces = await kubectl.withToken(token).run('get', 'namespaces', '-o', 'name');
  assert.equal(namespaces.code, 0, namespaces.stderr);
  assert.match(namespaces.stdout, /namespace\/pb-kubectl/);
  const denied = await kubectl.withToken(token).run('get', 'serviceaccounts', '-n', ns);
  assert.notEqual(denied.code, 0);
  assert.match(denied.stderr, /system:serviceaccount:pb-kubectl:deployer/);
  const who = await kubectl.withToken(token).run('auth', 'can-i', 'list', 'namespaces');
  assert.equal(who.stdout.trim(), 'yes', who.stderr);
});
