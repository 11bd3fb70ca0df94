import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkEscalation, writeAttributes, type EscalationRequest } from '../../../engine/rbac/escalation.ts';
import type { Role, RoleBinding, UserInfo } from '../../../engine/rbac/types.ts';
import {
  arrayView, clusterRole, clusterRoleBinding, group, role, roleBinding, rule, sa, urlRule, user, viewAuthorizer, type AnyRbacObject,
} from './builders.ts';

const rbac = 'rbac.authorization.k8s.io';

/** A small world: cluster-admin, a namespace admin of team-a, and some helpers. */
const world: AnyRbacObject[] = [
  clusterRole('cluster-admin', [rule('*', '*', '*'), urlRule('*', '*')]),
  clusterRole('view', [rule('get,list,watch', '', 'pods,services')], { labels: { 'aggregate-to-edit': 'true' } }),
  clusterRole('edit-extra', [rule('create,update,delete', '', 'pods')], { labels: { 'aggregate-to-edit': 'true' } }),
  clusterRole('edit', [], { aggregate: [{ matchLabels: { 'aggregate-to-edit': 'true' } }] }),
  clusterRole('escalator', [rule('escalate', rbac, 'roles')]),
  clusterRole('named-escalator', [rule('escalate', rbac, 'roles', ['tuned'])]),
  clusterRole('view-binder', [rule('bind', rbac, 'clusterroles', ['view'])]),
  clusterRoleBinding('admins', 'ClusterRole/cluster-admin', [group('platform')]),
  roleBinding('team-a', 'owner', 'ClusterRole/edit', [user('alice'), sa('deployer')]),
  roleBinding('team-a', 'escalate', 'ClusterRole/escalator', [user('esc')]),
  roleBinding('team-a', 'tuner', 'ClusterRole/named-escalator', [user('tuner')]),
  roleBinding('team-a', 'binder', 'ClusterRole/view-binder', [user('binder')]),
  roleBinding('team-a', 'dangling', 'ClusterRole/gone', [user('alice')]),
];
const view = arrayView(world);
const ports = { authorize: viewAuthorizer(view), view };
const u = (name: string, ...groups: string[]): UserInfo => ({ name, groups });

const table: { name: string; req: EscalationRequest; decidedBy: string; denial?: 'escalation' | 'missing-role' }[] = [
  { name: 'system:masters skips every check', req: { user: u('root', 'system:masters'), operation: 'create', object: role('team-a', 'x', [rule('*', '*', '*')]) }, decidedBy: 'system:masters' },
  { name: 'a namespace editor may write a Role with rules it holds there', req: { user: u('alice'), operation: 'create', object: role('team-a', 'x', [rule('get', '', 'pods')]) }, decidedBy: 'covers' },
  { name: 'aggregated rules count as held', req: { user: u('alice'), operation: 'create', object: role('team-a', 'x', [rule('delete', '', 'pods')]) }, decidedBy: 'covers' },
  { name: 'rules held in another namespace do not count', req: { user: u('alice'), operation: 'create', object: role('team-b', 'x', [rule('get', '', 'pods')]) }, decidedBy: 'forbidden:rules-not-covered', denial: 'escalation' },
  { name: 'RoleBinding-held rules never cover a ClusterRole', req: { user: u('alice'), operation: 'create', object: clusterRole('x', [rule('get', '', 'pods')]) }, decidedBy: 'forbidden:rules-not-covered', denial: 'escalation' },
  { name: 'a namespaced ServiceAccount subject supplies rules to that SA', req: { user: u('system:serviceaccount:team-a:deployer'), operation: 'create', object: role('team-a', 'x', [rule('get', '', 'services')]) }, decidedBy: 'covers' },
  { name: 'escalate lets a user write rules it does not hold, in the bound namespace', req: { user: u('esc'), operation: 'create', object: role('team-a', 'x', [rule('*', '*', '*')]) }, decidedBy: 'escalate-verb' },
  { name: 'escalate on roles is not escalate on clusterroles', req: { user: u('esc'), operation: 'create', object: clusterRole('x', []) }, decidedBy: 'covers' },
  { name: 'a name-restricted escalate does not help a create (no request name)', req: { user: u('tuner'), operation: 'create', object: role('team-a', 'tuned', [rule('get', '', 'nodes')]) }, decidedBy: 'forbidden:rules-not-covered', denial: 'escalation' },
  { name: 'a name-restricted escalate helps the update of that role', req: { user: u('tuner'), operation: 'update', object: role('team-a', 'tuned', [rule('get', '', 'nodes')]), oldObject: role('team-a', 'tuned', []) }, decidedBy: 'escalate-verb' },
  { name: 'an aggregationRule needs * on everything even with no rules', req: { user: u('alice'), operation: 'create', object: clusterRole('agg', [], { aggregate: [{ matchLabels: { a: 'b' } }] }) }, decidedBy: 'forbidden:aggregationRule-requires-cluster-admin', denial: 'escalation' },
  { name: 'cluster-admin may set an aggregationRule: its verb * includes escalate', req: { user: u('pat', 'platform'), operation: 'create', object: clusterRole('agg', [], { aggregate: [{ matchLabels: { a: 'b' } }] }) }, decidedBy: 'escalate-verb' },
  { name: 'bind lets a user bind exactly the named role', req: { user: u('binder'), operation: 'create', object: roleBinding('team-a', 'v', 'ClusterRole/view', [user('x')]) }, decidedBy: 'bind-verb' },
  { name: 'bind granted in a namespace does not help a ClusterRoleBinding', req: { user: u('binder'), operation: 'create', object: clusterRoleBinding('v', 'ClusterRole/view', [user('x')]) }, decidedBy: 'forbidden:role-not-covered', denial: 'escalation' },
  { name: 'a namespace editor may bind edit in its namespace (covers ignores scope)', req: { user: u('alice'), operation: 'create', object: roleBinding('team-a', 'e', 'ClusterRole/edit', [user('bob')]) }, decidedBy: 'covers' },
  { name: 'a namespace editor may not bind cluster-admin', req: { user: u('alice'), operation: 'create', object: roleBinding('team-a', 'ca', 'ClusterRole/cluster-admin', [user('bob')]) }, decidedBy: 'forbidden:role-not-covered', denial: 'escalation' },
  { name: 'binding a missing role without bind is NotFound', req: { user: u('alice'), operation: 'create', object: roleBinding('team-a', 'm', 'ClusterRole/missing', [user('bob')]) }, decidedBy: 'error:referenced-role-not-found', denial: 'missing-role' },
  { name: 'a Role reference resolves in the binding namespace only', req: { user: u('alice'), operation: 'create', object: roleBinding('team-a', 'r', 'Role/local', [user('bob')]) }, decidedBy: 'error:referenced-role-not-found', denial: 'missing-role' },
];

test('escalation decisions name the branch that decided', () => {
  for (const c of table) {
    const d = checkEscalation(ports, c.req);
    assert.equal(d.decidedBy, c.decidedBy, c.name);
    assert.equal(d.allowed, c.denial === undefined, c.name);
    assert.equal(d.denial, c.denial, c.name);
  }
});

test('the 403 message is kube-apiserver\'s text, with compacted sorted rules and resolution errors', () => {
  const d = checkEscalation(ports, { user: u('alice', 'devs', 'qa'), operation: 'create', object: role('team-a', 'wide', [rule('get,list', '', 'nodes'), rule('get', 'apps', 'deployments', ['web'])]) });
  assert.equal(d.message,
    'roles.rbac.authorization.k8s.io "wide" is forbidden: user "alice" (groups=["devs" "qa"]) is attempting to grant RBAC permissions not currently held:\n' +
    '{APIGroups:[""], Resources:["nodes"], Verbs:["get" "list"]}\n' +
    '{APIGroups:["apps"], Resources:["deployments"], ResourceNames:["web"], Verbs:["get"]}' +
    '; resolution errors: [clusterroles.rbac.authorization.k8s.io "gone" not found]');
  assert.deepEqual(d.uncoveredRules?.length, 3);
  assert.equal(d.denial, 'escalation');
});

test('the aggregationRule refusal and the NotFound carry kube wording', () => {
  const agg = checkEscalation(ports, { user: u('alice'), operation: 'create', object: clusterRole('agg', [], { aggregate: [{}] }) });
  assert.equal(agg.message, 'clusterroles.rbac.authorization.k8s.io "agg" is forbidden: must have cluster-admin privileges to use the aggregationRule');
  const missing = checkEscalation(ports, { user: u('alice'), operation: 'create', object: roleBinding('team-a', 'm', 'ClusterRole/missing', []) });
  assert.equal(missing.message, 'clusterroles.rbac.authorization.k8s.io "missing" not found');
  assert.equal(missing.denial, 'missing-role');
});

test('removing an aggregationRule also needs full authority', () => {
  const prev = clusterRole('agg', [], { aggregate: [{ matchLabels: { a: 'b' } }] });
  const d = checkEscalation({ ...ports, authorize: () => false }, { user: u('alice'), operation: 'update', object: clusterRole('agg', []), oldObject: prev });
  assert.equal(d.decidedBy, 'forbidden:aggregationRule-requires-cluster-admin');
});

test('updates touching only ownerReferences or finalizers skip the check; any other change re-runs it', () => {
  const big: Role = role('team-a', 'big', [rule('*', '*', '*')]);
  const owned: Role = { ...big, metadata: { ...big.metadata, ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'o', uid: '1' }], resourceVersion: '7' } };
  assert.equal(checkEscalation(ports, { user: u('alice'), operation: 'update', object: owned, oldObject: big }).decidedBy, 'gc-fields-only');
  const relabelled: Role = { ...owned, metadata: { ...owned.metadata, labels: { x: 'y' } } };
  assert.equal(checkEscalation(ports, { user: u('alice'), operation: 'update', object: relabelled, oldObject: big }).decidedBy, 'forbidden:rules-not-covered');

  const rb: RoleBinding = roleBinding('team-a', 'ca', 'ClusterRole/cluster-admin', [user('root')]);
  const finalized: RoleBinding = { ...rb, metadata: { ...rb.metadata, finalizers: ['example.com/keep'] } };
  assert.equal(checkEscalation(ports, { user: u('alice'), operation: 'update', object: finalized, oldObject: rb }).decidedBy, 'gc-fields-only');
  const widened: RoleBinding = { ...rb, subjects: [user('root'), user('alice')] };
  assert.equal(checkEscalation(ports, { user: u('alice'), operation: 'update', object: widened, oldObject: rb }).decidedBy, 'forbidden:role-not-covered');
});

test('the write itself is authorized with the request namespace, and the name only on update', () => {
  const create = writeAttributes({ user: u('a'), operation: 'create', object: roleBinding('team-a', 'b', 'ClusterRole/view', []) });
  assert.deepEqual([create.verb, create.resource, create.namespace, create.name, create.apiGroup], ['create', 'rolebindings', 'team-a', '', rbac]);
  const update = writeAttributes({ user: u('a'), operation: 'update', object: clusterRole('c', []) });
  assert.deepEqual([update.verb, update.resource, update.namespace, update.name], ['update', 'clusterroles', '', 'c']);
});
