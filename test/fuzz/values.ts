/**
 * Where generated bodies get their strings and numbers: pools of names that
 * exist on the platform (so that requests reach past "not found"), kube
 * vocabulary (verbs, resources, groups, quantities, CIDRs), fresh names, and
 * now and then a hostile string. The pools differ by identity in one way:
 * the admin's bodies never name the member, its namespace's service
 * accounts or groups every user is in as a subject, and never reuse a
 * fixture's name for the object they create, so that the admin's valid
 * writes cannot widen or erase what the member holds (which the member
 * checks rely on).
 *
 * Promises: `bodyOptions(identity)` returns converter options whose strings
 * are drawn from these pools by property path, with hostile strings at
 * about one in eight.
 */
import fc from 'fast-check';
import { defaultOptions, type ConvertOptions } from './schema-arbitrary.ts';
import { hostileString } from './hostile.ts';
import { names, objectNames, tenantLabel } from './platform.ts';

export type Identity = 'anonymous' | 'bad-token' | 'member' | 'admin';

export const verbs = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection', 'impersonate', 'bind', 'escalate', 'approve', '*', 'post', 'put'];
export const resources = ['pods', 'secrets', 'configmaps', 'serviceaccounts', 'namespaces', 'roles', 'rolebindings', 'clusterroles', 'clusterrolebindings',
  'resourcequotas', 'networkpolicies', 'users', 'groups', 'tokens', 'tenants', 'deployments', 'services', 'persistentvolumeclaims', '*', 'pods/exec', 'serviceaccounts/token'];
export const apiGroups = ['', 'apps', 'rbac.authorization.k8s.io', 'networking.k8s.io', 'authorization.k8s.io', 'iam.warden.dev', 'tenancy.warden.dev', 'batch', '*'];
export const apiVersions = ['v1', 'rbac.authorization.k8s.io/v1', 'networking.k8s.io/v1', 'iam.warden.dev/v1', 'tenancy.warden.dev/v1',
  'authorization.k8s.io/v1', 'authorization.k8s.io/v1beta1', 'authorization.warden.dev/v1', 'networking.warden.dev/v1', 'admission.k8s.io/v1',
  'authentication.k8s.io/v1', 'apps/v1', 'v2', ''];
export const kinds = ['Namespace', 'ServiceAccount', 'Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding', 'ResourceQuota', 'NetworkPolicy', 'User',
  'Token', 'Tenant', 'Pod', 'ConfigMap', 'Secret', 'List', 'Status', 'SubjectAccessReview', 'AdmissionReview', 'TokenRequest', 'DeleteOptions'];
export const quantities = ['0', '1', '10', '100m', '0.5', '2Gi', '512Mi', '1e3', '1k', '1Ki', '-1', '1.5Gi', '9223372036854775807', '1E+3', '0.0001', '1n', '5u'];
export const quotaKeys = ['pods', 'requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory', 'cpu', 'memory', 'count/configmaps', 'count/secrets',
  'services', 'services.loadbalancers', 'persistentvolumeclaims', 'requests.storage', 'count/deployments.apps'];
export const cidrs = ['10.0.0.0/8', '0.0.0.0/0', '::/0', '192.168.1.0/24', '10.0.0.1/32', '10.0.0.0/33', '1.2.3.4', 'fe80::/10', '300.0.0.0/8', '10.0.0.0/-1'];
export const ips = ['10.0.0.1', '192.168.1.10', '::1', '8.8.8.8', '256.1.1.1', 'fe80::1%eth0', '10.0.0', ''];
const protocols = ['TCP', 'UDP', 'SCTP', 'tcp', 'ICMP', ''];
const nonResourceURLs = ['/healthz', '/livez', '/api', '/api/*', '/metrics', '*', '/webhooks/admission', '/*', ''];
const allNamespaces = [...names.namespaces, names.scratchNamespace, names.missing, 'default', 'kube-system'];

/** Fresh kube-style names: never a fixture's. */
export const freshName: fc.Arbitrary<string> = fc.stringMatching(/^fz-[a-z0-9]{1,8}$/);

const fixtureSubjects = ['a-owner', 'b-owner', 'fz-nobody', 'sre', 'b-admins', 'a-devs', 'system:masters'];
const anyoneSubjects = [names.memberUser, 'system:authenticated', 'system:unauthenticated', 'system:serviceaccounts', `system:serviceaccounts:${names.memberNamespace}`, 'system:anonymous'];
const roleNames = ['edit', 'view', 'admin', 'cluster-admin', 'a-reader', 'b-reader', 'fz-platform-reader', names.scratch, 'system:discovery'];

const pick = (xs: readonly string[]) => fc.constantFrom(...xs);

/** Strings: usually from `pool`, sometimes fresh, about one in eight hostile. */
function mostly(pool: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.oneof({ withCrossShrink: true }, { arbitrary: pool, weight: 6 }, { arbitrary: fc.string({ maxLength: 8 }), weight: 1 }, { arbitrary: hostileString, weight: 1 });
}

const plainString = fc.oneof({ withCrossShrink: true }, { arbitrary: fc.stringMatching(/^[a-z0-9]([-a-z0-9.]{0,10}[a-z0-9])?$/), weight: 5 }, { arbitrary: fc.string({ maxLength: 10 }), weight: 2 }, { arbitrary: hostileString, weight: 1 });
const labelKeys = mostly(pick(['app', 'tier', 'team', 'fz/x', 'example.com/owner', tenantLabel, 'kubernetes.io/metadata.name']));

/** Objects for an admission request's object/oldObject: what a quota or policy charges. */
function admittedObject(identity: Identity): fc.Arbitrary<unknown> {
  const ns = pick(allNamespaces);
  const resources = fc.record({ requests: fc.dictionary(pick(['cpu', 'memory', 'storage']), mostly(pick(quantities)), { maxKeys: 2 }), limits: fc.dictionary(pick(['cpu', 'memory']), mostly(pick(quantities)), { maxKeys: 2 }) }, { requiredKeys: [] });
  return fc.oneof(
    fc.record({ apiVersion: fc.constant('v1'), kind: fc.constant('Pod'), metadata: fc.record({ name: identity === 'admin' ? freshName : mostly(freshName), namespace: ns }), spec: fc.record({ containers: fc.array(fc.record({ name: fc.constant('c'), resources }), { maxLength: 2 }) }) }),
    fc.record({ apiVersion: fc.constant('v1'), kind: pick(['ConfigMap', 'Secret', 'Service', 'PersistentVolumeClaim']), metadata: fc.record({ name: freshName, namespace: ns }), spec: fc.option(fc.record({ type: pick(['LoadBalancer', 'ClusterIP', 'NodePort']), resources }), { nil: undefined }) }),
    fc.constant(null),
  );
}

/** Converter options for the bodies `identity` sends. */
export function bodyOptions(identity: Identity): ConvertOptions {
  const admin = identity === 'admin';
  const subjectNames = mostly(pick(admin ? fixtureSubjects : [...fixtureSubjects, ...anyoneSubjects]));
  const objectName = admin ? fc.oneof({ arbitrary: freshName, weight: 6 }, { arbitrary: hostileString, weight: 1 }) : mostly(fc.oneof(freshName, pick(Object.values(objectNames).flat())));
  return {
    ...defaultOptions,
    maxDepth: 5,
    string: plainString,
    key: labelKeys,
    stringFor(path) {
      const last = path[path.length - 1];
      const parent = path[path.length - 2];
      const inSubjects = path.includes('subjects') || path.includes('owners');
      if (last === 'apiVersion') return mostly(pick(apiVersions));
      if (last === 'kind') return mostly(pick(inSubjects ? ['User', 'Group', 'ServiceAccount'] : parent === 'roleRef' ? ['Role', 'ClusterRole'] : kinds));
      if (last === 'name' && parent === 'metadata') return objectName;
      if (last === 'generateName') return mostly(pick(['fz-', '']));
      if (last === 'name' && inSubjects) return subjectNames;
      if (last === 'name' && parent === 'roleRef') return mostly(pick(roleNames));
      if (last === 'namespace') {
        // An admin-made binding never names a service account of the member's namespace: the member may impersonate those.
        return mostly(pick(admin && inSubjects ? [names.scratchNamespace, 'b-dev', 'a-ops'] : allNamespaces));
      }
      if (last === 'name') return mostly(pick([...roleNames, ...names.users, ...names.namespaces, 'a-robot']));
      // Users and groups outside subjects only ask (reviews) or describe (users, tokens): any name goes.
      if (last === 'user' || last === 'username' || parent === 'groups' || last === 'groups') return mostly(pick([...fixtureSubjects, ...anyoneSubjects]));
      if (last === 'verb' || parent === 'verbs') return mostly(pick(verbs));
      if (last === 'resource' || parent === 'resources') return mostly(pick(resources));
      if (last === 'group' || last === 'apiGroup' || parent === 'apiGroups') return mostly(pick(apiGroups));
      if (last === 'version') return mostly(pick(['v1', 'v1beta1', '']));
      if (last === 'subresource' || last === 'subResource') return mostly(pick(['', 'status', 'token', 'exec', 'scale']));
      if (parent === 'nonResourceURLs' || last === 'path') return mostly(pick(nonResourceURLs));
      if (parent === 'resourceNames') return mostly(pick(['a-robot', 'fz-obj', '']));
      if (last === 'operation') return mostly(pick(['CREATE', 'UPDATE', 'DELETE', 'CONNECT']));
      if (last === 'protocol') return mostly(pick(protocols));
      if (last === 'ip') return mostly(pick(ips));
      if (last === 'cidr' || parent === 'except') return mostly(pick(cidrs));
      if (last === 'port') return mostly(pick(['http', 'https', 'metrics', '']));
      if (last === 'operator') return mostly(pick(['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'in']));
      if (last === 'key') return labelKeys;
      if (parent === 'labels' || parent === 'matchLabels' || parent === 'annotations') return mostly(pick(['a', 'b', 'web', 'true', names.scratchTenant]));
      if (parent === 'hard' || parent === 'used' || parent === 'requests' || parent === 'limits') return mostly(pick(quantities));
      if (last === 'expirationTimestamp') return mostly(pick(['2099-01-01T00:00:00Z', '2001-01-01T00:00:00Z', new Date(Date.UTC(2030, 0, 1)).toISOString(), 'tomorrow', '2030-01-01', '2030-01-01T00:00:00+25:00']));
      if (last === 'resourceVersion') return mostly(pick(['1', '2', '999999', '0', 'x']));
      if (last === 'uid') return mostly(pick(['00000000-0000-0000-0000-000000000000', 'fz-uid']));
      if (parent === 'dryRun') return fc.constant('All');
      if (last === 'propagationPolicy') return mostly(pick(['Foreground', 'Background', 'Orphan']));
      if (last === 'fieldManager') return mostly(pick(['fuzz', 'kubectl']));
      if (last === 'description') return plainString;
      return undefined;
    },
    keyFor(path) {
      const last = path[path.length - 1];
      return ['hard', 'used', 'requests', 'limits'].includes(last) ? mostly(pick(quotaKeys)) : undefined;
    },
    integerFor(path) {
      const last = path[path.length - 1];
      if (last === 'port' || last === 'endPort' || last === 'containerPort') return fc.oneof(fc.integer({ min: 1, max: 65535 }), fc.constantFrom(0, -1, 65536, 2 ** 31));
      if (last === 'expirationSeconds') return fc.oneof(fc.integer({ min: 600, max: 7200 }), fc.constantFrom(0, 1, 599, 86400 * 400, -1, Number.MAX_SAFE_INTEGER));
      if (last === 'namespaceLimit') return fc.oneof(fc.integer({ min: 0, max: 20 }), fc.constantFrom(-1, 2 ** 31, Number.MAX_SAFE_INTEGER));
      if (last === 'gracePeriodSeconds') return fc.constantFrom(0, 30, -1);
      if (last === 'limit') return fc.constantFrom(1, 2, 100, 1000, 1001, 0);
      return undefined;
    },
    valueFor(path) {
      const last = path[path.length - 1];
      if ((last === 'object' || last === 'oldObject') && path.includes('request')) return admittedObject(identity);
      return undefined;
    },
  };
}
