/**
 * The official Python client's watch (Debian's python3-kubernetes,
 * `watch.Watch().stream(list_namespaced_role, ...)`) against a listening
 * Warden over HTTPS: the current Roles as ADDED, then ADDED, MODIFIED and
 * DELETED for changes made through the API while it runs, deserialized
 * into its V1Role model; and a stream from a resourceVersion that replays
 * what came after it and ends at its timeout_seconds. The Python side is
 * test/clients/python-watch.py.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { startTestWarden, type TestWarden } from '../support/warden.ts';

const run = promisify(execFile);
const python = '/usr/bin/python3';
const script = path.join(import.meta.dirname, 'python-watch.py');
const available = existsSync(python) && await run(python, ['-c', 'import kubernetes.watch']).then(() => true, () => false);
const skip = available ? false : 'the python3-kubernetes package is not installed (.ci/run installs it)';

const rbac = '/apis/rbac.authorization.k8s.io/v1';
const ns = 'python-watch';
let w: TestWarden;

interface Seen { phase: number; type: string; model: string; kind: string; name: string; namespace: string; resourceVersion: string; verbs: string[]; labels: Record<string, string> | null }

const role = (name: string, verbs = ['get']) => ({
  apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name, namespace: ns },
  rules: [{ apiGroups: [''], resources: ['pods'], verbs }],
});

async function call(method: 'post' | 'put' | 'patch' | 'delete', path: string, body?: object, type = 'application/json'): Promise<{ metadata: { resourceVersion: string } }> {
  let r = w.http[method](path).set('Authorization', w.auth);
  if (body) r = r.set('Content-Type', type).send(JSON.stringify(body));
  const res = await r;
  assert.ok(res.status === 200 || res.status === 201, `${method} ${path}: ${res.status} ${res.text}`);
  return res.body;
}

before(async () => {
  if (skip) return;
  w = await startTestWarden({ listen: true, env: { PORT: '0', WARDEN_TLS_PORT: '0', HOST: '127.0.0.1' } });
  for (const name of [ns, 'python-elsewhere']) await call('post', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  await call('post', `${rbac}/namespaces/${ns}/roles`, role('existing'));
});
after(async () => { await w?.close(); });

test('watch.Watch().stream(list_namespaced_role) receives ADDED, MODIFIED and DELETED for changes made while it runs', { skip }, async () => {
  const child = spawn(python, [script], {
    env: { ...process.env, WARDEN_URL: w.warden.tlsUrl!, WARDEN_TOKEN: w.adminToken, WATCH_NAMESPACE: ns, WATCH_STOP_AFTER: 'from-api', PYTHONWARNINGS: 'ignore' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { err += d; });
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const killer = setTimeout(() => child.kill('SIGKILL'), 25_000);
  try {
    const seen = () => out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Seen);
    // The stream is open once the current state arrived.
    const deadline = Date.now() + 15_000;
    while (!seen().length) {
      if (child.exitCode !== null || Date.now() > deadline) assert.fail(`no event from Python (exit ${child.exitCode}): ${out}${err}`);
      await new Promise((r) => setTimeout(r, 25));
    }

    const created = await call('post', `${rbac}/namespaces/${ns}/roles`, role('from-api'));
    await call('post', `${rbac}/namespaces/python-elsewhere/roles`, { ...role('from-api'), metadata: { name: 'from-api', namespace: 'python-elsewhere' } });
    const replaced = await call('put', `${rbac}/namespaces/${ns}/roles/from-api`, { ...role('from-api', ['get', 'list']), metadata: { name: 'from-api', namespace: ns, resourceVersion: created.metadata.resourceVersion } });
    const patched = await call('patch', `${rbac}/namespaces/${ns}/roles/from-api`, { metadata: { labels: { team: 'py' } } }, 'application/merge-patch+json');
    await call('delete', `${rbac}/namespaces/${ns}/roles/from-api`);

    assert.equal(await exit, 0, err);
    const events = seen();
    assert.deepEqual(events.at(-1), { done: true });
    const phase1 = events.filter((e) => e.phase === 1);
    assert.deepEqual(phase1.map((e) => `${e.type} ${e.namespace}/${e.name}`), [
      `ADDED ${ns}/existing`, `ADDED ${ns}/from-api`, `MODIFIED ${ns}/from-api`, `MODIFIED ${ns}/from-api`, `DELETED ${ns}/from-api`,
    ]);
    assert.ok(phase1.every((e) => e.model === 'V1Role' && e.kind === 'Role'), JSON.stringify(phase1));
    assert.deepEqual(phase1[1].verbs, ['get']);
    assert.equal(phase1[1].resourceVersion, created.metadata.resourceVersion);
    assert.deepEqual(phase1[2].verbs, ['get', 'list']);
    assert.equal(phase1[2].resourceVersion, replaced.metadata.resourceVersion);
    assert.deepEqual(phase1[3].labels, { team: 'py' });
    assert.equal(phase1[3].resourceVersion, patched.metadata.resourceVersion);
    assert.ok(Number(phase1[4].resourceVersion) > Number(patched.metadata.resourceVersion), 'DELETED carries the revision of the deletion');

    // From the first event's resourceVersion: every change after it, again, then the end at timeout_seconds.
    const phase2 = events.filter((e) => e.phase === 2);
    assert.deepEqual(phase2.map((e) => `${e.type} ${e.name} ${e.resourceVersion}`), phase1.slice(1).map((e) => `${e.type} ${e.name} ${e.resourceVersion}`));
  } finally {
    clearTimeout(killer);
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});
