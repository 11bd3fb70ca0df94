import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ALLOW, DENY_BOTH, DENY_IN, DENY_OUT, decide, egressTo, ingressFrom, labels, outside, pod, policy, state, type Triple,
} from './builders.ts';
import type { NetworkPolicy, NetworkPolicySpec } from '../../../engine/network/types.ts';

const web = pod('x', 'web', { app: 'web' });
const db = pod('x', 'db', { app: 'db' });
const namespaces = { x: {}, y: {} };
const only = (spec: NetworkPolicySpec) => state(namespaces, [policy('x', 'p', spec)]);

test('policyTypes defaulting decides which directions a policy isolates', () => {
  const cases: Array<[string, NetworkPolicySpec, Triple, Triple]> = [
    // name, spec on pod "db", web -> db, db -> web
    ['no rules, no policyTypes: ingress denied', { podSelector: labels({ app: 'db' }) }, DENY_IN, ALLOW],
    ['egress: [] without policyTypes does not isolate egress', { podSelector: labels({ app: 'db' }), egress: [] }, DENY_IN, ALLOW],
    ['egress rules without policyTypes isolate egress too',
      { podSelector: labels({ app: 'db' }), egress: [egressTo({ podSelector: labels({ app: 'none' }) })] }, DENY_IN, DENY_OUT],
    ['policyTypes [Egress] ignores ingress rules',
      { podSelector: labels({ app: 'db' }), ingress: [{}], policyTypes: ['Egress'] }, ALLOW, DENY_OUT],
    ['policyTypes [Ingress] ignores egress rules',
      { podSelector: labels({ app: 'db' }), egress: [{}], policyTypes: ['Ingress'] }, DENY_IN, ALLOW],
    ['policyTypes [Ingress, Egress] with no rules denies both', { podSelector: labels({ app: 'db' }), policyTypes: ['Ingress', 'Egress'] }, DENY_IN, DENY_OUT],
    ['empty policyTypes list defaults like a missing one', { podSelector: labels({ app: 'db' }), policyTypes: [] }, DENY_IN, ALLOW],
  ];
  for (const [name, spec, toDb, fromDb] of cases) {
    const st = only(spec);
    assert.deepEqual(decide(st, web, db), toDb, `${name}: web -> db`);
    assert.deepEqual(decide(st, db, web), fromDb, `${name}: db -> web`);
  }
});

test('ingress: [] denies everything while ingress: [{}] allows everything, outside sources included', () => {
  const deny = only({ podSelector: {}, ingress: [], policyTypes: ['Ingress'] });
  const allow = only({ podSelector: {}, ingress: [{}], policyTypes: ['Ingress'] });
  for (const source of [web, pod('y', 'other'), outside('203.0.113.9')]) {
    assert.deepEqual(decide(deny, source, db), DENY_IN);
    assert.deepEqual(decide(allow, source, db), ALLOW);
  }
});

test('from: [] and a missing from both mean every source', () => {
  for (const rule of [{ from: [] }, {}, { from: null }]) {
    const st = only({ podSelector: {}, ingress: [rule] });
    assert.deepEqual(decide(st, outside('198.51.100.1'), db), ALLOW);
    assert.deepEqual(decide(st, pod('y', 'any'), db), ALLOW);
  }
});

test('a policy isolates only pods of its own namespace', () => {
  const st = state(namespaces, [policy('y', 'deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] })]);
  assert.deepEqual(decide(st, web, db), ALLOW);
  assert.deepEqual(decide(st, web, pod('y', 'a')), DENY_IN);
  assert.deepEqual(decide(st, pod('y', 'a'), web), DENY_OUT);
});

test('both ends must allow: egress of the source and ingress of the destination are independent', () => {
  const policies: NetworkPolicy[] = [
    policy('x', 'web-out', { podSelector: labels({ app: 'web' }), egress: [egressTo({ podSelector: labels({ app: 'db' }) })], policyTypes: ['Egress'] }),
    policy('x', 'db-in', { podSelector: labels({ app: 'db' }), ingress: [ingressFrom({ podSelector: labels({ app: 'api' }) })] }),
  ];
  const st = state(namespaces, policies);
  assert.deepEqual(decide(st, web, db), DENY_IN);
  assert.deepEqual(decide(st, pod('x', 'api', { app: 'api' }), db), ALLOW);
  assert.deepEqual(decide(st, web, pod('x', 'api', { app: 'api' })), DENY_OUT);
  const both = state(namespaces, [...policies, policy('x', 'api-only', { podSelector: labels({ app: 'api' }), policyTypes: ['Ingress'] })]);
  assert.deepEqual(decide(both, web, pod('x', 'api', { app: 'api' })), DENY_BOTH);
});

test('policies selecting the same pod are a union: any one allowing suffices', () => {
  const st = state(namespaces, [
    policy('x', 'strict', { podSelector: labels({ app: 'db' }), ingress: [ingressFrom({ podSelector: labels({ app: 'api' }) })] }),
    policy('x', 'allow-all', { podSelector: {}, ingress: [{}] }),
  ]);
  assert.deepEqual(decide(st, web, db), ALLOW);
  assert.deepEqual(decide(st, outside('192.0.2.1'), db), ALLOW);
});

test('a missing podSelector selects every pod of the namespace, like {}', () => {
  const st = only({ policyTypes: ['Ingress'] });
  assert.deepEqual(decide(st, db, web), DENY_IN);
  assert.deepEqual(decide(st, web, db), DENY_IN);
});
