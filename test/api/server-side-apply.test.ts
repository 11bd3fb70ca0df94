/**
 * Server-side apply (`PATCH` with `application/apply-patch+yaml`, as
 * `kubectl apply --server-side` sends it): create-or-update under a field
 * manager, removal of fields a manager stops applying, conflicts with other
 * managers and `force=true`, and no write when nothing changes.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestWarden, type TestWarden } from '../support/warden.ts';
import {
  at, clusterRole, itemPath, kinds, namespace, rbacBase, rule, toYaml, withValue, type Obj,
} from './builders.ts';
import { api, applyPatch, assertStatus, mergePatch, ok, revision, type Api } from './client.ts';

const ns = 'ssa';
let w: TestWarden;
let a: Api;
before(async () => {
  w = await startTestWarden();
  a = api(w);
  ok(await a.post('/api/v1/namespaces', namespace(ns)), 201);
});
after(async () => { await w?.close(); });

const apply = (path: string, o: Obj, manager: string, query = '') => a.patch(`${path}?fieldManager=${manager}${query}`, toYaml(o), applyPatch);
const managers = (o: Obj) => (o.metadata.managedFields ?? []).map((e: Obj) => `${e.manager}/${e.operation}`).sort();
const ownedBy = (o: Obj, manager: string) => o.metadata.managedFields?.find((e: Obj) => e.manager === manager)?.fieldsV1;

describe('create-or-update, on every kind', () => {
  for (const k of kinds) {
    test(`apply creates a missing ${k.kind} (201), updates it (200), and re-applying the same configuration writes nothing`, async () => {
      const name = `applied-${k.kind.toLowerCase()}`;
      const path = itemPath(k, name, ns);
      const config = (n: number) => withValue(k.build(name, { labels: { app: 'demo' } }), k.pointer, k.value(n));

      const created = ok(await apply(path, config(1), 'deployer'), 201);
      assert.deepEqual(at(created, k.pointer), k.value(1));
      assert.equal(created.metadata.labels.app, 'demo');
      assert.deepEqual(managers(created), ['deployer/Apply']);

      const updated = ok(await apply(path, config(2), 'deployer'));
      assert.deepEqual(at(updated, k.pointer), k.value(2));
      assert.equal(updated.metadata.uid, created.metadata.uid);
      assert.ok(Number(updated.metadata.resourceVersion) > Number(created.metadata.resourceVersion));

      const before_ = await revision(a);
      const again = ok(await apply(path, config(2), 'deployer'));
      assert.equal(again.metadata.resourceVersion, updated.metadata.resourceVersion, 'a no-op apply keeps the resourceVersion');
      assert.equal(await revision(a), before_, 'and takes no revision');
      assert.deepEqual(ok(await a.get(path)), updated);
    });
  }
});

describe('field ownership', () => {
  const path = `${rbacBase}/clusterroles/owned`;
  const config = (labels: Record<string, string>, verbs: string[]) => clusterRole('owned', [rule(verbs)], { labels });

  test('a field its manager no longer applies is removed; fields another manager set stay', async () => {
    ok(await apply(path, config({ team: 'web', tier: 'front' }, ['get']), 'alice-tool'), 201);
    ok(await a.patch(`${path}?fieldManager=ops-tool`, { metadata: { labels: { owner: 'ops' } } }, mergePatch));
    const body = ok(await apply(path, config({ team: 'web' }, ['get']), 'alice-tool'));
    assert.deepEqual(body.metadata.labels, { team: 'web', owner: 'ops' }, 'tier is gone, owner stays');
    assert.deepEqual(managers(body), ['alice-tool/Apply', 'ops-tool/Update']);
    assert.deepEqual(ownedBy(body, 'alice-tool'), { 'f:metadata': { 'f:labels': { 'f:team': {} } }, 'f:rules': {} });
    assert.deepEqual(ownedBy(body, 'ops-tool'), { 'f:metadata': { 'f:labels': { 'f:owner': {} } } });
  });

  test('applying a value another manager owns is 409 naming the manager and the field, and writes nothing', async () => {
    const before_ = await revision(a);
    const status = assertStatus(await apply(path, config({ team: 'web' }, ['delete']), 'bob-tool'), {
      code: 409, reason: 'Conflict',
      message: ['Apply failed with 1 conflict: conflict with "alice-tool" using rbac.authorization.k8s.io/v1: .rules'],
    });
    assert.deepEqual(status.details.causes, [{ reason: 'FieldManagerConflict', message: 'conflict with "alice-tool" using rbac.authorization.k8s.io/v1', field: '.rules' }]);
    assert.equal(await revision(a), before_);
    assert.deepEqual(ok(await a.get(path)).rules, [rule(['get'])]);
  });

  test('applying the same value another manager applied shares the field without conflict', async () => {
    const body = ok(await apply(path, config({ team: 'web' }, ['get']), 'carol-tool'));
    assert.deepEqual(managers(body), ['alice-tool/Apply', 'carol-tool/Apply', 'ops-tool/Update']);
  });

  test('force=true takes the conflicting fields over from every other manager', async () => {
    const body = ok(await apply(path, config({ team: 'web' }, ['delete']), 'bob-tool', '&force=true'));
    assert.deepEqual(body.rules, [rule(['delete'])]);
    assert.deepEqual(ownedBy(body, 'bob-tool'), { 'f:metadata': { 'f:labels': { 'f:team': {} } }, 'f:rules': {} });
    assert.deepEqual(managers(body), ['bob-tool/Apply', 'ops-tool/Update'], 'managers left owning nothing are dropped');
  });

  test('an object created by POST takes an apply without a conflict on its metadata', async () => {
    ok(await a.post(`${rbacBase}/clusterroles`, clusterRole('posted', [rule(['get'])])), 201);
    const body = ok(await apply(`${rbacBase}/clusterroles/posted`, clusterRole('posted', [rule(['get'])], { labels: { added: 'by-apply' } }), 'late-tool'));
    assert.deepEqual(body.metadata.labels, { added: 'by-apply' });
    assert.deepEqual(body.rules, [rule(['get'])]);
  });
});

describe('apply preconditions and options', () => {
  test('a stale metadata.resourceVersion in the configuration is 409 Conflict', async () => {
    const path = `${rbacBase}/clusterroles/pinned`;
    const first = ok(await apply(path, clusterRole('pinned', [rule(['get'])]), 'pin-tool'), 201);
    ok(await apply(path, clusterRole('pinned', [rule(['list'])]), 'pin-tool'));
    const stale = clusterRole('pinned', [rule(['watch'])]);
    stale.metadata.resourceVersion = first.metadata.resourceVersion;
    assertStatus(await apply(path, stale, 'pin-tool'), {
      code: 409, reason: 'Conflict',
      message: ['Operation cannot be fulfilled on clusterroles.rbac.authorization.k8s.io "pinned": the object has been modified'],
    });
    assert.deepEqual(ok(await a.get(path)).rules, [rule(['list'])]);
  });

  test('apply without fieldManager is 422 naming fieldManager', async () => {
    const res = await a.patch(`${rbacBase}/clusterroles/nomanager`, toYaml(clusterRole('nomanager')), applyPatch);
    const status = assertStatus(res, { code: 422, reason: 'Invalid', message: ['fieldManager: Required value'] });
    assert.equal(status.details.causes[0].field, 'fieldManager');
    assertStatus(await a.get(`${rbacBase}/clusterroles/nomanager`), { code: 404, reason: 'NotFound' });
  });

  test('apply of an object named differently from the URL is 400', async () => {
    assertStatus(await apply(`${rbacBase}/clusterroles/url-name`, clusterRole('body-name'), 'name-tool'), {
      code: 400, reason: 'BadRequest', message: ['(body-name) does not match the name on the URL (url-name)'],
    });
  });

  test('apply with dryRun=All answers the result and writes nothing', async () => {
    const before_ = await revision(a);
    const body = ok(await apply(`${rbacBase}/clusterroles/dry-applied`, clusterRole('dry-applied'), 'dry-tool', '&dryRun=All'), 201);
    assert.equal(body.metadata.name, 'dry-applied');
    assert.equal(await revision(a), before_);
    assertStatus(await a.get(`${rbacBase}/clusterroles/dry-applied`), { code: 404, reason: 'NotFound' });
  });
});
