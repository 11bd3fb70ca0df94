/**
 * Bad input is a 4xx Status naming the field: review bodies (422 Invalid
 * from Warden's checks, 400 when the schema's types are broken) and
 * NetworkPolicy objects (422 with kube's field paths, nothing stored).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestWarden, type TestWarden } from '../support/warden.ts';
import type { Obj } from '../api/builders.ts';
import { assertServing, assertStatus, revision } from '../api/client.ts';
import { matchLabels, namespace, netpol, networkApi, outside, pod, policiesOf, tcp, udp, type NetworkApi } from './support.ts';

let w: TestWarden;
let net: NetworkApi;
before(async () => {
  w = await startTestWarden();
  net = networkApi(w);
  await net.replaceState([namespace('x'), namespace('y'), netpol('y', 'stored', { podSelector: {} })]);
});
after(async () => { await w?.close(); });

const web = pod('x', 'web', { app: 'web' }, { ip: '10.0.1.1' });
const db = pod('y', 'db', { app: 'db' }, { ports: [tcp(5432, 'pg'), udp(53, 'dns')] });
const good = { source: web, destination: db, port: 5432 };

interface Bad { what: string; spec: Obj; code?: number; fields: string[]; message?: string }

const badReviews: Bad[] = [
  { what: 'a missing spec', spec: undefined as unknown as Obj, fields: ['spec.source', 'spec.destination', 'spec.port'] },
  { what: 'a missing source', spec: { destination: db, port: 80 }, fields: ['spec.source'] },
  { what: 'a missing destination and port', spec: { source: web }, fields: ['spec.destination', 'spec.port'] },
  { what: 'an endpoint that is neither a pod nor an address', spec: { ...good, source: {} }, fields: ['spec.source.ip'] },
  { what: 'an invalid outside address', spec: { ...good, source: outside('10.0.0.256') }, fields: ['spec.source.ip'], message: 'must be a valid IP address' },
  { what: 'an invalid pod IP', spec: { ...good, destination: { ...db, ip: 'db.local' } }, fields: ['spec.destination.ip'] },
  {
    what: 'pod fields on an outside address',
    spec: { ...good, source: { ip: '192.0.2.1', labels: { app: 'web' }, ports: [] } },
    fields: ['spec.source.labels', 'spec.source.ports'],
    message: 'may only be set on a pod',
  },
  { what: 'an empty namespace', spec: { ...good, source: { namespace: '', labels: {} } }, fields: ['spec.source.namespace'] },
  {
    what: 'a namespace Warden does not store',
    spec: { ...good, source: pod('nowhere', 'web') },
    fields: ['spec.source.namespace'],
    message: 'spec.source.namespace: Not found: "nowhere"',
  },
  { what: 'an invalid label', spec: { ...good, source: pod('x', 'web', { 'a b': 'c' }) }, fields: ['spec.source.labels'] },
  { what: 'an invalid pod name', spec: { ...good, source: pod('x', 'Web') }, fields: ['spec.source.name'] },
  {
    what: 'container ports out of range, misnamed, duplicated or of an unknown protocol',
    spec: { ...good, destination: pod('y', 'db', {}, { ports: [{ containerPort: 0 }, { containerPort: 80, name: 'http_' }, tcp(81, 'pg'), tcp(82, 'pg'), { containerPort: 83, protocol: 'ICMP' }, { name: 'nr' }] }) },
    fields: [
      'spec.destination.ports[0].containerPort', 'spec.destination.ports[1].name', 'spec.destination.ports[3].name',
      'spec.destination.ports[4].protocol', 'spec.destination.ports[5].containerPort',
    ],
  },
  { what: 'port 0', spec: { ...good, port: 0 }, fields: ['spec.port'], message: 'must be between 1 and 65535, inclusive' },
  { what: 'port 65536', spec: { ...good, port: 65536 }, fields: ['spec.port'] },
  { what: 'a port name that is not one', spec: { ...good, port: '80' }, fields: ['spec.port'], message: 'must contain at least one letter' },
  { what: 'a port that is neither a number nor a name', spec: { ...good, port: 5.5 }, code: 400, fields: ['spec.port'] },
  { what: 'an unknown protocol', spec: { ...good, protocol: 'ICMP' }, fields: ['spec.protocol'], message: 'supported values: "TCP", "UDP", "SCTP"' },
  { what: 'a lowercase protocol', spec: { ...good, protocol: 'tcp' }, fields: ['spec.protocol'] },
  {
    what: 'a named port the destination does not have',
    spec: { ...good, port: 'http' },
    fields: ['spec.port'],
    message: 'spec.port: Not found: "http": spec.destination.ports has no container port of that name',
  },
  { what: 'a named port of another protocol', spec: { ...good, port: 'dns', protocol: 'TCP' }, fields: ['spec.protocol'], message: 'container port "dns" of spec.destination is UDP' },
  { what: 'a named port towards an outside address', spec: { ...good, destination: outside('192.0.2.1'), port: 'http' }, fields: ['spec.port'] },
  { what: 'a source of the wrong type', spec: { ...good, source: 'x/web' }, code: 400, fields: ['spec.source'] },
];

for (const bad of badReviews) {
  test(`a TrafficReview with ${bad.what} is refused naming the field`, async () => {
    const res = await net.review(bad.spec);
    const code = bad.code ?? 422;
    const status = assertStatus(res, { code, reason: code === 422 ? 'Invalid' : 'BadRequest', message: bad.message ? [bad.message] : [] });
    const fields = [...new Set((status.details.causes as { field: string }[]).map((c) => c.field))];
    assert.deepEqual(fields, bad.fields);
    if (code === 422) assert.match(status.message, /^TrafficReview\.networking\.warden\.dev "" is invalid: /);
  });
}

const badMatrices: Bad[] = [
  { what: 'no endpoints', spec: { endpoints: [], port: 80 }, fields: ['spec.endpoints'] },
  { what: 'a bad endpoint', spec: { endpoints: [web, { ip: 'nope' }], port: 80 }, fields: ['spec.endpoints[1].ip'] },
  { what: 'more endpoints than one answer holds', spec: { endpoints: Array.from({ length: 501 }, (_, i) => outside(`10.1.${i >> 8}.${i & 255}`)), port: 80 }, fields: ['spec.endpoints'] },
  { what: 'a named port no endpoint has', spec: { endpoints: [web, db], port: 'http' }, fields: ['spec.port'], message: 'no pod in spec.endpoints has a container port of that name' },
  { what: 'a missing port', spec: { endpoints: [web] }, fields: ['spec.port'] },
];

for (const bad of badMatrices) {
  test(`a ReachabilityReview with ${bad.what} is refused naming the field`, async () => {
    const status = assertStatus(await net.matrix(bad.spec), { code: 422, reason: 'Invalid', message: bad.message ? [bad.message] : [] });
    assert.deepEqual([...new Set((status.details.causes as { field: string }[]).map((c) => c.field))], bad.fields);
  });
}

const badPolicies: { what: string; spec: Obj; fields: string[]; message?: string }[] = [
  {
    what: 'an invalid selector',
    spec: { podSelector: { matchExpressions: [{ key: 'app', operator: 'Is', values: ['web'] }] } },
    fields: ['spec.podSelector.matchExpressions[0].operator'],
  },
  {
    what: 'an In requirement without values',
    spec: { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'In', values: [] }] } }] }] },
    fields: ['spec.ingress[0].from[0].namespaceSelector.matchExpressions[0].values'],
  },
  { what: 'a port out of range', spec: { podSelector: {}, ingress: [{ ports: [{ port: 70000 }] }] }, fields: ['spec.ingress[0].ports[0].port'] },
  {
    what: 'endPort below port',
    spec: { podSelector: {}, egress: [{ ports: [{ port: 8080, endPort: 8000 }] }] },
    fields: ['spec.egress[0].ports[0].endPort'],
    message: 'must be greater than or equal to `port`',
  },
  { what: 'an unknown protocol', spec: { podSelector: {}, ingress: [{ ports: [{ protocol: 'ICMP', port: 80 }] }] }, fields: ['spec.ingress[0].ports[0].protocol'] },
  { what: 'a bad CIDR', spec: { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/33' } }] }] }, fields: ['spec.ingress[0].from[0].ipBlock.cidr'] },
  {
    what: 'an except outside its cidr',
    spec: { podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/16', except: ['10.1.0.0/24'] } }] }] },
    fields: ['spec.egress[0].to[0].ipBlock.except[0]'],
    message: 'must be a strict subset of `cidr`',
  },
  { what: 'an unknown policyType', spec: { podSelector: {}, policyTypes: ['Sideways'] }, fields: ['spec.policyTypes[0]'] },
];

for (const bad of badPolicies) {
  test(`a NetworkPolicy with ${bad.what} is refused naming the field, and nothing is stored`, async () => {
    const before = await revision(net);
    const status = assertStatus(await net.post(policiesOf('x'), netpol('x', 'bad', bad.spec)),
      { code: 422, reason: 'Invalid', message: ['NetworkPolicy.networking.k8s.io "bad" is invalid', ...(bad.message ? [bad.message] : [])] });
    assert.deepEqual((status.details.causes as { field: string }[]).map((c) => c.field), bad.fields);
    assert.equal(await revision(net), before);
  });
}

test('the same policy errors in a what-if are named under spec.whatIf.addPolicies[i]', async () => {
  const addPolicies = [netpol('x', 'fine', { podSelector: matchLabels({ app: 'web' }) }), ...badPolicies.map((b, i) => netpol('x', `bad-${i}`, b.spec))];
  const status = assertStatus(await net.review({ ...good, whatIf: { addPolicies } }), { code: 422, reason: 'Invalid' });
  const expected = badPolicies.flatMap((b, i) => b.fields.map((f) => `spec.whatIf.addPolicies[${i + 1}].${f}`));
  assert.deepEqual((status.details.causes as { field: string }[]).map((c) => c.field), expected);
  await assertServing(w);
});

test('a body nested deeper than any review needs is refused before anything walks it', async () => {
  let deep: Obj = {};
  for (let i = 0; i < 200; i++) deep = { a: deep };
  const whatIf = { addPolicies: [{ ...netpol('x', 'deep', { podSelector: {} }), metadata: { name: 'deep', namespace: 'x', managedFields: [{ fieldsV1: deep }] } }] };
  assertStatus(await net.review({ ...good, whatIf }), { code: 400, reason: 'BadRequest', message: ['levels deep'] });
  await assertServing(w);
});
