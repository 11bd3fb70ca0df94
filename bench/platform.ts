/**
 * A deterministic, seeded generator of a multi-tenant platform's RBAC state
 * and of requests against it, for benchmarks and differential tests.
 *
 * Defaults are benchmark size: 1,000 namespaces, 10,000 Roles and
 * ClusterRoles (9 Roles per namespace, 1,000 ClusterRoles of which some are
 * aggregated, nested three deep), 100,000 bindings (97 RoleBindings per
 * namespace, 3,000 ClusterRoleBindings). Subjects mix users, groups and
 * service accounts; rules mix API groups, subresources, resourceNames,
 * wildcards and non-resource URLs; a few bindings name missing roles.
 * The same options and seed always give the same platform.
 */
import type { LabelSelector } from '../engine/meta.ts';
import type {
  Attributes, ClusterRole, ClusterRoleBinding, PolicyRule, RbacObjects, Role, RoleBinding, RoleRef, Subject, UserInfo,
} from '../engine/rbac/types.ts';

export interface PlatformOptions {
  seed?: number;
  namespaces?: number;
  /** Roles + ClusterRoles. */
  roles?: number;
  /** Share of `roles` that are ClusterRoles. */
  clusterRoleShare?: number;
  /** RoleBindings + ClusterRoleBindings. */
  bindings?: number;
  /** Share of `bindings` that are ClusterRoleBindings. */
  clusterBindingShare?: number;
  users?: number;
  groups?: number;
  serviceAccountsPerNamespace?: number;
  /** ClusterRoles added as given (e.g. the bootstrap roles); bindings may name them. */
  extraClusterRoles?: readonly ClusterRole[];
}

export interface Platform {
  objects: RbacObjects;
  namespaces: string[];
  /** Every human user with its groups, and every service account user. */
  users: UserInfo[];
}

/** mulberry32: small, fast, good enough for test data. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;
const pick = <T>(rand: Rand, list: readonly T[]): T => list[Math.floor(rand() * list.length)];
const chance = (rand: Rand, p: number): boolean => rand() < p;
const some = <T>(rand: Rand, list: readonly T[], max: number): T[] => {
  const n = 1 + Math.floor(rand() * max);
  return [...new Set(Array.from({ length: n }, () => pick(rand, list)))];
};

/** API group -> resources (with subresources), the vocabulary of rules and requests. */
export const resourceVocabulary: Readonly<Record<string, readonly string[]>> = {
  '': ['pods', 'pods/log', 'pods/exec', 'pods/status', 'services', 'configmaps', 'secrets', 'serviceaccounts',
    'persistentvolumeclaims', 'events', 'resourcequotas', 'namespaces', 'nodes', 'nodes/proxy'],
  apps: ['deployments', 'deployments/scale', 'statefulsets', 'statefulsets/scale', 'replicasets', 'daemonsets'],
  batch: ['jobs', 'cronjobs', 'jobs/status'],
  'networking.k8s.io': ['networkpolicies', 'ingresses', 'ingresses/status'],
  'rbac.authorization.k8s.io': ['roles', 'rolebindings', 'clusterroles'],
  policy: ['poddisruptionbudgets'],
  'widgets.example.com': ['widgets', 'widgets/status', 'gadgets'],
};
const apiGroups = Object.keys(resourceVocabulary);
const readVerbs = ['get', 'list', 'watch'];
const writeVerbs = ['create', 'update', 'patch', 'delete', 'deletecollection'];
const allVerbs = [...readVerbs, ...writeVerbs, 'impersonate', 'bind', 'escalate'];
const urls = ['/healthz', '/healthz/*', '/metrics', '/version', '/apis/*', '/logs*', '/openapi/v2', '*'];
const requestPaths = ['/healthz', '/healthz/ping', '/metrics', '/version', '/apis', '/apis/apps', '/logs', '/logsfoo', '/openapi/v2', '/other'];
const objectNames = ['web', 'db', 'cache', 'api', 'worker', 'frontend', 'config'];

function resourceRule(rand: Rand): PolicyRule {
  const group = chance(rand, 0.02) ? '*' : pick(rand, apiGroups);
  const vocab = resourceVocabulary[group === '*' ? '' : group];
  const resources = chance(rand, 0.03) ? ['*'] : chance(rand, 0.02) ? ['*/scale'] : some(rand, vocab, 4);
  const verbs = chance(rand, 0.05) ? ['*'] : chance(rand, 0.5) ? some(rand, readVerbs, 3) : some(rand, allVerbs, 4);
  const rule: PolicyRule = { apiGroups: [group], resources, verbs };
  if (chance(rand, 0.1)) rule.resourceNames = some(rand, objectNames, 3);
  return rule;
}

function rules(rand: Rand, cluster: boolean): PolicyRule[] {
  const out = Array.from({ length: 1 + Math.floor(rand() * 6) }, () => resourceRule(rand));
  if (cluster && chance(rand, 0.15)) out.push({ nonResourceURLs: some(rand, urls, 3), verbs: chance(rand, 0.8) ? ['get'] : ['*'] });
  return out;
}

const meta = { apiVersion: 'rbac.authorization.k8s.io/v1' } as const;
const tierLabel = (t: number): string => `platform.warden.dev/aggregate-to-tier${t}`;

export function generatePlatform(options: PlatformOptions = {}): Platform {
  const rand = seededRandom(options.seed ?? 1);
  const nsCount = options.namespaces ?? 1000;
  const roleTotal = options.roles ?? 10_000;
  const clusterRoleCount = Math.max(8, Math.round(roleTotal * (options.clusterRoleShare ?? 0.1)));
  const rolesPerNs = Math.max(1, Math.round((roleTotal - clusterRoleCount) / nsCount));
  const bindingTotal = options.bindings ?? 100_000;
  const crbCount = Math.round(bindingTotal * (options.clusterBindingShare ?? 0.03));
  const rbPerNs = Math.max(1, Math.round((bindingTotal - crbCount) / nsCount));
  const saPerNs = options.serviceAccountsPerNamespace ?? 5;
  const namespaces = Array.from({ length: nsCount }, (_, i) => `tenant-${Math.floor(i / 4)}-ns-${i % 4}`);
  const groups = Array.from({ length: options.groups ?? 2000 }, (_, i) => `team-${i}`);
  const humans: UserInfo[] = Array.from({ length: options.users ?? 20_000 }, (_, i) => ({
    name: `user-${i}@example.com`, groups: [...some(rand, groups, 3), 'system:authenticated'],
  }));
  const users = [...humans];
  for (const ns of namespaces) {
    for (let k = 0; k < saPerNs; k++) {
      users.push({ name: `system:serviceaccount:${ns}:sa-${k}`, groups: ['system:serviceaccounts', `system:serviceaccounts:${ns}`, 'system:authenticated'] });
    }
  }

  // ClusterRoles: leaves (some labelled into tiers), three tiers of aggregators nesting tier1 -> tier2 -> tier3.
  const clusterRoles: ClusterRole[] = [...(options.extraClusterRoles ?? [])];
  const aggregatorCount = Math.max(3, Math.round(clusterRoleCount * 0.02));
  for (let i = 0; i < aggregatorCount; i++) {
    const tier = 1 + (i % 3);
    const selectors: LabelSelector[] = [{ matchLabels: { [tierLabel(tier)]: 'true', 'platform.warden.dev/stack': `s${i % 7}` } }];
    if (i % 5 === 0) selectors.push({ matchExpressions: [{ key: 'platform.warden.dev/product', operator: 'In', values: [`p${i % 11}`, `p${(i + 3) % 11}`] }] });
    const labels: Record<string, string> = { 'platform.warden.dev/stack': `s${i % 7}` };
    if (tier < 3) labels[tierLabel(tier + 1)] = 'true';
    clusterRoles.push({ ...meta, kind: 'ClusterRole', metadata: { name: `platform-tier${tier}-${i}`, labels }, aggregationRule: { clusterRoleSelectors: selectors }, rules: [] });
  }
  for (let i = clusterRoles.length - (options.extraClusterRoles?.length ?? 0); i < clusterRoleCount; i++) {
    const labels: Record<string, string> = {};
    if (chance(rand, 0.15)) {
      labels[tierLabel(1)] = 'true';
      labels['platform.warden.dev/stack'] = `s${Math.floor(rand() * 7)}`;
    }
    if (chance(rand, 0.05)) labels['platform.warden.dev/product'] = `p${Math.floor(rand() * 11)}`;
    clusterRoles.push({ ...meta, kind: 'ClusterRole', metadata: { name: `cluster-role-${i}`, labels }, rules: rules(rand, true) });
  }
  const clusterRoleNames = clusterRoles.map((r) => r.metadata.name!);

  const roles: Role[] = [];
  for (const ns of namespaces) {
    for (let k = 0; k < rolesPerNs; k++) roles.push({ ...meta, kind: 'Role', metadata: { name: `role-${k}`, namespace: ns }, rules: rules(rand, false) });
  }

  const subject = (ns: string): Subject => {
    const r = rand();
    if (r < 0.6) return { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: pick(rand, humans).name };
    if (r < 0.85) return { kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: chance(rand, 0.01) ? 'system:authenticated' : pick(rand, groups) };
    const saNs = ns === '' || chance(rand, 0.5) ? pick(rand, namespaces) : ns;
    const sa: Subject = { kind: 'ServiceAccount', name: `sa-${Math.floor(rand() * saPerNs)}` };
    if (ns === '' || saNs !== ns || chance(rand, 0.5)) sa.namespace = saNs;
    return sa;
  };
  const subjects = (ns: string): Subject[] => Array.from({ length: 1 + Math.floor(rand() * 3) }, () => subject(ns));
  const clusterRef = (): RoleRef => ({
    apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: chance(rand, 0.01) ? `missing-${Math.floor(rand() * 9)}` : pick(rand, clusterRoleNames),
  });

  const roleBindings: RoleBinding[] = [];
  for (const ns of namespaces) {
    for (let k = 0; k < rbPerNs; k++) {
      const roleRef: RoleRef = chance(rand, 0.6)
        ? { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: `role-${Math.floor(rand() * (rolesPerNs + (chance(rand, 0.02) ? 3 : 0)))}` }
        : clusterRef();
      roleBindings.push({ ...meta, kind: 'RoleBinding', metadata: { name: `rb-${k}`, namespace: ns }, roleRef, subjects: subjects(ns) });
    }
  }
  const clusterRoleBindings: ClusterRoleBinding[] = Array.from({ length: crbCount }, (_, k) => ({
    ...meta, kind: 'ClusterRoleBinding', metadata: { name: `crb-${k}` }, roleRef: clusterRef(), subjects: subjects(''),
  }));

  return { objects: { roles, clusterRoles, roleBindings, clusterRoleBindings }, namespaces, users };
}

function attributes(user: UserInfo, verb: string, namespace: string, group: string, combined: string, name: string): Attributes {
  const [resource, subresource = ''] = combined.split('/');
  return { user, verb, isResourceRequest: true, namespace, apiGroup: group, apiVersion: 'v1', resource, subresource, name, path: '' };
}

/**
 * `count` requests: most from a subject of a random binding, in its
 * namespace, often shaped after a rule of a role (so a fair share is
 * allowed); the rest random users, namespaces, resources and URLs.
 */
export function generateRequests(platform: Platform, count: number, seed = 2): Attributes[] {
  const rand = seededRandom(seed);
  const { objects, namespaces, users } = platform;
  const byName = new Map(users.map((u) => [u.name, u]));
  const members = new Map<string, UserInfo[]>();
  for (const u of users) {
    for (const g of u.groups ?? []) {
      const list = members.get(g);
      if (list) list.push(u);
      else members.set(g, [u]);
    }
  }
  const inGroup = (g: string): UserInfo => (members.has(g) ? pick(rand, members.get(g)!) : { name: 'nobody', groups: [g] });
  const roleByKey = new Map(objects.roles.map((x) => [`${x.metadata.namespace}/${x.metadata.name}`, x]));
  const clusterRoleByName = new Map(objects.clusterRoles.map((x) => [x.metadata.name, x]));
  const out: Attributes[] = [];
  while (out.length < count) {
    const r = rand();
    if (r < 0.1) {
      const user = pick(rand, users);
      out.push({ user, verb: pick(rand, ['get', 'post', 'GET']), isResourceRequest: false, namespace: '', apiGroup: '', apiVersion: '', resource: '', subresource: '', name: '', path: pick(rand, requestPaths) });
      continue;
    }
    if (r < 0.2) {
      const group = pick(rand, apiGroups);
      out.push(attributes(pick(rand, users), pick(rand, allVerbs), chance(rand, 0.8) ? pick(rand, namespaces) : '', group, pick(rand, resourceVocabulary[group]), chance(rand, 0.3) ? pick(rand, objectNames) : ''));
      continue;
    }
    const cluster = chance(rand, 0.1) && objects.clusterRoleBindings.length > 0;
    const binding = cluster ? pick(rand, objects.clusterRoleBindings) : pick(rand, objects.roleBindings);
    const ns = cluster ? (chance(rand, 0.7) ? pick(rand, namespaces) : '') : binding.metadata.namespace!;
    const s = pick(rand, binding.subjects ?? []);
    if (!s) continue;
    const user = s.kind === 'User' ? byName.get(s.name) ?? { name: s.name, groups: [] }
      : s.kind === 'Group' ? inGroup(s.name)
        : byName.get(`system:serviceaccount:${s.namespace || ns}:${s.name}`) ?? { name: `system:serviceaccount:${s.namespace || ns}:${s.name}` };
    const role = binding.roleRef.kind === 'Role' ? roleByKey.get(`${ns}/${binding.roleRef.name}`) : clusterRoleByName.get(binding.roleRef.name);
    const rule = role?.rules?.length ? pick(rand, role.rules) : undefined;
    if (rule?.resources && chance(rand, 0.7)) {
      const group = pick(rand, rule.apiGroups ?? ['']);
      const g = group === '*' ? pick(rand, apiGroups) : group;
      const res = pick(rand, rule.resources);
      const combined = res === '*' || res.startsWith('*/') ? pick(rand, resourceVocabulary[g] ?? ['pods']) : res;
      const verb = pick(rand, rule.verbs.includes('*') ? allVerbs : chance(rand, 0.8) ? rule.verbs : allVerbs);
      const name = rule.resourceNames && chance(rand, 0.7) ? pick(rand, rule.resourceNames) : chance(rand, 0.3) ? pick(rand, objectNames) : '';
      out.push(attributes(user, verb, ns, g, combined, name));
    } else {
      const group = pick(rand, apiGroups);
      out.push(attributes(user, pick(rand, allVerbs), ns, group, pick(rand, resourceVocabulary[group]), chance(rand, 0.3) ? pick(rand, objectNames) : ''));
    }
  }
  return out;
}
