/**
 * Query parameters decoded as kube-apiserver's parameter codec decodes them
 * (apimachinery's url.Values conversions), so clients that send what kube
 * accepts are served: unknown parameters ignored, a repeated parameter read
 * by its first value, integers trimmed and empty as 0, booleans false only
 * for `0`/`false` in any case. Values kube cannot decode stay 400 naming the
 * parameter, and enum values stay checked.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestWarden, type TestWarden } from '../support/warden.ts';
import { api, assertStatus, ok, type Api } from './client.ts';
import { namespace } from './builders.ts';

const roles = '/apis/rbac.authorization.k8s.io/v1/namespaces/q/roles';
const role = (name: string) => ({
  apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name, namespace: 'q' },
  rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }],
});

let w: TestWarden;
let a: Api;
before(async () => {
  w = await startTestWarden();
  a = api(w);
  ok(await a.post('/api/v1/namespaces', namespace('q')), 201);
  for (const n of ['r1', 'r2', 'r3']) ok(await a.post(roles, role(n)), 201);
});
after(async () => { await w?.close(); });

const names = (body: unknown) => (body as { items: { metadata: { name: string } }[] }).items.map((i) => i.metadata.name);

test('a parameter the operation does not take is ignored, as kube ignores it', async () => {
  const r = ok(await a.get(`${roles}?colour=blue&pretty=true&_=1`));
  assert.deepEqual(names(r), ['r1', 'r2', 'r3']);
});

test('integers: surrounding space trimmed, empty is 0 (no limit), a repeated one counts by its first value', async () => {
  assert.deepEqual(names(ok(await a.get(`${roles}?limit=%202%20`))), ['r1', 'r2']);
  assert.deepEqual(names(ok(await a.get(`${roles}?limit=`))), ['r1', 'r2', 'r3']);
  assert.deepEqual(names(ok(await a.get(`${roles}?limit=1&limit=abc`))), ['r1']);
  const bad = assertStatus(await a.get(`${roles}?limit=ten`), { code: 400, reason: 'BadRequest' });
  assert.match(bad.message, /limit/);
  assertStatus(await a.get(`${roles}?limit=1.5`), { code: 400, reason: 'BadRequest' });
});

test('booleans: only 0 and false (any case) are false; empty and True are true', async () => {
  // dryRun-free boolean on a write: a server-side apply's force.
  const apply = (q: string) => a.patch(`${roles}/r1?fieldManager=other&${q}`, JSON.stringify({ ...role('r1'), rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }] }), 'application/apply-patch+yaml');
  // Without force, taking over fields another manager owns conflicts.
  ok(await a.patch(`${roles}/r1?fieldManager=first`, JSON.stringify(role('r1')), 'application/apply-patch+yaml'));
  for (const q of ['force=0', 'force=FALSE', 'force=false']) assertStatus(await apply(q), { code: 409, reason: 'Conflict' });
  const forced = ok(await apply('force=True'));
  assert.deepEqual(forced.rules[0].verbs, ['list']);
});

test('enum values stay checked: an unknown dryRun or fieldValidation is 400 naming it, nothing written', async () => {
  const before = Number((await a.get(roles)).headers['x-warden-revision']);
  for (const q of ['dryRun=Some', 'dryRun=All&dryRun=all', 'fieldValidation=Loose', 'fieldValidation=strict']) {
    const r = assertStatus(await a.post(`${roles}?${q}`, role('never')), { code: 400, reason: 'BadRequest' });
    assert.match(r.message, new RegExp(q.split('=')[0]));
  }
  assertStatus(await a.get(`${roles}/never`), { code: 404, reason: 'NotFound' });
  assert.equal(Number((await a.get(roles)).headers['x-warden-revision']), before);
  // dryRun=All given twice is still a dry run.
  ok(await a.post(`${roles}?dryRun=All&dryRun=All`, role('dry')), 201);
  assertStatus(await a.get(`${roles}/dry`), { code: 404, reason: 'NotFound' });
});
