/**
 * The demo platform: two tenants, `shop` and `analytics`, with their owners,
 * namespaces, Roles, RoleBindings, a ResourceQuota and NetworkPolicies, as
 * the objects a server-side apply takes. Stages are applied in order: a
 * tenant namespace can only be created once its Tenant exists.
 */

type Obj = Record<string, unknown>;

const rbacV1 = 'rbac.authorization.k8s.io/v1';
const rbacGroup = 'rbac.authorization.k8s.io';
const tenantLabel = 'tenancy.warden.dev/tenant';

const userSubject = (name: string) => ({ kind: 'User', apiGroup: rbacGroup, name });
const groupSubject = (name: string) => ({ kind: 'Group', apiGroup: rbacGroup, name });

const user = (name: string, groups: string[]): Obj => ({ apiVersion: 'iam.warden.dev/v1', kind: 'User', metadata: { name }, spec: { groups } });

const tenant = (name: string, spec: Obj): Obj => ({ apiVersion: 'tenancy.warden.dev/v1', kind: 'Tenant', metadata: { name }, spec });

const namespace = (name: string, tenantName: string, labels: Record<string, string> = {}): Obj =>
  ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { [tenantLabel]: tenantName, ...labels } } });

const role = (ns: string, name: string, rules: Obj[]): Obj => ({ apiVersion: rbacV1, kind: 'Role', metadata: { name, namespace: ns }, rules });

const roleBinding = (ns: string, name: string, roleKind: 'Role' | 'ClusterRole', roleName: string, subjects: Obj[]): Obj =>
  ({ apiVersion: rbacV1, kind: 'RoleBinding', metadata: { name, namespace: ns }, roleRef: { apiGroup: rbacGroup, kind: roleKind, name: roleName }, subjects });

const serviceAccount = (ns: string, name: string): Obj => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: ns } });

const quota = (ns: string, name: string, hard: Record<string, string>): Obj =>
  ({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name, namespace: ns }, spec: { hard } });

const networkPolicy = (ns: string, name: string, spec: Obj): Obj =>
  ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: ns }, spec });

/** The Users, and the Tenants owned by them. */
const tenants: Obj[] = [
  user('alice', ['shop-admins']),
  user('bob', ['analysts']),
  user('carol', ['shop-devs']),
  tenant('shop', {
    owners: [userSubject('alice'), groupSubject('shop-admins')],
    namespaceLimit: 5,
    roleBindings: [{ name: 'shop-auditors', roleRef: { kind: 'ClusterRole', name: 'view' }, subjects: [groupSubject('auditors')] }],
  }),
  tenant('analytics', { owners: [userSubject('bob')], namespaceLimit: 3 }),
];

/** What lives in the tenants' namespaces. */
const workloads: Obj[] = [
  namespace('shop-web', 'shop', { tier: 'frontend' }),
  namespace('shop-payments', 'shop', { tier: 'backend' }),
  namespace('analytics-etl', 'analytics'),

  serviceAccount('shop-web', 'ci'),
  role('shop-web', 'deployer', [
    { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch'] },
    { apiGroups: [''], resources: ['pods', 'services', 'configmaps'], verbs: ['get', 'list', 'watch'] },
  ]),
  roleBinding('shop-web', 'deployers', 'Role', 'deployer', [{ kind: 'ServiceAccount', name: 'ci', namespace: 'shop-web' }, groupSubject('shop-devs')]),
  roleBinding('shop-payments', 'developers', 'ClusterRole', 'view', [groupSubject('shop-devs')]),
  quota('shop-web', 'compute', { pods: '20', 'requests.cpu': '4', 'requests.memory': '8Gi', 'limits.memory': '16Gi' }),
  networkPolicy('shop-payments', 'default-deny-ingress', { podSelector: {}, policyTypes: ['Ingress'] }),
  networkPolicy('shop-payments', 'allow-web', {
    podSelector: { matchLabels: { app: 'payments' } },
    policyTypes: ['Ingress'],
    ingress: [{
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop-web' } }, podSelector: { matchLabels: { app: 'web' } } }],
      ports: [{ protocol: 'TCP', port: 8443 }],
    }],
  }),

  serviceAccount('analytics-etl', 'etl'),
  role('analytics-etl', 'job-runner', [
    { apiGroups: ['batch'], resources: ['jobs', 'cronjobs'], verbs: ['get', 'list', 'watch', 'create', 'delete'] },
  ]),
  roleBinding('analytics-etl', 'runners', 'Role', 'job-runner', [groupSubject('analysts'), { kind: 'ServiceAccount', name: 'etl', namespace: 'analytics-etl' }]),
  quota('analytics-etl', 'compute', { pods: '10', 'requests.cpu': '8', 'requests.memory': '32Gi' }),
  networkPolicy('analytics-etl', 'default-deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
];

/** The objects to apply, stage by stage. */
export const demoStages: Obj[][] = [tenants, workloads];

/** `Kind namespace/name` (or `Kind name`) of every object, in apply order. */
export function describeObject(o: Obj): string {
  const meta = o.metadata as { name: string; namespace?: string };
  return `${o.kind} ${meta.namespace ? `${meta.namespace}/` : ''}${meta.name}`;
}
