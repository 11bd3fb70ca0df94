/**
 * Rules reviews, for the caller (SelfSubjectRulesReview) and for anyone
 * (SubjectRulesReview): every rule of every applicable binding, one copy
 * per binding, split into resource and URL parts, aggregation expanded,
 * and an evaluationError when an applicable binding's role is missing.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestWarden, type TestWarden } from '../support/warden.ts';
import {
  api, applyAll, as, assertStatus, clusterRole, clusterRoleBinding, group, ok, paths, reviewOf, role, roleBinding, roleRef, rule, user,
  type Api, type Obj,
} from './support.ts';

let w: TestWarden;
let admin: Api;

const podsRule = rule(['get', 'list'], ['pods']);
const namedConfig = { ...rule(['get'], ['configmaps']), resourceNames: ['cfg'] };
const servicesRule = rule(['watch'], ['services']);
const metricsUrl = { verbs: ['get'], nonResourceURLs: ['/metrics'] };
const debugUrl = { verbs: ['get'], nonResourceURLs: ['/debug/*'] };

before(async () => {
  w = await startTestWarden();
  admin = api(w);
  await applyAll(admin, [
    clusterRole('rr-role', [podsRule, namedConfig]),
    clusterRole('rr-urls', [metricsUrl]),
    clusterRole('rr-mixed', [servicesRule, debugUrl]),
    { ...clusterRole('rr-aggregated', [rule(['delete'], ['nodes'])]), aggregationRule: { clusterRoleSelectors: [{ matchLabels: { 'rr/aggregate': 'true' } }] } },
    clusterRole('rr-agg-child', [rule(['get'], ['secrets'])], { labels: { 'rr/aggregate': 'true' } }),
    role('rr-local', [rule(['create'], ['events'])], { namespace: 'rr' }),
    clusterRoleBinding('rr-crb', roleRef('ClusterRole', 'rr-urls'), [user('rita')]),
    roleBinding('rr-a', roleRef('ClusterRole', 'rr-role'), [user('rita')], { namespace: 'rr' }),
    roleBinding('rr-b', roleRef('ClusterRole', 'rr-role'), [group('rr-team')], { namespace: 'rr' }),
    roleBinding('rr-mixed', roleRef('ClusterRole', 'rr-mixed'), [user('rita')], { namespace: 'rr' }),
    roleBinding('rr-agg', roleRef('ClusterRole', 'rr-aggregated'), [user('rita')], { namespace: 'rr' }),
    roleBinding('rr-local', roleRef('Role', 'rr-local'), [user('rita')], { namespace: 'rr' }),
    roleBinding('rr-elsewhere', roleRef('ClusterRole', 'rr-role'), [user('rita')], { namespace: 'rr-other' }),
    roleBinding('rr-ghost', roleRef('Role', 'ghost'), [user('gina')], { namespace: 'rr' }),
    roleBinding('rr-gina', roleRef('Role', 'rr-local'), [user('gina')], { namespace: 'rr' }),
  ]);
});
after(async () => { await w?.close(); });

/** A rule list as a sorted list of its JSON forms: rules reviews are multisets. */
const multiset = (rules: Obj[]) => rules.map((r) => JSON.stringify(r, Object.keys(r).sort())).sort();
const resourcePart = (r: Obj) => ({ verbs: r.verbs, apiGroups: r.apiGroups, resources: r.resources, ...(r.resourceNames ? { resourceNames: r.resourceNames } : {}) });

async function subjectRules(spec: Obj): Promise<Obj> {
  return ok(await admin.post(paths.srr, reviewOf('SubjectRulesReview', spec)), 201).status;
}

describe('SubjectRulesReview', () => {
  test('lists every rule of every applicable binding, one copy per binding, split into resource and URL parts', async () => {
    const status = await subjectRules({ user: 'rita', groups: ['rr-team'], namespace: 'rr' });
    assert.deepEqual(multiset(status.resourceRules), multiset([
      // rr-a and rr-b both bind rr-role: its rules come twice.
      podsRule, namedConfig, podsRule, namedConfig,
      resourcePart(servicesRule),
      // The aggregated role comes with what it aggregates, not its own rules.
      rule(['get'], ['secrets']),
      rule(['create'], ['events']),
    ]));
    // URL rules reached through a RoleBinding are listed, although a RoleBinding never grants a URL.
    assert.deepEqual(multiset(status.nonResourceRules), multiset([metricsUrl, debugUrl]));
    assert.equal(status.incomplete, false);
    assert.equal(status.evaluationError, undefined);
  });

  test('bindings of other namespaces and of groups the subject is not in do not count', async () => {
    const status = await subjectRules({ user: 'rita', namespace: 'rr-other' });
    assert.deepEqual(multiset(status.resourceRules), multiset([podsRule, namedConfig]));
    assert.deepEqual(status.nonResourceRules, [metricsUrl]);
    const teamOnly = await subjectRules({ user: 'nobody', groups: ['rr-team'], namespace: 'rr' });
    assert.deepEqual(multiset(teamOnly.resourceRules), multiset([podsRule, namedConfig]));
    assert.deepEqual(teamOnly.nonResourceRules, []);
  });

  test('a subject no binding applies to has empty lists and no error', async () => {
    assert.deepEqual(await subjectRules({ user: 'nobody', namespace: 'rr' }), { resourceRules: [], nonResourceRules: [], incomplete: false });
  });

  test('a binding to a missing role sets evaluationError and keeps the other rules', async () => {
    const status = await subjectRules({ user: 'gina', namespace: 'rr' });
    assert.deepEqual(status.resourceRules, [rule(['create'], ['events'])]);
    assert.equal(status.incomplete, false);
    assert.match(status.evaluationError, /"ghost" not found/);
  });

  test('a namespace and a user or group are required: 422 naming the field', async () => {
    assertStatus(await admin.post(paths.srr, reviewOf('SubjectRulesReview', { user: 'rita' })), { code: 422, reason: 'Invalid', message: ['spec.namespace: Required value'] });
    assertStatus(await admin.post(paths.srr, reviewOf('SubjectRulesReview', { namespace: 'rr' })), { code: 422, reason: 'Invalid', message: ['spec.user', 'at least one of user or group must be specified'] });
  });
});

describe('SelfSubjectRulesReview', () => {
  test('is the SubjectRulesReview of the caller\'s own identity', async () => {
    const self = ok(await as(w, 'rita', ['rr-team']).post(paths.ssrr, reviewOf('SelfSubjectRulesReview', { namespace: 'rr' })), 201);
    assert.equal(self.kind, 'SelfSubjectRulesReview');
    // An impersonated user is authenticated, as kube-apiserver has it: the bootstrap rules for that group come along.
    const same = await subjectRules({ user: 'rita', groups: ['rr-team', 'system:authenticated'], namespace: 'rr' });
    assert.deepEqual(multiset(self.status.resourceRules), multiset(same.resourceRules));
    assert.deepEqual(multiset(self.status.nonResourceRules), multiset(same.nonResourceRules));
    assert.ok(self.status.resourceRules.some((r: Obj) => r.resources?.includes('selfsubjectrulesreviews')));
  });

  test('reports a dangling binding of the caller in evaluationError', async () => {
    const self = ok(await as(w, 'gina').post(paths.ssrr, reviewOf('SelfSubjectRulesReview', { namespace: 'rr' })), 201);
    assert.match(self.status.evaluationError, /"ghost" not found/);
  });

  test('without a namespace it is 400, as kube-apiserver answers', async () => {
    assertStatus(await as(w, 'rita').post(paths.ssrr, reviewOf('SelfSubjectRulesReview', {})), { code: 400, reason: 'BadRequest', message: ['no namespace on request'] });
  });
});
