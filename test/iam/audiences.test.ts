/**
 * checkAudiences, kube's audience rules for an authenticated token, as a
 * table: which audiences a token is good for given what is asked and what
 * an audience-agnostic token implicitly serves, and the refusals.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apiAudiences, authenticateToken, checkAudiences, type AudienceCheck } from '../../engine/identity.ts';

const cases: { name: string; token?: string[]; requested: string[]; implicit?: string[]; expect: AudienceCheck }[] = [
  {
    name: 'an agnostic token asked for nothing is good for Warden\'s own audiences',
    requested: [], implicit: [...apiAudiences], expect: { ok: true, audiences: ['warden'] },
  },
  {
    name: 'an agnostic token is good for the implicit audiences asked for, in the implicit order',
    requested: ['c', 'a'], implicit: ['a', 'b', 'c'], expect: { ok: true, audiences: ['a', 'c'] },
  },
  {
    name: 'an agnostic token asked only for other audiences is refused without a message',
    requested: ['vault'], implicit: ['warden'], expect: { ok: false },
  },
  {
    name: 'with no implicit audiences (the webhook), an agnostic token is good for anything asked and names none',
    requested: ['https://kubernetes.default.svc'], expect: { ok: true, audiences: [] },
  },
  {
    name: 'a token issued for audiences is good for those asked for, in the token\'s order',
    token: ['vault', 'ci'], requested: ['ci', 'x', 'vault'], implicit: ['warden'], expect: { ok: true, audiences: ['vault', 'ci'] },
  },
  {
    name: 'a token issued for audiences asked for nothing is checked against Warden\'s own',
    token: ['warden'], requested: [], implicit: ['warden'], expect: { ok: true, audiences: ['warden'] },
  },
  {
    name: 'a token issued for other audiences is refused with the service-account authenticator\'s message',
    token: ['vault', 'ci'], requested: [], implicit: ['warden'],
    expect: { ok: false, error: 'token audiences ["vault" "ci"] is invalid for the target audiences ["warden"]' },
  },
  {
    name: 'the implicit audiences never widen a token issued for audiences, webhook or not',
    token: ['vault'], requested: ['warden'], expect: { ok: false, error: 'token audiences ["vault"] is invalid for the target audiences ["warden"]' },
  },
];

for (const c of cases) {
  test(c.name, () => {
    assert.deepEqual(checkAudiences(c.token, c.requested, c.implicit), c.expect);
  });
}

test('authentication carries a token\'s audiences, and none for an agnostic token', () => {
  const state = {
    tokens: new Map([
      ['h1', { tokenName: 't1', user: 'ann', groups: [], audiences: ['vault'] }],
      ['h2', { tokenName: 't2', user: 'ann', groups: [] }],
    ]),
    users: new Map(),
    serviceAccounts: new Map(),
  };
  const bound = authenticateToken(state, 'h1', 0);
  assert.ok(bound.ok);
  assert.deepEqual(bound.audiences, ['vault']);
  const agnostic = authenticateToken(state, 'h2', 0);
  assert.ok(agnostic.ok);
  assert.equal(agnostic.audiences, undefined);
});
