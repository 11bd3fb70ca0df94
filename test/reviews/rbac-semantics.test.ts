/**
 * The RBAC rules Warden decides by, pinned through SubjectAccessReviews over
 * HTTP: which bindings count for which requests, how rules match, how
 * subjects and role references resolve, aggregation, and the exact reason
 * an allow gives. Each scenario uses its own users, namespaces and role
 * names, so all of them share one platform.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestWarden, type TestWarden } from '../support/warden.ts';
import {
  api, applyAll, clusterRole, clusterRoleBinding, group, res, role, roleBinding, roleRef, rule, sar, serviceAccountSubject, url, user,
  type Api, type Obj,
} from './support.ts';

interface Check {
  /** What the check shows, in a few words. */
  why: string;
  spec: Obj;
  allowed: boolean;
  /** The exact allow reason, where the scenario pins it. */
  reason?: string;
}

interface Scenario { name: string; objects: Obj[]; checks: Check[] }

const ns = (namespace: string) => ({ namespace });
const urlRule = (verbs: string[], nonResourceURLs: string[]) => ({ verbs, nonResourceURLs });
const named = (verbs: string[], resources: string[], resourceNames: string[]) => ({ ...rule(verbs, resources), resourceNames });
const who = (name: string, groups: string[] = []) => ({ user: name, ...(groups.length ? { groups } : {}) });
const allow = (why: string, spec: Obj, reason?: string): Check => ({ why, spec, allowed: true, reason });
const deny = (why: string, spec: Obj): Check => ({ why, spec, allowed: false });
const selecting = (...clusterRoleSelectors: Obj[]) => ({ clusterRoleSelectors });
const aggregated = (name: string, aggregationRule: Obj, rules: Obj[] = [], labels?: Record<string, string>): Obj =>
  ({ ...clusterRole(name, rules, labels ? { labels } : undefined), aggregationRule });

const scenarios: Scenario[] = [
  {
    name: 'a RoleBinding counts only for requests in its own namespace, and never for a non-resource URL',
    objects: [
      clusterRole('sem-scope-reader', [rule(['get', 'list'], ['pods']), urlRule(['get'], ['/healthz'])]),
      roleBinding('sem-scope', roleRef('ClusterRole', 'sem-scope-reader'), [user('scope-user')], ns('sem-a')),
    ],
    checks: [
      allow('its namespace', { ...who('scope-user'), ...res('get', 'pods', { namespace: 'sem-a' }) },
        'RBAC: allowed by RoleBinding "sem-scope/sem-a" of ClusterRole "sem-scope-reader" to User "scope-user"'),
      deny('another namespace', { ...who('scope-user'), ...res('get', 'pods', { namespace: 'sem-b' }) }),
      deny('a list across all namespaces', { ...who('scope-user'), ...res('list', 'pods') }),
      deny('a URL the bound ClusterRole lists', { ...who('scope-user'), ...url('get', '/healthz') }),
    ],
  },
  {
    name: 'RBAC does not know resource scope: a Role naming nodes allows nodes asked in its namespace',
    objects: [
      role('sem-nodes', [rule(['get'], ['nodes'])], ns('sem-c')),
      roleBinding('sem-nodes', roleRef('Role', 'sem-nodes'), [user('scope-blind')], ns('sem-c')),
    ],
    checks: [
      allow('nodes in the binding namespace', { ...who('scope-blind'), ...res('get', 'nodes', { namespace: 'sem-c' }) }),
      deny('nodes cluster-wide', { ...who('scope-blind'), ...res('get', 'nodes') }),
    ],
  },
  {
    name: 'resourceNames match exact, case-sensitive names and never a request without a name',
    objects: [
      clusterRole('sem-named', [named(['get', 'list', 'watch', 'create', 'update', 'deletecollection'], ['configmaps'], ['app-config'])]),
      clusterRoleBinding('sem-named', roleRef('ClusterRole', 'sem-named'), [user('named-user')]),
    ],
    checks: [
      allow('the listed name', { ...who('named-user'), ...res('get', 'configmaps', { namespace: 'x', name: 'app-config' }) }),
      allow('another verb on the listed name', { ...who('named-user'), ...res('update', 'configmaps', { namespace: 'x', name: 'app-config' }) }),
      deny('the name in other case', { ...who('named-user'), ...res('get', 'configmaps', { namespace: 'x', name: 'App-Config' }) }),
      deny('another name', { ...who('named-user'), ...res('get', 'configmaps', { namespace: 'x', name: 'other' }) }),
      ...['list', 'watch', 'create', 'deletecollection'].map((verb) =>
        deny(`${verb} without a name`, { ...who('named-user'), ...res(verb, 'configmaps', { namespace: 'x' }) })),
    ],
  },
  {
    name: 'subresources are resources of their own; only "*" and "*/sub" reach across',
    objects: [
      clusterRole('sem-sub-pods', [rule(['get'], ['pods'])]),
      clusterRole('sem-sub-status', [rule(['get'], ['pods/status'])]),
      clusterRole('sem-sub-any', [rule(['get'], ['*'])]),
      clusterRole('sem-sub-scale', [rule(['get'], ['*/scale'], ['apps'])]),
      clusterRole('sem-sub-literal', [rule(['get'], ['pods/*'])]),
      ...['pods', 'status', 'any', 'scale', 'literal'].map((s) => clusterRoleBinding(`sem-sub-${s}`, roleRef('ClusterRole', `sem-sub-${s}`), [user(`sub-${s}`)])),
    ],
    checks: [
      allow('pods grants pods', { ...who('sub-pods'), ...res('get', 'pods') }),
      deny('pods does not grant pods/log', { ...who('sub-pods'), ...res('get', 'pods', { subresource: 'log' }) }),
      allow('pods/status grants pods/status', { ...who('sub-status'), ...res('get', 'pods', { subresource: 'status' }) }),
      deny('pods/status does not grant pods', { ...who('sub-status'), ...res('get', 'pods') }),
      allow('"*" grants a subresource', { ...who('sub-any'), ...res('get', 'pods', { subresource: 'log' }) }),
      allow('"*/scale" grants any resource\'s scale', { ...who('sub-scale'), ...res('get', 'deployments', { group: 'apps', subresource: 'scale' }) }),
      deny('"*/scale" does not grant the resource itself', { ...who('sub-scale'), ...res('get', 'deployments', { group: 'apps' }) }),
      deny('"pods/*" is not a wildcard', { ...who('sub-literal'), ...res('get', 'pods', { subresource: 'log' }) }),
      allow('"pods/*" names the subresource "*" literally', { ...who('sub-literal'), ...res('get', 'pods', { subresource: '*' }) }),
    ],
  },
  {
    name: 'only a rule\'s "*" is a wildcard, and every comparison is case-sensitive',
    objects: [
      clusterRole('sem-wild-get', [rule(['get'], ['pods'])]),
      clusterRole('sem-wild-star', [rule(['*'], ['pods'], ['*'])]),
      clusterRoleBinding('sem-wild-get', roleRef('ClusterRole', 'sem-wild-get'), [user('wild-get')]),
      clusterRoleBinding('sem-wild-star', roleRef('ClusterRole', 'sem-wild-star'), [user('wild-star')]),
    ],
    checks: [
      deny('a request verb "*" is literal', { ...who('wild-get'), ...res('*', 'pods') }),
      deny('GET is not get', { ...who('wild-get'), ...res('GET', 'pods') }),
      deny('Pods is not pods', { ...who('wild-get'), ...res('get', 'Pods') }),
      deny('apiGroups [""] is the core group only', { ...who('wild-get'), ...res('get', 'pods', { group: 'apps' }) }),
      allow('the version is ignored', { ...who('wild-get'), ...res('get', 'pods', { version: 'v9' }) }),
      allow('a rule verb "*" matches the request verb "*"', { ...who('wild-star'), ...res('*', 'pods') }),
      allow('apiGroups ["*"] includes the core group', { ...who('wild-star'), ...res('delete', 'pods') }),
      allow('apiGroups ["*"] includes any group', { ...who('wild-star'), ...res('delete', 'pods', { group: 'metrics.example.com' }) }),
      deny('a request resource "*" is literal', { ...who('wild-star'), ...res('get', '*') }),
    ],
  },
  {
    name: 'non-resource URLs: "*" alone matches all, a trailing "*" is a prefix, a star elsewhere is literal',
    objects: [
      clusterRole('sem-urls', [urlRule(['get'], ['/logs*', '/apis/*', '/version/', '/a*b', '/deep**'])]),
      clusterRole('sem-url-all', [urlRule(['get'], ['*'])]),
      clusterRole('sem-res-all', [rule(['*'], ['*'], ['*'])]),
      clusterRoleBinding('sem-urls', roleRef('ClusterRole', 'sem-urls'), [user('url-user')]),
      clusterRoleBinding('sem-url-all', roleRef('ClusterRole', 'sem-url-all'), [user('url-all')]),
      clusterRoleBinding('sem-res-all', roleRef('ClusterRole', 'sem-res-all'), [user('res-all')]),
    ],
    checks: [
      allow('a prefix match', { ...who('url-user'), ...url('get', '/logsfoo') }),
      allow('the prefix itself', { ...who('url-user'), ...url('get', '/logs') }),
      deny('"/apis/*" does not match "/apis"', { ...who('url-user'), ...url('get', '/apis') }),
      allow('"/apis/*" matches below it', { ...who('url-user'), ...url('get', '/apis/apps') }),
      deny('"/version/" does not match "/version"', { ...who('url-user'), ...url('get', '/version') }),
      allow('a star inside a URL is literal', { ...who('url-user'), ...url('get', '/a*b') }),
      deny('a star inside a URL matches nothing else', { ...who('url-user'), ...url('get', '/axb') }),
      allow('all trailing stars are stripped', { ...who('url-user'), ...url('get', '/deep') }),
      deny('URL verbs are exact', { ...who('url-user'), ...url('post', '/logs') }),
      allow('"*" matches every path', { ...who('url-all'), ...url('get', '/anything/at/all') }),
      allow('"*" matches even the empty path', { ...who('url-all'), ...url('get', '') }),
      deny('URL rules never grant resources', { ...who('url-all'), ...res('get', 'pods') }),
      deny('resource rules never grant URLs', { ...who('res-all'), ...url('get', '/healthz') }),
      allow('"*" on "*.*" grants every resource', { ...who('res-all'), ...res('delete', 'nodes') }),
    ],
  },
  {
    name: 'ServiceAccount subjects match the service account user name only',
    objects: [
      role('sa-reader', [rule(['get'], ['pods'])], ns('sem-sa')),
      role('sa-groups', [rule(['get'], ['configmaps'])], ns('sem-sa')),
      role('sa-lister', [rule(['list'], ['services'])], ns('sem-sa')),
      role('sa-star', [rule(['get'], ['secrets'])], ns('sem-sa')),
      roleBinding('sa-binding', roleRef('Role', 'sa-reader'), [serviceAccountSubject('robot')], ns('sem-sa')),
      roleBinding('sa-groups', roleRef('Role', 'sa-groups'), [group('system:serviceaccounts:sem-sa')], ns('sem-sa')),
      roleBinding('sa-as-user', roleRef('Role', 'sa-lister'), [user('system:serviceaccount:sem-sa:bot2')], ns('sem-sa')),
      roleBinding('sa-star', roleRef('Role', 'sa-star'), [user('*')], ns('sem-sa')),
    ],
    checks: [
      allow('a subject without namespace is the binding namespace\'s', { ...who('system:serviceaccount:sem-sa:robot'), ...res('get', 'pods', { namespace: 'sem-sa' }) },
        'RBAC: allowed by RoleBinding "sa-binding/sem-sa" of Role "sa-reader" to ServiceAccount "robot/sem-sa"'),
      deny('the same name in another namespace', { ...who('system:serviceaccount:other:robot'), ...res('get', 'pods', { namespace: 'sem-sa' }) }),
      deny('service account groups are not derived from the user name', { ...who('system:serviceaccount:sem-sa:robot'), ...res('get', 'configmaps', { namespace: 'sem-sa' }) }),
      allow('service account groups count when listed', { ...who('system:serviceaccount:sem-sa:robot', ['system:serviceaccounts:sem-sa']), ...res('get', 'configmaps', { namespace: 'sem-sa' }) },
        'RBAC: allowed by RoleBinding "sa-groups/sem-sa" of Role "sa-groups" to Group "system:serviceaccounts:sem-sa"'),
      allow('a User subject may name a service account', { ...who('system:serviceaccount:sem-sa:bot2'), ...res('list', 'services', { namespace: 'sem-sa' }) },
        'RBAC: allowed by RoleBinding "sa-as-user/sem-sa" of Role "sa-lister" to User "system:serviceaccount:sem-sa:bot2"'),
      deny('User "*" is no wildcard', { ...who('anyone'), ...res('get', 'secrets', { namespace: 'sem-sa' }) }),
    ],
  },
  {
    name: 'role references resolve in the binding\'s namespace, and kind tells a Role from a ClusterRole',
    objects: [
      role('editor', [rule(['get'], ['secrets'])], ns('sem-r1')),
      role('editor', [rule(['get'], ['configmaps'])], ns('sem-r2')),
      clusterRole('editor', [rule(['get'], ['services'])]),
      roleBinding('ref-local', roleRef('Role', 'editor'), [user('ref-user')], ns('sem-r2')),
      roleBinding('ref-cluster', roleRef('ClusterRole', 'editor'), [user('ref-user2')], ns('sem-r2')),
    ],
    checks: [
      allow('the Role of the binding namespace', { ...who('ref-user'), ...res('get', 'configmaps', { namespace: 'sem-r2' }) }),
      deny('never a same-named Role elsewhere', { ...who('ref-user'), ...res('get', 'secrets', { namespace: 'sem-r2' }) }),
      deny('never the same-named ClusterRole', { ...who('ref-user'), ...res('get', 'services', { namespace: 'sem-r2' }) }),
      allow('kind ClusterRole takes the ClusterRole', { ...who('ref-user2'), ...res('get', 'services', { namespace: 'sem-r2' }) }),
      deny('and not the Role', { ...who('ref-user2'), ...res('get', 'configmaps', { namespace: 'sem-r2' }) }),
    ],
  },
  {
    name: 'a binding to a missing role grants nothing and does not stop other bindings',
    objects: [
      role('present', [rule(['get'], ['pods'])], ns('sem-m')),
      roleBinding('to-ghost', roleRef('Role', 'ghost'), [user('miss-user')], ns('sem-m')),
      roleBinding('to-present', roleRef('Role', 'present'), [user('miss-user')], ns('sem-m')),
      clusterRoleBinding('sem-to-ghost', roleRef('ClusterRole', 'sem-ghost'), [user('miss-user')]),
    ],
    checks: [
      allow('the other binding allows', { ...who('miss-user'), ...res('get', 'pods', { namespace: 'sem-m' }) },
        'RBAC: allowed by RoleBinding "to-present/sem-m" of Role "present" to User "miss-user"'),
      deny('the missing role grants nothing', { ...who('miss-user'), ...res('get', 'secrets', { namespace: 'sem-m' }) }),
    ],
  },
  {
    name: 'aggregation replaces a ClusterRole\'s rules with those it selects, and nests',
    objects: [
      aggregated('agg-parent', selecting({ matchLabels: { 'sem-agg/parent': 'true' } }), [rule(['get'], ['secrets'])]),
      clusterRole('agg-child', [rule(['get'], ['pods'])], { labels: { 'sem-agg/parent': 'true' } }),
      aggregated('agg-middle', selecting({ matchLabels: { 'sem-agg/middle': 'true' } }), [], { 'sem-agg/parent': 'true' }),
      clusterRole('agg-leaf', [rule(['get'], ['configmaps'])], { labels: { 'sem-agg/middle': 'true' } }),
      role('agg-namespaced', [rule(['get'], ['services'])], { namespace: 'sem-agg', labels: { 'sem-agg/parent': 'true' } }),
      clusterRoleBinding('agg-parent', roleRef('ClusterRole', 'agg-parent'), [user('agg-user')]),
      aggregated('agg-self', selecting({ matchLabels: { 'sem-agg/self': 'true' } }), [rule(['get'], ['secrets'])], { 'sem-agg/self': 'true' }),
      clusterRoleBinding('agg-self', roleRef('ClusterRole', 'agg-self'), [user('agg-self-user')]),
      aggregated('agg-and', selecting({ matchLabels: { 'sem-and/a': 'true', 'sem-and/b': 'true' } })),
      clusterRole('and-ab', [rule(['get'], ['pods'])], { labels: { 'sem-and/a': 'true', 'sem-and/b': 'true' } }),
      clusterRole('and-a', [rule(['get'], ['secrets'])], { labels: { 'sem-and/a': 'true' } }),
      clusterRoleBinding('agg-and', roleRef('ClusterRole', 'agg-and'), [user('and-user')]),
      aggregated('agg-or', selecting({ matchLabels: { 'sem-or/a': 'true' } }, { matchLabels: { 'sem-or/b': 'true' } })),
      clusterRole('or-a', [rule(['get'], ['pods'])], { labels: { 'sem-or/a': 'true' } }),
      clusterRole('or-b', [rule(['get'], ['secrets'])], { labels: { 'sem-or/b': 'true' } }),
      clusterRoleBinding('agg-or', roleRef('ClusterRole', 'agg-or'), [user('or-user')]),
      aggregated('agg-all', selecting({})),
      clusterRoleBinding('agg-all', roleRef('ClusterRole', 'agg-all'), [user('all-user')]),
    ],
    checks: [
      deny('the aggregated role\'s own rules are replaced', { ...who('agg-user'), ...res('get', 'secrets') }),
      allow('a selected role\'s rules', { ...who('agg-user'), ...res('get', 'pods') },
        'RBAC: allowed by ClusterRoleBinding "agg-parent" of ClusterRole "agg-parent" to User "agg-user"'),
      allow('rules of a role a selected aggregated role selects', { ...who('agg-user'), ...res('get', 'configmaps') }),
      deny('a labelled Role takes no part', { ...who('agg-user'), ...res('get', 'services', { namespace: 'sem-agg' }) }),
      deny('a role never selects itself', { ...who('agg-self-user'), ...res('get', 'secrets') }),
      allow('labels within one selector are ANDed', { ...who('and-user'), ...res('get', 'pods') }),
      deny('a role with only some of them is not selected', { ...who('and-user'), ...res('get', 'secrets') }),
      allow('selectors are ORed (first)', { ...who('or-user'), ...res('get', 'pods') }),
      allow('selectors are ORed (second)', { ...who('or-user'), ...res('get', 'secrets') }),
      allow('an empty selector selects every ClusterRole', { ...who('all-user'), ...res('delete', 'nodes') }),
    ],
  },
  {
    name: 'an allow names the binding and its first subject the requester is',
    objects: [
      clusterRole('sem-reason', [rule(['get'], ['pods'])]),
      clusterRoleBinding('sem-reason', roleRef('ClusterRole', 'sem-reason'), [user('someone-else'), group('reason-devs'), user('reason-user')]),
    ],
    checks: [
      allow('the group listed before the user', { ...who('reason-user', ['reason-devs']), ...res('get', 'pods') },
        'RBAC: allowed by ClusterRoleBinding "sem-reason" of ClusterRole "sem-reason" to Group "reason-devs"'),
      allow('the user when the group does not apply', { ...who('reason-user'), ...res('get', 'pods') },
        'RBAC: allowed by ClusterRoleBinding "sem-reason" of ClusterRole "sem-reason" to User "reason-user"'),
    ],
  },
];

let w: TestWarden;
let admin: Api;

before(async () => {
  w = await startTestWarden();
  admin = api(w);
  await applyAll(admin, scenarios.flatMap((s) => s.objects));
});
after(async () => { await w?.close(); });

describe('RBAC decisions through SubjectAccessReview', () => {
  for (const s of scenarios) {
    test(s.name, async () => {
      for (const c of s.checks) {
        const status = await sar(admin, c.spec);
        assert.equal(status.allowed, c.allowed, `${c.why}: ${status.reason}`);
        if (c.allowed) assert.match(status.reason ?? '', /^RBAC: allowed by /, c.why);
        if (c.reason) assert.equal(status.reason, c.reason, c.why);
      }
    });
  }

  test('system:masters is allowed everything before RBAC is asked', async () => {
    for (const spec of [res('*', '*', { group: '*' }), res('delete', 'nodes'), url('post', '/anything'), url('get', '')]) {
      const status = await sar(admin, { ...who('no-bindings', ['system:masters']), ...spec });
      assert.equal(status.allowed, true);
      // The bootstrap cluster-admin binding also names system:masters; the privileged group decides first.
      assert.doesNotMatch(status.reason ?? '', /^RBAC:/);
      assert.match(status.reason ?? '', /system:masters/);
    }
  });
});
