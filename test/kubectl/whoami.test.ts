/**
 * `kubectl auth whoami` (kubectl 1.32) against a listening Warden over HTTPS:
 * the table, `-o yaml` and `-o json`, as the admin, as a User's token, as a
 * service account's token, and impersonating with `--as` and `--as-group`.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import YAML from 'yaml';
import { startTestWarden, type TestWarden } from '../support/warden.ts';
import { kubectlFor, kubectlSkip as skip, type Kubectl } from '../support/kubectl.ts';
import { api, ok } from '../api/client.ts';
import { namespace, serviceAccount } from '../api/builders.ts';
import { tokenRequest, tokenRequestPath, userWithToken } from '../iam/support.ts';


let w: TestWarden;
let kubectl: Kubectl;

/** The ATTRIBUTE/VALUE table as rows of [attribute, value]. */
const rows = (stdout: string) => stdout.trim().split('\n').map((l) => l.trim().split(/\s{2,}/));

before(async () => {
  if (skip) return;
  w = await startTestWarden({ listen: true, env: { PORT: '0', WARDEN_TLS_PORT: '0', HOST: '127.0.0.1' } });
  kubectl = kubectlFor(w, { prefix: 'warden-whoami-' });
});
after(async () => { await w?.close(); });

test('kubectl auth whoami prints the caller\'s name and groups', { skip }, async () => {
  const r = await kubectl.run('auth', 'whoami');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(rows(r.stdout), [
    ['ATTRIBUTE', 'VALUE'],
    ['Username', 'warden:admin'],
    ['Groups', '[system:masters system:authenticated]'],
  ]);
});

test('kubectl auth whoami -o yaml and -o json print the SelfSubjectReview', { skip }, async () => {
  const yaml = await kubectl.run('auth', 'whoami', '-o', 'yaml');
  assert.equal(yaml.code, 0, yaml.stderr);
  const doc = YAML.parse(yaml.stdout);
  assert.equal(doc.apiVersion, 'authentication.k8s.io/v1');
  assert.equal(doc.kind, 'SelfSubjectReview');
  assert.ok(doc.metadata.creationTimestamp, yaml.stdout);
  assert.deepEqual(doc.status, { userInfo: { username: 'warden:admin', groups: ['system:masters', 'system:authenticated'] } });
  const json = await kubectl.run('auth', 'whoami', '-o', 'json');
  assert.equal(json.code, 0, json.stderr);
  assert.deepEqual(JSON.parse(json.stdout).status, doc.status);
});

test('kubectl auth whoami as a User\'s token and as a service account\'s token', { skip }, async () => {
  const admin = api(w);
  const userToken = await userWithToken(admin, 'ada', ['team-a']);
  const asUser = await kubectl.withToken(userToken).run('auth', 'whoami');
  assert.equal(asUser.code, 0, asUser.stderr);
  assert.deepEqual(rows(asUser.stdout).slice(1), [['Username', 'ada'], ['Groups', '[team-a system:authenticated]']]);

  ok(await admin.post('/api/v1/namespaces', namespace('whoami')), 201);
  const uid = ok(await admin.post('/api/v1/namespaces/whoami/serviceaccounts', serviceAccount('robot')), 201).metadata.uid;
  const saToken = ok(await admin.post(tokenRequestPath('whoami', 'robot'), tokenRequest()), 201).status.token;
  const asAccount = await kubectl.withToken(saToken).run('auth', 'whoami');
  assert.equal(asAccount.code, 0, asAccount.stderr);
  assert.deepEqual(rows(asAccount.stdout).slice(1), [
    ['Username', 'system:serviceaccount:whoami:robot'],
    ['UID', uid],
    ['Groups', '[system:serviceaccounts system:serviceaccounts:whoami system:authenticated]'],
  ]);
});

test('kubectl auth whoami --as and --as-group print the impersonated identity; without the right it is refused', { skip }, async () => {
  const as = await kubectl.run('auth', 'whoami', '--as', 'alice', '--as-group', 'devs', '--as-group', 'ops');
  assert.equal(as.code, 0, as.stderr);
  assert.deepEqual(rows(as.stdout).slice(1), [['Username', 'alice'], ['Groups', '[devs ops system:authenticated]']]);
  const asOnly = await kubectl.run('auth', 'whoami', '--as', 'bob');
  assert.deepEqual(rows(asOnly.stdout).slice(1), [['Username', 'bob'], ['Groups', '[system:authenticated]']]);

  const plain = await userWithToken(api(w), 'eve');
  const refused = await kubectl.withToken(plain).run('auth', 'whoami', '--as', 'alice');
  assert.notEqual(refused.code, 0);
  // kubectl words any 403 of a SelfSubjectReview its own way.
  assert.match(refused.stderr, /the selfsubjectreviews API is not enabled in the cluster or you do not have permission to call it/);
  const plainWhoami = await kubectl.withToken(plain).run('auth', 'whoami');
  assert.deepEqual(rows(plainWhoami.stdout).slice(1), [['Username', 'eve'], ['Groups', '[system:authenticated]']]);
});
