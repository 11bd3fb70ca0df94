/**
 * The official JavaScript client, `@kubernetes/client-node` 1.x, against a
 * listening Warden over HTTPS, used as its documentation shows: typed API
 * clients whose bodies carry no apiVersion or kind, merge patches, reviews,
 * errors as ApiException with kube's Status, and the generic object client
 * that resolves kinds through discovery.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ApiException, AuthorizationV1Api, CoreV1Api, KubeConfig, KubernetesObjectApi, PatchStrategy, RbacAuthorizationV1Api, setHeaderOptions,
  type V1ClusterRole,
} from '@kubernetes/client-node';
import { startTestWarden, type TestWarden } from '../support/warden.ts';

let w: TestWarden;
let kc: KubeConfig;

before(async () => {
  w = await startTestWarden({ listen: true, env: { PORT: '0', WARDEN_TLS_PORT: '0', HOST: '127.0.0.1' } });
  kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'warden', server: w.warden.tlsUrl!, skipTLSVerify: true }],
    users: [{ name: 'admin', token: w.adminToken }],
    contexts: [{ name: 'warden', cluster: 'warden', user: 'admin' }],
    currentContext: 'warden',
  });
});
after(async () => { await w?.close(); });

async function refusal(p: Promise<unknown>): Promise<{ code: number; status: Record<string, unknown> }> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ApiException, String(err));
    const e = err as ApiException<string>;
    return { code: e.code, status: typeof e.body === 'string' ? JSON.parse(e.body) : e.body };
  }
  assert.fail('the call succeeded');
}

test('namespaces, Roles and RoleBindings are created, read, listed, patched, replaced and deleted with bare bodies', async () => {
  const core = kc.makeApiClient(CoreV1Api);
  const rbac = kc.makeApiClient(RbacAuthorizationV1Api);

  const ns = await core.createNamespace({ body: { metadata: { name: 'client-node' } } });
  assert.equal(ns.kind, 'Namespace');
  assert.equal(ns.status?.phase, 'Active');

  const role = await rbac.createNamespacedRole({
    namespace: 'client-node',
    body: { metadata: { name: 'pod-reader' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] },
  });
  assert.equal(role.kind, 'Role');
  assert.equal(role.apiVersion, 'rbac.authorization.k8s.io/v1');
  assert.ok(role.metadata?.uid);

  const listed = await rbac.listNamespacedRole({ namespace: 'client-node' });
  assert.deepEqual(listed.items.map((r) => r.metadata?.name), ['pod-reader']);

  const patched = await rbac.patchNamespacedRole(
    { name: 'pod-reader', namespace: 'client-node', body: { metadata: { labels: { team: 'web' } } } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
  assert.equal(patched.metadata?.labels?.team, 'web');

  const current = await rbac.readNamespacedRole({ name: 'pod-reader', namespace: 'client-node' });
  const replaced = await rbac.replaceNamespacedRole({
    name: 'pod-reader', namespace: 'client-node',
    body: { metadata: current.metadata, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }] },
  });
  assert.deepEqual(replaced.rules?.[0].verbs, ['get', 'list']);

  const binding = await rbac.createNamespacedRoleBinding({
    namespace: 'client-node',
    body: {
      metadata: { name: 'alice-reads' },
      subjects: [{ kind: 'User', name: 'alice', apiGroup: 'rbac.authorization.k8s.io' }],
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-reader' },
    },
  });
  assert.equal(binding.kind, 'RoleBinding');

  const again = await refusal(rbac.createNamespacedRole({ namespace: 'client-node', body: { metadata: { name: 'pod-reader' }, rules: [] } }));
  assert.equal(again.code, 409);
  assert.equal(again.status.reason, 'AlreadyExists');

  const gone = await rbac.deleteNamespacedRoleBinding({ name: 'alice-reads', namespace: 'client-node' });
  assert.equal(gone.status, 'Success');
  const missing = await refusal(rbac.readNamespacedRoleBinding({ name: 'alice-reads', namespace: 'client-node' }));
  assert.equal(missing.code, 404);
  assert.equal(missing.status.reason, 'NotFound');
});

test('reviews built from bare specs are answered', async () => {
  const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
  const authz = kc.makeApiClient(AuthorizationV1Api);
  await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: 'client-node-reviews' } } });
  await rbac.createNamespacedRoleBinding({
    namespace: 'client-node-reviews',
    body: {
      metadata: { name: 'bob-views' },
      subjects: [{ kind: 'User', name: 'bob', apiGroup: 'rbac.authorization.k8s.io' }],
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
    },
  });
  const ask = (verb: string) => authz.createSubjectAccessReview({
    body: { spec: { user: 'bob', resourceAttributes: { namespace: 'client-node-reviews', verb, group: 'apps', resource: 'deployments' } } },
  });
  const allowed = await ask('list');
  assert.equal(allowed.kind, 'SubjectAccessReview');
  assert.equal(allowed.status?.allowed, true);
  assert.equal((await ask('delete')).status?.allowed, false);

  const self = await authz.createSelfSubjectAccessReview({ body: { spec: { resourceAttributes: { verb: 'create', resource: 'namespaces' } } } });
  assert.equal(self.status?.allowed, true);
  const rules = await authz.createSelfSubjectRulesReview({ body: { spec: { namespace: 'client-node-reviews' } } });
  assert.ok(rules.status?.resourceRules.some((r) => r.verbs.includes('*')));

  const bad = await refusal(authz.createSubjectAccessReview({ body: { apiVersion: 'authorization.k8s.io/v1beta1', kind: 'SubjectAccessReview', spec: { user: 'bob' } } }));
  assert.equal(bad.code, 400);
  assert.equal(bad.status.reason, 'BadRequest');
});

test('the generic object client finds kinds through discovery', async () => {
  const objects = KubernetesObjectApi.makeApiClient(kc);
  const role: V1ClusterRole = {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'client-node-generic' },
    rules: [{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['get'] }],
  };
  const created = await objects.create(role);
  assert.equal(created.metadata?.name, 'client-node-generic');
  const read = await objects.read<V1ClusterRole>({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'client-node-generic' } });
  assert.deepEqual(JSON.parse(JSON.stringify(read.rules)), role.rules);
  await objects.delete({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'client-node-generic' } });
  const missing = await refusal(objects.read({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'client-node-generic' } }));
  assert.equal(missing.code, 404);
});
