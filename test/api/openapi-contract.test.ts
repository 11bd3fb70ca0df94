/**
 * openapi.yaml is the one source of the HTTP contract: the routes the app
 * mounts are exactly its paths and methods, the committed TypeScript types
 * are a fresh generation of it, and requests that break it never reach a
 * handler.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadSpec, specPath } from '../../api/openapi.ts';
import { routes } from '../../api/routes.ts';
import type { AppDeps } from '../../api/context.ts';
import { startTestWarden, type TestWarden } from '../support/warden.ts';

const methods = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

test('the app serves exactly the paths and methods openapi.yaml describes', () => {
  const served = routes({} as AppDeps).map((r) => `${r.method.toUpperCase()} ${r.path}`).sort();
  const described = Object.entries(loadSpec().paths)
    .flatMap(([p, item]) => Object.keys(item).filter((m) => methods.includes(m)).map((m) => `${m.toUpperCase()} ${p}`))
    .sort();
  assert.deepEqual(served, described);
});

test('every operation in openapi.yaml has a unique operationId and a Status for failures', () => {
  const ids = new Set<string>();
  for (const [p, item] of Object.entries(loadSpec().paths)) {
    for (const m of Object.keys(item).filter((k) => methods.includes(k))) {
      const op = item[m] as { operationId?: string; responses?: Record<string, unknown> };
      assert.ok(op.operationId, `${m} ${p} has no operationId`);
      assert.ok(!ids.has(op.operationId!), `duplicate operationId ${op.operationId}`);
      ids.add(op.operationId!);
      assert.ok(op.responses?.default || p === '/livez' || p === '/readyz', `${m} ${p} does not describe its failures`);
    }
  }
});

test('the committed types are what openapi-typescript generates from openapi.yaml now', async () => {
  const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'warden-types-')), 'openapi.d.ts');
  const bin = path.join(path.dirname(specPath), 'node_modules', '.bin', 'openapi-typescript');
  await promisify(execFile)(bin, [specPath, '-o', out]);
  const committed = readFileSync(path.join(path.dirname(specPath), 'api', 'generated', 'openapi.d.ts'), 'utf8');
  assert.equal(committed, readFileSync(out, 'utf8'), 'api/generated/openapi.d.ts is stale: run npm run openapi:types');
});

let w: TestWarden;
before(async () => { w = await startTestWarden(); });
after(async () => { await w.close(); });

test('a query parameter the contract does not list is ignored, as kube-apiserver ignores it; a listed one of the wrong type is refused', async () => {
  const r = await w.http.get('/api/v1/namespaces?colour=blue').set('Authorization', w.auth);
  assert.equal(r.status, 200);
  assert.equal(r.body.kind, 'NamespaceList');
  const bad = await w.http.get('/api/v1/namespaces?timeoutSeconds=soon').set('Authorization', w.auth);
  assert.equal(bad.status, 400);
  assert.equal(bad.body.kind, 'Status');
  assert.equal(bad.body.reason, 'BadRequest');
  assert.equal(bad.body.details.causes[0].field, 'timeoutSeconds');
});

test('a body field of the wrong type is refused with the field named, and nothing is stored', async () => {
  const r = await w.http.post('/apis/rbac.authorization.k8s.io/v1/clusterroles').set('Authorization', w.auth)
    .send({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'typed' }, rules: [{ verbs: 'get' }] });
  assert.equal(r.status, 400);
  assert.equal(r.body.details.causes[0].field, 'rules[0].verbs');
  const after = await w.http.get('/apis/rbac.authorization.k8s.io/v1/clusterroles/typed').set('Authorization', w.auth);
  assert.equal(after.status, 404);
});

test('a limit that is not an integer is refused by the contract', async () => {
  const r = await w.http.get('/api/v1/namespaces?limit=ten').set('Authorization', w.auth);
  assert.equal(r.status, 400);
  assert.match(r.body.message, /limit/);
});
