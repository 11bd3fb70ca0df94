import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveAggregation } from '../../../engine/rbac/review-aggregation.ts';
import type { ClusterRole } from '../../../engine/rbac/types.ts';
import { clusterRole, rule } from './fixture-view.ts';

const rulesOf = (roles: ClusterRole[], name: string) => roles.find((r) => r.metadata.name === name)?.rules;

test('aggregation replaces the own rules with the union of every other selected role, nesting to a fixed point', () => {
  const roles = resolveAggregation([
    clusterRole('admin', [rule('delete', '', 'nodes')], { aggregate: [{ matchLabels: { 'to-admin': 'true' } }] }),
    clusterRole('edit', [], { labels: { 'to-admin': 'true' }, aggregate: [{ matchLabels: { 'to-edit': 'true' } }] }),
    clusterRole('view', [rule('get', '', 'pods')], { labels: { 'to-edit': 'true' } }),
    clusterRole('writer', [rule('create', '', 'pods'), rule('get', '', 'pods')], { labels: { 'to-edit': 'true' } }),
  ]);
  assert.deepEqual(rulesOf(roles, 'edit'), [rule('get', '', 'pods'), rule('create', '', 'pods')], 'roles by name order, duplicates once');
  assert.deepEqual(rulesOf(roles, 'admin'), [rule('get', '', 'pods'), rule('create', '', 'pods')], 'admin ⊇ edit ⊇ view, own rule gone');
});

test('selectors are ORed, NotIn selects unlabelled roles, a role never selects itself, no match leaves it empty', () => {
  const roles = resolveAggregation([
    clusterRole('self', [rule('get', '', 'a')], { labels: { pick: 'yes' }, aggregate: [{ matchLabels: { pick: 'yes' } }] }),
    clusterRole('either', [], { aggregate: [{ matchLabels: { x: '1' } }, { matchLabels: { y: '1' } }] }),
    clusterRole('not-in', [], { aggregate: [{ matchExpressions: [{ key: 'pick', operator: 'NotIn', values: ['yes'] }] }] }),
    clusterRole('x', [rule('get', '', 'x')], { labels: { x: '1' } }),
    clusterRole('y', [rule('get', '', 'y')], { labels: { y: '1' } }),
  ]);
  assert.deepEqual(rulesOf(roles, 'self'), []);
  assert.deepEqual(rulesOf(roles, 'either'), [rule('get', '', 'x'), rule('get', '', 'y')]);
  assert.deepEqual(rulesOf(roles, 'not-in'), [rule('get', '', 'x'), rule('get', '', 'y')],
    'unlabelled and aggregated roles (either, x, y) are all selected; equal rules appear once');
});
