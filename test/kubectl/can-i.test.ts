/**
 * The real kubectl resolves resource names through Warden's discovery, so
 * `kubectl auth can-i` asks about the right group and resource: a Role
 * granting everything in the core group (`apiGroups: [""]`, `resources:
 * ["*"]`) answers no for deployments.apps, leases and events.k8s.io
 * events, and yes for pods; `kubectl api-resources` lists the built-in
 * resources and a registered custom resource, whose names (plural, short
 * name, group-qualified) resolve to its group.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestWarden, type TestWarden } from '../support/warden.ts';
import { kubectlFor, kubectlSkip as skip, type Kubectl } from '../support/kubectl.ts';


let w: TestWarden;
let kubectl: Kubectl;

/** `kubectl auth can-i` as bob in `team`: the answer's first word and the exit code agree. */
async function canI(...args: string[]): Promise<'yes' | 'no'> {
  const r = await kubectl.run('auth', 'can-i', ...args, '--as', 'bob', '-n', 'team');
  const answer = r.stdout.trim().split(/\s/)[0];
  assert.ok(answer === 'yes' || answer === 'no', `${args.join(' ')}: ${r.stdout} ${r.stderr}`);
  assert.equal(r.code, answer === 'yes' ? 0 : 1, r.stderr);
  return answer;
}

async function post(p: string, body: object): Promise<void> {
  const res = await w.http.post(p).set('Authorization', w.auth).set('Content-Type', 'application/json').send(JSON.stringify(body));
  assert.equal(res.status, 201, JSON.stringify(res.body));
}

const rbac = '/apis/rbac.authorization.k8s.io/v1/namespaces/team';
const binding = (name: string, role: string) => ({
  apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name, namespace: 'team' },
  subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'bob' }], roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role },
});

before(async () => {
  if (skip) return;
  w = await startTestWarden({ listen: true, env: { PORT: '0', WARDEN_TLS_PORT: '0', HOST: '127.0.0.1' } });
  kubectl = kubectlFor(w, { prefix: 'warden-can-i-', freshCache: true });
  await post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } });
  await post(`${rbac}/roles`, {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'core-everything', namespace: 'team' },
    rules: [{ apiGroups: [''], resources: ['*'], verbs: ['*'] }],
  });
  await post(`${rbac}/rolebindings`, binding('bob-core', 'core-everything'));
  await post('/apis/apiextensions.k8s.io/v1/customresourcedefinitions', {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'widgets.example.com' },
    spec: {
      group: 'example.com', scope: 'Namespaced', names: { plural: 'widgets', kind: 'Widget', shortNames: ['wd'] },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } } }],
    },
  });
});
after(async () => { await w?.close(); });

/** Asks every question at once (each is its own kubectl process) and compares the answers with the expected ones. */
async function assertAnswers(expected: [string, string, 'yes' | 'no'][]): Promise<void> {
  const answers = await Promise.all(expected.map(([verb, resource]) => canI(verb, resource)));
  assert.deepEqual(answers.map((a, i) => [...expected[i].slice(0, 2), a]), expected);
}

test('a Role over every core resource grants pods but not deployments.apps, deploy, leases or events.events.k8s.io', { skip }, async () => {
  await assertAnswers([
    ['create', 'pods', 'yes'],
    ['create', 'pods/exec', 'yes'],
    ['list', 'events', 'yes'], // core events are in the core group
    ['create', 'deployments.apps', 'no'],
    ['create', 'deployments', 'no'],
    ['create', 'deploy', 'no'],
    ['get', 'leases', 'no'],
    ['list', 'events.events.k8s.io', 'no'],
    ['update', 'deployments.apps/scale', 'no'],
    ['create', 'widgets', 'no'],
  ]);
});

test('kubectl resolves a registered custom resource by plural, short name and group to its group', { skip }, async () => {
  await post(`${rbac}/roles`, {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'widget-reader', namespace: 'team' },
    rules: [{ apiGroups: ['example.com'], resources: ['widgets'], verbs: ['get'] }],
  });
  await post(`${rbac}/rolebindings`, binding('bob-widgets', 'widget-reader'));
  await assertAnswers([
    ['get', 'widgets', 'yes'],
    ['get', 'wd', 'yes'],
    ['get', 'widgets.example.com', 'yes'],
    ['delete', 'widgets', 'no'],
  ]);
});

test('kubectl api-resources lists the built-in resources Warden does not store and the registered custom resource', { skip }, async () => {
  const r = await kubectl.run('api-resources', '--no-headers');
  assert.equal(r.code, 0, r.stderr);
  const rows = r.stdout.trim().split('\n').map((l) => l.trim().split(/\s+/));
  const find = (name: string, apiVersion: string) => rows.find((row) => row[0] === name && row.includes(apiVersion));
  assert.deepEqual(find('deployments', 'apps/v1'), ['deployments', 'deploy', 'apps/v1', 'true', 'Deployment']);
  assert.deepEqual(find('leases', 'coordination.k8s.io/v1'), ['leases', 'coordination.k8s.io/v1', 'true', 'Lease']);
  assert.deepEqual(find('widgets', 'example.com/v1'), ['widgets', 'wd', 'example.com/v1', 'true', 'Widget']);
  assert.deepEqual(find('customresourcedefinitions', 'apiextensions.k8s.io/v1'), ['customresourcedefinitions', 'crd,crds', 'apiextensions.k8s.io/v1', 'false', 'CustomResourceDefinition']);
  assert.deepEqual(find('roles', 'rbac.authorization.k8s.io/v1'), ['roles', 'rbac.authorization.k8s.io/v1', 'true', 'Role']);
  assert.ok(!rows.some((row) => row[0].includes('/')), 'subresources are not listed');
});

test('kubectl get on a resource Warden does not store says so; on an unknown one kubectl says the server lacks it', { skip }, async () => {
  const r = await kubectl.run('get', 'deployments', '-n', 'team');
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /Warden decides access to deployments\.apps but does not store them/);
  const unknown = await kubectl.run('get', 'gizmos', '-n', 'team');
  assert.notEqual(unknown.code, 0);
  assert.match(unknown.stderr, /the server doesn't have a resource type "gizmos"/);
});

test('kubectl get crd shows the registration with its short name', { skip }, async () => {
  const r = await kubectl.run('get', 'crd', 'widgets.example.com', '-o', 'jsonpath={.status.conditions[?(@.type=="Established")].status}');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'True');
});

test('kubectl create role --resource resolves a built-in resource Warden does not store to its group', { skip }, async () => {
  const r = await kubectl.run('create', 'role', 'deployer', '--verb=get,list', '--resource=deployments.apps,leases,pods/exec', '-n', 'team');
  assert.equal(r.code, 0, r.stderr);
  const stored = await w.http.get(`${rbac}/roles/deployer`).set('Authorization', w.auth);
  assert.equal(stored.status, 200);
  assert.deepEqual(stored.body.rules, [
    { apiGroups: [''], resources: ['pods/exec'], verbs: ['get', 'list'] },
    { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'list'] },
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'list'] },
  ]);
});

test('kubectl apply -f registers a CustomResourceDefinition and updates it; kubectl then resolves its names', { skip }, async () => {
  const manifest = (shortNames: string[]) => [
    'apiVersion: apiextensions.k8s.io/v1', 'kind: CustomResourceDefinition', 'metadata: {name: gizmos.tools.example.org}', 'spec:',
    '  group: tools.example.org', '  scope: Cluster', `  names: {plural: gizmos, kind: Gizmo, shortNames: [${shortNames.join(', ')}]}`,
    '  versions:', '  - {name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object}}}', '',
  ].join('\n');
  const file = kubectl.file('gizmos.yaml', manifest(['gz']));
  const created = await kubectl.run('apply', '-f', file);
  assert.equal(created.code, 0, created.stderr);
  assert.match(created.stdout, /customresourcedefinition\.apiextensions\.k8s\.io\/gizmos\.tools\.example\.org created/);
  kubectl.file('gizmos.yaml', manifest(['gz', 'gzm']));
  const configured = await kubectl.run('apply', '-f', file);
  assert.equal(configured.code, 0, configured.stderr);
  assert.match(configured.stdout, /configured/);
  const r = await kubectl.run('api-resources', '--api-group=tools.example.org', '--no-headers');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split(/\s+/), ['gizmos', 'gz,gzm', 'tools.example.org/v1', 'false', 'Gizmo']);
});
