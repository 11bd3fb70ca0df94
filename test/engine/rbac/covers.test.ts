import { test } from 'node:test';
import assert from 'node:assert/strict';
import { breakdownRule, covers } from '../../../engine/rbac/covers.ts';
import type { PolicyRule } from '../../../engine/rbac/types.ts';
import { rule, urlRule } from './builders.ts';

test('a rule breaks down into one atom per group, resource, verb and name, then per URL and verb', () => {
  assert.deepEqual(breakdownRule(rule('get,list', 'apps', 'deployments', ['web'])), [
    { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get'], resourceNames: ['web'] },
    { apiGroups: ['apps'], resources: ['deployments'], verbs: ['list'], resourceNames: ['web'] },
  ]);
  assert.deepEqual(breakdownRule(urlRule('get,head', '/healthz')), [
    { nonResourceURLs: ['/healthz'], verbs: ['get'] },
    { nonResourceURLs: ['/healthz'], verbs: ['head'] },
  ]);
});

const table: { name: string; owner: PolicyRule[]; servant: PolicyRule[]; covered: boolean; missing?: number }[] = [
  { name: 'the same rule covers itself', owner: [rule('get', '', 'pods')], servant: [rule('get', '', 'pods')], covered: true },
  { name: 'several owner rules together cover one servant rule', owner: [rule('get', '', 'pods'), rule('list', '', 'pods')],
    servant: [rule('get,list', '', 'pods')], covered: true },
  { name: 'an owner * verb covers any enumeration', owner: [rule('*', '', 'pods')], servant: [rule('get,delete', '', 'pods')], covered: true },
  { name: 'an enumeration of verbs never covers *', owner: [rule('get,list,watch,create,update,patch,delete', '', 'pods')],
    servant: [rule('*', '', 'pods')], covered: false, missing: 1 },
  { name: 'an enumeration of groups never covers group *', owner: [rule('get', ',apps,batch', 'pods')], servant: [rule('get', '*', 'pods')], covered: false },
  { name: 'an enumeration of resources never covers resource *', owner: [rule('get', '', 'pods,services')], servant: [rule('get', '', '*')], covered: false },
  { name: 'owner resource * covers every subresource', owner: [rule('get', '', '*')], servant: [rule('get', '', 'pods/log,pods/exec')], covered: true },
  { name: 'owner pods does not cover pods/log', owner: [rule('get', '', 'pods')], servant: [rule('get', '', 'pods/log')], covered: false },
  { name: 'owner */scale covers a named resource scale', owner: [rule('update', 'apps', '*/scale')], servant: [rule('update', 'apps', 'deployments/scale')], covered: true },
  { name: 'owner deployments/scale does not cover */scale', owner: [rule('update', 'apps', 'deployments/scale')], servant: [rule('update', 'apps', '*/scale')], covered: false },
  { name: 'an unrestricted owner covers named access', owner: [rule('get', '', 'secrets')], servant: [rule('get', '', 'secrets', ['a', 'b'])], covered: true },
  { name: 'a name-restricted owner never covers unrestricted access', owner: [rule('get', '', 'secrets', ['a'])], servant: [rule('get', '', 'secrets')], covered: false },
  { name: 'owner names cover a subset of names', owner: [rule('get', '', 'secrets', ['a', 'b'])], servant: [rule('get', '', 'secrets', ['b'])], covered: true },
  { name: 'owner names do not cover a superset', owner: [rule('get', '', 'secrets', ['a'])], servant: [rule('get', '', 'secrets', ['a', 'b'])], covered: false, missing: 1 },
  { name: 'a URL prefix with a star covers longer URLs', owner: [urlRule('get', '/apis/*')], servant: [urlRule('get', '/apis/apps/v1')], covered: true },
  { name: 'a URL prefix with a star does not cover the bare prefix', owner: [urlRule('get', '/apis/*')], servant: [urlRule('get', '/apis')], covered: false },
  { name: 'URL * covers the empty path, /* does not', owner: [urlRule('get', '/*')], servant: [urlRule('get', '')], covered: false },
  { name: 'resource rules never cover URLs', owner: [rule('*', '*', '*')], servant: [urlRule('get', '/healthz')], covered: false },
  { name: 'URL rules never cover resources', owner: [urlRule('*', '*')], servant: [rule('get', '', 'pods')], covered: false },
  { name: 'nothing to grant is always covered', owner: [], servant: [], covered: true },
];

test('covers: each atom must be covered by a single owner rule, wildcards only from the owner side', () => {
  for (const c of table) {
    const result = covers(c.owner, c.servant);
    assert.equal(result.covers, c.covered, c.name);
    assert.equal(result.uncoveredRules.length === 0, c.covered, c.name);
    if (c.missing !== undefined) assert.equal(result.uncoveredRules.length, c.missing, c.name);
  }
});

test('the uncovered atoms are exactly what is missing', () => {
  const result = covers([rule('get,list', '', 'pods')], [rule('get,list,delete', '', 'pods,services')]);
  assert.deepEqual(result.uncoveredRules, [
    { apiGroups: [''], resources: ['pods'], verbs: ['delete'] },
    { apiGroups: [''], resources: ['services'], verbs: ['get'] },
    { apiGroups: [''], resources: ['services'], verbs: ['list'] },
    { apiGroups: [''], resources: ['services'], verbs: ['delete'] },
  ]);
});
