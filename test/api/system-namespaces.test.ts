/**
 * kube-apiserver's starting state: `default`, `kube-system`, `kube-public`
 * and `kube-node-lease` exist from the first start, in no tenant; the first
 * three may not be deleted, by anyone; a missing one is created again at
 * the next start.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { startTestWarden, type TestWarden } from '../support/warden.ts';
import { ensureSystemNamespaces, systemNamespaces } from '../../api/resources/system-namespaces.ts';
import { api, assertStatus, type Api } from './client.ts';

const namespaces = '/api/v1/namespaces';
let w: TestWarden;
let a: Api;

before(async () => {
  w = await startTestWarden();
  a = api(w);
});
after(async () => { await w?.close(); });

test('a new Warden has the four system namespaces, active and in no tenant', async () => {
  const r = await a.get(namespaces);
  assert.equal(r.status, 200);
  const names = (r.body.items as { metadata: { name: string } }[]).map((n) => n.metadata.name);
  assert.deepEqual(names, [...systemNamespaces].sort());
  for (const ns of r.body.items) {
    assert.equal(ns.status.phase, 'Active');
    assert.deepEqual(ns.spec.finalizers, ['kubernetes']);
    assert.equal(ns.metadata.labels['kubernetes.io/metadata.name'], ns.metadata.name);
    assert.equal(ns.metadata.labels['tenancy.warden.dev/tenant'], undefined);
    assert.match(ns.metadata.uid, /^[0-9a-f-]{36}$/);
  }
});

test('default, kube-system and kube-public may not be deleted, even by system:masters; nothing is written', async () => {
  for (const name of ['default', 'kube-system', 'kube-public']) {
    const revision = Number((await a.get(`${namespaces}/${name}`)).headers['x-warden-revision']);
    const r = await a.delete(`${namespaces}/${name}`);
    const status = assertStatus(r, { code: 403, reason: 'Forbidden' });
    assert.equal(status.message, `namespaces "${name}" is forbidden: this namespace may not be deleted`);
    assert.deepEqual(status.details, { name, kind: 'namespaces' });
    const still = await a.get(`${namespaces}/${name}`);
    assert.equal(still.status, 200);
    assert.equal(still.body.status.phase, 'Active');
    assert.equal(Number(still.headers['x-warden-revision']), revision);
  }
  // A dry run is refused the same way.
  assertStatus(await a.delete(`${namespaces}/default?dryRun=All`), { code: 403, reason: 'Forbidden' });
});

test('someone without delete on namespaces is refused by authorization first', async () => {
  const r = await api(w, w.adminToken, { 'Impersonate-User': 'mallory' }).delete(`${namespaces}/default`);
  const status = assertStatus(r, { code: 403, reason: 'Forbidden' });
  assert.match(status.message, /User "mallory" cannot delete resource "namespaces"/);
});

test('kube-node-lease may be deleted, and is there again after the next start', async () => {
  assert.equal((await a.delete(`${namespaces}/kube-node-lease`)).status, 200);
  assertStatus(await a.get(`${namespaces}/kube-node-lease`), { code: 404, reason: 'NotFound' });
  await ensureSystemNamespaces(w.warden.deps.store, 'system:warden', pino({ level: 'silent' }));
  const again = await a.get(`${namespaces}/kube-node-lease`);
  assert.equal(again.status, 200);
  assert.equal(again.body.status.phase, 'Active');
  // With all present, a start writes nothing.
  const revision = await w.warden.deps.store.currentRevision();
  await ensureSystemNamespaces(w.warden.deps.store, 'system:warden', pino({ level: 'silent' }));
  assert.equal(await w.warden.deps.store.currentRevision(), revision);
});
