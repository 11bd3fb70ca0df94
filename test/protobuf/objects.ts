/**
 * One full object of every kind Warden reads from protobuf, as a JSON client
 * would send it: every field of every message is set at least once, with
 * zero values only where Kubernetes' JSON keeps them.
 */
import type { Json } from './encoder.ts';

const rbac = 'rbac.authorization.k8s.io/v1';

/** ObjectMeta with every field, including the ones only the server sets. */
export const fullMeta = (name: string, namespace?: string): Json => ({
  name,
  generateName: `${name}-`,
  ...(namespace ? { namespace } : {}),
  selfLink: `/x/${name}`,
  uid: '6f1c1d2e-0000-4000-8000-000000000001',
  resourceVersion: '42',
  generation: 3,
  creationTimestamp: '2025-03-01T12:30:45Z',
  deletionTimestamp: '2025-03-02T00:00:00Z',
  deletionGracePeriodSeconds: 0,
  labels: { team: 'payments', 'tenancy.warden.dev/tenant': 'acme', empty: '' },
  annotations: { note: 'ünïcode ✓' },
  ownerReferences: [
    { apiVersion: 'v1', kind: 'Namespace', name: 'owner', uid: 'u-1', controller: true, blockOwnerDeletion: false },
    { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'u-2' },
  ],
  finalizers: ['example.com/cleanup', 'kubernetes'],
  managedFields: [{
    manager: 'kubectl-create',
    operation: 'Update',
    apiVersion: 'v1',
    time: '2025-03-01T12:30:45Z',
    fieldsType: 'FieldsV1',
    fieldsV1: { 'f:metadata': { 'f:labels': { '.': {}, 'f:team': {} } } },
    subresource: 'status',
  }],
});

const selector: Json = {
  matchLabels: { app: 'web' },
  matchExpressions: [{ key: 'tier', operator: 'In', values: ['front', 'back'] }, { key: 'canary', operator: 'DoesNotExist' }],
};

const resourceAttributes: Json = {
  namespace: 'payments', verb: 'list', group: 'apps', version: 'v1', resource: 'deployments', subresource: 'scale', name: 'web',
  fieldSelector: { rawSelector: 'spec.nodeName=a', requirements: [{ key: 'spec.nodeName', operator: 'In', values: ['a'] }] },
  labelSelector: { rawSelector: 'app=web', requirements: [{ key: 'app', operator: 'In', values: ['web'] }] },
};

const accessStatus: Json = { allowed: false, denied: true, reason: 'no binding', evaluationError: 'partial' };

export const samples: Json[] = [
  {
    apiVersion: 'v1', kind: 'Namespace', metadata: fullMeta('payments'),
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active', conditions: [{ type: 'NamespaceDeletionDiscoveryFailure', status: 'False', lastTransitionTime: '2025-01-01T00:00:00Z', reason: 'ResourcesDiscovered', message: 'all good' }] },
  },
  {
    apiVersion: 'v1', kind: 'ServiceAccount', metadata: fullMeta('deployer', 'payments'),
    secrets: [{ kind: 'Secret', namespace: 'payments', name: 's', uid: 'u', apiVersion: 'v1', resourceVersion: '7', fieldPath: 'data' }],
    imagePullSecrets: [{ name: 'registry' }],
    automountServiceAccountToken: false,
  },
  {
    apiVersion: 'v1', kind: 'ResourceQuota', metadata: fullMeta('compute', 'payments'),
    spec: {
      hard: { pods: '10', 'requests.cpu': '500m', 'requests.memory': '1Gi' },
      scopes: ['NotBestEffort'],
      scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In', values: ['high'] }] },
    },
    status: { hard: { pods: '10' }, used: { pods: '0' } },
  },
  {
    apiVersion: rbac, kind: 'Role', metadata: fullMeta('reader', 'payments'),
    rules: [{ verbs: ['get', 'list'], apiGroups: ['', 'apps'], resources: ['pods', 'deployments/scale'], resourceNames: ['web'] }],
  },
  {
    apiVersion: rbac, kind: 'ClusterRole', metadata: fullMeta('monitoring'),
    rules: [{ verbs: ['get'], nonResourceURLs: ['/metrics', '/logs/*'] }],
    aggregationRule: { clusterRoleSelectors: [selector, { matchLabels: { 'rbac.example.com/aggregate': 'true' } }] },
  },
  {
    apiVersion: rbac, kind: 'RoleBinding', metadata: fullMeta('readers', 'payments'),
    subjects: [
      { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice' },
      { kind: 'ServiceAccount', name: 'deployer', namespace: 'payments' },
    ],
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' },
  },
  {
    apiVersion: rbac, kind: 'ClusterRoleBinding', metadata: fullMeta('monitors'),
    subjects: [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'sre' }],
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'monitoring' },
  },
  {
    apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', metadata: {},
    spec: { resourceAttributes, user: 'alice', groups: ['devs', 'system:authenticated'], extra: { scopes: ['a', 'b'], none: [] }, uid: 'u-9' },
    status: accessStatus,
  },
  {
    apiVersion: 'authorization.k8s.io/v1', kind: 'LocalSubjectAccessReview', metadata: { namespace: 'payments' },
    spec: { nonResourceAttributes: { path: '/logs', verb: 'get' }, user: 'bob' },
    status: { allowed: true, reason: 'bound' },
  },
  {
    apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', metadata: {},
    spec: { resourceAttributes: { namespace: 'payments', verb: 'get', resource: 'pods' } },
    status: { allowed: false },
  },
  {
    apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectRulesReview', metadata: {},
    spec: { namespace: 'payments' },
    status: {
      resourceRules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'], resourceNames: ['a'] }],
      nonResourceRules: [{ verbs: ['get'], nonResourceURLs: ['/healthz'] }],
      incomplete: false,
      evaluationError: 'none',
    },
  },
  {
    apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', metadata: { name: 'deployer', namespace: 'payments' },
    spec: { audiences: ['api', 'vault'], expirationSeconds: 600, boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'web-0', uid: 'p-1' } },
    status: { token: 'opaque', expirationTimestamp: '2030-01-01T00:10:00Z' },
  },
  {
    apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', metadata: {},
    spec: { token: 'opaque', audiences: ['api', 'vault'] },
    status: { authenticated: true, user: { username: 'alice', uid: 'u-1', groups: ['devs'], extra: { scopes: ['a', 'b'] } }, audiences: ['api'], error: 'none' },
  },
  {
    apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview', metadata: {},
    status: { userInfo: { username: 'alice', uid: 'u-1', groups: ['devs'], extra: { scopes: ['a'] } } },
  },
  {
    apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: fullMeta('web', 'payments'),
    spec: {
      podSelector: selector,
      ingress: [{
        ports: [{ protocol: 'TCP', port: 8080, endPort: 8090 }, { port: 'http' }, { protocol: 'UDP', port: 0 }],
        from: [{ podSelector: {}, namespaceSelector: { matchLabels: { team: 'payments' } } }, { ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }],
      }, {}],
      egress: [{ to: [{ ipBlock: { cidr: '' } }], ports: [{ endPort: 0 }] }],
      policyTypes: ['Ingress', 'Egress'],
    },
  },
  {
    apiVersion: 'v1', kind: 'DeleteOptions',
    gracePeriodSeconds: 0, preconditions: { uid: 'u-1', resourceVersion: '' }, orphanDependents: false,
    propagationPolicy: 'Foreground', dryRun: ['All'],
  },
];
