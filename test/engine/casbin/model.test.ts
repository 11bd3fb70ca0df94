import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom } from '../../../bench/platform.ts';
import { newPlainEnforcer, plainEnforcerAllows } from '../../../engine/casbin/enforcer.ts';
import { kubeMatcherFunctions, RuleFields } from '../../../engine/casbin/functions.ts';
import { casbinRequest, groupingLines, lineRuleIndex, policyLines } from '../../../engine/casbin/projection.ts';
import { RoleEvaluator, RuleTable, ruleQuery } from '../../../engine/casbin/role-evaluator.ts';
import { ruleAllows } from '../../../engine/rbac/rule-matching.ts';
import type { Attributes, PolicyRule } from '../../../engine/rbac/types.ts';
import {
  can, canURL, casbinModel, clusterRoleBinding, group, roleBinding, rule, sa, user,
} from '../rbac/builders.ts';

test('bindings project to g lines: RoleBindings in their namespace domain, ClusterRoleBindings in the cluster domain', () => {
  assert.deepEqual(groupingLines(roleBinding('ns1', 'b', 'Role/editor', [user('ann'), group('dev'), sa('robot'), sa('bot', 'ns2'), user('ann')])), [
    ['User:ann', 'Role:ns1/editor', 'ns/ns1'],
    ['Group:dev', 'Role:ns1/editor', 'ns/ns1'],
    ['User:system:serviceaccount:ns1:robot', 'Role:ns1/editor', 'ns/ns1'],
    ['User:system:serviceaccount:ns2:bot', 'Role:ns1/editor', 'ns/ns1'],
  ]);
  assert.deepEqual(groupingLines(clusterRoleBinding('c', 'ClusterRole/view', [user('bob'), sa('no-namespace'), { kind: 'Robot', name: 'r' }])), [
    ['User:bob', 'ClusterRole:view', 'cluster'],
  ], 'an SA without namespace and an unknown kind match nobody');
  assert.deepEqual(groupingLines(clusterRoleBinding('c', 'Role/editor', [user('bob')])), [], 'a ClusterRoleBinding cannot use a Role');
});

test('rules project to p lines carrying the role key, the rule index and each list as JSON', () => {
  assert.deepEqual(policyLines('ClusterRole:r', [{ verbs: ['get'], apiGroups: [''], resources: ['pods'], resourceNames: ['a'] }, { verbs: ['*'], nonResourceURLs: ['/x*'] }]), [
    ['ClusterRole:r', '0', '["get"]', '[""]', '["pods"]', '["a"]', '[]'],
    ['ClusterRole:r', '1', '["*"]', '[]', '[]', '[]', '["/x*"]'],
  ]);
  assert.deepEqual(casbinRequest('User:u', can('u', 'get', 'pods/log', { namespace: 'ns', group: '', name: 'p' })),
    ['User:u', 'ns/ns', 'resource', 'get', '', 'pods', 'log', 'p', '']);
  assert.deepEqual(casbinRequest('User:u', { ...canURL('u', 'get', '/healthz'), namespace: 'ns' }),
    ['User:u', '', 'nonResource', 'get', '', '', '', '', '/healthz'], 'a non-resource request has no domain');
});

test('the matcher functions apply the kube predicates to the JSON lists', () => {
  const f = kubeMatcherFunctions();
  const rows: Array<[string, string[], boolean]> = [
    ['verbMatches', ['["get","list"]', 'list'], true],
    ['verbMatches', ['["*"]', 'anything'], true],
    ['verbMatches', ['["get"]', '*'], false],
    ['apiGroupMatches', ['["*"]', ''], true],
    ['apiGroupMatches', ['[""]', 'apps'], false],
    ['resourceMatches', ['["*/scale"]', 'deployments', 'scale'], true],
    ['resourceMatches', ['["*/scale"]', 'deployments', ''], false],
    ['resourceMatches', ['["pods"]', 'pods', 'log'], false],
    ['resourceNameMatches', ['[]', ''], true],
    ['resourceNameMatches', ['["a"]', ''], false],
    ['resourceNameMatches', ['', 'x'], true],
    ['nonResourceURLMatches', ['["/logs*"]', '/logsfoo'], true],
    ['nonResourceURLMatches', ['["/a*b"]', '/axb'], false],
    ['nonResourceURLMatches', ['["*"]', ''], true],
  ];
  for (const [name, args, expected] of rows) assert.equal(f[name](...args), expected, `${name}(${args.join(', ')})`);
});

test('a primed field decodes to the values it was made from, without parsing; others are parsed', () => {
  const fields = new RuleFields();
  const f = kubeMatcherFunctions(fields);
  const verbs = ['get', 'list'];
  fields.prime('["get","list"]', verbs);
  assert.equal(fields.get('["get","list"]').verbs, verbs, 'the very array given');
  fields.prime('[]', undefined);
  assert.deepEqual(fields.get('[]').resourceNames, []);
  assert.deepEqual(fields.get('["watch"]').verbs, ['watch']);
  assert.equal(f.verbMatches('["get","list"]', 'list'), true);
  assert.equal(f.verbMatches('["watch"]', 'list'), false);
  // A role evaluator's lines are primed as they are made and decide as the parsed ones do.
  const evaluator = new RoleEvaluator(casbinModel);
  const rules = [rule('get', 'apps', 'deployments/scale', ['web']), rule('list', '*', '*')];
  const table = evaluator.tableFor({}, 'ClusterRole:r', rules);
  assert.equal(evaluator.ask(table, ruleQuery(can('u', 'get', 'deployments/scale', { group: 'apps', name: 'web' }))), 0);
  assert.equal(evaluator.ask(table, ruleQuery(can('u', 'get', 'deployments/scale', { group: 'apps', name: 'db' }))), -1);
  assert.equal(evaluator.ask(table, ruleQuery(can('u', 'list', 'anything', { group: 'x' }))), 1);
});

test('one plain enforcer over projected lines decides namespaces and principals as RBAC does', async () => {
  const enforcer = await newPlainEnforcer(casbinModel, {
    p: [...policyLines('ClusterRole:reader', [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }, { verbs: ['get'], nonResourceURLs: ['/healthz'] }])],
    g: [
      ...groupingLines(roleBinding('ns1', 'rb', 'ClusterRole/reader', [user('ann'), sa('robot')])),
      ...groupingLines(clusterRoleBinding('crb', 'ClusterRole/reader', [group('ops')])),
    ],
  });
  const rows: Array<[string, Attributes, boolean]> = [
    ['RoleBinding in its namespace', can('ann', 'get', 'pods', { namespace: 'ns1' }), true],
    ['RoleBinding elsewhere', can('ann', 'get', 'pods', { namespace: 'ns2' }), false],
    ['RoleBinding, cluster-wide request', can('ann', 'get', 'pods'), false],
    ['RoleBinding never grants URLs', canURL('ann', 'get', '/healthz'), false],
    ['defaulted SA namespace', can('system:serviceaccount:ns1:robot', 'get', 'pods', { namespace: 'ns1' }), true],
    ['ClusterRoleBinding anywhere, through a group', can({ name: 'x', groups: ['ops'] }, 'get', 'pods', { namespace: 'ns9' }), true],
    ['ClusterRoleBinding grants URLs', canURL({ name: 'x', groups: ['ops'] }, 'get', '/healthz'), true],
    ['a principal that is a role key is nobody', can('ClusterRole:reader', 'get', 'pods', { namespace: 'ns1' }), false],
  ];
  for (const [what, a, expected] of rows) assert.equal(plainEnforcerAllows(enforcer, a), expected, what);
});

test('a rule table leaves out only lines that cannot match (random rules and requests)', () => {
  const rand = seededRandom(5);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const verbs = ['get', 'list', '*', 'create', 'GET'];
  const resources = ['pods', 'pods/log', '*', '*/scale', 'deployments/scale', 'deployments', 'pods/*'];
  const urls = ['/healthz', '/logs*', '*', '/apis/*'];
  for (let round = 0; round < 300; round++) {
    const rules: PolicyRule[] = Array.from({ length: 1 + Math.floor(rand() * 6) }, () => rand() < 0.8
      ? { verbs: [pick(verbs), pick(verbs)], apiGroups: [pick(['', 'apps', '*'])], resources: [pick(resources), pick(resources)], ...(rand() < 0.3 ? { resourceNames: ['a'] } : {}) }
      : { verbs: [pick(verbs)], nonResourceURLs: [pick(urls)] });
    const table = new RuleTable('Role:ns/r', rules);
    for (let k = 0; k < 20; k++) {
      const a = rand() < 0.8
        ? can('u', pick(verbs), pick(resources.filter((r) => !r.startsWith('*/'))), { group: pick(['', 'apps', '*']), name: pick(['', 'a', 'b']) })
        : canURL('u', pick(verbs), pick(['/healthz', '/logsx', '/apis', '/apis/x', '']));
      const candidates = table.candidates(ruleQuery(a)).map(lineRuleIndex);
      assert.deepEqual(candidates, [...candidates].sort((x, y) => x - y), 'candidates keep rule order');
      rules.forEach((r, i) => {
        if (ruleAllows(a, r)) assert.ok(candidates.includes(i), `rule ${i} ${JSON.stringify(r)} allows ${JSON.stringify(a)} but is not a candidate`);
      });
    }
  }
});
