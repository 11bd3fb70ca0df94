import { test } from 'node:test';
import assert from 'node:assert/strict';
import { authorize } from '../../../engine/rbac/authorizer.ts';
import type { Attributes } from '../../../engine/rbac/types.ts';
import {
  can, canURL, clusterRole, clusterRoleBinding, group, role, roleBinding, rule, sa, stateOf, urlRule, user, type AnyRbacObject,
} from './builders.ts';

type Row = [string, Attributes, boolean];

function check(world: AnyRbacObject[], rows: Row[]): void {
  const state = stateOf(world);
  for (const [what, attrs, expected] of rows) {
    assert.equal(authorize(state, attrs).allowed, expected, what);
  }
}

test('a RoleBinding counts only in its own namespace; unnamespaced requests and URLs see ClusterRoleBindings only', () => {
  check([
    clusterRole('everything', [rule('*', '*', '*'), urlRule('*', '*')]),
    roleBinding('ns1', 'local', 'ClusterRole/everything', [user('ann')]),
    clusterRole('reader', [rule('get,list', '', 'pods')]),
    clusterRoleBinding('global', 'ClusterRole/reader', [user('bob')]),
  ], [
    ['in the binding namespace', can('ann', 'delete', 'pods', { namespace: 'ns1' }), true],
    ['in another namespace', can('ann', 'delete', 'pods', { namespace: 'ns2' }), false],
    ['cluster-scoped request', can('ann', 'get', 'nodes'), false],
    ['all-namespaces list', can('ann', 'list', 'pods'), false],
    ['a URL, although the ClusterRole lists nonResourceURLs *', canURL('ann', 'get', '/healthz'), false],
    ['a ClusterRoleBinding grants in any namespace', can('bob', 'get', 'pods', { namespace: 'ns7' }), true],
    ['and across namespaces', can('bob', 'list', 'pods'), true],
  ]);
});

test('RBAC does not know resource scope: a namespaced review for nodes is granted by a RoleBinding', () => {
  check([
    role('team-a', 'node-reader', [rule('get', '', 'nodes')]),
    roleBinding('team-a', 'nodes', 'Role/node-reader', [user('ann')]),
  ], [
    ['nodes with the binding namespace', can('ann', 'get', 'nodes', { namespace: 'team-a' }), true],
    ['nodes without namespace', can('ann', 'get', 'nodes'), false],
  ]);
});

test('resourceNames never match an empty name, and names are exact', () => {
  check([
    clusterRole('named', [rule('get,list,watch,create,deletecollection,update', '', 'configmaps', ['app-config'])]),
    clusterRoleBinding('named', 'ClusterRole/named', [user('ann')]),
  ], [
    ['get the named object', can('ann', 'get', 'configmaps', { namespace: 'ns', name: 'app-config' }), true],
    ['update the named object', can('ann', 'update', 'configmaps', { namespace: 'ns', name: 'app-config' }), true],
    ['list has no name', can('ann', 'list', 'configmaps', { namespace: 'ns' }), false],
    ['watch has no name', can('ann', 'watch', 'configmaps', { namespace: 'ns' }), false],
    ['create has no name', can('ann', 'create', 'configmaps', { namespace: 'ns' }), false],
    ['deletecollection has no name', can('ann', 'deletecollection', 'configmaps', { namespace: 'ns' }), false],
    ['another name', can('ann', 'get', 'configmaps', { namespace: 'ns', name: 'other' }), false],
    ['names are case-sensitive', can('ann', 'get', 'configmaps', { namespace: 'ns', name: 'App-Config' }), false],
  ]);
});

test('subresources are separate resources; only * and */sub reach them', () => {
  check([
    clusterRole('pods', [rule('get', '', 'pods')]),
    clusterRoleBinding('pods', 'ClusterRole/pods', [user('pods')]),
    clusterRole('status', [rule('get', '', 'pods/status')]),
    clusterRoleBinding('status', 'ClusterRole/status', [user('status')]),
    clusterRole('star', [rule('get', '', '*')]),
    clusterRoleBinding('star', 'ClusterRole/star', [user('star')]),
    clusterRole('scale', [rule('get', '*', '*/scale')]),
    clusterRoleBinding('scale', 'ClusterRole/scale', [user('scale')]),
    clusterRole('literal', [rule('get', '', 'pods/*')]),
    clusterRoleBinding('literal', 'ClusterRole/literal', [user('literal')]),
  ], [
    ['pods does not reach pods/log', can('pods', 'get', 'pods/log'), false],
    ['pods/status does not reach pods', can('status', 'get', 'pods'), false],
    ['pods/status reaches pods/status', can('status', 'get', 'pods/status'), true],
    ['* reaches a subresource', can('star', 'get', 'pods/log'), true],
    ['* reaches a resource', can('star', 'get', 'secrets'), true],
    ['*/scale reaches any scale subresource', can('scale', 'get', 'deployments/scale', { group: 'apps' }), true],
    ['*/scale does not reach the resource itself', can('scale', 'get', 'deployments', { group: 'apps' }), false],
    ['*/scale does not reach another subresource', can('scale', 'get', 'deployments/status', { group: 'apps' }), false],
    ['pods/* is not a wildcard', can('literal', 'get', 'pods/log'), false],
    ['pods/* matches the literal subresource *', can('literal', 'get', 'pods/*'), true],
  ]);
});

test('only the rule side knows *; verbs, groups and resources are case-sensitive; version is ignored', () => {
  const world = [
    clusterRole('core-get', [rule('get', '', 'pods')]),
    clusterRoleBinding('core-get', 'ClusterRole/core-get', [user('core')]),
    clusterRole('any-group', [rule('get', '*', 'deployments')]),
    clusterRoleBinding('any-group', 'ClusterRole/any-group', [user('any')]),
  ];
  check(world, [
    ['exact match', can('core', 'get', 'pods'), true],
    ['request verb * is literal', can('core', '*', 'pods'), false],
    ['request resource * is literal', can('core', 'get', '*'), false],
    ['request group * is literal', can('core', 'get', 'pods', { group: '*' }), false],
    ['GET is not get', can('core', 'GET', 'pods'), false],
    ['Pods is not pods', can('core', 'get', 'Pods'), false],
    ['apiGroups [""] is the core group only', can('core', 'get', 'pods', { group: 'apps' }), false],
    ['apiGroups ["*"] includes the core group', can('any', 'get', 'deployments'), true],
    ['apiGroups ["*"] includes any named group', can('any', 'get', 'deployments', { group: 'apps' }), true],
    ['version plays no part', { ...can('core', 'get', 'pods'), apiVersion: 'v9beta1' }, true],
  ]);
});

test('nonResourceURLs: * alone matches all, a trailing * is a prefix, any other * is literal', () => {
  check([
    clusterRole('all', [urlRule('get', '*')]),
    clusterRoleBinding('all', 'ClusterRole/all', [user('all')]),
    clusterRole('forms', [urlRule('get', '/logs*,/apis/*,/version/,/a*b,/metrics**')]),
    clusterRoleBinding('forms', 'ClusterRole/forms', [user('forms')]),
    clusterRole('resources', [rule('*', '*', '*')]),
    clusterRoleBinding('resources', 'ClusterRole/resources', [user('res')]),
  ], [
    ['* matches any path', canURL('all', 'get', '/anything/at/all'), true],
    ['* matches the empty path', canURL('all', 'get', ''), true],
    ['the verb still has to match', canURL('all', 'post', '/healthz'), false],
    ['/logs* is a plain prefix', canURL('forms', 'get', '/logsfoo'), true],
    ['/logs* matches /logs', canURL('forms', 'get', '/logs'), true],
    ['/apis/* does not match /apis', canURL('forms', 'get', '/apis'), false],
    ['/apis/* matches below /apis/', canURL('forms', 'get', '/apis/apps/v1'), true],
    ['/version/ does not match /version', canURL('forms', 'get', '/version'), false],
    ['a star in the middle is literal', canURL('forms', 'get', '/axb'), false],
    ['a middle star matches itself', canURL('forms', 'get', '/a*b'), true],
    ['all trailing stars are stripped', canURL('forms', 'get', '/metricsz'), true],
    ['resource rules never grant URLs', canURL('res', 'get', '/healthz'), false],
    ['URL rules never grant resources', can('all', 'get', 'pods'), false],
  ]);
});

test('service accounts are matched by user name only; groups come only from the request', () => {
  const robot = 'system:serviceaccount:ns1:robot';
  check([
    clusterRole('reader', [rule('get', '', 'pods')]),
    roleBinding('ns1', 'implicit', 'ClusterRole/reader', [sa('robot')]),
    roleBinding('ns2', 'explicit', 'ClusterRole/reader', [sa('robot', 'ns1')]),
    roleBinding('ns3', 'by-group', 'ClusterRole/reader', [group('system:serviceaccounts:ns1')]),
    roleBinding('ns4', 'as-user', 'ClusterRole/reader', [user(robot)]),
    roleBinding('ns5', 'star-user', 'ClusterRole/reader', [user('*')]),
    clusterRoleBinding('no-namespace', 'ClusterRole/reader', [sa('robot')]),
  ], [
    ['an SA without namespace means the binding namespace', can(robot, 'get', 'pods', { namespace: 'ns1' }), true],
    ['an SA of another namespace does not match', can('system:serviceaccount:ns9:robot', 'get', 'pods', { namespace: 'ns1' }), false],
    ['an SA subject with its namespace', can(robot, 'get', 'pods', { namespace: 'ns2' }), true],
    ['SA groups are not derived from the user name', can(robot, 'get', 'pods', { namespace: 'ns3' }), false],
    ['SA groups count when the request lists them', can({ name: robot, groups: ['system:serviceaccounts:ns1'] }, 'get', 'pods', { namespace: 'ns3' }), true],
    ['a User subject may name an SA user', can(robot, 'get', 'pods', { namespace: 'ns4' }), true],
    ['User * matches nobody', can('anyone', 'get', 'pods', { namespace: 'ns5' }), false],
    ['an SA without namespace in a ClusterRoleBinding matches nobody', can(robot, 'get', 'pods', { namespace: 'ns9' }), false],
  ]);
});

test('role references resolve in the binding namespace, by kind; a missing role grants nothing and stops nothing', () => {
  check([
    role('ns1', 'editor', [rule('update', '', 'pods')]),
    roleBinding('ns3', 'elsewhere', 'Role/editor', [user('ann')]),
    role('ns2', 'same', [rule('get', '', 'secrets')]),
    clusterRole('same', [rule('get', '', 'configmaps')]),
    roleBinding('ns2', 'to-cluster-role', 'ClusterRole/same', [user('bob')]),
    roleBinding('ns2', 'to-role', 'Role/same', [user('cid')]),
    roleBinding('ns4', 'dangling', 'Role/gone', [user('dee')]),
    roleBinding('ns4', 'working', 'ClusterRole/same', [user('dee')]),
    clusterRoleBinding('cluster-to-role', 'Role/editor', [user('eve')]),
  ], [
    ['a Role of another namespace is never used', can('ann', 'update', 'pods', { namespace: 'ns3' }), false],
    ['nor in its own namespace through that binding', can('ann', 'update', 'pods', { namespace: 'ns1' }), false],
    ['kind ClusterRole uses the ClusterRole', can('bob', 'get', 'configmaps', { namespace: 'ns2' }), true],
    ['not the same-named Role', can('bob', 'get', 'secrets', { namespace: 'ns2' }), false],
    ['kind Role uses the Role', can('cid', 'get', 'secrets', { namespace: 'ns2' }), true],
    ['not the same-named ClusterRole', can('cid', 'get', 'configmaps', { namespace: 'ns2' }), false],
    ['a binding to a missing role does not stop the next one', can('dee', 'get', 'configmaps', { namespace: 'ns4' }), true],
    ['a ClusterRoleBinding cannot use a Role', can('eve', 'update', 'pods', { namespace: 'ns1' }), false],
  ]);
});

test('an aggregated ClusterRole has the rules of what it selects, not its own, nested to a fixed point', () => {
  check([
    clusterRole('admin', [rule('delete', '', 'nodes')], { aggregate: [{ matchLabels: { 'to-admin': 'true' } }] }),
    clusterRole('edit', [], { labels: { 'to-admin': 'true' }, aggregate: [{ matchLabels: { 'to-edit': 'true' } }] }),
    clusterRole('view', [], { labels: { 'to-edit': 'true' }, aggregate: [{ matchLabels: { 'to-view': 'true' } }] }),
    clusterRole('pod-reader', [rule('get', '', 'pods')], { labels: { 'to-view': 'true' } }),
    roleBinding('ns1', 'admins', 'ClusterRole/admin', [group('admins')]),
  ], [
    ['admin reaches view rules through edit', can({ name: 'x', groups: ['admins'] }, 'get', 'pods', { namespace: 'ns1' }), true],
    ['admin own rules are replaced', can({ name: 'x', groups: ['admins'] }, 'delete', 'nodes', { namespace: 'ns1' }), false],
  ]);
});

test('allow reasons use kube-apiserver text and name the first matching subject of the binding', () => {
  const state = stateOf([
    clusterRole('reader', [rule('get', '', 'pods')]),
    clusterRoleBinding('crb', 'ClusterRole/reader', [group('dev'), user('ann')]),
    role('ns1', 'local', [rule('list', '', 'pods')]),
    roleBinding('ns1', 'rb', 'Role/local', [sa('robot'), user('ann'), sa('other', 'ns2')]),
    roleBinding('ns1', 'quoted', 'Role/local', [user('we"ird')]),
  ]);
  const rows: Array<[string, Attributes, string]> = [
    ['a group listed first is named', can({ name: 'ann', groups: ['dev'] }, 'get', 'pods'),
      'RBAC: allowed by ClusterRoleBinding "crb" of ClusterRole "reader" to Group "dev"'],
    ['without the group, the user', can('ann', 'get', 'pods'),
      'RBAC: allowed by ClusterRoleBinding "crb" of ClusterRole "reader" to User "ann"'],
    ['a RoleBinding is NAME/NAMESPACE', can('ann', 'list', 'pods', { namespace: 'ns1' }),
      'RBAC: allowed by RoleBinding "rb/ns1" of Role "local" to User "ann"'],
    ['an SA gets the binding namespace', can('system:serviceaccount:ns1:robot', 'list', 'pods', { namespace: 'ns1' }),
      'RBAC: allowed by RoleBinding "rb/ns1" of Role "local" to ServiceAccount "robot/ns1"'],
    ['an SA keeps its own namespace', can('system:serviceaccount:ns2:other', 'list', 'pods', { namespace: 'ns1' }),
      'RBAC: allowed by RoleBinding "rb/ns1" of Role "local" to ServiceAccount "other/ns2"'],
    ['names are quoted as Go %q', can('we"ird', 'list', 'pods', { namespace: 'ns1' }),
      'RBAC: allowed by RoleBinding "quoted/ns1" of Role "local" to User "we\\"ird"'],
  ];
  for (const [what, attrs, reason] of rows) assert.equal(authorize(state, attrs).reason, reason, what);
});
