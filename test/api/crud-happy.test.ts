/**
 * Every verb on every kind, through HTTP against a real Warden: create (JSON
 * and YAML), get, list (one namespace, all namespaces, label and field
 * selectors, pages), update, the three patch types, dry runs, delete and
 * deletecollection. Each write's resourceVersion is the new store revision.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestWarden, type TestWarden } from '../support/warden.ts';
import {
  at, collectionPath, itemPath, kinds, mergePatchAt, names, namespace, toYaml, withValue, type KindCase, type Obj,
} from './builders.ts';
import { api, assertStatus, jsonPatch, mergePatch, ok, revision, strategicPatch, yaml, type Api } from './client.ts';

const ns = 'crud';
const otherNs = 'crud-other';

let w: TestWarden;
let a: Api;
before(async () => {
  w = await startTestWarden();
  a = api(w);
  ok(await a.post('/api/v1/namespaces', namespace(ns)), 201);
  ok(await a.post('/api/v1/namespaces', namespace(otherNs)), 201);
});
after(async () => { await w?.close(); });

const rvOf = (o: Obj) => Number(o.metadata.resourceVersion);
const qualified = (k: KindCase) => (k.base === '/api/v1' ? k.plural : `${k.plural}.rbac.authorization.k8s.io`);

for (const k of kinds) {
  describe(k.kind, () => {
    const suite = k.kind.toLowerCase();
    const first = `${suite}-one`;
    const second = `${suite}-two`;
    const third = `${suite}-three`;
    const item = (name: string, where = ns) => itemPath(k, name, where);
    const collection = (where = ns) => collectionPath(k, where);
    const everywhere = collectionPath(k, undefined);
    const selected = (query: string) => `${everywhere}?labelSelector=suite%3D${suite}${query}`;
    const expectedName = (name: string, where = ns) => (k.namespaced ? `${where}/${name}` : name);
    let created: Obj;
    let lastRv = 0;

    test('create from a JSON body answers 201 with the server-set metadata and the new revision', async () => {
      const res = await a.post(collection(), k.build(first, { labels: { suite, idx: '1' } }));
      created = ok(res, 201);
      assert.equal(created.kind, k.kind);
      assert.equal(created.apiVersion, k.apiVersion);
      assert.equal(created.metadata.name, first);
      assert.equal(created.metadata.namespace, k.namespaced ? ns : undefined);
      assert.match(created.metadata.uid, /^[0-9a-f-]{36}$/);
      assert.match(created.metadata.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.deepEqual(created.metadata.labels?.idx, '1');
      assert.equal(created.metadata.resourceVersion, res.headers['x-warden-revision']);
      lastRv = rvOf(created);
      assert.deepEqual(ok(await a.get(item(first))), created, 'a get returns the object as created');
    });

    test('create from a YAML body stores the same shape at a later resourceVersion', async () => {
      const body = ok(await a.post(collection(), toYaml(k.build(second, { labels: { suite, idx: '2' } })), yaml), 201);
      assert.equal(body.metadata.name, second);
      assert.ok(rvOf(body) > lastRv, `${rvOf(body)} > ${lastRv}`);
      lastRv = rvOf(body);
      const got = ok(await a.get(item(second)));
      assert.equal(got.metadata.uid, body.metadata.uid);
      assert.deepEqual(got.metadata.labels?.suite, suite);
      ok(await a.post(collection(otherNs), k.build(third, { labels: { suite, idx: '3' } })), 201);
    });

    if (k.namespaced) {
      test('a namespaced list holds only that namespace, an all-namespaces list every namespace, in namespace then name order', async () => {
        const inNs = ok(await a.get(collection()));
        assert.equal(inNs.kind, `${k.kind}List`);
        assert.equal(inNs.apiVersion, k.apiVersion);
        assert.deepEqual(names(inNs), [`${ns}/${first}`, `${ns}/${second}`]);
        const all = ok(await a.get(selected('')));
        assert.deepEqual(names(all), [`${ns}/${first}`, `${ns}/${second}`, `${otherNs}/${third}`]);
        assert.ok(Number(all.metadata.resourceVersion) >= lastRv, 'a list reports the revision it reflects');
      });
    } else {
      test('a list holds every object, in name order, at the current revision', async () => {
        const all = ok(await a.get(selected('')));
        assert.equal(all.kind, `${k.kind}List`);
        assert.deepEqual(names(all), [first, third, second]);
        assert.ok(Number(all.metadata.resourceVersion) >= lastRv);
      });
    }

    test('labelSelector and fieldSelector narrow a list', async () => {
      assert.deepEqual(names(ok(await a.get(selected(',idx%20in%20(1,3)')))), k.namespaced ? [`${ns}/${first}`, `${otherNs}/${third}`] : [first, third]);
      assert.deepEqual(names(ok(await a.get(selected(',idx!=1')))), k.namespaced ? [`${ns}/${second}`, `${otherNs}/${third}`] : [third, second]);
      assert.deepEqual(names(ok(await a.get(`${everywhere}?fieldSelector=metadata.name%3D${second}`))), [expectedName(second)]);
      assert.deepEqual(names(ok(await a.get(`${everywhere}?labelSelector=suite=${suite}&fieldSelector=metadata.name!=${second}`))),
        k.namespaced ? [`${ns}/${first}`, `${otherNs}/${third}`] : [first, third]);
      if (k.namespaced) {
        assert.deepEqual(names(ok(await a.get(`${everywhere}?labelSelector=suite%3D${suite}&fieldSelector=metadata.namespace%3D${otherNs}`))), [`${otherNs}/${third}`]);
      }
    });

    test('limit and continue page through a list without losing or repeating an object', async () => {
      const full = names(ok(await a.get(selected(''))));
      const page1 = ok(await a.get(selected('&limit=2')));
      assert.deepEqual(names(page1), full.slice(0, 2));
      assert.equal(page1.metadata.remainingItemCount, 1);
      assert.equal(typeof page1.metadata.continue, 'string');
      const page2 = ok(await a.get(selected(`&limit=2&continue=${page1.metadata.continue}`)));
      assert.deepEqual(names(page2), full.slice(2));
      assert.equal(page2.metadata.continue, undefined, 'the last page has no continue token');
    });

    test('PUT replaces the object, keeps uid and creationTimestamp, and takes a new resourceVersion', async () => {
      const current = ok(await a.get(item(first)));
      const res = await a.put(item(first), withValue(current, k.pointer, k.value(1)));
      const body = ok(res);
      assert.deepEqual(at(body, k.pointer), k.value(1));
      assert.equal(body.metadata.uid, created.metadata.uid);
      assert.equal(body.metadata.creationTimestamp, created.metadata.creationTimestamp);
      assert.ok(rvOf(body) > lastRv);
      assert.equal(body.metadata.resourceVersion, res.headers['x-warden-revision']);
      lastRv = rvOf(body);
      assert.deepEqual(at(ok(await a.get(item(first))), k.pointer), k.value(1));
    });

    test('a JSON merge patch changes only the fields it names', async () => {
      const body = ok(await a.patch(item(first), mergePatchAt(k.pointer, k.value(2)), mergePatch));
      assert.deepEqual(at(body, k.pointer), k.value(2));
      assert.equal(body.metadata.labels.suite, suite, 'labels the patch does not name stay');
      assert.ok(rvOf(body) > lastRv);
      lastRv = rvOf(body);
    });

    test('a JSON patch applies its operations in order, its test operation included', async () => {
      const ops = [
        { op: 'test', path: '/metadata/uid', value: created.metadata.uid },
        { op: 'add', path: k.pointer, value: k.value(3) },
        { op: 'add', path: '/metadata/labels/patched', value: 'json' },
      ];
      const body = ok(await a.patch(item(first), ops, jsonPatch));
      assert.deepEqual(at(body, k.pointer), k.value(3));
      assert.equal(body.metadata.labels.patched, 'json');
      assert.ok(rvOf(body) > lastRv);
      lastRv = rvOf(body);
    });

    test('a strategic merge patch merges maps and replaces these kinds\' lists', async () => {
      const patch = mergePatchAt(k.pointer, k.value(4));
      patch.metadata = { ...patch.metadata, labels: { patched: 'strategic' } };
      const body = ok(await a.patch(item(first), patch, strategicPatch));
      assert.deepEqual(at(body, k.pointer), k.value(4));
      assert.equal(body.metadata.labels.patched, 'strategic');
      assert.equal(body.metadata.labels.suite, suite);
      assert.ok(rvOf(body) > lastRv);
      lastRv = rvOf(body);
    });

    test('dryRun=All create, update, patch and delete answer as if done and write nothing', async () => {
      const before_ = await revision(a);
      const current = ok(await a.get(item(first)));
      const dryCreate = ok(await a.post(`${collection()}?dryRun=All`, k.build(`${suite}-dry`)), 201);
      assert.equal(dryCreate.metadata.name, `${suite}-dry`);
      assert.deepEqual(at(ok(await a.put(`${item(first)}?dryRun=All`, withValue(current, k.pointer, k.value(9)))), k.pointer), k.value(9));
      assert.deepEqual(at(ok(await a.patch(`${item(first)}?dryRun=All`, mergePatchAt(k.pointer, k.value(8)), mergePatch)), k.pointer), k.value(8));
      ok(await a.delete(`${item(second)}?dryRun=All`));
      assert.equal(await revision(a), before_, 'no revision was taken');
      assertStatus(await a.get(item(`${suite}-dry`)), { code: 404, reason: 'NotFound', message: [`${qualified(k)} "${suite}-dry" not found`] });
      assert.deepEqual(ok(await a.get(item(first))), current, 'the object is unchanged');
      ok(await a.get(item(second)));
    });

    test('delete removes the object; a later get is 404 NotFound naming it', async () => {
      const res = await a.delete(item(second));
      const body = ok(res);
      if (k.kind === 'Namespace') {
        assert.equal(body.kind, 'Namespace');
        assert.equal(body.status.phase, 'Terminating');
      } else {
        assert.deepEqual({ kind: body.kind, status: body.status, name: body.details.name, resource: body.details.kind }, { kind: 'Status', status: 'Success', name: second, resource: k.plural });
      }
      assert.ok(Number(res.headers['x-warden-revision']) > lastRv);
      const gone = assertStatus(await a.get(item(second)), { code: 404, reason: 'NotFound', message: [`${qualified(k)} "${second}" not found`] });
      assert.equal(gone.details.name, second);
    });

    if (k.kind === 'Namespace') {
      test('deletecollection is not served for namespaces (405), and deletes nothing', async () => {
        const before_ = await revision(a);
        assertStatus(await a.delete(`${collection()}?labelSelector=suite%3D${suite}`), { code: 405, reason: 'MethodNotAllowed' });
        assert.equal(await revision(a), before_);
        assert.deepEqual(names(ok(await a.get(selected('')))), [first, third]);
      });
    } else {
      test('deletecollection deletes what its selector matches in one write, and only that', async () => {
        ok(await a.post(collection(), k.build(`${suite}-unlabelled`)), 201);
        const res = await a.delete(`${collection()}?labelSelector=suite%3D${suite}`);
        const body = ok(res);
        assert.deepEqual(names(body), k.namespaced ? [`${ns}/${first}`] : [first, third]);
        assert.ok(Number(res.headers['x-warden-revision']) > lastRv);
        assert.deepEqual(names(ok(await a.get(selected('')))), k.namespaced ? [`${otherNs}/${third}`] : [], 'a namespaced collection is one namespace');
        const left = names(ok(await a.get(collection()))).filter((n: string) => n.startsWith(expectedName(suite)));
        assert.deepEqual(left, [expectedName(`${suite}-unlabelled`)], 'objects the selector does not match stay');
      });
    }
  });
}
