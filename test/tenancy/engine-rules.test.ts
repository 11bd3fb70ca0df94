/**
 * The tenancy engine on its own: which repairs `bindingRepairs` asks for
 * (none when the stored bindings are the desired ones, whatever order their
 * keys come back in), and what `tenancyDecision` grants an owner beyond RBAC.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../engine/meta.ts';
import type { Attributes, RoleBinding, UserInfo } from '../../engine/rbac/types.ts';
import type { RbacView } from '../../engine/rbac/view.ts';
import { tenancyDecision } from '../../engine/tenancy/authorizer.ts';
import { bindingRepairs, desiredBindings } from '../../engine/tenancy/managed.ts';
import { managedLabel, ownersBindingName, tenantLabel, type Tenant } from '../../engine/tenancy/types.ts';

const tenantOf = (name: string, owners: string[], roleBindings: Tenant['spec']['roleBindings'] = []): Tenant => ({
  apiVersion: 'tenancy.warden.dev/v1', kind: 'Tenant', metadata: { name },
  spec: { owners: owners.map((o) => ({ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: o })), roleBindings },
});
const ns = (name: string, tenant?: string): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: tenant ? { [tenantLabel]: tenant } : {} } });

/** A view holding only RoleBindings, which is all repairs read. */
function view(bindings: RoleBinding[]): RbacView {
  return {
    roleBindings: (namespace) => bindings.filter((b) => b.metadata.namespace === namespace),
    clusterRoleBindings: () => [], roleBindingNamespaces: () => [], role: () => undefined, clusterRole: () => undefined, clusterRoles: () => [],
  };
}

/** The binding as the store gives it back: jsonb reorders object keys (shorter first). */
function asStored(b: RoleBinding): RoleBinding {
  const reorder = (o: unknown): unknown => {
    if (Array.isArray(o)) return o.map(reorder);
    if (o === null || typeof o !== 'object') return o;
    const keys = Object.keys(o).sort((x, y) => x.length - y.length || (x < y ? -1 : 1));
    return Object.fromEntries(keys.map((k) => [k, reorder((o as Record<string, unknown>)[k])]));
  };
  return { ...(reorder(b) as RoleBinding), metadata: { ...(reorder(b.metadata) as RoleBinding['metadata']), uid: 'u1', resourceVersion: '7' } };
}

const acme = tenantOf('acme', ['alice'], [{ name: 'viewers', roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' }, subjects: [{ kind: 'Group', name: 'auditors' }] }]);
const tenants = new Map([['acme', acme]]);
const namespaces = new Map([['web', ns('web', 'acme')], ['plain', ns('plain')], ['orphan', ns('orphan', 'gone')]]);
const desired = desiredBindings(acme, 'web');
const edit = (b: RoleBinding, change: Partial<RoleBinding>): RoleBinding => asStored({ ...b, ...change });
const summary = (r: ReturnType<typeof bindingRepairs>) => ({
  create: r.create.map((b) => b.metadata.name), replace: r.replace.map((x) => x.current.metadata.name), remove: r.remove.map((b) => b.metadata.name),
});

describe('bindingRepairs', () => {
  const cases: { name: string; stored: RoleBinding[]; want: ReturnType<typeof summary> }[] = [
    { name: 'stored bindings equal to the desired ones, keys reordered by the store, need nothing', stored: desired.map(asStored), want: { create: [], replace: [], remove: [] } },
    { name: 'missing bindings are created, owners\' first', stored: [], want: { create: [ownersBindingName, 'viewers'], replace: [], remove: [] } },
    { name: 'an extra subject is replaced', stored: [edit(desired[0], { subjects: [...desired[0].subjects!, { kind: 'User', name: 'mallory' }] }), asStored(desired[1])], want: { create: [], replace: [ownersBindingName], remove: [] } },
    { name: 'another role is replaced', stored: [edit(desired[0], { roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' } }), asStored(desired[1])], want: { create: [], replace: [ownersBindingName], remove: [] } },
    {
      name: 'a lost managed label is replaced',
      stored: [asStored(desired[0]), asStored({ ...desired[1], metadata: { ...desired[1].metadata, labels: { [tenantLabel]: 'acme' } } })],
      want: { create: [], replace: ['viewers'], remove: [] },
    },
    {
      name: 'a managed binding the tenant no longer asks for is removed; an unmanaged one stays',
      stored: [...desired.map(asStored), asStored({ ...desired[1], metadata: { ...desired[1].metadata, name: 'old' } }), asStored({ ...desired[1], metadata: { name: 'mine', namespace: 'web' } })],
      want: { create: [], replace: [], remove: ['old'] },
    },
  ];
  for (const c of cases) {
    test(c.name, () => assert.deepEqual(summary(bindingRepairs(tenants, namespaces, view(c.stored))), c.want));
  }

  test('namespaces without a tenant, or of a tenant that does not exist, get nothing', () => {
    const only = new Map([['plain', ns('plain')], ['orphan', ns('orphan', 'gone')]]);
    assert.deepEqual(summary(bindingRepairs(tenants, only, view([]))), { create: [], replace: [], remove: [] });
  });

  test('desired bindings carry the managed and tenant labels and default subjects to the RBAC group', () => {
    assert.deepEqual(desired[1].metadata.labels, { [managedLabel]: 'true', [tenantLabel]: 'acme' });
    assert.deepEqual(desired[1].subjects, [{ kind: 'Group', name: 'auditors', apiGroup: 'rbac.authorization.k8s.io' }]);
  });
});

describe('tenancyDecision', () => {
  const state = { tenants, namespaces };
  const alice: UserInfo = { name: 'alice', groups: ['system:authenticated'] };
  const mallory: UserInfo = { name: 'mallory', groups: ['system:authenticated'] };
  const attrs = (user: UserInfo, verb: string, resource: string, name = '', apiGroup = '', namespace = resource === 'namespaces' ? name : ''): Attributes =>
    ({ user, verb, isResourceRequest: true, namespace, apiGroup, apiVersion: 'v1', resource, subresource: '', name, path: '' });
  const cases: [string, Attributes, boolean][] = [
    ['an owner may create namespaces', attrs(alice, 'create', 'namespaces'), true],
    ['an owner may delete a namespace of its tenant', attrs(alice, 'delete', 'namespaces', 'web'), true],
    ['an owner gets nothing on a namespace outside its tenants', attrs(alice, 'get', 'namespaces', 'plain'), false],
    ['an owner gets nothing on a namespace that does not exist', attrs(alice, 'patch', 'namespaces', 'nowhere'), false],
    ['an owner may read its tenant', attrs(alice, 'get', 'tenants', 'acme', 'tenancy.warden.dev'), true],
    ['an owner may not change its tenant', attrs(alice, 'patch', 'tenants', 'acme', 'tenancy.warden.dev'), false],
    ['an owner may call bulk apply, which authorizes each object on its own', attrs(alice, 'create', 'apply', '', 'warden.dev'), true],
    ['a user who owns nothing may not call bulk apply', attrs(mallory, 'create', 'apply', '', 'warden.dev'), false],
    ['a user who owns nothing may not create namespaces', attrs(mallory, 'create', 'namespaces'), false],
    ['tenancy never grants within a namespace: RBAC decides', attrs(alice, 'create', 'roles', '', 'rbac.authorization.k8s.io', 'web'), false],
  ];
  for (const [name, a, allowed] of cases) test(name, () => assert.equal(tenancyDecision(state, a)?.allowed ?? false, allowed));
});
