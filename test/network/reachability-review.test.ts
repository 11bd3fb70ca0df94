/**
 * ReachabilityReview: the whole matrix in one answer, each cell what a
 * TrafficReview of that pair says, with the egress and ingress sides apart
 * and a named port resolved on each destination.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestWarden, type TestWarden } from '../support/warden.ts';
import type { Obj } from '../api/builders.ts';
import { ok } from '../api/client.ts';
import { matchLabels, namespace, netpol, networkApi, outside, pod, tcp, tripleOf, udp, type NetworkApi } from './support.ts';

let w: TestWarden;
let net: NetworkApi;

const web = pod('x', 'web', { app: 'web' }, { ip: '10.0.1.1', ports: [tcp(8080, 'http')] });
const api = pod('y', 'api', { app: 'api' }, { ip: '10.0.2.1', ports: [tcp(80, 'http'), udp(53, 'dns')] });
const db = pod('y', 'db', { app: 'db' }, { ip: '10.0.2.2', ports: [tcp(5432, 'pg')] });
const ext = outside('192.0.2.10');
const endpoints = [web, api, db, ext];

before(async () => {
  w = await startTestWarden();
  net = networkApi(w);
  await net.replaceState([
    namespace('x'),
    namespace('y'),
    netpol('y', 'api-in', { podSelector: matchLabels({ app: 'api' }), ingress: [{ from: [{ namespaceSelector: {} }], ports: [{ port: 'http' }] }] }),
    netpol('y', 'db-in', { podSelector: matchLabels({ app: 'db' }), ingress: [{ from: [{ podSelector: matchLabels({ app: 'api' }) }] }] }),
    netpol('x', 'web-out', { podSelector: matchLabels({ app: 'web' }), policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/16' } }] }] }),
  ]);
});
after(async () => { await w?.close(); });

async function matrixOf(spec: Obj): Promise<Obj> {
  return ok(await net.matrix(spec), 201).status;
}

for (const port of [80, 8080, 5432, 'http']) {
  test(`every cell for port ${port} is what a TrafficReview of that pair answers`, async () => {
    const m = await matrixOf({ endpoints, port });
    assert.equal(m.size, endpoints.length);
    let allowed = 0;
    for (let i = 0; i < endpoints.length; i++) {
      for (let j = 0; j < endpoints.length; j++) {
        // A named port only makes a connection to a pod that has it.
        if (typeof port === 'string' && !(endpoints[j].ports ?? []).some((p: Obj) => p.name === port)) continue;
        const single = ok(await net.review({ source: endpoints[i], destination: endpoints[j], port }), 201).status;
        assert.deepEqual([m.allowed[i][j], m.ingress[i][j], m.egress[i][j]], tripleOf(single), `cell [${i}][${j}]`);
      }
    }
    for (const row of m.allowed) allowed += row.filter(Boolean).length;
    assert.equal(m.allowedCount, allowed);
  });
}

test('the egress and ingress sides are reported apart', async () => {
  const m = await matrixOf({ endpoints, port: 5432 });
  // web may send to db (10.0.2.2 is inside 10.0.0.0/16) but db only admits api.
  assert.deepEqual([m.allowed[0][2], m.egress[0][2], m.ingress[0][2]], [false, true, false]);
  // web may not send outside the block; the outside address admits anything.
  assert.deepEqual([m.allowed[0][3], m.egress[0][3], m.ingress[0][3]], [false, false, true]);
  // api to db on 5432: both sides allow.
  assert.equal(m.allowed[1][2], true);
});

test('a named port resolves on each destination, to a number or to nothing', async () => {
  const m = await matrixOf({ endpoints, port: 'http' });
  assert.deepEqual(m.destinationPorts, [8080, 80, null, null]);
  assert.equal(m.allowed[2][1], true, 'db reaches api on its http port (80)');
  const udpOnly = await matrixOf({ endpoints, port: 'dns', protocol: 'UDP' });
  assert.deepEqual(udpOnly.destinationPorts, [null, 53, null, null]);
  assert.equal(udpOnly.allowed[0][1], false, 'api admits only its http port');
  const numeric = await matrixOf({ endpoints, port: 80 });
  assert.equal(numeric.destinationPorts, undefined, 'a numeric port needs no resolution');
});

test('a pod reaches itself in the matrix whatever its policies say', async () => {
  const m = await matrixOf({ endpoints, port: 9999 });
  assert.deepEqual([0, 1, 2, 3].map((i) => m.allowed[i][i]), [true, true, true, true]);
  assert.equal(m.allowed[0][1], false);
});
