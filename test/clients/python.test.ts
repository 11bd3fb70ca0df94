/**
 * The official Python client (Debian's python3-kubernetes, run by
 * /usr/bin/python3) against a listening Warden over HTTPS, with its default
 * models, which send no apiVersion or kind: creates, reads, lists, patches
 * (a dict is a strategic merge patch), replaces, deletes and reviews, and
 * kube's Status in its ApiException. The calls are test/clients/python-calls.py.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { startTestWarden, type TestWarden } from '../support/warden.ts';

const run = promisify(execFile);
const python = '/usr/bin/python3';
const script = path.join(import.meta.dirname, 'python-calls.py');
const available = existsSync(python) && await run(python, ['-c', 'import kubernetes']).then(() => true, () => false);
const skip = available ? false : 'the python3-kubernetes package is not installed (.ci/run installs it)';

let w: TestWarden;
before(async () => {
  if (skip) return;
  w = await startTestWarden({ listen: true, env: { PORT: '0', WARDEN_TLS_PORT: '0', HOST: '127.0.0.1' } });
});
after(async () => { await w?.close(); });

test('the Python client creates, patches, deletes and reviews with its default models', { skip }, async () => {
  const { stdout } = await run(python, [script], {
    env: { ...process.env, WARDEN_URL: w.warden.tlsUrl!, WARDEN_TOKEN: w.adminToken, PYTHONWARNINGS: 'ignore' },
    timeout: 60_000,
  });
  const seen = JSON.parse(stdout);
  assert.deepEqual(seen.namespace, { kind: 'Namespace', phase: 'Active' });
  assert.equal(seen.role.kind, 'Role');
  assert.equal(seen.role.apiVersion, 'rbac.authorization.k8s.io/v1');
  assert.match(seen.role.uid, /^[0-9a-f-]{36}$/);
  assert.deepEqual(seen.listed, ['pod-reader']);
  assert.deepEqual(seen.patchedLabels, { team: 'py' });
  assert.deepEqual(seen.replacedVerbs, ['get', 'list']);
  assert.equal(seen.binding, 'RoleBinding');
  // ServiceAccount secrets merge by name under a strategic merge patch.
  assert.deepEqual(seen.serviceAccountSecrets, ['two', 'one']);
  assert.deepEqual(seen.reviewList, { kind: 'SubjectAccessReview', allowed: true });
  assert.deepEqual(seen.reviewDelete, { kind: 'SubjectAccessReview', allowed: false });
  assert.equal(seen.localReview, true);
  assert.equal(seen.selfReview, true);
  assert.equal(seen.conflict.code, 409);
  assert.equal(seen.conflict.reason, 'AlreadyExists');
  assert.equal(seen.deleted, 'Success');
  assert.equal(seen.missing.code, 404);
  assert.equal(seen.missing.reason, 'NotFound');
  assert.equal(seen.namespaceGone.code, 404);
});
