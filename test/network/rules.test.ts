/**
 * NetworkPolicy semantics as a TrafficReview answers them over HTTP, with
 * namespaces and policies stored through the API: one table row per rule,
 * each row a fresh platform and the connections it decides.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestWarden, type TestWarden } from '../support/warden.ts';
import type { Obj } from '../api/builders.ts';
import {
  ALLOW, DENY_BOTH, DENY_IN, DENY_OUT, matchLabels, namespace, netpol, networkApi, outside, pod, tcp, udp, type NetworkApi, type Triple,
} from './support.ts';

let w: TestWarden;
let net: NetworkApi;
before(async () => {
  w = await startTestWarden();
  net = networkApi(w);
});
after(async () => { await w?.close(); });

// Namespaces x (team a) and y (team b); the server adds kubernetes.io/metadata.name.
const namespaces = [namespace('x', { team: 'a' }), namespace('y', { team: 'b' })];
const web = pod('x', 'web', { app: 'web' }, { ip: '10.0.1.1', ports: [tcp(80, 'http')] });
const apiX = pod('x', 'api-x', { app: 'api' }, { ip: '10.0.1.2' });
const api = pod('y', 'api', { app: 'api', tier: 'back' }, { ip: '10.0.2.1', ports: [tcp(80, 'http'), tcp(9090, 'metrics')] });
const db = pod('y', 'db', { app: 'db' }, { ip: '10.0.2.2', ports: [tcp(5432, 'pg')] });
const canary = pod('y', 'canary', { app: 'db', canary: '' }, { ip: '10.0.2.3' });
const ext = outside('192.0.2.10');

type Check = [from: Obj, to: Obj, port: number | string, expected: Triple, protocol?: string];
interface Row { rule: string; policies: Obj[]; checks: Check[] }

const rows: Row[] = [
  {
    rule: 'a policy with no rules and no policyTypes isolates ingress only',
    policies: [netpol('y', 'quiet', { podSelector: {} })],
    checks: [[web, api, 80, DENY_IN], [api, web, 80, ALLOW], [api, ext, 443, ALLOW]],
  },
  {
    rule: 'egress: [] without policyTypes does not isolate egress',
    policies: [netpol('y', 'open-in', { podSelector: {}, ingress: [{}], egress: [] })],
    checks: [[api, web, 80, ALLOW], [api, ext, 443, ALLOW], [web, api, 80, ALLOW]],
  },
  {
    rule: 'policyTypes [Egress] ignores the ingress rules the policy carries',
    policies: [netpol('y', 'egress-only', { podSelector: {}, policyTypes: ['Egress'], ingress: [{ from: [{ podSelector: {} }] }] })],
    checks: [[web, api, 80, ALLOW], [api, db, 5432, DENY_OUT], [ext, db, 5432, ALLOW]],
  },
  {
    rule: 'ingress: [{}] admits everyone, outside addresses too; ingress: [] admits no one',
    policies: [
      netpol('y', 'open', { podSelector: matchLabels({ app: 'api' }), ingress: [{}] }),
      netpol('y', 'closed', { podSelector: matchLabels({ app: 'db' }), ingress: [], policyTypes: ['Ingress'] }),
    ],
    checks: [[ext, api, 80, ALLOW], [web, api, 80, ALLOW], [ext, db, 5432, DENY_IN], [api, db, 5432, DENY_IN]],
  },
  {
    rule: 'from: [] is the same as a missing from: every source',
    policies: [netpol('y', 'empty-from', { podSelector: matchLabels({ app: 'db' }), ingress: [{ from: [], ports: [{ port: 5432 }] }] })],
    checks: [[ext, db, 5432, ALLOW], [web, db, 5432, ALLOW], [web, db, 5433, DENY_IN]],
  },
  {
    rule: 'a podSelector-only peer means pods of the policy\'s own namespace',
    policies: [netpol('y', 'same-ns', { podSelector: matchLabels({ app: 'db' }), ingress: [{ from: [{ podSelector: {} }] }] })],
    checks: [[api, db, 5432, ALLOW], [web, db, 5432, DENY_IN], [ext, db, 5432, DENY_IN]],
  },
  {
    rule: 'a namespaceSelector {} peer is every namespace but no outside address',
    policies: [netpol('y', 'any-ns', { podSelector: matchLabels({ app: 'db' }), ingress: [{ from: [{ namespaceSelector: {} }] }] })],
    checks: [[web, db, 5432, ALLOW], [api, db, 5432, ALLOW], [ext, db, 5432, DENY_IN]],
  },
  {
    rule: 'selectors in one peer element must both match (AND)',
    policies: [netpol('y', 'and', {
      podSelector: matchLabels({ app: 'db' }),
      ingress: [{ from: [{ namespaceSelector: matchLabels({ team: 'a' }), podSelector: matchLabels({ app: 'api' }) }] }],
    })],
    checks: [[apiX, db, 5432, ALLOW], [web, db, 5432, DENY_IN], [api, db, 5432, DENY_IN]],
  },
  {
    rule: 'separate peer elements each admit on their own (OR)',
    policies: [netpol('y', 'or', {
      podSelector: matchLabels({ app: 'db' }),
      ingress: [{ from: [{ namespaceSelector: matchLabels({ team: 'a' }) }, { podSelector: matchLabels({ app: 'api' }) }] }],
    })],
    checks: [[apiX, db, 5432, ALLOW], [web, db, 5432, ALLOW], [api, db, 5432, ALLOW], [canary, db, 5432, DENY_IN]],
  },
  {
    rule: 'NotIn matches a pod without the label',
    policies: [netpol('y', 'not-back', {
      podSelector: matchLabels({ app: 'db' }),
      ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['back'] }] } }] }],
    })],
    checks: [[web, db, 5432, ALLOW], [api, db, 5432, DENY_IN]],
  },
  {
    rule: 'matchLabels with an empty value selects only pods that carry the label',
    policies: [netpol('y', 'canary-only', { podSelector: matchLabels({ canary: '' }), policyTypes: ['Ingress'] })],
    checks: [[web, db, 5432, ALLOW], [web, canary, 5432, DENY_IN]],
  },
  {
    rule: 'a named port resolves on the destination pod, for egress rules too, and never on an outside address',
    policies: [netpol('x', 'web-out', { podSelector: matchLabels({ app: 'web' }), egress: [{ ports: [{ port: 'http' }] }] })],
    checks: [[web, api, 'http', ALLOW], [web, api, 80, ALLOW], [web, api, 9090, DENY_OUT], [web, db, 5432, DENY_OUT], [web, ext, 80, DENY_OUT]],
  },
  {
    rule: 'a port entry admits only its own protocol, named or not',
    policies: [netpol('y', 'other-protocols', {
      podSelector: matchLabels({ app: 'api' }),
      ingress: [{ ports: [{ port: 'metrics', protocol: 'UDP' }, { protocol: 'SCTP' }] }],
    })],
    checks: [[web, api, 9090, DENY_IN], [web, api, 'metrics', DENY_IN], [web, api, 80, DENY_IN], [web, api, 80, ALLOW, 'SCTP']],
  },
  {
    rule: 'endPort makes an inclusive range, still bound to its protocol',
    policies: [netpol('y', 'range', { podSelector: matchLabels({ app: 'api' }), ingress: [{ ports: [{ port: 8000, endPort: 8080 }] }] })],
    checks: [[web, api, 8000, ALLOW], [web, api, 8080, ALLOW], [web, api, 7999, DENY_IN], [web, api, 8081, DENY_IN], [web, api, 8000, DENY_IN, 'UDP']],
  },
  {
    rule: 'an ipBlock admits addresses in cidr outside every except; another policy may still admit an excepted one',
    policies: [
      netpol('y', 'block', {
        podSelector: matchLabels({ app: 'api' }),
        ingress: [{ from: [{ ipBlock: { cidr: '192.0.2.0/24', except: ['192.0.2.128/25'] } }, { ipBlock: { cidr: '10.0.1.0/24' } }] }],
      }),
      netpol('y', 'block-2', { podSelector: matchLabels({ app: 'api' }), ingress: [{ from: [{ ipBlock: { cidr: '192.0.2.192/26' } }] }] }),
    ],
    checks: [
      [ext, api, 80, ALLOW],
      [outside('192.0.2.150'), api, 80, DENY_IN],
      [outside('192.0.2.200'), api, 80, ALLOW],
      [outside('198.51.100.1'), api, 80, DENY_IN],
      [outside('2001:db8::1'), api, 80, DENY_IN],
      [web, api, 80, ALLOW],
      [db, api, 80, DENY_IN],
    ],
  },
  {
    rule: 'outside addresses are never isolated: from outside only ingress decides, to outside only egress',
    policies: [netpol('x', 'x-closed', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] })],
    checks: [[ext, web, 80, DENY_IN], [web, ext, 80, DENY_OUT], [ext, api, 80, ALLOW], [api, ext, 80, ALLOW]],
  },
  {
    rule: 'both ends must allow: the source\'s egress and the destination\'s ingress are separate',
    policies: [
      netpol('x', 'web-to-y', { podSelector: matchLabels({ app: 'web' }), policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: matchLabels({ team: 'b' }) }] }] }),
      netpol('y', 'db-from-api', { podSelector: matchLabels({ app: 'db' }), ingress: [{ from: [{ podSelector: matchLabels({ app: 'api' }) }] }] }),
    ],
    checks: [[web, api, 80, ALLOW], [web, db, 5432, DENY_IN], [web, apiX, 80, DENY_OUT], [api, db, 5432, ALLOW]],
  },
  {
    rule: 'a policy in another namespace never isolates a pod',
    policies: [netpol('x', 'x-closed', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] })],
    checks: [[api, db, 5432, ALLOW], [db, api, 80, ALLOW]],
  },
  {
    rule: 'namespace labels are the stored ones, kubernetes.io/metadata.name included',
    policies: [netpol('y', 'by-name', {
      podSelector: matchLabels({ app: 'db' }),
      ingress: [{ from: [{ namespaceSelector: matchLabels({ 'kubernetes.io/metadata.name': 'x' }) }] }],
    })],
    checks: [[web, db, 5432, ALLOW], [api, db, 5432, DENY_IN]],
  },
];

for (const row of rows) {
  test(row.rule, async () => {
    await net.replaceState([...namespaces, ...row.policies]);
    for (const [from, to, port, expected, protocol] of row.checks) {
      const got = await net.decide(from, to, port, protocol);
      const what = `${from.name ?? from.ip} -> ${to.name ?? to.ip} ${protocol ?? 'TCP'}/${port}`;
      assert.deepEqual(got, expected, `${what}: (allowed, ingress, egress)`);
    }
  });
}

test('a pod can always reach itself, and the review keeps what its policies alone say', async () => {
  await net.replaceState([...namespaces, netpol('y', 'closed', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] })]);
  const res = await net.review({ source: db, destination: db, port: 5432 });
  assert.equal(res.status, 201);
  const status = res.body.status;
  assert.deepEqual([status.allowed, status.ingress.allowed, status.egress.allowed], ALLOW);
  assert.deepEqual(status.samePod, { ingressAllowed: false, egressAllowed: false });
  assert.match(status.reason, /source and destination are the same pod/);
  assert.deepEqual(await net.decide(api, db, 5432), DENY_BOTH, 'another pod of the namespace is still refused');
});

test('the reason names the policy and rule that decided each side', async () => {
  await net.replaceState([...namespaces, ...rows.find((r) => r.rule.startsWith('separate peer'))!.policies]);
  const res = await net.review({ source: web, destination: db, port: 5432 });
  assert.equal(res.body.status.reason,
    'allowed: TCP/5432 from pod x/web to pod y/db; egress not isolated (no NetworkPolicy selects pod x/web for Egress); ' +
    'ingress allowed by NetworkPolicy y/or rule spec.ingress[0]');
  assert.deepEqual(res.body.status.ingress.policies, [{ namespace: 'y', name: 'or', tenantDefault: false, allowed: true, rules: [0] }]);
  const denied = await net.review({ source: canary, destination: db, port: 5432 });
  assert.equal(denied.body.status.reason,
    'denied: TCP/5432 from pod y/canary to pod y/db; ingress denied: no rule of the policies selecting pod y/db for Ingress allows it ' +
    '(NetworkPolicy y/or); egress not isolated (no NetworkPolicy selects pod y/canary for Egress)');
});

test('a named port is reported with the number it resolved to', async () => {
  await net.replaceState(namespaces);
  const res = await net.review({ source: web, destination: api, port: 'metrics' });
  assert.deepEqual(res.body.status.connection, { port: 9090, protocol: 'TCP', portName: 'metrics' });
  const dns = await net.review({ source: web, destination: pod('y', 'dns', {}, { ports: [udp(53, 'dns')] }), port: 'dns' });
  assert.deepEqual(dns.body.status.connection, { port: 53, protocol: 'UDP', portName: 'dns' }, 'the protocol follows the named port');
});
