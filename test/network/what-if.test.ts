/**
 * What-if: a review may add (or replace) and remove policies for its own
 * answer. The answer is what the stored state with that change would give;
 * nothing is written, and the next plain review sees the stored state.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestWarden, type TestWarden } from '../support/warden.ts';
import { assertStatus, ok, revision } from '../api/client.ts';
import {
  ALLOW, DENY_IN, DENY_OUT, matchLabels, namespace, netpol, networkApi, outside, pod, policiesOf, type NetworkApi,
} from './support.ts';

let w: TestWarden;
let net: NetworkApi;

const web = pod('x', 'web', { app: 'web' });
const db = pod('y', 'db', { app: 'db' });
const cache = pod('y', 'cache', { app: 'cache' });
const dbFromWeb = netpol('y', 'db-from-web', {
  podSelector: matchLabels({ app: 'db' }),
  ingress: [{ from: [{ namespaceSelector: {}, podSelector: matchLabels({ app: 'web' }) }] }],
});
const yClosed = netpol('y', 'y-closed', { podSelector: {}, policyTypes: ['Ingress'] });

before(async () => {
  w = await startTestWarden();
  net = networkApi(w);
  await net.replaceState([namespace('x'), namespace('y'), yClosed, dbFromWeb]);
});
after(async () => { await w?.close(); });

test('an added policy decides as a stored one would, and is not stored', async () => {
  const before = await revision(net);
  assert.deepEqual(await net.decide(web, cache, 6379), DENY_IN);
  const cacheFromWeb = netpol('y', 'cache-from-web', { podSelector: matchLabels({ app: 'cache' }), ingress: [{ from: [{ namespaceSelector: {} }] }] });
  const res = await net.review({ source: web, destination: cache, port: 6379, whatIf: { addPolicies: [cacheFromWeb] } });
  assert.equal(res.status, 201);
  assert.equal(res.body.status.allowed, true);
  assert.deepEqual(res.body.status.ingress.policies.map((p: { name: string; allowed: boolean }) => [p.name, p.allowed]),
    [['y-closed', false], ['cache-from-web', true]]);
  assert.deepEqual(res.body.spec.whatIf.addPolicies, [cacheFromWeb], 'the what-if is echoed');
  assert.equal(await revision(net), before);
  assertStatus(await net.get(`${policiesOf('y')}/cache-from-web`), { code: 404, reason: 'NotFound' });
  assert.deepEqual(await net.decide(web, cache, 6379), DENY_IN, 'the next plain review sees the stored state');
});

test('a removed policy no longer decides, and stays stored', async () => {
  const before = await revision(net);
  const removePolicies = [{ namespace: 'y', name: 'y-closed' }, { namespace: 'y', name: 'db-from-web' }];
  assert.deepEqual(await net.decide(cache, db, 5432, undefined, { removePolicies }), ALLOW);
  assert.deepEqual(await net.decide(cache, db, 5432, undefined, { removePolicies: removePolicies.slice(0, 1) }), DENY_IN,
    'db-from-web still isolates db');
  ok(await net.get(`${policiesOf('y')}/y-closed`));
  assert.equal(await revision(net), before);
});

test('an added policy with a stored policy\'s name replaces it', async () => {
  const narrower = netpol('y', 'db-from-web', { podSelector: matchLabels({ app: 'db' }), ingress: [{ ports: [{ port: 5433 }] }] });
  assert.deepEqual(await net.decide(web, db, 5432), ALLOW);
  assert.deepEqual(await net.decide(web, db, 5432, undefined, { addPolicies: [narrower] }), DENY_IN);
  assert.deepEqual(await net.decide(web, db, 5433, undefined, { addPolicies: [narrower] }), ALLOW);
});

test('an added egress policy isolates its pods\' egress', async () => {
  const webOut = netpol('x', 'web-out', { podSelector: matchLabels({ app: 'web' }), egress: [{ to: [{ ipBlock: { cidr: '192.0.2.0/24' } }] }] });
  assert.deepEqual(await net.decide(web, outside('198.51.100.1'), 443, undefined, { addPolicies: [webOut] }), DENY_OUT);
  assert.deepEqual(await net.decide(web, outside('192.0.2.1'), 443, undefined, { addPolicies: [webOut] }), ALLOW);
});

test('a ReachabilityReview takes the same what-if', async () => {
  const endpoints = [web, db, cache];
  const stored = ok(await net.matrix({ endpoints, port: 5432 }), 201).status;
  const changed = ok(await net.matrix({ endpoints, port: 5432, whatIf: { removePolicies: [{ namespace: 'y', name: 'y-closed' }] } }), 201).status;
  assert.deepEqual(stored.allowed, [[true, true, false], [true, true, false], [true, false, true]]);
  assert.deepEqual(changed.allowed, [[true, true, true], [true, true, true], [true, false, true]]);
});

test('a what-if is checked: valid policies in stored namespaces, named once, removals of stored policies', async () => {
  const whatIf = {
    addPolicies: [
      netpol('nowhere', 'p', { podSelector: {} }),
      netpol('x', 'twice', { podSelector: {} }),
      netpol('x', 'twice', { podSelector: {} }),
      { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'no-namespace' }, spec: {} },
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'wrong-kind', namespace: 'x' }, spec: {} },
    ],
    removePolicies: [{ namespace: 'y', name: 'not-stored' }, { name: 'y-closed' }],
  };
  const status = assertStatus(await net.review({ source: web, destination: db, port: 5432, whatIf }), { code: 422, reason: 'Invalid' });
  assert.deepEqual((status.details.causes as { field: string; reason: string }[]).map((c) => `${c.field} ${c.reason}`), [
    'spec.whatIf.addPolicies[0].metadata.namespace FieldValueNotFound',
    'spec.whatIf.addPolicies[2].metadata.name FieldValueDuplicate',
    'spec.whatIf.addPolicies[3].metadata.namespace FieldValueRequired',
    'spec.whatIf.addPolicies[4].apiVersion FieldValueNotSupported',
    'spec.whatIf.addPolicies[4].kind FieldValueNotSupported',
    'spec.whatIf.removePolicies[0].name FieldValueNotFound',
    'spec.whatIf.removePolicies[1].namespace FieldValueRequired',
  ]);
  const matrix = assertStatus(await net.matrix({ endpoints: [web], port: 80, whatIf: { removePolicies: [{ namespace: 'y', name: 'gone' }] } }), { code: 422, reason: 'Invalid' });
  assert.equal(matrix.details.causes[0].field, 'spec.whatIf.removePolicies[0].name');
});
