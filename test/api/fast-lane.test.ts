/**
 * The fast lane (api/fast-lane.ts) serves the hot review and webhook routes
 * with the same route table, middleware and handlers as the express app. It
 * must be indistinguishable from it: every hot route, asked the same
 * questions (answered, invalid, unauthenticated, forbidden, too large,
 * malformed) through the lane and through the express app alone, gets the
 * same status, headers and body.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import supertest from 'supertest';
import { isHot } from '../../api/fast-lane.ts';
import { routes } from '../../api/routes.ts';
import type { AppDeps } from '../../api/context.ts';
import { startTestWarden, type TestWarden } from '../support/warden.ts';
import { api } from './client.ts';
import { userWithToken } from '../iam/support.ts';
import type { Obj } from './builders.ts';

let w: TestWarden;
let userToken: string;
before(async () => {
  w = await startTestWarden();
  const admin = api(w);
  userToken = await userWithToken(admin, 'plain-user');
  await admin.post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'lane' } });
});
after(async () => { await w?.close(); });

const attrs = { verb: 'get', resource: 'pods', namespace: 'lane' };
const admission = (kind: string, group: string, resource: string, object: Obj): Obj => ({
  apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview',
  request: { uid: 'lane-1', operation: 'CREATE', name: object.metadata.name, namespace: 'lane', userInfo: { username: 'alice' }, kind: { group, version: 'v1', kind }, resource: { group, version: 'v1', resource }, object, dryRun: true },
});

/** A body each hot route answers, by route template. */
const valid: Record<string, Obj> = {
  '/apis/authorization.k8s.io/v1/subjectaccessreviews': { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: { user: 'alice', resourceAttributes: attrs } },
  '/apis/authorization.k8s.io/v1/namespaces/{namespace}/localsubjectaccessreviews': { apiVersion: 'authorization.k8s.io/v1', kind: 'LocalSubjectAccessReview', metadata: { namespace: 'lane' }, spec: { user: 'alice', resourceAttributes: attrs } },
  '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews': { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: attrs } },
  '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews': { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectRulesReview', spec: { namespace: 'lane' } },
  '/apis/authorization.warden.dev/v1/subjectaccessreviewbatches': { apiVersion: 'authorization.warden.dev/v1', kind: 'SubjectAccessReviewBatch', spec: { reviews: [{ user: 'alice', resourceAttributes: attrs }] } },
  '/apis/authorization.warden.dev/v1/subjectrulesreviews': { apiVersion: 'authorization.warden.dev/v1', kind: 'SubjectRulesReview', spec: { user: 'alice', namespace: 'lane' } },
  '/apis/authorization.warden.dev/v1/resourceaccessreviews': { apiVersion: 'authorization.warden.dev/v1', kind: 'ResourceAccessReview', spec: { resourceAttributes: attrs } },
  '/apis/authorization.warden.dev/v1/rbacchangereviews': { apiVersion: 'authorization.warden.dev/v1', kind: 'RBACChangeReview', spec: { delete: [{ kind: 'RoleBinding', namespace: 'lane', name: 'none' }] } },
  '/apis/authorization.warden.dev/v1/riskreviews': { apiVersion: 'authorization.warden.dev/v1', kind: 'RiskReview', spec: { namespace: 'lane' } },
  '/webhooks/authorization': { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: { user: 'alice', resourceAttributes: attrs } },
  '/apis/authentication.k8s.io/v1/selfsubjectreviews': { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
  '/apis/authentication.k8s.io/v1/tokenreviews': { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token: 'wdn_unknown' } },
  '/webhooks/authentication': { apiVersion: 'authentication.k8s.io/v1beta1', kind: 'TokenReview', spec: { token: 'wdn_unknown' } },
  '/apis/networking.warden.dev/v1/trafficreviews': { apiVersion: 'networking.warden.dev/v1', kind: 'TrafficReview', spec: { source: { namespace: 'lane', labels: {} }, destination: { namespace: 'lane', labels: {} }, port: 80 } },
  '/apis/networking.warden.dev/v1/reachabilityreviews': { apiVersion: 'networking.warden.dev/v1', kind: 'ReachabilityReview', spec: { endpoints: [{ namespace: 'lane', labels: {} }], port: 80 } },
  '/webhooks/admission': admission('ConfigMap', '', 'configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'lane' } }),
  '/webhooks/admission/mutate': admission('Namespace', '', 'namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'lane-2' } }),
};

/** What may differ between two answers to the same request: the request id, the time, and connection handling. */
const varying = new Set(['x-request-id', 'date', 'connection', 'keep-alive']);
/** A body with the time it was made at (a SelfSubjectReview's creationTimestamp) set aside. */
const timeless = (text: string) => text.replace(/"creationTimestamp": ?"[^"]*"/g, '"creationTimestamp":"…"');
const headersOf = (h: Record<string, unknown>) => Object.fromEntries(Object.entries(h).filter(([k]) => !varying.has(k)).sort(([a], [b]) => (a < b ? -1 : 1)));

test('every hot route answers alike through the fast lane and through the express app alone', async () => {
  const hot = routes({ discovery: [] } as unknown as AppDeps).filter(isHot).map((r) => r.path);
  assert.deepEqual(Object.keys(valid).sort(), [...hot].sort(), 'every hot route has a question here');
  const lane = supertest(w.warden.app);
  const plain = supertest(w.warden.app.express);
  const cases: { name: string; token?: string; body: string; type?: string }[] = [];
  let compared = 0;
  for (const template of hot) {
    const path = template.replace('{namespace}', 'lane');
    const body = JSON.stringify(valid[template]);
    cases.length = 0;
    cases.push(
      { name: 'answered', token: w.adminToken, body },
      { name: 'invalid', token: w.adminToken, body: JSON.stringify({ apiVersion: 'v1', kind: 'Nope', spec: 7 }) },
      { name: 'unauthenticated', body },
      { name: 'bad token', token: 'not-a-token', body },
      { name: 'forbidden', token: userToken, body },
      { name: 'malformed JSON', token: w.adminToken, body: '{"apiVersion":' },
      { name: 'empty', token: w.adminToken, body: '' },
      { name: 'too large', token: w.adminToken, body: JSON.stringify({ pad: 'x'.repeat(1024 * 1024 + 10) }) },
      { name: 'nested deep', token: w.adminToken, body: '['.repeat(100) + ']'.repeat(100) },
      { name: 'a __proto__ field', token: w.adminToken, body: '{"__proto__":{"x":1}}' },
    );
    for (const c of cases) {
      const send = (agent: supertest.Agent | ReturnType<typeof supertest>) => {
        let r = agent.post(`${path}${c.name === 'answered' ? '?pretty=true' : ''}`).set('Content-Type', 'application/json').set('X-Request-Id', 'same');
        if (c.token) r = r.set('Authorization', `Bearer ${c.token}`);
        return r.send(c.body);
      };
      const [a, b] = [await send(lane), await send(plain)];
      const what = `${template} ${c.name}`;
      assert.equal(a.status, b.status, what);
      assert.deepEqual(headersOf(a.headers), headersOf(b.headers), what);
      assert.equal(timeless(a.text), timeless(b.text), what);
      compared++;
    }
  }
  assert.equal(compared, hot.length * 10);
});
