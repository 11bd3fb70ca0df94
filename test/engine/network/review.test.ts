import { test } from 'node:test';
import assert from 'node:assert/strict';
import { egressTo, ingressFrom, labels, outside, pod, policy, state, tcp } from './builders.ts';
import { compileNetworkState } from '../../../engine/network/compile.ts';
import { reviewTraffic } from '../../../engine/network/review.ts';
import type { NetworkPolicy } from '../../../engine/network/types.ts';

const namespaces = { x: {}, y: {} };
const web = pod('x', 'web', { app: 'web' }, { ip: '10.0.0.1' });
const db = pod('y', 'db', { app: 'db' }, { ip: '10.0.1.1', ports: [tcp(5432, 'pg')] });

const dbIn = policy('y', 'db-in', {
  podSelector: labels({ app: 'db' }),
  ingress: [ingressFrom({ podSelector: labels({ app: 'api' }) }), ingressFrom({ namespaceSelector: labels({ 'kubernetes.io/metadata.name': 'x' }) })],
});
const denyAll = policy('y', 'deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
const webOut = policy('x', 'web-out', { podSelector: labels({ app: 'web' }), egress: [egressTo({ ipBlock: { cidr: '192.0.2.0/24' } }), egressTo({ namespaceSelector: {} })] });

test('an allowed connection lists the selecting policies and the rules that allowed it', () => {
  const r = reviewTraffic(state(namespaces, [dbIn, denyAll, webOut]), { source: web, destination: db, port: 5432 });
  assert.equal(r.allowed, true);
  assert.deepEqual(r.egress, { allowed: true, isolated: true, policies: [{ namespace: 'x', name: 'web-out', tenantDefault: false, allowed: true, rules: [1] }] });
  assert.deepEqual(r.ingress, {
    allowed: true,
    isolated: true,
    policies: [
      { namespace: 'y', name: 'db-in', tenantDefault: false, allowed: true, rules: [1] },
      { namespace: 'y', name: 'deny-all', tenantDefault: false, allowed: false, rules: [] },
    ],
  });
  assert.equal(r.reason,
    'allowed: TCP/5432 from pod x/web to pod y/db; egress allowed by NetworkPolicy x/web-out rule spec.egress[1]; ingress allowed by NetworkPolicy y/db-in rule spec.ingress[1]');
});

test('a denial names the denying side first and every selecting policy', () => {
  const r = reviewTraffic(state(namespaces, [denyAll]), { source: web, destination: db, port: 5432 });
  assert.equal(r.allowed, false);
  assert.equal(r.reason,
    'denied: TCP/5432 from pod x/web to pod y/db; ingress denied: no rule of the policies selecting pod y/db for Ingress allows it (NetworkPolicy y/deny-all); egress not isolated (no NetworkPolicy selects pod x/web for Egress)');
});

test('outside addresses are never isolated', () => {
  const st = state(namespaces, [denyAll, webOut]);
  const inbound = reviewTraffic(st, { source: outside('192.0.2.1'), destination: pod('x', 'other'), port: 80 });
  assert.equal(inbound.allowed, true);
  assert.deepEqual(inbound.egress, { allowed: true, isolated: false, policies: [] });
  assert.match(inbound.reason, /egress not restricted \(outside address 192\.0\.2\.1\)/);
  const outbound = reviewTraffic(st, { source: web, destination: outside('192.0.2.1'), port: 443 });
  assert.equal(outbound.allowed, true);
  assert.match(outbound.reason, /egress allowed by NetworkPolicy x\/web-out rule spec\.egress\[0\]; ingress not restricted/);
  assert.equal(reviewTraffic(st, { source: web, destination: outside('198.51.100.1'), port: 443 }).allowed, false);
});

test('a pod can always reach itself; the plain evaluation is kept aside', () => {
  const r = reviewTraffic(state(namespaces, [denyAll]), { source: db, destination: db, port: 5432 });
  assert.equal(r.allowed, true);
  assert.equal(r.ingress.allowed, true);
  assert.equal(r.egress.allowed, true);
  assert.deepEqual(r.samePod, { ingressAllowed: false, egressAllowed: false });
  assert.match(r.reason, /same pod, and a pod can always reach itself/);
  const sameIp = reviewTraffic(state(namespaces, [denyAll]), { source: { namespace: 'y', ip: '10.0.1.1' }, destination: { namespace: 'y', ip: '10.0.1.1' }, port: 1 });
  assert.equal(sameIp.allowed, true, 'without names, the same IP in the same namespace is the same pod');
  const twins = reviewTraffic(state(namespaces, [denyAll]), { source: pod('y', 'a'), destination: pod('y', 'b'), port: 1 });
  assert.equal(twins.allowed, false);
  assert.equal(twins.samePod, undefined);
});

test('tenant default policies act in their namespace and are flagged', () => {
  const defaultDeny: NetworkPolicy = { metadata: { name: 'tenant-default-deny' }, spec: { podSelector: {}, policyTypes: ['Ingress'] } };
  const st = state(namespaces, [], { y: [defaultDeny] });
  const r = reviewTraffic(st, { source: web, destination: db, port: 5432 });
  assert.equal(r.allowed, false);
  assert.deepEqual(r.ingress.policies, [{ namespace: 'y', name: 'tenant-default-deny', tenantDefault: true, allowed: false, rules: [] }]);
  assert.match(r.reason, /\(tenant default NetworkPolicy y\/tenant-default-deny\)/);
  assert.equal(reviewTraffic(st, { source: db, destination: web, port: 80 }).allowed, true, 'defaults of y do not touch x');
  const opened = reviewTraffic(state(namespaces, [dbIn], { y: [defaultDeny] }), { source: web, destination: db, port: 5432 });
  assert.equal(opened.allowed, true, 'a regular policy can open what a default closes');
});

test('a named port is resolved and reported', () => {
  const r = reviewTraffic(state(namespaces, [dbIn]), { source: web, destination: db, port: 'pg' });
  assert.deepEqual(r.connection, { port: 5432, protocol: 'TCP', portName: 'pg' });
  assert.match(r.reason, /^allowed: TCP\/5432 \(port pg\) from pod x\/web to pod y\/db/);
});

test('what-if adds and removes policies on a copy and writes nothing', () => {
  const policies = [dbIn];
  const st = state(namespaces, policies);
  const q = { source: web, destination: db, port: 5432 };
  assert.equal(reviewTraffic(st, q).allowed, true);
  assert.equal(reviewTraffic(st, q, { removePolicies: [{ namespace: 'y', name: 'db-in' }], addPolicies: [denyAll] }).allowed, false);
  const replaced = policy('y', 'db-in', { podSelector: labels({ app: 'db' }), ingress: [] });
  assert.equal(reviewTraffic(st, q, { addPolicies: [replaced] }).allowed, false, 'an added policy replaces one of the same name');
  assert.equal(reviewTraffic(st, q).allowed, true);
  assert.deepEqual(policies, [dbIn]);
  const compiled = compileNetworkState(st);
  assert.equal(reviewTraffic(compiled, q, { addPolicies: [replaced] }).allowed, false, 'what-if on a compiled state');
  assert.equal(reviewTraffic(compiled, q).allowed, true);
});

test('a policy the API would reject never crashes a review and matches nothing', () => {
  const broken = policy('y', 'broken', {
    podSelector: {},
    ingress: [ingressFrom({ ipBlock: { cidr: 'nope' } }, {}, { ipBlock: { cidr: '10.0.0.0/8', except: ['bad'] } })],
  });
  const r = reviewTraffic(state(namespaces, [broken]), { source: web, destination: db, port: 5432 });
  assert.equal(r.allowed, true, 'the valid third peer still admits 10.0.0.1; the bad except carves nothing');
  assert.equal(reviewTraffic(state(namespaces, [broken]), { source: outside('192.0.2.1'), destination: db, port: 1 }).allowed, false);
});
