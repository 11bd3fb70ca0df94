/**
 * The real kubectl against what /openapi/v2 and /openapi/v3 tell it:
 * `kubectl apply -f` of a `kind: List` in the shape of Kubernetes' bootstrap
 * policy files (validated on the client against /openapi/v2, item by item),
 * `--validate=strict` refusing an unknown field, `kubectl explain` from
 * either document, and client-side apply merging a ServiceAccount's secrets
 * by name with what another writer added, as on a cluster.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestWarden, type TestWarden } from '../support/warden.ts';
import { kubectlFor, kubectlSkip as skip, type Kubectl } from '../support/kubectl.ts';


let w: TestWarden;
let kubectl: Kubectl;

const get = (p: string) => w.http.get(p).set('Authorization', w.auth);
const rbac = '/apis/rbac.authorization.k8s.io/v1';

// In the shape of plugin/pkg/auth/authorizer/rbac/bootstrappolicy/testdata/cluster-roles.yaml and
// cluster-role-bindings.yaml: a List of ClusterRoles marked for auto-update, an aggregated one with
// `rules: null` and roles aggregated into it by label, and the bindings of some of them.
const bootstrapMeta = (name: string, labels: Record<string, string> = {}) => ({
  annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'true' },
  labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults', ...labels },
  name,
});
const policyList = {
  apiVersion: 'v1',
  kind: 'List',
  metadata: {},
  items: [
    {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: bootstrapMeta('policy-view'),
      aggregationRule: { clusterRoleSelectors: [{ matchLabels: { 'policy.example.com/aggregate-to-view': 'true' } }] },
      rules: null,
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole',
      metadata: bootstrapMeta('policy-aggregate-to-view', { 'policy.example.com/aggregate-to-view': 'true' }),
      rules: [
        { apiGroups: [''], resources: ['configmaps', 'endpoints', 'pods'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: ['apps'], resources: ['deployments', 'replicasets'], verbs: ['get', 'list', 'watch'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: bootstrapMeta('policy:discovery'),
      rules: [{ nonResourceURLs: ['/api', '/api/*', '/apis', '/apis/*', '/version'], verbs: ['get'] }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: bootstrapMeta('policy:discovery'),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'policy:discovery' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:authenticated' }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: bootstrapMeta('policy-viewers'),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'policy-view' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'auditor' }],
    },
  ],
};

before(async () => {
  if (skip) return;
  w = await startTestWarden({ listen: true, env: { PORT: '0', WARDEN_TLS_PORT: '0', HOST: '127.0.0.1' } });
  kubectl = kubectlFor(w, { prefix: 'warden-kubectl-openapi-' });
});
after(async () => { await w?.close(); });

test('kubectl apply -f of a List in the shape of Kubernetes\' bootstrap policy creates every item, then leaves them unchanged', { skip }, async () => {
  const list = kubectl.file('policy.yaml', policyList);
  const created = await kubectl.run('apply', '-f', list);
  assert.equal(created.code, 0, created.stderr);
  for (const line of ['clusterrole.rbac.authorization.k8s.io/policy-view created', 'clusterrole.rbac.authorization.k8s.io/policy-aggregate-to-view created',
    'clusterrole.rbac.authorization.k8s.io/policy:discovery created', 'clusterrolebinding.rbac.authorization.k8s.io/policy:discovery created',
    'clusterrolebinding.rbac.authorization.k8s.io/policy-viewers created']) assert.ok(created.stdout.includes(line), `${line} in\n${created.stdout}`);
  const view = (await get(`${rbac}/clusterroles/policy-view`)).body;
  assert.deepEqual(view.aggregationRule, policyList.items[0].aggregationRule);
  assert.equal(view.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'] !== undefined, true);
  assert.equal((await get(`${rbac}/clusterrolebindings/policy-viewers`)).body.roleRef.name, 'policy-view');
  const again = await kubectl.run('apply', '-f', list);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /clusterrolebinding\.rbac\.authorization\.k8s\.io\/policy-viewers unchanged/);
});

test('a List item with a field its kind does not have is refused on the client, naming it, and nothing is created', { skip }, async () => {
  const bad = structuredClone(policyList);
  bad.items = [
    { ...policyList.items[2], metadata: bootstrapMeta('typo-role') },
    { ...policyList.items[1], metadata: bootstrapMeta('typo-role-2'), rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'], colour: 'blue' }] } as never,
  ];
  const list = kubectl.file('typo.yaml', bad);
  for (const args of [['apply', '-f', list], ['create', '--validate=strict', '-f', list]]) {
    const r = await kubectl.run(...args);
    assert.notEqual(r.code, 0, r.stdout);
    assert.match(r.stderr, /unknown field "colour" in PolicyRule/);
  }
  assert.equal((await get(`${rbac}/clusterroles/typo-role`)).status, 404);
});

test('kubectl create --validate=strict refuses an object with an unknown field, without --validate=false anywhere', { skip }, async () => {
  const role = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'strict-role' }, rules: [], colour: 'blue' };
  const r = await kubectl.run('create', '--validate=strict', '-f', kubectl.file('strict.yaml', role));
  assert.notEqual(r.code, 0, r.stdout);
  assert.match(r.stderr, /unknown field "colour"/);
  assert.equal((await get(`${rbac}/clusterroles/strict-role`)).status, 404);
  const fine = await kubectl.run('create', '--validate=strict', '-f', kubectl.file('fine.yaml', { ...role, colour: undefined }));
  assert.equal(fine.code, 0, fine.stderr);
});

test('kubectl explain clusterrole.rules shows PolicyRule\'s fields, from /openapi/v3 and from /openapi/v2', { skip }, async () => {
  for (const extra of [[], ['--output=plaintext-openapiv2']]) {
    const r = await kubectl.run('explain', 'clusterrole.rules', ...extra);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /KIND:\s+ClusterRole/);
    for (const field of ['apiGroups', 'nonResourceURLs', 'resourceNames', 'resources', 'verbs']) assert.match(r.stdout, new RegExp(`^\\s+${field}\\s+<\\[\\]string>`, 'm'));
  }
});

test('client-side apply merges a ServiceAccount\'s secrets by name: a secret another writer added stays', { skip }, async () => {
  const ns = await kubectl.run('create', 'namespace', 'apps');
  assert.equal(ns.code, 0, ns.stderr);
  const sa = (secrets: string[]) => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'builder', namespace: 'apps' }, secrets: secrets.map((name) => ({ name })) });
  assert.equal((await kubectl.run('apply', '-f', kubectl.file('sa1.yaml', sa(['a'])))).code, 0);
  const other = await kubectl.run('patch', 'serviceaccount', 'builder', '-n', 'apps', '--type=strategic', '-p', '{"secrets":[{"name":"b"}]}');
  assert.equal(other.code, 0, other.stderr);
  const applied = await kubectl.run('apply', '-f', kubectl.file('sa2.yaml', sa(['a', 'c'])));
  assert.equal(applied.code, 0, applied.stderr);
  assert.match(applied.stdout, /serviceaccount\/builder configured/);
  const stored = (await get('/api/v1/namespaces/apps/serviceaccounts/builder')).body;
  // strategicpatch's order: b before a as stored, c (new) after the items it follows in $setElementOrder.
  assert.deepEqual(stored.secrets, [{ name: 'b' }, { name: 'a' }, { name: 'c' }]);
});
