import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aggregateClusterRoles, ruleKey } from '../../../engine/rbac/aggregation.ts';
import type { ClusterRole } from '../../../engine/rbac/types.ts';
import { clusterRole, rule, stateOf, urlRule } from './builders.ts';

const rulesOf = (roles: ClusterRole[], name: string) => roles.find((r) => r.metadata.name === name)?.rules;

test('an aggregated role takes the rules of the roles it selects, by name, each distinct rule once, its own rules dropped', () => {
  const roles = aggregateClusterRoles([
    clusterRole('agg', [rule('delete', '', 'nodes')], { aggregate: [{ matchLabels: { feed: 'yes' } }] }),
    clusterRole('zeta', [rule('get', '', 'z'), rule('get', '', 'a')], { labels: { feed: 'yes' } }),
    clusterRole('alpha', [rule('get', '', 'a'), urlRule('get', '/healthz')], { labels: { feed: 'yes' } }),
    clusterRole('unlabelled', [rule('get', '', 'u')]),
  ]);
  assert.deepEqual(rulesOf(roles, 'agg'), [rule('get', '', 'a'), urlRule('get', '/healthz'), rule('get', '', 'z')]);
  assert.deepEqual(rulesOf(roles, 'zeta'), [rule('get', '', 'z'), rule('get', '', 'a')], 'other roles keep their rules');
});

test('selectors are ORed in order, and AND within: labels and expressions together', () => {
  const roles = aggregateClusterRoles([
    clusterRole('agg', [], {
      aggregate: [
        { matchLabels: { tier: 'web' }, matchExpressions: [{ key: 'env', operator: 'In', values: ['prod'] }] },
        { matchLabels: { team: 'db' } },
      ],
    }),
    clusterRole('web-prod', [rule('get', '', 'web-prod')], { labels: { tier: 'web', env: 'prod' } }),
    clusterRole('web-dev', [rule('get', '', 'web-dev')], { labels: { tier: 'web', env: 'dev' } }),
    clusterRole('a-db', [rule('get', '', 'db')], { labels: { team: 'db' } }),
  ]);
  assert.deepEqual(rulesOf(roles, 'agg'), [rule('get', '', 'web-prod'), rule('get', '', 'db')], 'first selector first, even if later by name');
});

test('NotIn and DoesNotExist select unlabelled roles, {} selects all, and a role never selects itself', () => {
  const leaves = [
    clusterRole('bare', [rule('get', '', 'bare')]),
    clusterRole('picked', [rule('get', '', 'picked')], { labels: { pick: 'yes' } }),
    clusterRole('other', [rule('get', '', 'other')], { labels: { pick: 'no' } }),
  ];
  const cases: Array<[string, ClusterRole, string[]]> = [
    ['NotIn selects the unlabelled role and other values',
      clusterRole('agg', [], { aggregate: [{ matchExpressions: [{ key: 'pick', operator: 'NotIn', values: ['yes'] }] }] }), ['bare', 'other']],
    ['DoesNotExist selects only the unlabelled role',
      clusterRole('agg', [], { aggregate: [{ matchExpressions: [{ key: 'pick', operator: 'DoesNotExist' }] }] }), ['bare']],
    ['{} selects every other role', clusterRole('agg', [rule('get', '', 'own')], { aggregate: [{}] }), ['bare', 'other', 'picked']],
    ['a role matching its own selector skips itself',
      clusterRole('agg', [rule('get', '', 'own')], { labels: { pick: 'yes' }, aggregate: [{ matchLabels: { pick: 'yes' } }] }), ['picked']],
    ['a selector that matches nothing leaves no rules',
      clusterRole('agg', [rule('get', '', 'own')], { aggregate: [{ matchLabels: { nobody: 'here' } }] }), []],
    ['an aggregationRule without selectors leaves no rules', clusterRole('agg', [rule('get', '', 'own')], { aggregate: [] }), []],
  ];
  for (const [what, agg, resources] of cases) {
    const roles = aggregateClusterRoles([agg, ...leaves]);
    assert.deepEqual(rulesOf(roles, 'agg'), resources.map((r) => rule('get', '', r)), what);
  }
});

test('nesting resolves to a fixed point whatever the input order: admin ⊇ edit ⊇ view', () => {
  const view = clusterRole('view', [], { labels: { 'to-edit': 'true' }, aggregate: [{ matchLabels: { 'to-view': 'true' } }] });
  const edit = clusterRole('edit', [], { labels: { 'to-admin': 'true' }, aggregate: [{ matchLabels: { 'to-edit': 'true' } }] });
  const admin = clusterRole('admin', [], { aggregate: [{ matchLabels: { 'to-admin': 'true' } }] });
  const leaves = [
    clusterRole('r-view', [rule('get', '', 'pods')], { labels: { 'to-view': 'true' } }),
    clusterRole('r-edit', [rule('create', '', 'pods')], { labels: { 'to-edit': 'true' } }),
    clusterRole('r-admin', [rule('create', 'rbac.authorization.k8s.io', 'roles')], { labels: { 'to-admin': 'true' } }),
  ];
  for (const order of [[view, edit, admin, ...leaves], [...leaves, admin, edit, view], [edit, ...leaves, view, admin]]) {
    const roles = aggregateClusterRoles(order);
    assert.deepEqual(rulesOf(roles, 'view'), [rule('get', '', 'pods')]);
    assert.deepEqual(rulesOf(roles, 'edit'), [rule('create', '', 'pods'), rule('get', '', 'pods')], 'edit: r-edit, then view (by name)');
    assert.deepEqual(rulesOf(roles, 'admin'), [rule('create', '', 'pods'), rule('get', '', 'pods'), rule('create', 'rbac.authorization.k8s.io', 'roles')]);
  }
});

test('an aggregation cycle terminates without stale rules', () => {
  const roles = aggregateClusterRoles([
    clusterRole('a', [rule('get', '', 'stale-a')], { labels: { ring: 'b' }, aggregate: [{ matchLabels: { ring: 'a' } }] }),
    clusterRole('b', [rule('get', '', 'stale-b')], { labels: { ring: 'a' }, aggregate: [{ matchLabels: { ring: 'b' } }] }),
    clusterRole('leaf', [rule('get', '', 'leaf')], { labels: { ring: 'a' } }),
  ]);
  assert.deepEqual(rulesOf(roles, 'a'), [rule('get', '', 'leaf')]);
  assert.deepEqual(rulesOf(roles, 'b'), [rule('get', '', 'leaf')]);
});

test('rules are compared with semantic equality: a missing list equals an empty one, order matters', () => {
  assert.equal(ruleKey({ verbs: ['get'], apiGroups: [''], resources: ['pods'] }),
    ruleKey({ verbs: ['get'], apiGroups: [''], resources: ['pods'], resourceNames: [] }));
  assert.notEqual(ruleKey({ verbs: ['get', 'list'] }), ruleKey({ verbs: ['list', 'get'] }));
  const roles = aggregateClusterRoles([
    clusterRole('agg', [], { aggregate: [{ matchLabels: { f: '1' } }] }),
    clusterRole('one', [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }], { labels: { f: '1' } }),
    clusterRole('two', [{ verbs: ['get'], apiGroups: [''], resources: ['pods'], resourceNames: [] }], { labels: { f: '1' } }),
  ]);
  assert.equal(rulesOf(roles, 'agg')?.length, 1);
});

test('the state view resolves aggregation, and a label change re-resolves it incrementally', () => {
  const state = stateOf([
    clusterRole('agg', [], { aggregate: [{ matchLabels: { f: '1' } }] }),
    clusterRole('one', [rule('get', '', 'one')], { labels: { f: '1' } }),
    clusterRole('two', [rule('get', '', 'two')]),
  ]);
  assert.deepEqual(state.clusterRole('agg')?.rules, [rule('get', '', 'one')]);
  const next = state.apply([{ kind: 'ClusterRole', name: 'two', object: clusterRole('two', [rule('get', '', 'two')], { labels: { f: '1' } }) }]);
  assert.deepEqual(next.clusterRole('agg')?.rules, [rule('get', '', 'one'), rule('get', '', 'two')]);
  assert.deepEqual(state.clusterRole('agg')?.rules, [rule('get', '', 'one')], 'the old state is untouched');
  const gone = next.apply([{ kind: 'ClusterRole', name: 'one', object: null }]);
  assert.deepEqual(gone.clusterRole('agg')?.rules, [rule('get', '', 'two')]);
  const plain = gone.apply([{ kind: 'ClusterRole', name: 'agg', object: clusterRole('agg', [rule('get', '', 'own')]) }]);
  assert.deepEqual(plain.clusterRole('agg')?.rules, [rule('get', '', 'own')], 'without aggregationRule its own rules count again');
});

test('aggregation replaces the own rules with the union of every other selected role, nesting to a fixed point', () => {
  const roles = aggregateClusterRoles([
    clusterRole('admin', [rule('delete', '', 'nodes')], { aggregate: [{ matchLabels: { 'to-admin': 'true' } }] }),
    clusterRole('edit', [], { labels: { 'to-admin': 'true' }, aggregate: [{ matchLabels: { 'to-edit': 'true' } }] }),
    clusterRole('view', [rule('get', '', 'pods')], { labels: { 'to-edit': 'true' } }),
    clusterRole('writer', [rule('create', '', 'pods'), rule('get', '', 'pods')], { labels: { 'to-edit': 'true' } }),
  ]);
  assert.deepEqual(rulesOf(roles, 'edit'), [rule('get', '', 'pods'), rule('create', '', 'pods')], 'roles by name order, duplicates once');
  assert.deepEqual(rulesOf(roles, 'admin'), [rule('get', '', 'pods'), rule('create', '', 'pods')], 'admin ⊇ edit ⊇ view, own rule gone');
});

test('selectors are ORed, NotIn selects unlabelled roles, a role never selects itself, no match leaves it empty', () => {
  const roles = aggregateClusterRoles([
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
