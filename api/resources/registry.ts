/**
 * The Kubernetes-style resources Warden serves: how each is named on the
 * wire, which names it accepts, how it is validated, and what the server sets
 * on create and update (kube's "strategy").
 */
import type { KubeObject } from '../../engine/meta.ts';
import type { FieldError } from '../../engine/validation/field-error.ts';
import { nameIsDNSLabel, nameIsDNSSubdomain } from '../../engine/validation/names.ts';
import { validateObjectMeta, validateObjectMetaUpdate, type NameValidator } from '../../engine/validation/object-meta.ts';
import * as rbac from '../../engine/rbac/validation.ts';
import type { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from '../../engine/rbac/types.ts';
import { apiVersionOf, kindIdentities, type KindIdentity } from '../../engine/kinds.ts';
import type { Snapshot } from '../../engine/snapshot.ts';
import { decorateTenant, prepareTenant, validateTenant, validateTenantUpdate } from '../tenancy/tenant-kind.ts';
import { validateNamespace, validateNamespaceUpdate, prepareNamespace } from './namespace-strategy.ts';
import { validateServiceAccount } from './service-account-strategy.ts';
import { prepareQuota, prepareQuotaStatus, validateQuota, validateQuotaStatus, validateQuotaUpdate } from './quota-strategy.ts';
import { prepareNetworkPolicy, validateNetworkPolicy, validateNetworkPolicyChange } from './network-policy-strategy.ts';
import { prepareUser, validateUser, validateUserName, validateUserUpdate } from '../iam/user-strategy.ts';
import { prepareToken, validateToken, validateTokenUpdate } from '../iam/token-strategy.ts';
import { prepareCustomResourceDefinition } from '../../engine/custom-resources.ts';
import { validateCustomResourceDefinition, validateCustomResourceDefinitionUpdate } from '../../engine/validation/custom-resource-definition.ts';

export interface ApiKind extends KindIdentity {
  verbs: string[];
  subresources: string[];
  /** PUT may create a missing object (kube's AllowCreateOnUpdate). */
  createOnUpdate: boolean;
  nameFn: NameValidator;
  /** Kind-specific validation on create (metadata is validated generically). */
  validate(o: KubeObject): FieldError[];
  validateUpdate(next: KubeObject, prev: KubeObject): FieldError[];
  /** Server-set fields and defaults; returns a new object. `prev` is set on update. */
  prepare(o: KubeObject, prev?: KubeObject): KubeObject;
  /** Fields computed when the object is shown (e.g. a Tenant's namespaces), from the snapshot in force. */
  decorate?(o: KubeObject, snapshot: Snapshot): KubeObject;
  /** The status subresource, for kinds that have one: what a status write keeps and checks. */
  status?: {
    prepare(body: KubeObject, current: KubeObject): KubeObject;
    validate(next: KubeObject, prev: KubeObject): FieldError[];
  };
}

const crud = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const rbacName: NameValidator = (name) => rbac.validateRbacName(name);
const same = (o: KubeObject) => o;

export const apiKinds: ApiKind[] = [
  {
    ...kindIdentities.Namespace, verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'], subresources: [],
    createOnUpdate: false, nameFn: nameIsDNSLabel,
    validate: validateNamespace, validateUpdate: validateNamespaceUpdate, prepare: prepareNamespace,
  },
  {
    ...kindIdentities.ServiceAccount, verbs: crud, subresources: [], createOnUpdate: true, nameFn: nameIsDNSSubdomain,
    validate: validateServiceAccount, validateUpdate: (n) => validateServiceAccount(n), prepare: same,
  },
  {
    ...kindIdentities.ResourceQuota, verbs: crud, subresources: ['status'], createOnUpdate: false, nameFn: nameIsDNSSubdomain,
    validate: validateQuota, validateUpdate: validateQuotaUpdate, prepare: prepareQuota,
    status: { prepare: prepareQuotaStatus, validate: validateQuotaStatus },
  },
  {
    ...kindIdentities.NetworkPolicy,
    verbs: crud, subresources: [], createOnUpdate: false, nameFn: nameIsDNSSubdomain,
    validate: validateNetworkPolicy, validateUpdate: validateNetworkPolicyChange, prepare: prepareNetworkPolicy,
  },
  {
    ...kindIdentities.Tenant, verbs: crud, subresources: [], createOnUpdate: false, nameFn: nameIsDNSLabel,
    validate: validateTenant, validateUpdate: validateTenantUpdate, prepare: prepareTenant, decorate: decorateTenant,
  },
  {
    ...kindIdentities.Role, verbs: crud, subresources: [], createOnUpdate: true, nameFn: rbacName,
    validate: (o) => rbac.validateRole(o as unknown as Role),
    validateUpdate: (n, p) => rbac.validateRoleUpdate(n as unknown as Role, p as unknown as Role),
    prepare: same,
  },
  {
    ...kindIdentities.ClusterRole, verbs: crud, subresources: [], createOnUpdate: true, nameFn: rbacName,
    validate: (o) => rbac.validateClusterRole(o as unknown as ClusterRole),
    validateUpdate: (n, p) => rbac.validateClusterRoleUpdate(n as unknown as ClusterRole, p as unknown as ClusterRole),
    prepare: same,
  },
  {
    ...kindIdentities.RoleBinding, verbs: crud, subresources: [], createOnUpdate: true, nameFn: rbacName,
    validate: (o) => rbac.validateRoleBinding(o as unknown as RoleBinding),
    validateUpdate: (n, p) => rbac.validateRoleBindingUpdate(n as unknown as RoleBinding, p as unknown as RoleBinding),
    prepare: (o) => rbac.defaultBinding(o as unknown as RoleBinding) as unknown as KubeObject,
  },
  {
    ...kindIdentities.ClusterRoleBinding,
    verbs: crud, subresources: [], createOnUpdate: true, nameFn: rbacName,
    validate: (o) => rbac.validateClusterRoleBinding(o as unknown as ClusterRoleBinding),
    validateUpdate: (n, p) => rbac.validateClusterRoleBindingUpdate(n as unknown as ClusterRoleBinding, p as unknown as ClusterRoleBinding),
    prepare: (o) => rbac.defaultBinding(o as unknown as ClusterRoleBinding) as unknown as KubeObject,
  },
  {
    ...kindIdentities.User, verbs: crud, subresources: [], createOnUpdate: true, nameFn: validateUserName,
    validate: validateUser, validateUpdate: validateUserUpdate, prepare: prepareUser,
  },
  {
    // Created only by issuance (api/iam/issue-token.ts), which mints the secret.
    ...kindIdentities.Token, verbs: crud, subresources: [], createOnUpdate: false, nameFn: nameIsDNSSubdomain,
    validate: (o) => validateToken(o), validateUpdate: validateTokenUpdate, prepare: prepareToken,
  },
  {
    // A registration only: its names resolve in discovery; its status is set at commit (./custom-resource-names.ts).
    ...kindIdentities.CustomResourceDefinition, verbs: crud, subresources: [], createOnUpdate: false, nameFn: nameIsDNSSubdomain,
    validate: validateCustomResourceDefinition, validateUpdate: validateCustomResourceDefinitionUpdate, prepare: prepareCustomResourceDefinition,
  },
];

export { apiVersionOf };

const byPath = new Map(apiKinds.map((k) => [`${k.group}/${k.version}/${k.plural}`, k]));
const byKind = new Map(apiKinds.map((k) => [`${apiVersionOf(k)}/${k.kind}`, k]));

export function findKind(group: string, version: string, plural: string): ApiKind | undefined {
  return byPath.get(`${group}/${version}/${plural}`);
}

export function kindOf(apiVersion: string, kind: string): ApiKind | undefined {
  return byKind.get(`${apiVersion}/${kind}`);
}

/** Generic metadata validation plus the kind's own, on create. */
export function validateForCreate(k: ApiKind, o: KubeObject): FieldError[] {
  return [...validateObjectMeta(o.metadata, { namespaced: k.namespaced, nameFn: k.nameFn }), ...k.validate(o)];
}

export function validateForUpdate(k: ApiKind, next: KubeObject, prev: KubeObject): FieldError[] {
  return [
    ...validateObjectMetaUpdate(next.metadata, prev.metadata, 'metadata', { requireResourceVersion: false }),
    ...k.validateUpdate(next, prev),
  ];
}
