/**
 * The real kubectl binary against a listening Warden over HTTPS (kubectl
 * sends tokens only over TLS): create, get, list -o yaml, server-side apply
 * and delete of a namespace, a Role and a RoleBinding.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import YAML from 'yaml';
import { startTestWarden, type TestWarden } from '../support/warden.ts';

const run = promisify(execFile);
const kubectlPath = ['/usr/bin/kubectl', '/usr/local/bin/kubectl'].find((p) => existsSync(p));
const skip = kubectlPath ? false : 'kubectl is not installed on this machine';

let w: TestWarden;
let dir: string;

async function kubectl(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  const base = [`--server=${w.warden.tlsUrl}`, '--insecure-skip-tls-verify', `--token=${w.adminToken}`, '--request-timeout=20s'];
  try {
    const { stdout, stderr } = await run(kubectlPath!, [...base, ...args], { env: { ...process.env, KUBECONFIG: '/dev/null', HOME: dir } });
    return { stdout, stderr, code: 0 };
  } catch (err) {
    const e = err as { stdout: string; stderr: string; code: number };
    return { stdout: e.stdout, stderr: e.stderr, code: e.code };
  }
}

function file(name: string, objects: object[]): string {
  const p = path.join(dir, name);
  writeFileSync(p, objects.map((o) => YAML.stringify(o)).join('---\n'));
  return p;
}

const namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'payments' } };
const role = (verbs: string[]) => ({
  apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'pod-reader', namespace: 'payments' },
  rules: [{ apiGroups: [''], resources: ['pods'], verbs }],
});
const binding = {
  apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'readers', namespace: 'payments' },
  subjects: [{ kind: 'User', name: 'alice', apiGroup: 'rbac.authorization.k8s.io' }],
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-reader' },
};

before(async () => {
  if (skip) return;
  dir = mkdtempSync(path.join(os.tmpdir(), 'warden-kubectl-'));
  w = await startTestWarden({ listen: true, env: { PORT: '0', WARDEN_TLS_PORT: '0', HOST: '127.0.0.1' } });
});
after(async () => { await w?.close(); });

test('kubectl create -f stores every object of a multi-document file, validated on the server', { skip }, async () => {
  const r = await kubectl('create', '-f', file('create.yaml', [namespace, role(['get']), binding]));
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /namespace\/payments created/);
  assert.match(r.stdout, /role\.rbac\.authorization\.k8s\.io\/pod-reader created/);
  assert.match(r.stdout, /rolebinding\.rbac\.authorization\.k8s\.io\/readers created/);
  const stored = await w.http.get('/apis/rbac.authorization.k8s.io/v1/namespaces/payments/rolebindings/readers').set('Authorization', w.auth);
  assert.equal(stored.status, 200);
  assert.equal(stored.body.roleRef.name, 'pod-reader');
});

test('kubectl get lists by name and prints objects as YAML', { skip }, async () => {
  const table = await kubectl('get', 'roles', '-n', 'payments');
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /pod-reader/);
  const all = await kubectl('get', 'rolebindings', '--all-namespaces', '-o', 'yaml');
  assert.equal(all.code, 0, all.stderr);
  const list = YAML.parse(all.stdout);
  assert.deepEqual(list.items.map((i: { metadata: { name: string } }) => i.metadata.name), ['readers']);
  const one = YAML.parse((await kubectl('get', 'role', 'pod-reader', '-n', 'payments', '-o', 'yaml')).stdout);
  assert.deepEqual(one.rules, [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }]);
  assert.match(one.metadata.resourceVersion, /^\d+$/);
});

test('kubectl refuses an invalid object with the server\'s field error', { skip }, async () => {
  const bad = { ...role(['get']), metadata: { name: 'Bad_Name', namespace: 'payments' }, rules: [{ apiGroups: [''], resources: ['pods'] }] };
  const r = await kubectl('create', '-f', file('bad.yaml', [bad]));
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /is invalid/);
  assert.match(r.stderr, /rules\[0\]\.verbs: Required value/);
});

test('kubectl apply --server-side creates, then updates what the manager applies', { skip }, async () => {
  const created = await kubectl('apply', '--server-side', '-f', file('apply.yaml', [{ ...role(['list']), metadata: { name: 'lister', namespace: 'payments' } }]));
  assert.equal(created.code, 0, created.stderr);
  assert.match(created.stdout, /role\.rbac\.authorization\.k8s\.io\/lister serverside-applied/);
  const updated = await kubectl('apply', '--server-side', '-f', file('apply2.yaml', [{ ...role(['list', 'watch']), metadata: { name: 'lister', namespace: 'payments' } }]));
  assert.equal(updated.code, 0, updated.stderr);
  const got = await w.http.get('/apis/rbac.authorization.k8s.io/v1/namespaces/payments/roles/lister').set('Authorization', w.auth);
  assert.deepEqual(got.body.rules[0].verbs, ['list', 'watch']);
  assert.equal(got.body.metadata.managedFields[0].manager, 'kubectl');
  assert.equal(got.body.metadata.managedFields[0].operation, 'Apply');
});

test('kubectl apply --server-side reports a conflict with another manager, and --force-conflicts takes over', { skip }, async () => {
  const conflict = await kubectl('apply', '--server-side', '-f', file('conflict.yaml', [role(['get', 'list'])]));
  assert.notEqual(conflict.code, 0);
  assert.match(conflict.stderr, /Apply failed with 1 conflict: conflict with "kubectl-create"/);
  const forced = await kubectl('apply', '--server-side', '--force-conflicts', '-f', file('conflict.yaml', [role(['get', 'list'])]));
  assert.equal(forced.code, 0, forced.stderr);
  const got = await w.http.get('/apis/rbac.authorization.k8s.io/v1/namespaces/payments/roles/pod-reader').set('Authorization', w.auth);
  assert.deepEqual(got.body.rules[0].verbs, ['get', 'list']);
});

test('kubectl delete removes one object, and deleting the namespace removes its contents', { skip }, async () => {
  const r = await kubectl('delete', 'rolebinding', 'readers', '-n', 'payments');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /rolebinding\.rbac\.authorization\.k8s\.io "readers" deleted/);
  const missing = await kubectl('get', 'rolebinding', 'readers', '-n', 'payments');
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /NotFound.*rolebindings\.rbac\.authorization\.k8s\.io "readers" not found/);
  const ns = await kubectl('delete', 'namespace', 'payments');
  assert.equal(ns.code, 0, ns.stderr);
  const roles = await kubectl('get', 'roles', '--all-namespaces', '-o', 'yaml');
  assert.deepEqual(YAML.parse(roles.stdout).items, []);
});
