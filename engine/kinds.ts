/**
 * The kinds Warden stores, each declared once: how it is named on the wire
 * (group, version, resource, short names) and whether it lives in a
 * namespace. The API's registry adds how each is validated and prepared;
 * the store adds how each maps to its table.
 */
export type StoredKind =
  | 'Namespace' | 'Role' | 'ClusterRole' | 'RoleBinding' | 'ClusterRoleBinding' | 'ServiceAccount'
  | 'ResourceQuota' | 'NetworkPolicy' | 'Tenant' | 'User' | 'Token' | 'CustomResourceDefinition';

export interface KindIdentity {
  kind: StoredKind;
  group: string;
  version: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames: readonly string[];
  /** Categories (`kubectl get all`, `kubectl get api-extensions`) the resource belongs to, as kube lists them. */
  categories?: readonly string[];
}

const rbacGroup = 'rbac.authorization.k8s.io';

export const kindIdentities: Readonly<Record<StoredKind, KindIdentity>> = {
  Namespace: { kind: 'Namespace', group: '', version: 'v1', plural: 'namespaces', singular: 'namespace', namespaced: false, shortNames: ['ns'] },
  ServiceAccount: { kind: 'ServiceAccount', group: '', version: 'v1', plural: 'serviceaccounts', singular: 'serviceaccount', namespaced: true, shortNames: ['sa'] },
  ResourceQuota: { kind: 'ResourceQuota', group: '', version: 'v1', plural: 'resourcequotas', singular: 'resourcequota', namespaced: true, shortNames: ['quota'] },
  NetworkPolicy: { kind: 'NetworkPolicy', group: 'networking.k8s.io', version: 'v1', plural: 'networkpolicies', singular: 'networkpolicy', namespaced: true, shortNames: ['netpol'] },
  Tenant: { kind: 'Tenant', group: 'tenancy.warden.dev', version: 'v1', plural: 'tenants', singular: 'tenant', namespaced: false, shortNames: [] },
  Role: { kind: 'Role', group: rbacGroup, version: 'v1', plural: 'roles', singular: 'role', namespaced: true, shortNames: [] },
  ClusterRole: { kind: 'ClusterRole', group: rbacGroup, version: 'v1', plural: 'clusterroles', singular: 'clusterrole', namespaced: false, shortNames: [] },
  RoleBinding: { kind: 'RoleBinding', group: rbacGroup, version: 'v1', plural: 'rolebindings', singular: 'rolebinding', namespaced: true, shortNames: [] },
  ClusterRoleBinding: { kind: 'ClusterRoleBinding', group: rbacGroup, version: 'v1', plural: 'clusterrolebindings', singular: 'clusterrolebinding', namespaced: false, shortNames: [] },
  User: { kind: 'User', group: 'iam.warden.dev', version: 'v1', plural: 'users', singular: 'user', namespaced: false, shortNames: [] },
  Token: { kind: 'Token', group: 'iam.warden.dev', version: 'v1', plural: 'tokens', singular: 'token', namespaced: false, shortNames: [] },
  CustomResourceDefinition: {
    kind: 'CustomResourceDefinition', group: 'apiextensions.k8s.io', version: 'v1', plural: 'customresourcedefinitions', singular: 'customresourcedefinition',
    namespaced: false, shortNames: ['crd', 'crds'], categories: ['api-extensions'],
  },
};

/** `group/version`, or `version` for the core group. */
export const apiVersionOf = (k: Pick<KindIdentity, 'group' | 'version'>): string => (k.group ? `${k.group}/${k.version}` : k.version);
