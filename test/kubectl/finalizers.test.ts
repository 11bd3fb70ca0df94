/**
 * The real kubectl against objects with finalizers: `kubectl delete
 * --wait=false` leaves them marked, `--cascade=foreground` adds the
 * collector's finalizer, `kubectl patch` removing the last finalizer deletes
 * them, and a Terminating namespace refuses `kubectl create`.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestWarden, type TestWarden } from '../support/warden.ts';
import { kubectlFor, kubectlSkip as skip, type Kubectl } from '../support/kubectl.ts';


let w: TestWarden;
let kubectl: Kubectl;

const role = (name: string, finalizers: string[]) => ({
  apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name, namespace: 'ledger', finalizers },
  rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }],
});

before(async () => {
  if (skip) return;
  w = await startTestWarden({ listen: true, env: { PORT: '0', WARDEN_TLS_PORT: '0', HOST: '127.0.0.1' } });
  kubectl = kubectlFor(w, { prefix: 'warden-kubectl-fin-' });
  const objects = [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ledger' } }, role('held', ['example.com/hold']), role('fg', ['example.com/hold'])];
  const r = await kubectl.run('create', '-f', kubectl.file('objects.yaml', objects));
  assert.equal(r.code, 0, r.stderr);
});
after(async () => { await w?.close(); });

test('kubectl delete --wait=false marks a held object; kubectl patch removing its finalizer deletes it', { skip }, async () => {
  const del = await kubectl.run('delete', 'role', 'held', '-n', 'ledger', '--wait=false');
  assert.equal(del.code, 0, del.stderr);
  assert.match(del.stdout, /role\.rbac\.authorization\.k8s\.io "held" deleted/);
  const ts = await kubectl.run('get', 'role', 'held', '-n', 'ledger', '-o', 'jsonpath={.metadata.deletionTimestamp}');
  assert.match(ts.stdout, /^\d{4}-\d{2}-\d{2}T/);
  const fg = await kubectl.run('delete', 'role', 'fg', '-n', 'ledger', '--cascade=foreground', '--wait=false');
  assert.equal(fg.code, 0, fg.stderr);
  const finalizers = await kubectl.run('get', 'role', 'fg', '-n', 'ledger', '-o', 'jsonpath={.metadata.finalizers}');
  assert.equal(finalizers.stdout, '["example.com/hold","foregroundDeletion"]');
  const patch = await kubectl.run('patch', 'role', 'held', '-n', 'ledger', '--type=merge', '-p', '{"metadata":{"finalizers":null}}');
  assert.equal(patch.code, 0, patch.stderr);
  const gone = await kubectl.run('get', 'role', 'held', '-n', 'ledger');
  assert.notEqual(gone.code, 0);
  assert.match(gone.stderr, /NotFound|not found/);
});

test('a Terminating namespace refuses kubectl create with kube\'s message', { skip }, async () => {
  const del = await kubectl.run('delete', 'namespace', 'ledger', '--wait=false');
  assert.equal(del.code, 0, del.stderr);
  const phase = await kubectl.run('get', 'namespace', 'ledger', '-o', 'jsonpath={.status.phase}');
  assert.equal(phase.stdout, 'Terminating');
  const create = await kubectl.run('create', 'serviceaccount', 'late', '-n', 'ledger');
  assert.notEqual(create.code, 0);
  assert.match(create.stderr, /serviceaccounts "late" is forbidden: unable to create new content in namespace ledger because it is being terminated/);
  const patch = await kubectl.run('patch', 'role', 'fg', '-n', 'ledger', '--type=json', '-p', '[{"op":"remove","path":"/metadata/finalizers/0"}]');
  assert.equal(patch.code, 0, patch.stderr);
  const gone = await kubectl.run('get', 'namespace', 'ledger');
  assert.notEqual(gone.code, 0, 'the namespace went with its last held content');
});
