/**
 * RiskReview's engine: each finding type found where its grant is and not
 * where it is not, the bootstrap defaults left out (or marked), a namespace
 * review being the cluster review's findings about that namespace, what
 * the caller may not read left out, and one deterministic order.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../engine/meta.ts';
import type { ClusterRole, ClusterRoleBinding } from '../../../engine/rbac/types.ts';
import type { Tenant } from '../../../engine/tenancy/types.ts';
import { reviewRisks } from '../../../engine/risks/review.ts';
import type { Finding, RiskOptions, RiskVisibility } from '../../../engine/risks/types.ts';
import { clusterRole, clusterRoleBinding, group, role, roleBinding, rule, sa, stateOf, user, type AnyRbacObject } from '../rbac/builders.ts';

const defaults = { labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' } };
const withLabels = <T extends AnyRbacObject>(o: T, labels: Record<string, string>): T => ({ ...o, metadata: { ...o.metadata, labels } });

const objects: AnyRbacObject[] = [
  // Kubernetes' defaults.
  clusterRole('cluster-admin', [rule('*', '*', '*')], defaults),
  withLabels(clusterRoleBinding('cluster-admin', 'ClusterRole/cluster-admin', [group('system:masters')]) as ClusterRoleBinding, defaults.labels),
  clusterRole('system:basic-user', [rule('create', 'authorization.k8s.io', 'selfsubjectaccessreviews')], defaults),
  // Platform grants.
  clusterRoleBinding('ops-admin', 'ClusterRole/cluster-admin', [group('ops')]),
  clusterRole('escalator', [rule('escalate,bind', 'rbac.authorization.k8s.io', 'roles,clusterroles')]),
  clusterRoleBinding('escalators', 'ClusterRole/escalator', [user('erin')]),
  clusterRole('impersonator', [rule('impersonate', '', 'users,groups')]),
  clusterRoleBinding('impersonators', 'ClusterRole/impersonator', [sa('gateway', 'infra')]),
  clusterRole('secret-reader', [rule('get,list', '', 'secrets')]),
  clusterRoleBinding('secret-readers', 'ClusterRole/secret-reader', [user('sam')]),
  clusterRole('pod-maker', [rule('create', '', 'pods')]),
  roleBinding('kube-system', 'pod-makers', 'ClusterRole/pod-maker', [user('pat')]),
  roleBinding('payments', 'pod-makers', 'ClusterRole/pod-maker', [user('pat')]),
  role('kube-system', 'exec', [rule('get', '', 'pods/exec')]),
  roleBinding('kube-system', 'exec', 'Role/exec', [sa('debugger')]),
  clusterRole('star-verbs', [rule('get', '', 'pods'), rule('*', 'apps', 'deployments')]),
  clusterRole('unused', [rule('get', '', 'configmaps')]),
  clusterRole('feeds-view', [rule('get', '', 'events')], { labels: { 'example.com/aggregate-to-viewer': 'true' } }),
  clusterRole('viewer', [], { aggregate: [{ matchLabels: { 'example.com/aggregate-to-viewer': 'true' } }] }),
  clusterRoleBinding('viewers', 'ClusterRole/viewer', [group('everyone')]),
  roleBinding('payments', 'ghost', 'Role/ghost', [user('gus')]),
  roleBinding('payments', 'local-admin', 'ClusterRole/cluster-admin', [user('lou')]),
  role('payments', 'wild', [rule('*', '', '*')]),
  roleBinding('payments', 'wild', 'Role/wild', [user('wanda')]),
  role('payments', 'orphan', [rule('get', '', 'pods')]),
  roleBinding('payments', 'secret-reader', 'ClusterRole/secret-reader', [user('rita'), sa('robot')]),
  roleBinding('payments', 'partner', 'ClusterRole/secret-reader', [user('bolt-owner'), sa('worker', 'bolt-web'), user('acme-owner')]),
];

const ns = (name: string, tenant?: string): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, ...(tenant ? { labels: { 'tenancy.warden.dev/tenant': tenant } } : {}) } });
const tenant = (name: string, owners: string[]): Tenant => ({ apiVersion: 'tenancy.warden.dev/v1', kind: 'Tenant', metadata: { name }, spec: { owners: owners.map(user) } });

const state = {
  rbac: stateOf(objects),
  namespaces: new Map([['payments', ns('payments', 'acme')], ['bolt-web', ns('bolt-web', 'bolt')], ['kube-system', ns('kube-system')], ['infra', ns('infra')]]),
  tenants: new Map([['acme', tenant('acme', ['acme-owner'])], ['bolt', tenant('bolt', ['bolt-owner'])]]),
  users: new Map([['root', { name: 'root', groups: ['system:masters'] }], ['plain', { name: 'plain', groups: ['devs'] }]]),
};

const everything: RiskVisibility = { clusterRoleBindings: true, clusterRoles: true, roles: () => true, users: true, tenant: () => true };
const review = (opts: Partial<RiskOptions> = {}) => reviewRisks(state, { visible: everything, ...opts });
const ids = (findings: Finding[]) => findings.map((f) => f.id);
const byId = (findings: Finding[], id: string) => {
  const f = findings.find((x) => x.id === id);
  assert.ok(f, `no finding ${id} among ${ids(findings).join(', ')}`);
  return f;
};

describe('risk review findings', () => {
  const { findings, omitted } = review();

  test('the whole report, in order: severity, type, namespace, id', () => {
    assert.deepEqual(omitted, []);
    assert.deepEqual(ids(findings), [
      'system-masters/*/User/root',
      'cluster-admin/*/ClusterRoleBinding/ops-admin',
      'escalate/*/Group/ops',
      'escalate/*/User/erin',
      'bind/*/Group/ops',
      'bind/*/User/erin',
      'impersonate/*/Group/ops',
      'impersonate/*/ServiceAccount/infra/gateway',
      'cluster-admin/payments/RoleBinding/local-admin',
      'escalate/payments/User/lou',
      'bind/payments/User/lou',
      'impersonate/payments/User/lou',
      'impersonate/payments/User/wanda',
      'read-secrets/*/Group/ops',
      'read-secrets/*/User/sam',
      'system-namespace-pods/*/Group/ops',
      'system-namespace-pods/kube-system/ServiceAccount/kube-system/debugger',
      'system-namespace-pods/kube-system/User/pat',
      'foreign-tenant-subject/payments/RoleBinding/partner',
      'wildcard-rule/payments/Role/wild',
      'read-secrets/payments/ServiceAccount/bolt-web/worker',
      'read-secrets/payments/ServiceAccount/payments/robot',
      'read-secrets/payments/User/acme-owner',
      'read-secrets/payments/User/bolt-owner',
      'read-secrets/payments/User/lou',
      'read-secrets/payments/User/rita',
      'read-secrets/payments/User/wanda',
      'wildcard-rule/*/ClusterRole/star-verbs',
      'missing-role/payments/RoleBinding/ghost',
      'unbound-role/*/ClusterRole/star-verbs',
      'unbound-role/*/ClusterRole/unused',
      'unbound-role/payments/Role/orphan',
    ]);
    // The order itself: severities never go back up.
    const rank = ['critical', 'high', 'medium', 'low'];
    findings.forEach((f, i) => { if (i) assert.ok(rank.indexOf(findings[i - 1].severity) <= rank.indexOf(f.severity), f.id); });
  });

  test('who may escalate and bind, with the granting binding and role', () => {
    const f = byId(findings, 'escalate/*/User/erin');
    assert.equal(f.severity, 'critical');
    assert.equal(f.message, 'User "erin" can escalate roles and escalate clusterroles cluster-wide');
    assert.deepEqual(f.bindings, [{ kind: 'ClusterRoleBinding', name: 'escalators', roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'escalator' } }]);
    assert.deepEqual(f.roles, [{ kind: 'ClusterRole', name: 'escalator' }]);
    assert.equal(byId(findings, 'bind/*/User/erin').message, 'User "erin" can bind roles and bind clusterroles cluster-wide');
  });

  test('who may impersonate; a ServiceAccount subject carries its namespace', () => {
    const f = byId(findings, 'impersonate/*/ServiceAccount/infra/gateway');
    assert.equal(f.message, 'ServiceAccount "infra/gateway" can impersonate users and impersonate groups cluster-wide');
    assert.deepEqual(f.subjects, [{ kind: 'ServiceAccount', name: 'gateway', namespace: 'infra' }]);
  });

  test('who may read secrets: cluster-wide high, in one namespace medium, each grant reported where its binding lives', () => {
    const sam = byId(findings, 'read-secrets/*/User/sam');
    assert.equal(sam.severity, 'high');
    assert.equal(sam.message, 'User "sam" can get secrets and list secrets cluster-wide');
    const robot = byId(findings, 'read-secrets/payments/ServiceAccount/payments/robot');
    assert.equal(robot.severity, 'medium');
    assert.equal(robot.namespace, 'payments');
    assert.deepEqual(robot.bindings.map((b) => b.name), ['secret-reader']);
    // A cluster-admin grant is also each of the grants it includes.
    assert.deepEqual(byId(findings, 'read-secrets/*/Group/ops').bindings.map((b) => b.name), ['ops-admin']);
    assert.ok(!ids(findings).includes('read-secrets/*/User/pat'));
  });

  test('pods created or exec\'d in system namespaces, not in other namespaces', () => {
    assert.equal(byId(findings, 'system-namespace-pods/kube-system/User/pat').message, 'User "pat" can create pods in namespace "kube-system"');
    assert.equal(byId(findings, 'system-namespace-pods/kube-system/ServiceAccount/kube-system/debugger').message,
      'ServiceAccount "kube-system/debugger" can get pods/exec in namespace "kube-system"');
    assert.ok(!ids(findings).some((id) => id.startsWith('system-namespace-pods/payments/')));
  });

  test('cluster-admin grants: cluster-wide critical, in a namespace high; the bootstrap system:masters binding left out', () => {
    const ops = byId(findings, 'cluster-admin/*/ClusterRoleBinding/ops-admin');
    assert.equal(ops.severity, 'critical');
    assert.equal(ops.message, 'ClusterRoleBinding "ops-admin" grants ClusterRole "cluster-admin" cluster-wide to Group "ops"');
    assert.equal(byId(findings, 'cluster-admin/payments/RoleBinding/local-admin').severity, 'high');
    assert.ok(!ids(findings).includes('cluster-admin/*/ClusterRoleBinding/cluster-admin'));
    // A namespace Role granting everything in the namespace is cluster-admin's equivalent only if it covers every group.
    assert.ok(!ids(findings).includes('cluster-admin/payments/RoleBinding/wild'));
  });

  test('wildcard verbs or resources in roles, with the bindings that use them', () => {
    const wild = byId(findings, 'wildcard-rule/payments/Role/wild');
    assert.equal(wild.severity, 'high');
    assert.equal(wild.message, 'Role "payments/wild" grants wildcard verbs and resources in rules[0], bound by 1 binding');
    assert.deepEqual(wild.subjects, [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'wanda' }]);
    const star = byId(findings, 'wildcard-rule/*/ClusterRole/star-verbs');
    assert.equal(star.severity, 'medium');
    assert.deepEqual(star.rules, [rule('*', 'apps', 'deployments')]);
    assert.ok(!ids(findings).includes('wildcard-rule/*/ClusterRole/cluster-admin'), 'a bootstrap default');
  });

  test('bindings to missing roles, and roles nothing binds (aggregated sources count as used)', () => {
    assert.equal(byId(findings, 'missing-role/payments/RoleBinding/ghost').message,
      'RoleBinding "payments/ghost" refers to Role "payments/ghost", which does not exist: a role created under that name is granted to User "gus"');
    assert.equal(byId(findings, 'unbound-role/*/ClusterRole/unused').message, 'ClusterRole "unused" is bound by no binding and aggregated into no ClusterRole');
    assert.equal(byId(findings, 'unbound-role/payments/Role/orphan').message, 'Role "payments/orphan" is bound by no RoleBinding');
    for (const used of ['unbound-role/*/ClusterRole/feeds-view', 'unbound-role/*/ClusterRole/viewer', 'unbound-role/payments/Role/wild', 'unbound-role/*/ClusterRole/system:basic-user']) {
      assert.ok(!ids(findings).includes(used), used);
    }
  });

  test('subjects of another tenant bound in a tenant\'s namespace: its owners and its namespaces\' service accounts', () => {
    const f = byId(findings, 'foreign-tenant-subject/payments/RoleBinding/partner');
    assert.equal(f.severity, 'high');
    assert.deepEqual(f.subjects.map((s) => `${s.kind}/${s.namespace ?? ''}/${s.name}`), ['ServiceAccount/bolt-web/worker', 'User//bolt-owner']);
    assert.equal(f.message, 'RoleBinding "payments/partner" in a namespace of tenant "acme" binds subjects of tenant "bolt": ServiceAccount "bolt-web/worker" and User "bolt-owner"');
  });

  test('users in system:masters', () => {
    assert.equal(byId(findings, 'system-masters/*/User/root').message, 'User "root" is in group system:masters, which may do everything before RBAC is asked');
    assert.ok(!ids(findings).includes('system-masters/*/User/plain'));
  });
});

describe('bootstrap defaults', () => {
  const { findings } = review({ includeDefaults: true });
  test('are reported when asked, marked default, and nothing else is marked', () => {
    const crb = byId(findings, 'cluster-admin/*/ClusterRoleBinding/cluster-admin');
    assert.equal(crb.default, true);
    assert.equal(byId(findings, 'read-secrets/*/Group/system:masters').default, true);
    assert.equal(byId(findings, 'wildcard-rule/*/ClusterRole/cluster-admin').default, true);
    assert.equal(byId(findings, 'unbound-role/*/ClusterRole/system:basic-user').default, true);
    assert.equal(byId(findings, 'cluster-admin/*/ClusterRoleBinding/ops-admin').default, undefined);
    const plain = review().findings;
    assert.deepEqual(ids(findings.filter((f) => !f.default)), ids(plain));
  });
});

describe('one namespace', () => {
  test('is the cluster review\'s findings about it: its own, and the cluster-wide grants that reach it', () => {
    const whole = review().findings;
    const { findings, omitted } = review({ namespace: 'payments' });
    assert.deepEqual(omitted, []);
    const expected = whole.filter((f) => f.namespace === 'payments' ||
      (f.namespace === undefined && ['cluster-admin', 'escalate', 'bind', 'impersonate', 'read-secrets'].includes(f.type)));
    assert.deepEqual(findings, expected);
  });

  test('a system namespace also gets the cluster-wide pod grants', () => {
    const withPods = objects.concat([clusterRoleBinding('everywhere-pods', 'ClusterRole/pod-maker', [user('cy')])]);
    const s = { ...state, rbac: stateOf(withPods) };
    const inSystem = reviewRisks(s, { namespace: 'kube-system', visible: everything }).findings;
    assert.equal(byId(inSystem, 'system-namespace-pods/*/User/cy').message, 'User "cy" can create pods in every namespace, the system namespaces included');
    assert.ok(!ids(reviewRisks(s, { namespace: 'payments', visible: everything }).findings).includes('system-namespace-pods/*/User/cy'));
  });
});

describe('what the caller may not read', () => {
  test('a namespace review without ClusterRoleBindings or Roles leaves them out and says so', () => {
    const { findings, omitted } = review({ namespace: 'payments', visible: { ...everything, clusterRoleBindings: false, roles: () => false } });
    assert.deepEqual(omitted, ['clusterrolebindings', 'roles']);
    assert.ok(findings.every((f) => f.namespace === 'payments'));
    assert.ok(findings.every((f) => f.bindings.every((b) => b.kind === 'RoleBinding')));
    assert.ok(!ids(findings).includes('wildcard-rule/payments/Role/wild'));
    assert.ok(ids(findings).includes('missing-role/payments/RoleBinding/ghost'));
  });

  test('another tenant the caller may not read is not recognised, nor named', () => {
    const { findings } = review({ namespace: 'payments', visible: { ...everything, tenant: (t) => t === 'acme' } });
    assert.ok(!ids(findings).includes('foreign-tenant-subject/payments/RoleBinding/partner'));
  });

  test('a cluster review without ClusterRoles, Roles or Users leaves their findings out', () => {
    const { findings, omitted } = review({ visible: { ...everything, clusterRoles: false, roles: () => false, users: false } });
    assert.deepEqual(omitted, ['clusterroles', 'roles', 'users']);
    assert.ok(!findings.some((f) => ['wildcard-rule', 'unbound-role', 'system-masters'].includes(f.type)));
  });
});

test('the same state gives the same report', () => {
  assert.deepEqual(review(), reviewRisks({ ...state, rbac: stateOf([...objects].reverse()) }, { visible: everything }));
});

test('an empty cluster has no findings', () => {
  const bare: ClusterRole[] = [];
  assert.deepEqual(reviewRisks({ rbac: stateOf(bare), namespaces: new Map(), tenants: new Map(), users: new Map() }, { visible: everything }), { findings: [], omitted: [] });
});
