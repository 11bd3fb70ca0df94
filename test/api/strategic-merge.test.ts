/**
 * Strategic merge patch over HTTP, kind by kind, with the results
 * k8s.io/apimachinery's strategicpatch gives for the same object and patch
 * under Kubernetes' Go types: `metadata.finalizers` merge as a set,
 * `metadata.ownerReferences` by uid, a ServiceAccount's `secrets` by name;
 * every other list of these kinds (RBAC rules and subjects, NetworkPolicy
 * rules, quota scopes, imagePullSecrets) is replaced whole; maps merge key by
 * key. Then the directives (`$patch`, `$deleteFromPrimitiveList`,
 * `$setElementOrder`, `$retainKeys`), and the misuses refused with kube's 4xx
 * and nothing written.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { strategicMergePatch } from '../../api/resources/strategic-merge.ts';
import { deleteByKeys } from '../../api/resources/strategic-merge-lists.ts';
import { startTestWarden, type TestWarden } from '../support/warden.ts';
import {
  at, clusterRole, clusterRoleBinding, group, namespace, rbacBase, role, roleBinding, roleRef, rule, serviceAccount, tenant, tenantsPath, user,
  type Obj,
} from './builders.ts';
import { api, assertRefused, ok, strategicPatch, type Api, type ExpectedStatus } from './client.ts';

const ns = 'smp';
const quota = (name: string, spec: Obj): Obj => ({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name, namespace: ns }, spec });
const networkPolicy = (name: string, spec: Obj): Obj => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: ns }, spec });
const owner = (uid: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', name: `cm-${uid}`, uid });
const secret = (name: string, extra: Obj = {}) => ({ name, ...extra });

/** Where an object of each kind lives. */
const collections: Record<string, string> = {
  Namespace: '/api/v1/namespaces',
  ServiceAccount: `/api/v1/namespaces/${ns}/serviceaccounts`,
  ResourceQuota: `/api/v1/namespaces/${ns}/resourcequotas`,
  NetworkPolicy: `/apis/networking.k8s.io/v1/namespaces/${ns}/networkpolicies`,
  Role: `${rbacBase}/namespaces/${ns}/roles`,
  ClusterRole: `${rbacBase}/clusterroles`,
  RoleBinding: `${rbacBase}/namespaces/${ns}/rolebindings`,
  ClusterRoleBinding: `${rbacBase}/clusterrolebindings`,
  Tenant: tenantsPath,
  User: '/apis/iam.warden.dev/v1/users',
};

interface Case {
  /** The behaviour, as the test is named. */
  name: string;
  /** The object before the patch (its name is made unique per case). */
  object: (name: string) => Obj;
  patch: Obj;
  /** JSON pointer -> the value upstream's strategic merge gives there (undefined: absent). */
  want: Record<string, unknown>;
}

const cases: Record<string, Case[]> = {
  ServiceAccount: [
    {
      name: 'secrets merge by name: a known name merges field by field, a new one is added after the stored ones it follows',
      object: (n) => serviceAccount(n, { namespace: ns }, { secrets: [secret('one'), secret('two', { kind: 'Secret' })] }),
      patch: { secrets: [secret('two', { apiVersion: 'v1' }), secret('three')] },
      want: { '/secrets': [secret('one'), secret('two', { kind: 'Secret', apiVersion: 'v1' }), secret('three')] },
    },
    {
      name: 'a secret the stored list lacks comes first when the patch names no stored secret',
      object: (n) => serviceAccount(n, { namespace: ns }, { secrets: [secret('one')] }),
      patch: { secrets: [secret('two')] },
      want: { '/secrets': [secret('two'), secret('one')] },
    },
    {
      name: '$patch: delete in secrets removes the secret of that name',
      object: (n) => serviceAccount(n, { namespace: ns }, { secrets: [secret('one'), secret('two')] }),
      patch: { secrets: [{ name: 'one', $patch: 'delete' }] },
      want: { '/secrets': [secret('two')] },
    },
    {
      name: '$patch: replace in secrets replaces the list by the patch\'s other items',
      object: (n) => serviceAccount(n, { namespace: ns }, { secrets: [secret('one'), secret('two')] }),
      patch: { secrets: [{ $patch: 'replace' }, secret('z')] },
      want: { '/secrets': [secret('z')] },
    },
    {
      name: '$setElementOrder/secrets sets the order of the merged list',
      object: (n) => serviceAccount(n, { namespace: ns }, { secrets: [secret('one'), secret('two')] }),
      patch: { '$setElementOrder/secrets': [{ name: 'two' }, { name: 'three' }, { name: 'one' }], secrets: [secret('three')] },
      want: { '/secrets': [secret('two'), secret('three'), secret('one')] },
    },
    {
      name: 'imagePullSecrets have no merge key and are replaced whole',
      object: (n) => serviceAccount(n, { namespace: ns }, { imagePullSecrets: [{ name: 'a' }, { name: 'b' }] }),
      patch: { imagePullSecrets: [{ name: 'c' }] },
      want: { '/imagePullSecrets': [{ name: 'c' }] },
    },
    {
      name: 'metadata.finalizers merge as a set: the patch\'s values first, in its order, stored ones kept',
      object: (n) => serviceAccount(n, { namespace: ns }, { metadata: { name: n, namespace: ns, finalizers: ['example.com/a', 'example.com/b'] } }),
      patch: { metadata: { finalizers: ['example.com/c', 'example.com/a'] } },
      want: { '/metadata/finalizers': ['example.com/c', 'example.com/a', 'example.com/b'] },
    },
    {
      name: '$deleteFromPrimitiveList/finalizers removes those values only',
      object: (n) => serviceAccount(n, { namespace: ns }, { metadata: { name: n, namespace: ns, finalizers: ['example.com/a', 'example.com/b', 'example.com/c'] } }),
      patch: { metadata: { '$deleteFromPrimitiveList/finalizers': ['example.com/a', 'example.com/c'] } },
      want: { '/metadata/finalizers': ['example.com/b'] },
    },
  ],
  Role: [
    {
      name: 'rules are atomic: the patch\'s rules replace the stored ones',
      object: (n) => role(n, [rule(['get']), rule(['list'], ['secrets'])], { namespace: ns }),
      patch: { rules: [rule(['watch'], ['configmaps'])] },
      want: { '/rules': [rule(['watch'], ['configmaps'])] },
    },
    {
      name: 'metadata.ownerReferences merge by uid, the new owner first',
      object: (n) => ({ ...role(n, [rule(['get'])], { namespace: ns }), metadata: { name: n, namespace: ns, ownerReferences: [owner('u1')] } }),
      patch: { metadata: { ownerReferences: [owner('u2')] } },
      want: { '/metadata/ownerReferences': [owner('u2'), owner('u1')] },
    },
    {
      name: '$patch: delete in ownerReferences removes the owner with that uid',
      object: (n) => ({ ...role(n, [rule(['get'])], { namespace: ns }), metadata: { name: n, namespace: ns, ownerReferences: [owner('u1'), owner('u2')] } }),
      patch: { metadata: { ownerReferences: [{ uid: 'u1', $patch: 'delete' }] } },
      want: { '/metadata/ownerReferences': [owner('u2')] },
    },
  ],
  ClusterRole: [
    {
      name: 'rules are atomic, and maps merge key by key with null deleting a key',
      object: (n) => clusterRole(n, [rule(['get'], ['nodes'])], { labels: { a: '1', b: '2' } }),
      patch: { metadata: { labels: { b: null, c: '3' } }, rules: [rule(['list'], ['nodes'])] },
      want: { '/metadata/labels': { a: '1', c: '3' }, '/rules': [rule(['list'], ['nodes'])] },
    },
    {
      name: '$patch: replace in a map replaces the stored map by the patch\'s',
      object: (n) => clusterRole(n, [rule(['get'], ['nodes'])], { labels: { a: '1', b: '2' } }),
      patch: { metadata: { labels: { $patch: 'replace', c: '3' } } },
      want: { '/metadata/labels': { c: '3' } },
    },
    {
      name: '$patch: delete in a map empties it',
      object: (n) => clusterRole(n, [rule(['get'], ['nodes'])], { annotations: { a: '1' } }),
      patch: { metadata: { annotations: { $patch: 'delete' } } },
      want: { '/metadata/annotations': undefined },
    },
    {
      name: '$retainKeys drops the stored keys it does not list',
      object: (n) => clusterRole(n, [rule(['get'], ['nodes'])], { labels: { keep: '1', drop: '2' } }),
      patch: { metadata: { labels: { $retainKeys: ['keep', 'add'], add: '3' } } },
      want: { '/metadata/labels': { keep: '1', add: '3' } },
    },
  ],
  RoleBinding: [
    {
      name: 'subjects are atomic: replaced by the patch\'s',
      object: (n) => roleBinding(n, roleRef('Role', 'reader'), [user('alice'), user('bob')], { namespace: ns }),
      patch: { subjects: [user('carol')] },
      want: { '/subjects': [user('carol')], '/roleRef/name': 'reader' },
    },
  ],
  ClusterRoleBinding: [
    {
      name: 'subjects are atomic, and $setElementOrder of finalizers reorders the stored set',
      object: (n) => ({ ...clusterRoleBinding(n, roleRef('ClusterRole', 'reader'), [group('readers')]), metadata: { name: n, finalizers: ['example.com/a', 'example.com/b'] } }),
      patch: { subjects: [group('writers')], metadata: { '$setElementOrder/finalizers': ['example.com/b', 'example.com/a'] } },
      want: { '/subjects': [group('writers')], '/metadata/finalizers': ['example.com/b', 'example.com/a'] },
    },
  ],
  Namespace: [
    {
      name: 'labels merge and metadata.finalizers merge as a set',
      object: (n) => ({ ...namespace(n, { labels: { team: 'a' } }), metadata: { name: n, labels: { team: 'a' }, finalizers: ['example.com/a'] } }),
      patch: { metadata: { labels: { tier: 'web' }, finalizers: ['example.com/b'] } },
      want: { '/metadata/labels/team': 'a', '/metadata/labels/tier': 'web', '/metadata/finalizers': ['example.com/b', 'example.com/a'] },
    },
  ],
  ResourceQuota: [
    {
      name: 'spec.hard merges resource by resource, null removing one',
      object: (n) => quota(n, { hard: { pods: '10', 'requests.cpu': '2' } }),
      patch: { spec: { hard: { pods: '20', 'requests.cpu': null, 'requests.memory': '1Gi' } } },
      want: { '/spec/hard': { pods: '20', 'requests.memory': '1Gi' } },
    },
  ],
  NetworkPolicy: [
    {
      name: 'ingress rules are atomic, the pod selector\'s labels merge',
      object: (n) => networkPolicy(n, {
        podSelector: { matchLabels: { app: 'a' } }, policyTypes: ['Ingress'],
        ingress: [{ from: [{ podSelector: { matchLabels: { role: 'x' } } }] }, { ports: [{ protocol: 'TCP', port: 80 }] }],
      }),
      patch: { spec: { podSelector: { matchLabels: { tier: 'web' } }, ingress: [{ from: [{ podSelector: { matchLabels: { role: 'y' } } }] }] } },
      want: {
        '/spec/podSelector/matchLabels': { app: 'a', tier: 'web' },
        '/spec/ingress': [{ from: [{ podSelector: { matchLabels: { role: 'y' } } }] }],
        '/spec/policyTypes': ['Ingress'],
      },
    },
  ],
  User: [
    {
      name: 'spec.groups is atomic',
      object: (n) => ({ apiVersion: 'iam.warden.dev/v1', kind: 'User', metadata: { name: n }, spec: { groups: ['dev', 'ops'] } }),
      patch: { spec: { groups: ['qa'] } },
      want: { '/spec/groups': ['qa'] },
    },
  ],
  Tenant: [
    {
      name: 'spec.owners is atomic',
      object: (n) => tenant(n, [user('ann'), user('ben')]),
      patch: { spec: { owners: [user('cat')] } },
      want: { '/spec/owners': [user('cat')] },
    },
  ],
};

let w: TestWarden;
let a: Api;
before(async () => {
  w = await startTestWarden();
  a = api(w);
  ok(await a.post('/api/v1/namespaces', namespace(ns)), 201);
});
after(async () => { await w?.close(); });

let serial = 0;
for (const [kind, table] of Object.entries(cases)) {
  describe(`strategic merge patch of a ${kind}`, () => {
    for (const c of table) {
      test(c.name, async () => {
        const name = `smp-${kind.toLowerCase()}-${++serial}`;
        ok(await a.post(collections[kind], c.object(name)), 201);
        const patched = ok(await a.patch(`${collections[kind]}/${name}`, c.patch, strategicPatch));
        const stored = ok(await a.get(`${collections[kind]}/${name}`));
        for (const [pointer, value] of Object.entries(c.want)) {
          assert.deepEqual(at(patched, pointer), value, `${pointer} in the answer`);
          assert.deepEqual(at(stored, pointer), value, `${pointer} as stored`);
        }
      });
    }
  });
}

describe('strategic merge patch misuse is kube\'s 4xx, and nothing is written', () => {
  const badRequest = (message: string, field?: string): ExpectedStatus & { field?: string } => ({ code: 400, reason: 'BadRequest', message: [message], field });
  const refusals: { name: string; kind: string; object: (n: string) => Obj; patch: Obj; status: ExpectedStatus & { field?: string } }[] = [
    {
      name: 'a $patch directive inside a list without a merge key (RoleBinding subjects)',
      kind: 'RoleBinding', object: (n) => roleBinding(n, roleRef('Role', 'reader'), [user('alice')], { namespace: ns }),
      patch: { subjects: [{ ...user('alice'), $patch: 'delete' }] },
      status: badRequest('strategic merge patch directive "$patch" at subjects[0] is not applied: subjects has no patch merge key', 'subjects[0].$patch'),
    },
    {
      name: '$setElementOrder of a list of maps without a merge key',
      kind: 'ClusterRoleBinding', object: (n) => clusterRoleBinding(n, roleRef('ClusterRole', 'reader'), [group('g')]),
      patch: { '$setElementOrder/subjects': [group('g')] },
      status: badRequest('cannot merge lists without merge key for subjects', 'subjects'),
    },
    {
      name: '$deleteFromPrimitiveList of a list of maps without a merge key',
      kind: 'Role', object: (n) => role(n, [rule(['get'])], { namespace: ns }),
      patch: { '$deleteFromPrimitiveList/rules': [rule(['get'])] },
      status: badRequest('cannot merge lists without merge key for rules', 'rules'),
    },
    {
      name: '$patch: merge inside a list merged by key',
      kind: 'ServiceAccount', object: (n) => serviceAccount(n, { namespace: ns }, { secrets: [secret('one')] }),
      patch: { secrets: [{ name: 'one', $patch: 'merge' }] },
      status: badRequest('merging lists cannot yet be specified in the patch', 'secrets[0]'),
    },
    {
      name: 'an unknown $patch value in a map',
      kind: 'ClusterRole', object: (n) => clusterRole(n, [rule(['get'], ['nodes'])], { labels: { a: '1' } }),
      patch: { metadata: { labels: { $patch: 'bogus' } } },
      status: badRequest('unknown patch type: bogus in map: map[$patch:bogus]', 'metadata.labels.$patch'),
    },
    {
      name: 'an item of a merged list without its merge key',
      kind: 'ServiceAccount', object: (n) => serviceAccount(n, { namespace: ns }, { secrets: [secret('one')] }),
      patch: { secrets: [{ kind: 'Secret' }] },
      status: badRequest('map: map[kind:Secret] does not contain declared merge key: name', 'secrets'),
    },
    {
      name: 'a $deleteFromPrimitiveList key without a field name',
      kind: 'ServiceAccount', object: (n) => serviceAccount(n, { namespace: ns }),
      patch: { metadata: { $deleteFromPrimitiveList: ['example.com/a'] } },
      status: badRequest('invalid patch format of primitive list', 'metadata.$deleteFromPrimitiveList'),
    },
    {
      name: '$retainKeys that is not a list, or that leaves out a key the patch sets',
      kind: 'ClusterRole', object: (n) => clusterRole(n, [rule(['get'], ['nodes'])], { labels: { a: '1' } }),
      patch: { metadata: { labels: { $retainKeys: ['a'], b: '2' } } },
      status: badRequest('invalid patch format of retainKeys', 'metadata.labels.$retainKeys'),
    },
    {
      name: 'a $setElementOrder list whose order contradicts the patch list',
      kind: 'ServiceAccount', object: (n) => serviceAccount(n, { namespace: ns }, { secrets: [secret('one'), secret('two')] }),
      patch: { '$setElementOrder/secrets': [{ name: 'two' }, { name: 'one' }], secrets: [secret('one'), secret('two')] },
      status: badRequest('The order in patch list:', 'secrets'),
    },
    {
      name: 'items of different types in a merged list',
      kind: 'ServiceAccount', object: (n) => serviceAccount(n, { namespace: ns }, { secrets: [secret('one')] }),
      patch: { secrets: ['one'] },
      status: badRequest('list element types are not identical', 'secrets'),
    },
    {
      name: 'a list whose first item is a list (422, as kube answers lists of lists)',
      kind: 'ServiceAccount', object: (n) => serviceAccount(n, { namespace: ns }, { secrets: [] }),
      patch: { secrets: [['one']] },
      status: { code: 422, reason: 'Invalid', message: ['the server rejected our request due to an error in our request'] },
    },
  ];
  for (const r of refusals) {
    test(r.name, async () => {
      const name = `smp-bad-${++serial}`;
      const created = ok(await a.post(collections[r.kind], r.object(name)), 201);
      const status = await assertRefused(w, a, () => a.patch(`${collections[r.kind]}/${name}`, r.patch, strategicPatch), r.status);
      if (r.status.field) assert.equal(status.details?.causes?.[0]?.field, r.status.field);
      assert.equal(ok(await a.get(`${collections[r.kind]}/${name}`)).metadata.resourceVersion, created.metadata.resourceVersion);
    });
  }
});

test('a Namespace\'s status.conditions merge by type (the merge key its schema declares)', () => {
  const current = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n' }, status: { conditions: [{ type: 'A', status: 'True' }, { type: 'B', status: 'True' }] } };
  const merged = strategicMergePatch(current, { status: { conditions: [{ type: 'B', status: 'False' }, { type: 'C', status: 'True' }] } }, 'Namespace');
  assert.deepEqual((merged.status as Obj).conditions, [{ type: 'A', status: 'True' }, { type: 'B', status: 'False' }, { type: 'C', status: 'True' }]);
  assert.deepEqual(current.status.conditions[1], { type: 'B', status: 'True' }, 'the stored object is not modified');
});

test('deleting by key leaves the caller\'s array as upstream\'s shifting deletions leave it', () => {
  // The plain algorithm (deleteMatchingEntries inside the caller's array), against the indexed one.
  const plain = (original: Obj[], keys: string[]) => {
    const view = [...original];
    let used = view.length;
    for (const k of keys) {
      for (let i = view.slice(0, used).findIndex((x) => x.name === k); i >= 0; i = view.slice(0, used).findIndex((x) => x.name === k)) {
        view.copyWithin(i, i + 1, used);
        used--;
      }
    }
    return { view, used };
  };
  const name = fc.constantFrom('a', 'b', 'c', 'd');
  fc.assert(fc.property(fc.array(name.map((n) => ({ name: n })), { maxLength: 8 }), fc.array(name, { maxLength: 5 }), (original, keys) => {
    assert.deepEqual(deleteByKeys(original, keys, 'name'), plain(original, keys));
  }), { numRuns: 500 });
});

test('a strategic merge of long lists grows linearly with their length, not quadratically', () => {
  const merge = (n: number) => {
    const secrets = Array.from({ length: n }, (_, i) => ({ name: `s${i}` }));
    const current = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'big', finalizers: secrets.map((s) => `example.com/${s.name}`) }, secrets };
    const started = performance.now();
    const merged = strategicMergePatch(current, {
      metadata: { finalizers: Array.from({ length: n }, (_, i) => `example.com/p${i}`) },
      secrets: [...Array.from({ length: n }, (_, i) => ({ name: `p${i}` })), ...secrets.slice(0, n / 2).map((s) => ({ ...s, $patch: 'delete' }))],
      '$setElementOrder/secrets': [...secrets.slice(n / 2), ...Array.from({ length: n }, (_, i) => ({ name: `p${i}` }))],
    }, 'ServiceAccount');
    const ms = performance.now() - started;
    assert.equal((merged.secrets as Obj[]).length, n + n / 2);
    assert.equal(((merged.metadata as Obj).finalizers as string[]).length, 2 * n);
    return ms;
  };
  // The best of three runs at each size: ten times the items costs about ten times as much
  // (a quadratic merge would cost a hundred times); the margin absorbs a busy machine.
  const best = (n: number) => Math.min(merge(n), merge(n), merge(n));
  best(2_000);
  const small = best(2_000);
  const large = best(20_000);
  assert.ok(large / Math.max(small, 0.5) < 40, `2,000 items: ${small.toFixed(1)} ms; 20,000 items: ${large.toFixed(1)} ms`);
});
