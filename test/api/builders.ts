/**
 * Tiny builders for the objects the API serves, and the table of kinds the
 * per-kind suites walk: where each kind lives, how to build one, and one field
 * (by JSON pointer) that a test changes and reads back.
 */
import YAML from 'yaml';

export type Obj = Record<string, any>;

export const rbacGroup = 'rbac.authorization.k8s.io';
export const rbacV1 = `${rbacGroup}/v1`;
export const rbacBase = `/apis/${rbacV1}`;
export const tenantLabel = 'tenancy.warden.dev/tenant';

export interface Meta { labels?: Record<string, string>; annotations?: Record<string, string>; namespace?: string }

const meta = (name: string, m: Meta = {}) => ({ name, ...m });

export const rule = (verbs: string[], resources: string[] = ['pods'], apiGroups: string[] = ['']) => ({ apiGroups, resources, verbs });

export const user = (name: string) => ({ kind: 'User', apiGroup: rbacGroup, name });
export const group = (name: string) => ({ kind: 'Group', apiGroup: rbacGroup, name });
export const serviceAccountSubject = (name: string, namespace?: string) =>
  ({ kind: 'ServiceAccount', name, ...(namespace ? { namespace } : {}) });

export const roleRef = (kind: 'Role' | 'ClusterRole', name: string) => ({ apiGroup: rbacGroup, kind, name });

export const namespace = (name: string, m?: Meta): Obj => ({ apiVersion: 'v1', kind: 'Namespace', metadata: meta(name, m) });
/** A tenant: namespaces join it by the tenant label, and only once it exists. */
export const tenant = (name: string, owners: Obj[] = [user(`${name}-owner`)]): Obj => ({ apiVersion: 'tenancy.warden.dev/v1', kind: 'Tenant', metadata: meta(name), spec: { owners } });
export const tenantsPath = '/apis/tenancy.warden.dev/v1/tenants';
export const serviceAccount = (name: string, m?: Meta, extra: Obj = {}): Obj =>
  ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(name, m), ...extra });
export const role = (name: string, rules: Obj[] = [rule(['get'])], m?: Meta): Obj =>
  ({ apiVersion: rbacV1, kind: 'Role', metadata: meta(name, m), rules });
export const clusterRole = (name: string, rules: Obj[] = [rule(['get'])], m?: Meta): Obj =>
  ({ apiVersion: rbacV1, kind: 'ClusterRole', metadata: meta(name, m), rules });
export const roleBinding = (name: string, ref: Obj = roleRef('Role', 'reader'), subjects: Obj[] = [user('alice')], m?: Meta): Obj =>
  ({ apiVersion: rbacV1, kind: 'RoleBinding', metadata: meta(name, m), roleRef: ref, subjects });
export const clusterRoleBinding = (name: string, ref: Obj = roleRef('ClusterRole', 'reader'), subjects: Obj[] = [group('readers')], m?: Meta): Obj =>
  ({ apiVersion: rbacV1, kind: 'ClusterRoleBinding', metadata: meta(name, m), roleRef: ref, subjects });

/** A kind as the per-kind suites see it. */
export interface KindCase {
  kind: string;
  apiVersion: string;
  plural: string;
  namespaced: boolean;
  /** `/api/v1` or `/apis/rbac.authorization.k8s.io/v1`. */
  base: string;
  build(name: string, m?: Meta): Obj;
  /** JSON pointer of the field the suites change, and its n-th value. */
  pointer: string;
  value(n: number): unknown;
}

export const kinds: KindCase[] = [
  {
    kind: 'Namespace', apiVersion: 'v1', plural: 'namespaces', namespaced: false, base: '/api/v1',
    build: (name, m) => namespace(name, { ...m, namespace: undefined }),
    pointer: '/metadata/annotations', value: (n) => ({ step: `s${n}` }),
  },
  {
    kind: 'ServiceAccount', apiVersion: 'v1', plural: 'serviceaccounts', namespaced: true, base: '/api/v1',
    build: (name, m) => serviceAccount(name, m),
    pointer: '/imagePullSecrets', value: (n) => [{ name: `pull-${n}` }],
  },
  {
    kind: 'Role', apiVersion: rbacV1, plural: 'roles', namespaced: true, base: rbacBase,
    build: (name, m) => role(name, [rule(['get'])], m),
    pointer: '/rules', value: (n) => [rule([`verb-${n}`], ['pods'])],
  },
  {
    kind: 'ClusterRole', apiVersion: rbacV1, plural: 'clusterroles', namespaced: false, base: rbacBase,
    build: (name, m) => clusterRole(name, [rule(['get'])], m),
    pointer: '/rules', value: (n) => [rule([`verb-${n}`], ['nodes'])],
  },
  {
    kind: 'RoleBinding', apiVersion: rbacV1, plural: 'rolebindings', namespaced: true, base: rbacBase,
    build: (name, m) => roleBinding(name, roleRef('Role', 'reader'), [user('alice')], m),
    pointer: '/subjects', value: (n) => [user(`user-${n}`)],
  },
  {
    kind: 'ClusterRoleBinding', apiVersion: rbacV1, plural: 'clusterrolebindings', namespaced: false, base: rbacBase,
    build: (name, m) => clusterRoleBinding(name, roleRef('ClusterRole', 'reader'), [group('readers')], m),
    pointer: '/subjects', value: (n) => [group(`group-${n}`)],
  },
];

export const kindNamed = (kind: string) => kinds.find((k) => k.kind === kind)!;

/** The collection path of a kind (in `ns` when namespaced; all namespaces when `ns` is undefined). */
export function collectionPath(k: KindCase, ns?: string): string {
  return k.namespaced && ns !== undefined ? `${k.base}/namespaces/${ns}/${k.plural}` : `${k.base}/${k.plural}`;
}

export function itemPath(k: KindCase, name: string, ns?: string): string {
  return `${collectionPath(k, ns)}/${name}`;
}

/** The value at a JSON pointer (`/a/b`). */
export function at(o: unknown, pointer: string): unknown {
  return pointer.split('/').slice(1).reduce<any>((cur, seg) => (cur == null ? undefined : cur[seg]), o);
}

/** A merge patch setting the value at a pointer. */
export function mergePatchAt(pointer: string, value: unknown): Obj {
  const segs = pointer.split('/').slice(1);
  return segs.reduceRight<any>((inner, seg) => ({ [seg]: inner }), value);
}

/** A copy of `o` with the value at a pointer replaced. */
export function withValue(o: Obj, pointer: string, value: unknown): Obj {
  const copy = structuredClone(o);
  const segs = pointer.split('/').slice(1);
  const parent = segs.slice(0, -1).reduce<any>((cur, seg) => (cur[seg] ??= {}), copy);
  parent[segs[segs.length - 1]] = value;
  return copy;
}

/** Names of a list's items, `namespace/name` for namespaced ones. */
export const names = (list: Obj) => (list.items as Obj[]).map((o) => (o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name));

/** Objects as a YAML stream, one document each (the form users send). */
export const toYaml = (...objects: Obj[]) => objects.map((o) => YAML.stringify(o)).join('---\n');
