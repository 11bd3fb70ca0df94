/**
 * The tenancy engine on its own: which repairs `managedRepairs` asks for
 * (none when the stored objects are the desired ones, whatever order their
 * keys come back in); what a tenant owner may do, decided by RBAC over the
 * managed objects alone; and where `admitNamespace` puts a namespace.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../../engine/meta.ts';
import { authorize } from '../../engine/rbac/authorizer.ts';
import { loadBootstrapClusterRoles } from '../../engine/rbac/bootstrap.ts';
import type { Attributes, ClusterRole, ClusterRoleBinding, RoleBinding, UserInfo } from '../../engine/rbac/types.ts';
import type { RbacView } from '../../engine/rbac/view.ts';
import { desiredBindings, desiredTenantRbac, managedRepairs, namespaceOwnerRole } from '../../engine/tenancy/managed.ts';
import { admitNamespace, type NamespaceQuestion } from '../../engine/tenancy/namespace-admission.ts';
import {
  managedLabel, namespaceOwnerRoleName, ownersBindingName, ownersNamespaceBindingName, tenantLabel, tenantOwnerRoleName, tenantOwnersBindingName, type Tenant,
} from '../../engine/tenancy/types.ts';
import { evaluator, stateOf } from '../engine/rbac/builders.ts';

const tenantOf = (name: string, owners: string[], roleBindings: Tenant['spec']['roleBindings'] = [], namespaceLimit?: number): Tenant => ({
  apiVersion: 'tenancy.warden.dev/v1', kind: 'Tenant', metadata: { name },
  spec: { owners: owners.map((o) => ({ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: o })), roleBindings, ...(namespaceLimit !== undefined ? { namespaceLimit } : {}) },
});
const ns = (name: string, tenant?: string): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: tenant ? { [tenantLabel]: tenant } : {} } });

type Stored = RoleBinding | ClusterRoleBinding | ClusterRole;

/** A view over stored objects, as the state gives them to repairs. */
function view(objects: Stored[]): RbacView {
  return {
    roleBindings: (namespace) => objects.filter((b): b is RoleBinding => b.kind === 'RoleBinding' && b.metadata.namespace === namespace),
    clusterRoleBindings: () => objects.filter((b): b is ClusterRoleBinding => b.kind === 'ClusterRoleBinding'),
    roleBindingNamespaces: () => [...new Set(objects.filter((b) => b.kind === 'RoleBinding').map((b) => b.metadata.namespace!))],
    role: () => undefined,
    clusterRole: (name) => objects.find((o): o is ClusterRole => o.kind === 'ClusterRole' && o.metadata.name === name),
    clusterRoles: () => objects.filter((o): o is ClusterRole => o.kind === 'ClusterRole'),
    applicableBindings: () => [],
    evaluator,
  };
}

/** The object as the store gives it back: jsonb reorders object keys (shorter first). */
function asStored<T extends Stored>(b: T): T {
  const reorder = (o: unknown): unknown => {
    if (Array.isArray(o)) return o.map(reorder);
    if (o === null || typeof o !== 'object') return o;
    const keys = Object.keys(o).sort((x, y) => x.length - y.length || (x < y ? -1 : 1));
    return Object.fromEntries(keys.map((k) => [k, reorder((o as Record<string, unknown>)[k])]));
  };
  return { ...(reorder(b) as T), metadata: { ...(reorder(b.metadata) as T['metadata']), uid: 'u1', resourceVersion: '7' } };
}

const acme = tenantOf('acme', ['alice'], [{ name: 'viewers', roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' }, subjects: [{ kind: 'Group', name: 'auditors' }] }]);
const tenants = new Map([['acme', acme]]);
const namespaces = new Map([['web', ns('web', 'acme')], ['plain', ns('plain')], ['orphan', ns('orphan', 'gone')]]);
const desired = desiredBindings(acme, 'web');
const [ownerRole, ownersCrb] = desiredTenantRbac(acme);
const allDesired: Stored[] = [namespaceOwnerRole(), ownerRole, ownersCrb, ...desired];
const edit = <T extends Stored>(b: T, change: Partial<T>): T => asStored({ ...b, ...change });
const summary = (r: ReturnType<typeof managedRepairs>) => ({
  create: r.create.map((b) => b.metadata.name), replace: r.replace.map((x) => x.current.metadata.name), remove: r.remove.map((b) => b.metadata.name),
});
const none = { create: [], replace: [], remove: [] };

describe('managedRepairs', () => {
  const cases: { name: string; stored: Stored[]; want: ReturnType<typeof summary> }[] = [
    { name: 'stored objects equal to the desired ones, keys reordered by the store, need nothing', stored: allDesired.map(asStored), want: none },
    {
      name: 'missing objects are created: the shared role, the tenant\'s role and binding, then the namespace\'s bindings, owners\' first',
      stored: [],
      want: { create: [namespaceOwnerRoleName, tenantOwnerRoleName('acme'), tenantOwnersBindingName('acme'), ownersBindingName, ownersNamespaceBindingName, 'viewers'], replace: [], remove: [] },
    },
    {
      name: 'an extra subject on the owners\' binding is replaced',
      stored: [...allDesired.slice(0, 3).map(asStored), edit(desired[0], { subjects: [...desired[0].subjects!, { kind: 'User', name: 'mallory' }] }), ...desired.slice(1).map(asStored)],
      want: { create: [], replace: [ownersBindingName], remove: [] },
    },
    {
      name: 'an extra subject on the tenant\'s ClusterRoleBinding is replaced',
      stored: [asStored(namespaceOwnerRole()), asStored(ownerRole), edit(ownersCrb, { subjects: [...ownersCrb.subjects!, { kind: 'User', name: 'mallory' }] }), ...desired.map(asStored)],
      want: { create: [], replace: [tenantOwnersBindingName('acme')], remove: [] },
    },
    {
      name: 'a widened owners\' role is replaced',
      stored: [asStored(namespaceOwnerRole()), edit(ownerRole, { rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }] }), asStored(ownersCrb), ...desired.map(asStored)],
      want: { create: [], replace: [tenantOwnerRoleName('acme')], remove: [] },
    },
    {
      name: 'another role on a binding is replaced',
      stored: [...allDesired.slice(0, 3).map(asStored), edit(desired[0], { roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' } }), ...desired.slice(1).map(asStored)],
      want: { create: [], replace: [ownersBindingName], remove: [] },
    },
    {
      name: 'a lost managed label is replaced',
      stored: [...allDesired.slice(0, 5).map(asStored), asStored({ ...desired[2], metadata: { ...desired[2].metadata, labels: { [tenantLabel]: 'acme' } } })],
      want: { create: [], replace: ['viewers'], remove: [] },
    },
    {
      name: 'managed objects nothing asks for are removed; unmanaged ones stay',
      stored: [
        ...allDesired.map(asStored),
        asStored({ ...desired[2], metadata: { ...desired[2].metadata, name: 'old' } }),
        asStored({ ...desired[2], metadata: { name: 'mine', namespace: 'web' } }),
        asStored({ ...ownersCrb, metadata: { ...ownersCrb.metadata, name: tenantOwnersBindingName('gone') } }),
        asStored({ ...desired[0], metadata: { ...desired[0].metadata, namespace: 'plain' } }),
      ],
      want: { create: [], replace: [], remove: ['old', tenantOwnersBindingName('gone'), ownersBindingName] },
    },
  ];
  for (const c of cases) {
    test(c.name, () => assert.deepEqual(summary(managedRepairs(tenants, namespaces, view(c.stored))), c.want));
  }

  test('with no tenant, only the shared role is kept', () => {
    assert.deepEqual(summary(managedRepairs(new Map(), new Map([['plain', ns('plain')]]), view([]))), { create: [namespaceOwnerRoleName], replace: [], remove: [] });
  });

  test('managed objects carry the managed and tenant labels and default subjects to the RBAC group', () => {
    for (const o of [...desired, ownerRole, ownersCrb]) assert.deepEqual(o.metadata.labels, { [managedLabel]: 'true', [tenantLabel]: 'acme' }, o.metadata.name);
    assert.deepEqual(desired[2].subjects, [{ kind: 'Group', name: 'auditors', apiGroup: 'rbac.authorization.k8s.io' }]);
  });
});

describe('what a tenant owner may do is RBAC over the managed objects', () => {
  const documents = parseAllDocuments(readFileSync(new URL('../../policies/bootstrap-cluster-roles.yaml', import.meta.url), 'utf8')).map((d) => d.toJS());
  const state = stateOf([...loadBootstrapClusterRoles(documents), ...allDesired]);
  const alice: UserInfo = { name: 'alice', groups: ['system:authenticated'] };
  const mallory: UserInfo = { name: 'mallory', groups: ['system:authenticated'] };
  const attrs = (user: UserInfo, verb: string, resource: string, name = '', apiGroup = '', namespace = resource === 'namespaces' ? name : ''): Attributes =>
    ({ user, verb, isResourceRequest: true, namespace, apiGroup, apiVersion: 'v1', resource, subresource: '', name, path: '' });
  const cases: [string, Attributes, boolean, string?][] = [
    ['an owner may create namespaces', attrs(alice, 'create', 'namespaces'), true, `ClusterRoleBinding "${tenantOwnersBindingName('acme')}"`],
    ['an owner may delete a namespace of its tenant', attrs(alice, 'delete', 'namespaces', 'web'), true, `RoleBinding "${ownersNamespaceBindingName}/web"`],
    ['an owner may read a namespace of its tenant', attrs(alice, 'get', 'namespaces', 'web'), true],
    ['an owner gets nothing on a namespace outside its tenants', attrs(alice, 'get', 'namespaces', 'plain'), false],
    ['an owner gets nothing on a namespace that does not exist', attrs(alice, 'patch', 'namespaces', 'nowhere'), false],
    ['an owner may read its tenant', attrs(alice, 'get', 'tenants', 'acme', 'tenancy.warden.dev'), true],
    ['an owner may not read another tenant', attrs(alice, 'get', 'tenants', 'bolt', 'tenancy.warden.dev'), false],
    ['an owner may not change its tenant', attrs(alice, 'patch', 'tenants', 'acme', 'tenancy.warden.dev'), false],
    ['an owner may call bulk apply, which authorizes each object on its own', attrs(alice, 'create', 'apply', '', 'warden.dev'), true],
    ['an owner is admin in its namespaces', attrs(alice, 'create', 'roles', '', 'rbac.authorization.k8s.io', 'web'), true, `RoleBinding "${ownersBindingName}/web"`],
    ['an owner is nothing in other namespaces', attrs(alice, 'create', 'roles', '', 'rbac.authorization.k8s.io', 'plain'), false],
    ['a user who owns nothing may not call bulk apply', attrs(mallory, 'create', 'apply', '', 'warden.dev'), false],
    ['a user who owns nothing may not create namespaces', attrs(mallory, 'create', 'namespaces'), false],
  ];
  for (const [name, a, allowed, by] of cases) {
    test(name, () => {
      const d = authorize(state, a);
      assert.equal(d.allowed, allowed, d.reason);
      if (by) assert.match(d.reason, new RegExp(by.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    });
  }
});

describe('admitNamespace', () => {
  const bolt = tenantOf('bolt', ['bob'], [], 1);
  const base: NamespaceQuestion = {
    operation: 'CREATE', user: 'alice', tenant: undefined, owned: ['acme'], mayCreateAny: false,
    tenants: new Map([['acme', acme], ['bolt', bolt]]), namespaceCount: (t) => (t === 'bolt' ? 1 : 0),
  };
  const cases: [string, Partial<NamespaceQuestion>, unknown][] = [
    ['an owner of one tenant gets its namespace assigned there', {}, { allowed: true, tenant: 'acme', assigned: true }],
    ['an owner naming its tenant lands there', { tenant: 'acme' }, { allowed: true, tenant: 'acme', assigned: false }],
    ['an owner of several tenants must name one', { owned: ['acme', 'bolt'] }, { allowed: false, invalid: [{ type: 'FieldValueRequired', field: 'metadata.labels[tenancy.warden.dev/tenant]', detail: 'tenant owners create namespaces in their tenant: set it to one of "acme", "bolt"' }] }],
    ['an owner naming another tenant is refused before the tenant is looked up', { tenant: 'ghost' }, { allowed: false, forbidden: 'namespaces is forbidden: User "alice" cannot create namespaces in tenant "ghost": not one of its owners' }],
    ['a tenant at its limit takes no more', { owned: ['bolt'], user: 'bob' }, { allowed: false, forbidden: 'namespaces is forbidden: tenant "bolt" has 1 namespaces, its limit (spec.namespaceLimit is 1)' }],
    ['who may create namespaces outside tenancy may leave it untenanted', { mayCreateAny: true }, { allowed: true, assigned: false }],
    ['or name any tenant that exists', { mayCreateAny: true, owned: [], tenant: 'acme' }, { allowed: true, tenant: 'acme', assigned: false }],
    ['but not one that does not', { mayCreateAny: true, tenant: 'ghost' }, { allowed: false, invalid: [{ type: 'FieldValueNotFound', field: 'metadata.labels[tenancy.warden.dev/tenant]', value: 'ghost' }] }],
    ['a requester who owns nothing is not tenancy\'s business', { owned: [] }, { allowed: true, assigned: false }],
    ['an update keeping the tenant passes', { operation: 'UPDATE', tenant: 'acme', previousTenant: 'acme' }, { allowed: true, tenant: 'acme', assigned: false }],
    ['an update may not move a namespace to another tenant', { operation: 'UPDATE', tenant: 'bolt', previousTenant: 'acme' }, 'invalid'],
    ['nor take it out of its tenant', { operation: 'UPDATE', tenant: undefined, previousTenant: 'acme' }, 'invalid'],
    ['nor put an untenanted namespace into one', { operation: 'UPDATE', tenant: 'acme', previousTenant: undefined }, 'invalid'],
  ];
  for (const [name, q, want] of cases) {
    test(name, () => {
      const got = admitNamespace({ ...base, ...q });
      if (want === 'invalid') {
        assert.ok('invalid' in got && got.invalid[0].detail?.includes('set at creation and cannot change'), JSON.stringify(got));
        return;
      }
      const expected = want as Record<string, unknown>;
      if ('invalid' in got && 'invalid' in expected) {
        assert.deepEqual(got.invalid.map((e) => ({ type: e.type, field: e.field, ...(e.detail ? { detail: e.detail } : {}), ...(e.type === 'FieldValueNotFound' ? { value: e.value } : {}) })), expected.invalid);
      } else {
        assert.deepEqual(got, expected);
      }
    });
  }
});
