/**
 * Protobuf request bodies through the real app: every writable kind is
 * created from one, updates and reviews read them, a token request answers,
 * DeleteOptions' preconditions hold, responses stay JSON, patches keep their
 * 415, and a malformed body is a 400 Status with nothing written.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestWarden, type TestWarden } from '../support/warden.ts';
import { encodeBody, encodeMessage, envelope, hex, Writer, type Json } from './encoder.ts';

const protobuf = 'application/vnd.kubernetes.protobuf';
const rbac = 'rbac.authorization.k8s.io/v1';
const ns = 'pb-payments';

let w: TestWarden;

before(async () => { w = await startTestWarden(); });
after(async () => { await w?.close(); });

/** A request with a protobuf body, accepting what kubectl's typed clients accept. */
function send(method: 'post' | 'put' | 'delete' | 'patch', path: string, body: Uint8Array, headers: Record<string, string> = {}) {
  let req = w.http[method](path).set('Authorization', w.auth).set('Content-Type', protobuf).set('Accept', `${protobuf},application/json`);
  for (const [k, v] of Object.entries(headers)) req = req.set(k, v);
  return req.send(Buffer.from(body));
}

const get = (path: string) => w.http.get(path).set('Authorization', w.auth);

const writable: [string, Json][] = [
  ['/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { team: 'payments' } }, spec: {}, status: {} }],
  [`/api/v1/namespaces/${ns}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'deployer', namespace: ns }, automountServiceAccountToken: false }],
  [`/api/v1/namespaces/${ns}/resourcequotas`, { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'compute', namespace: ns }, spec: { hard: { pods: '10', 'requests.cpu': '500m' } } }],
  [`/apis/${rbac}/namespaces/${ns}/roles`, { apiVersion: rbac, kind: 'Role', metadata: { name: 'sa-reader', namespace: ns }, rules: [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['serviceaccounts'] }] }],
  [`/apis/${rbac}/namespaces/${ns}/rolebindings`, {
    apiVersion: rbac, kind: 'RoleBinding', metadata: { name: 'sa-readers', namespace: ns },
    subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice' }, { kind: 'ServiceAccount', name: 'deployer', namespace: ns }],
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'sa-reader' },
  }],
  [`/apis/${rbac}/clusterroles`, { apiVersion: rbac, kind: 'ClusterRole', metadata: { name: 'pb-logs' }, rules: [{ verbs: ['get'], nonResourceURLs: ['/logs/*'] }] }],
  [`/apis/${rbac}/clusterrolebindings`, {
    apiVersion: rbac, kind: 'ClusterRoleBinding', metadata: { name: 'pb-logs' },
    subjects: [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'sre' }],
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'pb-logs' },
  }],
  [`/apis/networking.k8s.io/v1/namespaces/${ns}/networkpolicies`, {
    apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'web', namespace: ns },
    spec: { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ ports: [{ protocol: 'TCP', port: 8080 }, { protocol: 'TCP', port: 'http' }] }], policyTypes: ['Ingress'] },
  }],
];

/** The fields of `want` as `got` holds them (the server adds metadata and status of its own). */
function assertContains(got: Json, want: Json, where: string): void {
  for (const [k, v] of Object.entries(want)) {
    if (k === 'status') continue;
    if (v && typeof v === 'object' && !Array.isArray(v)) assertContains(got[k] as Json, v as Json, `${where}.${k}`);
    else assert.deepEqual(got[k], v, `${where}.${k}`);
  }
}

test('every writable kind is created from a protobuf body, answered and stored as the JSON body would be', async () => {
  for (const [path, object] of writable) {
    const r = await send('post', `${path}?fieldManager=kubectl-create&fieldValidation=Strict`, encodeBody(object));
    assert.equal(r.status, 201, `${object.kind}: ${JSON.stringify(r.body)}`);
    assert.match(r.headers['content-type'], /^application\/json/);
    assertContains(r.body, object, object.kind as string);
    const name = (object.metadata as Json).name as string;
    const stored = await get(`${path}/${name}`);
    assert.equal(stored.status, 200);
    assertContains(stored.body, object, `stored ${object.kind}`);
    assert.equal(stored.body.metadata.managedFields[0].manager, 'kubectl-create');
  }
});

test('an update (PUT) reads a protobuf body, and a stale resourceVersion is still 409', async () => {
  const path = `/apis/${rbac}/namespaces/${ns}/roles/sa-reader`;
  const current = (await get(path)).body as Json;
  const next = { ...current, rules: [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['serviceaccounts', 'resourcequotas'] }] };
  const r = await send('put', path, encodeBody(next));
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(r.body.rules[0].resources, ['serviceaccounts', 'resourcequotas']);
  const stale = await send('put', path, encodeBody(next));
  assert.equal(stale.status, 409);
  assert.equal(stale.body.reason, 'Conflict');
});

test('the access reviews read protobuf bodies: self, for a subject, local, and rules', async () => {
  const authz = 'authorization.k8s.io/v1';
  const attrs = { namespace: ns, verb: 'list', resource: 'serviceaccounts' };
  const self = await send('post', `/apis/${authz}/selfsubjectaccessreviews`,
    encodeBody({ apiVersion: authz, kind: 'SelfSubjectAccessReview', metadata: {}, spec: { resourceAttributes: attrs }, status: { allowed: false } }),
    { 'Impersonate-User': 'alice' });
  assert.equal(self.status, 201, JSON.stringify(self.body));
  assert.equal(self.body.status.allowed, true);
  const denied = await send('post', `/apis/${authz}/subjectaccessreviews`,
    encodeBody({ apiVersion: authz, kind: 'SubjectAccessReview', metadata: {}, spec: { resourceAttributes: { ...attrs, verb: 'delete' }, user: 'alice' } }));
  assert.equal(denied.status, 201);
  assert.equal(denied.body.status.allowed, false);
  const local = await send('post', `/apis/${authz}/namespaces/${ns}/localsubjectaccessreviews`,
    encodeBody({ apiVersion: authz, kind: 'LocalSubjectAccessReview', metadata: { namespace: ns }, spec: { resourceAttributes: attrs, user: 'alice' } }));
  assert.equal(local.status, 201);
  assert.equal(local.body.status.allowed, true);
  const rules = await send('post', `/apis/${authz}/selfsubjectrulesreviews`,
    encodeBody({ apiVersion: authz, kind: 'SelfSubjectRulesReview', metadata: {}, spec: { namespace: ns }, status: { incomplete: false } }),
    { 'Impersonate-User': 'alice' });
  assert.equal(rules.status, 201);
  assert.ok(rules.body.status.resourceRules.some((r: Json) => (r.resources as string[]).includes('serviceaccounts')));
});

test('a protobuf TokenRequest issues a token that authenticates as the service account', async () => {
  // Issued for Warden's own audience (among others): a token for other audiences alone does not authenticate to Warden.
  const r = await send('post', `/api/v1/namespaces/${ns}/serviceaccounts/deployer/token`,
    encodeBody({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', metadata: {}, spec: { audiences: ['api', 'warden'], expirationSeconds: 600 }, status: { token: '' } }));
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.deepEqual(r.body.spec.audiences, ['api', 'warden']);
  const token = r.body.status.token as string;
  assert.ok(token.length > 20);
  const listed = await w.http.get(`/api/v1/namespaces/${ns}/serviceaccounts`).set('Authorization', `Bearer ${token}`);
  assert.equal(listed.status, 200);
  const forbidden = await w.http.get('/api/v1/namespaces').set('Authorization', `Bearer ${token}`);
  assert.equal(forbidden.status, 403);
  assert.match(forbidden.body.message, new RegExp(`system:serviceaccount:${ns}:deployer`));
});

test('protobuf DeleteOptions are honoured: a precondition that fails is 409 and deletes nothing', async () => {
  const path = `/apis/${rbac}/clusterrolebindings/pb-logs`;
  const uid = (await get(path)).body.metadata.uid as string;
  const options = (u: string) => encodeBody({ apiVersion: 'meta.k8s.io/v1', kind: 'DeleteOptions', preconditions: { uid: u }, propagationPolicy: 'Background' });
  const wrong = await send('delete', path, options('not-the-uid'));
  assert.equal(wrong.status, 409, JSON.stringify(wrong.body));
  assert.equal((await get(path)).status, 200);
  const right = await send('delete', path, options(uid));
  assert.equal(right.status, 200, JSON.stringify(right.body));
  assert.equal((await get(path)).status, 404);
});

test('a patch has no protobuf form: it stays 415', async () => {
  const r = await send('patch', `/apis/${rbac}/clusterroles/pb-logs`, encodeBody({ apiVersion: rbac, kind: 'ClusterRole', metadata: {} }));
  assert.equal(r.status, 415);
  assert.equal(r.body.reason, 'UnsupportedMediaType');
});

/** A Namespace's bytes under the type `kind`. */
const nsType = (kind = 'Namespace') =>
  envelope(new Writer().stringField(1, 'v1').stringField(2, kind).finish(), encodeMessage({ metadata: { name: 'never' } }, 'Namespace'));

const malformed: [string, Uint8Array, RegExp][] = [
  ['JSON sent as protobuf', Buffer.from('{"apiVersion":"v1","kind":"Namespace"}'), /does not start with the Kubernetes protobuf prefix/],
  ['a body cut short', nsType().subarray(0, 20), /runs past the end of the message|truncated/],
  ['a truncated varint', hex('6b387300 0a 80'), /truncated varint at byte 5/],
  ['a string sent as a number', hex('6b387300 0a0f0a027631 12094e616d657370616365 1204 0a02 0805'), /metadata\.name: wire type varint, expected length-delimited/],
  ['a kind protobuf does not carry', nsType('Pod'), /no kind "Pod" is registered for version "v1"/],
];

test('a malformed protobuf body is 400 BadRequest naming the problem, and nothing is written', async () => {
  const before = (await get('/api/v1/namespaces')).body.items.length;
  for (const [name, body, message] of malformed) {
    const r = await send('post', '/api/v1/namespaces', body);
    assert.equal(r.status, 400, `${name}: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.kind, 'Status');
    assert.equal(r.body.reason, 'BadRequest');
    assert.match(r.body.message, /^error decoding protobuf request body: /, name);
    assert.match(r.body.message, message, name);
  }
  assert.equal((await get('/api/v1/namespaces')).body.items.length, before);
});

test('a protobuf object of another kind than the path serves is refused like its JSON form', async () => {
  const role = encodeBody({ apiVersion: rbac, kind: 'Role', metadata: { name: 'misplaced' }, rules: [] });
  const r = await send('post', '/api/v1/namespaces', role);
  assert.equal(r.status, 400, JSON.stringify(r.body));
  const asJson = await w.http.post('/api/v1/namespaces').set('Authorization', w.auth)
    .send({ apiVersion: rbac, kind: 'Role', metadata: { name: 'misplaced' } });
  assert.equal(asJson.status, r.status);
  assert.equal(asJson.body.message, r.body.message);
});
