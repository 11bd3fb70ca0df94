/**
 * The API groups' messages Warden decodes from protobuf (core/v1 Namespace,
 * ServiceAccount and ResourceQuota; rbac/v1; authorization/v1;
 * authentication/v1 TokenRequest, TokenReview and SelfSubjectReview;
 * networking/v1 NetworkPolicy), and the
 * table from a body's apiVersion and kind to its message. Field numbers are
 * those of Kubernetes' generated.proto files; the grammar is in schema.ts.
 */
import type { Converter, MessageSource } from './schema.ts';

const core: MessageSource = {
  Namespace: { 1: 'metadata ObjectMeta', 2: 'spec NamespaceSpec', 3: 'status NamespaceStatus' },
  NamespaceSpec: { 1: 'finalizers []string' },
  NamespaceStatus: { 1: 'phase string', 2: 'conditions []NamespaceCondition' },
  NamespaceCondition: {
    1: 'type string!',
    2: 'status string!',
    4: 'lastTransitionTime Time',
    5: 'reason string',
    6: 'message string',
  },
  ServiceAccount: {
    1: 'metadata ObjectMeta',
    2: 'secrets []ObjectReference',
    3: 'imagePullSecrets []LocalObjectReference',
    4: 'automountServiceAccountToken bool!',
  },
  ObjectReference: {
    1: 'kind string',
    2: 'namespace string',
    3: 'name string',
    4: 'uid string',
    5: 'apiVersion string',
    6: 'resourceVersion string',
    7: 'fieldPath string',
  },
  LocalObjectReference: { 1: 'name string' },
  ResourceQuota: { 1: 'metadata ObjectMeta', 2: 'spec ResourceQuotaSpec', 3: 'status ResourceQuotaStatus' },
  ResourceQuotaSpec: { 1: 'hard map<Quantity>', 2: 'scopes []string', 3: 'scopeSelector ScopeSelector' },
  ResourceQuotaStatus: { 1: 'hard map<Quantity>', 2: 'used map<Quantity>' },
  ScopeSelector: { 1: 'matchExpressions []ScopedResourceSelectorRequirement' },
  ScopedResourceSelectorRequirement: { 1: 'scopeName string!', 2: 'operator string!', 3: 'values []string' },
};

const rbac: MessageSource = {
  Role: { 1: 'metadata ObjectMeta', 2: 'rules []PolicyRule' },
  ClusterRole: { 1: 'metadata ObjectMeta', 2: 'rules []PolicyRule', 3: 'aggregationRule AggregationRule' },
  AggregationRule: { 1: 'clusterRoleSelectors []LabelSelector' },
  RoleBinding: { 1: 'metadata ObjectMeta', 2: 'subjects []Subject', 3: 'roleRef RoleRef' },
  ClusterRoleBinding: { 1: 'metadata ObjectMeta', 2: 'subjects []Subject', 3: 'roleRef RoleRef' },
  PolicyRule: {
    1: 'verbs []string',
    2: 'apiGroups []string',
    3: 'resources []string',
    4: 'resourceNames []string',
    5: 'nonResourceURLs []string',
  },
  Subject: { 1: 'kind string!', 2: 'apiGroup string', 3: 'name string!', 4: 'namespace string' },
  RoleRef: { 1: 'apiGroup string!', 2: 'kind string!', 3: 'name string!' },
};

const authorization: MessageSource = {
  SubjectAccessReview: { 1: 'metadata ObjectMeta', 2: 'spec SubjectAccessReviewSpec', 3: 'status SubjectAccessReviewStatus' },
  LocalSubjectAccessReview: { 1: 'metadata ObjectMeta', 2: 'spec SubjectAccessReviewSpec', 3: 'status SubjectAccessReviewStatus' },
  SelfSubjectAccessReview: { 1: 'metadata ObjectMeta', 2: 'spec SelfSubjectAccessReviewSpec', 3: 'status SubjectAccessReviewStatus' },
  SelfSubjectRulesReview: { 1: 'metadata ObjectMeta', 2: 'spec SelfSubjectRulesReviewSpec', 3: 'status SubjectRulesReviewStatus' },
  SubjectAccessReviewSpec: {
    1: 'resourceAttributes ResourceAttributes',
    2: 'nonResourceAttributes NonResourceAttributes',
    3: 'user string',
    4: 'groups []string',
    5: 'extra map<ExtraValue>',
    6: 'uid string',
  },
  SelfSubjectAccessReviewSpec: {
    1: 'resourceAttributes ResourceAttributes',
    2: 'nonResourceAttributes NonResourceAttributes',
  },
  ResourceAttributes: {
    1: 'namespace string',
    2: 'verb string',
    3: 'group string',
    4: 'version string',
    5: 'resource string',
    6: 'subresource string',
    7: 'name string',
    8: 'fieldSelector FieldSelectorAttributes',
    9: 'labelSelector LabelSelectorAttributes',
  },
  FieldSelectorAttributes: { 1: 'rawSelector string', 2: 'requirements []FieldSelectorRequirement' },
  FieldSelectorRequirement: { 1: 'key string!', 2: 'operator string!', 3: 'values []string' },
  LabelSelectorAttributes: { 1: 'rawSelector string', 2: 'requirements []LabelSelectorRequirement' },
  NonResourceAttributes: { 1: 'path string', 2: 'verb string' },
  SubjectAccessReviewStatus: { 1: 'allowed bool!', 4: 'denied bool', 2: 'reason string', 3: 'evaluationError string' },
  SelfSubjectRulesReviewSpec: { 1: 'namespace string' },
  SubjectRulesReviewStatus: {
    1: 'resourceRules []ResourceRule',
    2: 'nonResourceRules []NonResourceRule',
    3: 'incomplete bool!',
    4: 'evaluationError string',
  },
  ResourceRule: { 1: 'verbs []string', 2: 'apiGroups []string', 3: 'resources []string', 4: 'resourceNames []string' },
  NonResourceRule: { 1: 'verbs []string', 2: 'nonResourceURLs []string' },
  ExtraValue: { 1: 'items []string' },
};

const authentication: MessageSource = {
  TokenRequest: { 1: 'metadata ObjectMeta', 2: 'spec TokenRequestSpec', 3: 'status TokenRequestStatus' },
  TokenRequestSpec: {
    1: 'audiences []string',
    4: 'expirationSeconds int64!',
    3: 'boundObjectRef BoundObjectReference',
  },
  BoundObjectReference: { 1: 'kind string', 2: 'apiVersion string', 3: 'name string', 4: 'uid string' },
  TokenRequestStatus: { 1: 'token string!', 2: 'expirationTimestamp Time' },
  TokenReview: { 1: 'metadata ObjectMeta', 2: 'spec TokenReviewSpec', 3: 'status TokenReviewStatus' },
  TokenReviewSpec: { 1: 'token string', 2: 'audiences []string' },
  TokenReviewStatus: { 1: 'authenticated bool', 2: 'user UserInfo', 4: 'audiences []string', 3: 'error string' },
  UserInfo: { 1: 'username string', 2: 'uid string', 3: 'groups []string', 4: 'extra map<ExtraValue>' },
  SelfSubjectReview: { 1: 'metadata ObjectMeta', 2: 'status SelfSubjectReviewStatus' },
  SelfSubjectReviewStatus: { 1: 'userInfo UserInfo' },
};

const networking: MessageSource = {
  NetworkPolicy: { 1: 'metadata ObjectMeta', 2: 'spec NetworkPolicySpec' },
  NetworkPolicySpec: {
    1: 'podSelector LabelSelector',
    2: 'ingress []NetworkPolicyIngressRule',
    3: 'egress []NetworkPolicyEgressRule',
    4: 'policyTypes []string',
  },
  NetworkPolicyIngressRule: { 1: 'ports []NetworkPolicyPort', 2: 'from []NetworkPolicyPeer' },
  NetworkPolicyEgressRule: { 1: 'ports []NetworkPolicyPort', 2: 'to []NetworkPolicyPeer' },
  NetworkPolicyPort: { 1: 'protocol string!', 2: 'port IntOrString', 3: 'endPort int32!' },
  NetworkPolicyPeer: { 1: 'podSelector LabelSelector', 2: 'namespaceSelector LabelSelector', 3: 'ipBlock IPBlock' },
  IPBlock: { 1: 'cidr string!', 2: 'except []string' },
};

export const apiMessages: MessageSource[] = [core, rbac, authorization, authentication, networking];

/** ExtraValue is a bare list of strings in JSON. */
export const apiConverters: Record<string, Converter> = {
  ExtraValue: (fields) => fields.items ?? [],
};

/** The kinds, by apiVersion, a protobuf body may carry; each kind's message bears its name. */
export const protobufKinds: Readonly<Record<string, readonly string[]>> = {
  v1: ['Namespace', 'ServiceAccount', 'ResourceQuota'],
  'rbac.authorization.k8s.io/v1': ['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding'],
  'authorization.k8s.io/v1': ['SubjectAccessReview', 'LocalSubjectAccessReview', 'SelfSubjectAccessReview', 'SelfSubjectRulesReview'],
  'authentication.k8s.io/v1': ['TokenRequest', 'TokenReview', 'SelfSubjectReview'],
  'networking.k8s.io/v1': ['NetworkPolicy'],
};

/**
 * The message for a body's type, or undefined. DeleteOptions is registered
 * in every group version (a typed client sends it under its own group's apiVersion).
 */
export function messageForKind(apiVersion: string, kind: string): string | undefined {
  if (kind === 'DeleteOptions') return 'DeleteOptions';
  return Object.hasOwn(protobufKinds, apiVersion) && protobufKinds[apiVersion].includes(kind) ? kind : undefined;
}
