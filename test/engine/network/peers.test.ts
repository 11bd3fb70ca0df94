import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALLOW, DENY_IN, decide, ingressFrom, labels, outside, pod, policy, state, type Triple } from './builders.ts';
import type { Endpoint, NetworkPolicyPeer } from '../../../engine/network/types.ts';

// Namespaces: x (team=a), y (team=b), z (no extra labels). The protected pod is x/db.
const namespaces = { x: { team: 'a' }, y: { team: 'b' }, z: {} };
const db = pod('x', 'db', { app: 'db' });
const sources: Record<string, Endpoint> = {
  'x/web': pod('x', 'web', { app: 'web' }),
  'x/api': pod('x', 'api', { app: 'api', tier: 'back' }),
  'y/web': pod('y', 'web', { app: 'web' }),
  'y/api': pod('y', 'api', { app: 'api', tier: 'back' }),
  'z/web': pod('z', 'web', { app: 'web' }),
  'ghost/web': pod('ghost', 'web', { app: 'web' }),
  outside: outside('203.0.113.5'),
};

function admitted(...from: NetworkPolicyPeer[]): string[] {
  const st = state(namespaces, [policy('x', 'db-in', { podSelector: labels({ app: 'db' }), ingress: [ingressFrom(...from)] })]);
  return Object.entries(sources).filter(([, s]) => decide(st, s, db)[0]).map(([k]) => k);
}

test('peer selectors admit the right sources', () => {
  const cases: Array<[string, NetworkPolicyPeer[], string[]]> = [
    ['podSelector {} alone is every pod of the policy namespace only', [{ podSelector: {} }], ['x/web', 'x/api']],
    ['namespaceSelector {} is every pod of every namespace, never outside addresses',
      [{ namespaceSelector: {} }], ['x/web', 'x/api', 'y/web', 'y/api', 'z/web', 'ghost/web']],
    ['podSelector alone stays in the policy namespace', [{ podSelector: labels({ app: 'web' }) }], ['x/web']],
    ['both selectors in one element are ANDed',
      [{ namespaceSelector: labels({ team: 'b' }), podSelector: labels({ app: 'web' }) }], ['y/web']],
    ['two elements are ORed',
      [{ namespaceSelector: labels({ team: 'b' }) }, { podSelector: labels({ app: 'web' }) }], ['x/web', 'y/web', 'y/api']],
    ['namespaceSelector {} with a podSelector picks that pod in every namespace',
      [{ namespaceSelector: {}, podSelector: labels({ app: 'api' }) }], ['x/api', 'y/api']],
    ['a namespace is selectable by its kubernetes.io/metadata.name label',
      [{ namespaceSelector: labels({ 'kubernetes.io/metadata.name': 'z' }) }], ['z/web']],
    ['NotIn matches namespaces that lack the key',
      [{ namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'NotIn', values: ['a'] }] } }], ['y/web', 'y/api', 'z/web', 'ghost/web']],
    ['DoesNotExist matches pods without the key',
      [{ podSelector: { matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] } }], ['x/web']],
    ['matchLabels with an empty value does not match a pod lacking the key',
      [{ podSelector: labels({ tier: '' }) }], []],
    ['a peer with no field admits no one', [{}], []],
  ];
  for (const [name, peers, want] of cases) assert.deepEqual(admitted(...peers), want, name);
});

test('an unknown namespace has no labels: only {} selects it', () => {
  const ghost = sources['ghost/web'];
  const st = (peer: NetworkPolicyPeer) =>
    state(namespaces, [policy('x', 'p', { podSelector: {}, ingress: [ingressFrom(peer)] })]);
  const cases: Array<[NetworkPolicyPeer, Triple]> = [
    [{ namespaceSelector: {} }, ALLOW],
    [{ namespaceSelector: labels({ 'kubernetes.io/metadata.name': 'ghost' }) }, DENY_IN],
    [{ namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'DoesNotExist' }] } }, ALLOW],
  ];
  for (const [peer, want] of cases) assert.deepEqual(decide(st(peer), ghost, db), want, JSON.stringify(peer));
});
