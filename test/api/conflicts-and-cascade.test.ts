/**
 * Optimistic concurrency (a stale metadata.resourceVersion is 409 Conflict
 * on update and patch; a write without one is unconditional) and namespace
 * lifetime (deleting a namespace deletes what is in it, in one write;
 * nothing is created in a namespace that does not exist).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestWarden, type TestWarden } from '../support/warden.ts';
import {
  clusterRoleBinding, collectionPath, itemPath, kindNamed, kinds, mergePatchAt, names, namespace, rbacBase, role, roleBinding,
  roleRef, serviceAccount, serviceAccountSubject, toYaml, withValue, type KindCase,
} from './builders.ts';
import { api, applyPatch, assertStatus, jsonPatch, mergePatch, ok, revision, type Api } from './client.ts';

let w: TestWarden;
let a: Api;
before(async () => {
  w = await startTestWarden();
  a = api(w);
  for (const name of ['occ', 'doomed', 'kept']) ok(await a.post('/api/v1/namespaces', namespace(name)), 201);
});
after(async () => { await w?.close(); });

const qualified = (k: KindCase) => (k.base === '/api/v1' ? k.plural : `${k.plural}.rbac.authorization.k8s.io`);
const staleMessage = 'the object has been modified; please apply your changes to the latest version and try again';

describe('optimistic concurrency', () => {
  for (const k of kinds) {
    test(`${k.kind}: update and patch with a stale resourceVersion are 409 Conflict; without one they succeed`, async () => {
      const name = `occ-${k.kind.toLowerCase()}`;
      const path = itemPath(k, name, 'occ');
      const first = ok(await a.post(collectionPath(k, 'occ'), k.build(name)), 201);
      const second = ok(await a.patch(path, mergePatchAt(k.pointer, k.value(1)), mergePatch));
      assert.ok(Number(second.metadata.resourceVersion) > Number(first.metadata.resourceVersion));

      const before_ = await revision(a);
      const conflict = { code: 409, reason: 'Conflict', message: [`Operation cannot be fulfilled on ${qualified(k)} "${name}": ${staleMessage}`] };
      const status = assertStatus(await a.put(path, withValue(first, k.pointer, k.value(2))), conflict);
      assert.deepEqual(status.details, { name, ...(k.base === '/api/v1' ? {} : { group: 'rbac.authorization.k8s.io' }), kind: k.plural });
      const pinned = mergePatchAt(k.pointer, k.value(3));
      pinned.metadata = { ...pinned.metadata, resourceVersion: first.metadata.resourceVersion };
      assertStatus(await a.patch(path, pinned, mergePatch), conflict);
      assertStatus(await a.patch(path, [{ op: 'replace', path: '/metadata/resourceVersion', value: first.metadata.resourceVersion }, { op: 'add', path: k.pointer, value: k.value(4) }], jsonPatch), conflict);
      assert.equal(await revision(a), before_, 'no stale write took a revision');
      assert.deepEqual(ok(await a.get(path)), second, 'the object is as the last good write left it');

      const patched = ok(await a.patch(path, mergePatchAt(k.pointer, k.value(5)), mergePatch));
      assert.ok(Number(patched.metadata.resourceVersion) > Number(second.metadata.resourceVersion), 'a patch without resourceVersion applies to the latest');
      const unpinned = withValue(first, k.pointer, k.value(6));
      delete unpinned.metadata.resourceVersion;
      const put = ok(await a.put(path, unpinned));
      assert.ok(Number(put.metadata.resourceVersion) > Number(patched.metadata.resourceVersion), 'an update without resourceVersion is unconditional');
      const current = ok(await a.put(path, withValue(put, k.pointer, k.value(7))));
      assert.ok(Number(current.metadata.resourceVersion) > Number(put.metadata.resourceVersion), 'an update at the current resourceVersion succeeds');
    });
  }
});

describe('namespace cascade', () => {
  /** What each namespace holds: one object of each namespaced kind. */
  const contents = [
    [kindNamed('Role'), role('reader')],
    [kindNamed('RoleBinding'), roleBinding('readers', roleRef('Role', 'reader'))],
    [kindNamed('ServiceAccount'), serviceAccount('robot')],
  ] as const;

  test('deleting a namespace deletes its roles, rolebindings and service accounts in the same write, and nothing elsewhere', async () => {
    for (const ns of ['doomed', 'kept']) for (const [k, o] of contents) ok(await a.post(collectionPath(k, ns), o), 201);
    ok(await a.post(`${rbacBase}/clusterrolebindings`, clusterRoleBinding('doomed-robot', roleRef('ClusterRole', 'view'), [serviceAccountSubject('robot', 'doomed')])), 201);

    const res = await a.delete('/api/v1/namespaces/doomed');
    const body = ok(res);
    assert.equal(body.metadata.name, 'doomed');
    assert.equal(body.status.phase, 'Terminating');

    const rev = BigInt(res.headers['x-warden-revision']);
    const changes = await w.warden.deps.db.prisma.change.findMany({ where: { revision: rev } });
    assert.deepEqual(changes.map((c) => `${c.operation} ${c.kind} ${c.namespace}/${c.name}`).sort(), [
      'delete Namespace /doomed', 'delete Role doomed/reader', 'delete RoleBinding doomed/readers', 'delete ServiceAccount doomed/robot',
    ]);

    assertStatus(await a.get('/api/v1/namespaces/doomed'), { code: 404, reason: 'NotFound', message: ['namespaces "doomed" not found'] });
    for (const [k, o] of contents) {
      assertStatus(await a.get(itemPath(k, o.metadata.name, 'doomed')), { code: 404, reason: 'NotFound' });
      assert.deepEqual(names(ok(await a.get(collectionPath(k, 'doomed')))), [], `no ${k.plural} are listed in the deleted namespace`);
      assert.deepEqual(names(ok(await a.get(collectionPath(k, undefined)))).filter((n) => n.startsWith('doomed/')), []);
      assert.deepEqual(names(ok(await a.get(collectionPath(k, 'kept')))), [`kept/${o.metadata.name}`], 'another namespace keeps its own');
    }
    // Cluster-scoped objects naming the namespace stay, as in Kubernetes.
    assert.equal(ok(await a.get(`${rbacBase}/clusterrolebindings/doomed-robot`)).subjects[0].namespace, 'doomed');
  });

  test('a namespace created again under the same name starts empty', async () => {
    const again = ok(await a.post('/api/v1/namespaces', namespace('doomed')), 201);
    assert.equal(again.status.phase, 'Active');
    for (const [k] of contents) assert.deepEqual(names(ok(await a.get(collectionPath(k, 'doomed')))), []);
  });

  test('creating in a missing namespace is 404 naming the namespace, by POST, PUT and apply, and writes nothing', async () => {
    const before_ = await revision(a);
    const missing = { code: 404, reason: 'NotFound', message: ['namespaces "missing" not found'] };
    for (const [k, o] of contents) {
      const status = assertStatus(await a.post(collectionPath(k, 'missing'), o), missing);
      assert.deepEqual(status.details, { name: 'missing', kind: 'namespaces' });
      assertStatus(await a.put(itemPath(k, o.metadata.name, 'missing'), o), missing);
      assertStatus(await a.patch(`${itemPath(k, o.metadata.name, 'missing')}?fieldManager=t`, toYaml(o), applyPatch), missing);
    }
    assert.equal(await revision(a), before_);
  });
});
