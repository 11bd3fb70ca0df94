/**
 * TrafficReview and ReachabilityReview as API resources: kube review shape
 * (201, spec echoed, decision in status), the revision each answer reflects,
 * JSON and YAML, field validation of unknown fields, authorization and
 * discovery, and that a review never writes.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import YAML from 'yaml';
import { startTestWarden, type TestWarden } from '../support/warden.ts';
import { api, assertStatus, mergePatch, ok, revision, yaml } from '../api/client.ts';
import {
  ALLOW, DENY_IN, matchLabels, namespace, netpol, networkApi, outside, pod, policiesOf, reviewApiVersion, reviews,
  trafficReview, type NetworkApi,
} from './support.ts';

let w: TestWarden;
let net: NetworkApi;
before(async () => {
  w = await startTestWarden({ env: { WARDEN_DECISION_LOG_FLUSH_MS: '50' } });
  net = networkApi(w);
  await net.replaceState([namespace('x', { team: 'a' }), namespace('y', { team: 'b' })]);
});
after(async () => { await w?.close(); });

const web = pod('x', 'web', { app: 'web' });
const db = pod('y', 'db', { app: 'db' });
const spec = { source: web, destination: db, port: 5432 };

test('a TrafficReview is answered 201 with its spec echoed, the decision in status and the revision it reflects', async () => {
  const rv = await revision(net);
  const res = await net.post(`${reviews}/trafficreviews`, { ...trafficReview(spec), metadata: { name: 'probe' } });
  const body = ok(res, 201);
  assert.equal(body.apiVersion, reviewApiVersion);
  assert.equal(body.kind, 'TrafficReview');
  assert.deepEqual(body.spec, spec);
  assert.deepEqual(body.metadata, { name: 'probe', resourceVersion: String(rv) });
  assert.equal(res.headers['x-warden-revision'], String(rv));
  assert.deepEqual(Object.keys(body.status).sort(), ['allowed', 'connection', 'egress', 'ingress', 'reason']);
  assert.deepEqual(body.status.egress, { allowed: true, isolated: false, policies: [] });
  assert.equal(body.status.allowed, true);
});

test('a ReachabilityReview is answered 201 with its spec echoed and the matrix in status', async () => {
  const rv = await revision(net);
  const matrixSpec = { endpoints: [web, db, outside('192.0.2.1')], port: 80, protocol: 'UDP' };
  const res = await net.matrix(matrixSpec);
  const body = ok(res, 201);
  assert.equal(body.kind, 'ReachabilityReview');
  assert.deepEqual(body.spec, matrixSpec);
  assert.equal(res.headers['x-warden-revision'], String(rv));
  assert.equal(body.status.size, 3);
  assert.equal(body.status.allowedCount, 9);
});

test('an answer follows the stored policies and namespace labels at the next revision', async () => {
  const before = await revision(net);
  assert.deepEqual(await net.decide(web, db, 5432), ALLOW);
  ok(await net.post(policiesOf('y'), netpol('y', 'db-from-team-c', {
    podSelector: matchLabels({ app: 'db' }), ingress: [{ from: [{ namespaceSelector: matchLabels({ team: 'c' }) }] }],
  })), 201);
  const denied = await net.review(spec);
  assert.deepEqual(denied.body.status.ingress.policies.map((p: { name: string }) => p.name), ['db-from-team-c']);
  assert.equal(denied.body.status.allowed, false);
  assert.ok(Number(denied.headers['x-warden-revision']) > before);
  ok(await net.patch('/api/v1/namespaces/x', { metadata: { labels: { team: 'c' } } }, mergePatch));
  assert.deepEqual(await net.decide(web, db, 5432), ALLOW, 'relabelling the source namespace admits it');
  ok(await net.patch('/api/v1/namespaces/x', { metadata: { labels: { team: 'a' } } }, mergePatch));
  assert.deepEqual(await net.decide(web, db, 5432), DENY_IN);
  ok(await net.delete(`${policiesOf('y')}/db-from-team-c`));
});

test('reviews write nothing', async () => {
  const before = await revision(net);
  for (let i = 0; i < 3; i++) {
    ok(await net.review(spec), 201);
    ok(await net.matrix({ endpoints: [web, db], port: 5432 }), 201);
  }
  ok(await net.review(spec, '?dryRun=All'), 201);
  assert.equal(await revision(net), before);
});

test('a YAML review is answered, in YAML when that is all the client accepts', async () => {
  const res = await w.http.post(`${reviews}/trafficreviews`).set('Authorization', w.auth)
    .set('Content-Type', yaml).set('Accept', yaml).send(YAML.stringify(trafficReview(spec)));
  assert.equal(res.status, 201, res.text);
  assert.match(res.headers['content-type'], /application\/yaml/);
  const body = YAML.parse(res.text);
  assert.equal(body.kind, 'TrafficReview');
  assert.equal(body.status.allowed, true);
});

test('unknown fields are pruned with a warning, and refused under fieldValidation=Strict', async () => {
  const extra = { ...trafficReview({ ...spec, colour: 'blue' }) };
  const warned = await net.post(`${reviews}/trafficreviews`, extra);
  assert.equal(warned.status, 201);
  assert.match(String(warned.headers.warning), /unknown field \\?"spec\.colour\\?"/);
  assert.equal(warned.body.spec.colour, undefined);
  const strict = await net.post(`${reviews}/trafficreviews?fieldValidation=Strict`, extra);
  const status = assertStatus(strict, { code: 400, reason: 'BadRequest', message: ['unknown field "spec.colour"'] });
  assert.equal(status.details.causes[0].field, 'spec.colour');
});

test('the body must be a review of the endpoint\'s kind and apiVersion', async () => {
  // Absent apiVersion and kind are the endpoint's, as kube-apiserver decodes a body.
  assert.equal(ok(await net.post(`${reviews}/trafficreviews`, { kind: 'TrafficReview', spec }), 201).apiVersion, reviewApiVersion);
  assert.equal(ok(await net.post(`${reviews}/trafficreviews`, { apiVersion: reviewApiVersion, spec }), 201).kind, 'TrafficReview');
  assertStatus(await net.post(`${reviews}/trafficreviews`, { apiVersion: reviewApiVersion, kind: 'ReachabilityReview', spec }),
    { code: 400, reason: 'BadRequest', message: ['does not match the expected kind (TrafficReview)'] });
  assertStatus(await net.post(`${reviews}/reachabilityreviews`, { apiVersion: 'networking.k8s.io/v1', kind: 'ReachabilityReview', spec: {} }),
    { code: 400, reason: 'BadRequest', message: ['does not match the expected API version (networking.warden.dev/v1)'] });
  assertStatus(await net.review(spec, '?dryRun=Some'), { code: 400, reason: 'BadRequest', message: ['dryRun'] });
});

test('a caller without create on the review resources is refused with kube\'s message', async () => {
  const alice = api(w, w.adminToken, { 'Impersonate-User': 'alice' });
  const traffic = await alice.post(`${reviews}/trafficreviews`, trafficReview(spec));
  assertStatus(traffic, {
    code: 403, reason: 'Forbidden',
    message: ['trafficreviews.networking.warden.dev is forbidden: User "alice" cannot create resource "trafficreviews" in API group "networking.warden.dev" at the cluster scope'],
  });
  const matrix = await alice.post(`${reviews}/reachabilityreviews`, { apiVersion: reviewApiVersion, kind: 'ReachabilityReview', spec: {} });
  assertStatus(matrix, { code: 403, reason: 'Forbidden', message: ['cannot create resource "reachabilityreviews" in API group "networking.warden.dev"'] });
});

test('discovery lists both reviews as cluster-scoped, create-only resources of networking.warden.dev/v1', async () => {
  const groups = ok(await net.get('/apis'));
  const group = (groups.groups as { name: string; preferredVersion: { groupVersion: string } }[]).find((g) => g.name === 'networking.warden.dev');
  assert.equal(group?.preferredVersion.groupVersion, 'networking.warden.dev/v1');
  const list = ok(await net.get('/apis/networking.warden.dev/v1'));
  // In name order, as kube-apiserver lists a group version's resources.
  assert.deepEqual(list.resources, [
    { name: 'reachabilityreviews', singularName: 'reachabilityreview', namespaced: false, kind: 'ReachabilityReview', verbs: ['create'] },
    { name: 'trafficreviews', singularName: 'trafficreview', namespaced: false, kind: 'TrafficReview', verbs: ['create'] },
  ]);
});

test('a traffic review is recorded in the decision log under the destination\'s namespace', async () => {
  const res = await net.review({ source: web, destination: db, port: 5432 });
  const rv = Number(res.headers['x-warden-revision']);
  let entry: { spec: { kind: string; namespace: string; resource: string; question: unknown }; status: { allowed: boolean; reason: string; revision: number } } | undefined;
  for (let i = 0; i < 100 && !entry; i++) {
    const list = ok(await net.get('/apis/audit.warden.dev/v1/decisions?kind=TrafficReview&namespace=y&limit=1'));
    entry = list.items[0];
    if (!entry) await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(entry, 'the decision was written');
  assert.equal(entry.spec.resource, 'trafficreviews');
  assert.deepEqual(entry.spec.question, { source: web, destination: db, port: 5432 });
  assert.deepEqual([entry.status.allowed, entry.status.reason, entry.status.revision], [res.body.status.allowed, res.body.status.reason, rv]);
});
