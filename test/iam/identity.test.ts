/**
 * authenticateToken, the pure core of bearer authentication, as a table:
 * what each kind of token acts as at a given time and state, and when it
 * is refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { authenticateToken, type IdentityState, type TokenIdentity, type UserRecord } from '../../engine/identity.ts';

const now = Date.parse('2030-01-01T00:00:00Z');

function state(tokens: TokenIdentity[], users: UserRecord[] = [], serviceAccounts: [string, string][] = []): IdentityState {
  return {
    tokens: new Map(tokens.map((t) => [`hash-${t.tokenName}`, t])),
    users: new Map(users.map((u) => [u.name, u])),
    serviceAccounts: new Map(serviceAccounts),
  };
}

const token = (tokenName: string, user: string, extra: Partial<TokenIdentity> = {}): TokenIdentity => ({ tokenName, user, groups: [], ...extra });

const cases: { name: string; state: IdentityState; hash: string; expect: ReturnType<typeof authenticateToken> }[] = [
  {
    name: 'an unknown hash is refused',
    state: state([]), hash: 'hash-x', expect: { ok: false, reason: 'unknown' },
  },
  {
    name: 'a token at its expiry instant is refused',
    state: state([token('t', 'ann', { expiresAt: now })]), hash: 'hash-t', expect: { ok: false, reason: 'expired' },
  },
  {
    name: 'a token a millisecond before its expiry acts as its user',
    state: state([token('t', 'ann', { expiresAt: now + 1 })]), hash: 'hash-t',
    expect: { ok: true, tokenName: 't', user: { name: 'ann', groups: ['system:authenticated'] } },
  },
  {
    name: 'a user-bound token carries the user\'s stored groups, its own, and system:authenticated, each once',
    state: state([token('t', 'ann', { groups: ['ops', 'devs'], boundTo: { kind: 'User', uid: 'u1' } })], [{ name: 'ann', uid: 'u1', groups: ['devs', 'qa'] }]),
    hash: 'hash-t', expect: { ok: true, tokenName: 't', user: { name: 'ann', groups: ['devs', 'qa', 'ops', 'system:authenticated'] } },
  },
  {
    name: 'a user-bound token whose user is gone is refused',
    state: state([token('t', 'ann', { boundTo: { kind: 'User', uid: 'u1' } })]), hash: 'hash-t', expect: { ok: false, reason: 'unbound' },
  },
  {
    name: 'a user-bound token whose user was recreated (another uid) is refused',
    state: state([token('t', 'ann', { boundTo: { kind: 'User', uid: 'u1' } })], [{ name: 'ann', uid: 'u2', groups: [] }]),
    hash: 'hash-t', expect: { ok: false, reason: 'unbound' },
  },
  {
    name: 'an unbound token (the bootstrap admin\'s) needs no stored user',
    state: state([token('admin', 'warden:admin', { groups: ['system:masters'] })]), hash: 'hash-admin',
    expect: { ok: true, tokenName: 'admin', user: { name: 'warden:admin', groups: ['system:masters', 'system:authenticated'] } },
  },
  {
    name: 'a service-account token acts as the account, with its uid and the service-account groups',
    state: state([token('s', 'system:serviceaccount:shop:builder', { boundTo: { kind: 'ServiceAccount', uid: 'sa1' } })], [], [['shop/builder', 'sa1']]),
    hash: 'hash-s',
    expect: {
      ok: true, tokenName: 's',
      user: { name: 'system:serviceaccount:shop:builder', uid: 'sa1', groups: ['system:serviceaccounts', 'system:serviceaccounts:shop', 'system:authenticated'] },
    },
  },
  {
    name: 'a service-account token whose account is gone is refused',
    state: state([token('s', 'system:serviceaccount:shop:builder', { boundTo: { kind: 'ServiceAccount', uid: 'sa1' } })]),
    hash: 'hash-s', expect: { ok: false, reason: 'unbound' },
  },
  {
    name: 'a service-account token whose account was recreated is refused',
    state: state([token('s', 'system:serviceaccount:shop:builder', { boundTo: { kind: 'ServiceAccount', uid: 'sa1' } })], [], [['shop/builder', 'sa2']]),
    hash: 'hash-s', expect: { ok: false, reason: 'unbound' },
  },
  {
    name: 'a token bound to a service account but naming no service-account user is refused',
    state: state([token('s', 'ann', { boundTo: { kind: 'ServiceAccount', uid: 'sa1' } })], [], [['shop/builder', 'sa1']]),
    hash: 'hash-s', expect: { ok: false, reason: 'unbound' },
  },
];

for (const c of cases) {
  test(c.name, () => {
    assert.deepEqual(authenticateToken(c.state, c.hash, now), c.expect);
  });
}
