/**
 * Findings about what subjects may do: escalate or bind roles, impersonate,
 * read secrets, run or exec into pods in the system namespaces. Each is a
 * set of who-can questions (engine/rbac/who-can.ts, the Casbin evaluator of
 * record), one finding per subject and scope, merging what it may do.
 *
 * Scopes: cluster-wide asks with no namespace, so only ClusterRoleBindings
 * answer (they grant in every namespace); a namespace asks over that
 * namespace's RoleBindings alone, so a grant is reported once, where its
 * binding lives. Questions about cluster-scoped resources (impersonating
 * users, groups, uids) are asked cluster-wide only: no RoleBinding grants
 * them.
 */
import type { ClusterRoleBinding, RoleBinding, Subject } from '../rbac/types.ts';
import type { RbacView } from '../rbac/view.ts';
import { subjectKey } from '../rbac/subjects.ts';
import { whoCan } from '../rbac/who-can.ts';
import { bindingKey, findingId, finding, listText, normalSubject, subjectId, subjectText } from './report.ts';
import { isBootstrapDefault, type Finding, type FindingBinding, type FindingType, type Severity } from './types.ts';

type GrantType = Extract<FindingType, 'escalate' | 'bind' | 'impersonate' | 'read-secrets' | 'system-namespace-pods'>;

interface Probe {
  type: GrantType;
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  /** The resource is cluster-scoped: only ClusterRoleBindings grant it. */
  clusterScoped?: boolean;
}

const rbac = 'rbac.authorization.k8s.io';

/**
 * The questions, in message order. `get` on pods/exec is there because
 * kube-apiserver 1.32 authorizes exec over WebSocket (kubectl's default
 * since 1.31) with the verb of the upgrade request, `get`.
 */
const probes: readonly Probe[] = [
  { type: 'escalate', verb: 'escalate', group: rbac, resource: 'roles' },
  { type: 'escalate', verb: 'escalate', group: rbac, resource: 'clusterroles' },
  { type: 'bind', verb: 'bind', group: rbac, resource: 'roles' },
  { type: 'bind', verb: 'bind', group: rbac, resource: 'clusterroles' },
  { type: 'impersonate', verb: 'impersonate', group: '', resource: 'users', clusterScoped: true },
  { type: 'impersonate', verb: 'impersonate', group: '', resource: 'groups', clusterScoped: true },
  { type: 'impersonate', verb: 'impersonate', group: '', resource: 'serviceaccounts' },
  { type: 'impersonate', verb: 'impersonate', group: 'authentication.k8s.io', resource: 'uids', clusterScoped: true },
  { type: 'read-secrets', verb: 'get', group: '', resource: 'secrets' },
  { type: 'read-secrets', verb: 'list', group: '', resource: 'secrets' },
  { type: 'read-secrets', verb: 'watch', group: '', resource: 'secrets' },
  { type: 'system-namespace-pods', verb: 'create', group: '', resource: 'pods' },
  { type: 'system-namespace-pods', verb: 'create', group: '', resource: 'pods', subresource: 'exec' },
  { type: 'system-namespace-pods', verb: 'get', group: '', resource: 'pods', subresource: 'exec' },
];

const severity: Record<GrantType, { clusterWide: Severity; namespaced: Severity }> = {
  escalate: { clusterWide: 'critical', namespaced: 'high' },
  bind: { clusterWide: 'critical', namespaced: 'high' },
  impersonate: { clusterWide: 'critical', namespaced: 'high' },
  'read-secrets': { clusterWide: 'high', namespaced: 'medium' },
  'system-namespace-pods': { clusterWide: 'high', namespaced: 'high' },
};

const noClusterRoleBindings: readonly ClusterRoleBinding[] = Object.freeze([]);

/** `view` without its ClusterRoleBindings: who-can over it answers from one namespace's RoleBindings alone. */
function roleBindingsOnly(view: RbacView): RbacView {
  return {
    clusterRoleBindings: () => noClusterRoleBindings,
    roleBindings: (ns) => view.roleBindings(ns),
    roleBindingNamespaces: () => view.roleBindingNamespaces(),
    role: (ns, name) => view.role(ns, name),
    clusterRole: (name) => view.clusterRole(name),
    clusterRoles: () => view.clusterRoles(),
    applicableBindings: (user, ns) => view.applicableBindings(user, ns).filter((b) => b.namespace !== ''),
    evaluator: view.evaluator,
    whoCanIndexes: view.whoCanIndexes,
  };
}

function probeText(p: Probe): string {
  const resource = p.subresource ? `${p.resource}/${p.subresource}` : p.resource;
  return `${p.verb} ${resource}`;
}

export interface GrantScope {
  /** '' for cluster-wide grants (ClusterRoleBindings); otherwise one namespace's RoleBindings. */
  namespace: string;
  /** Ask the system-namespace pod questions (cluster-wide, or a system namespace). */
  systemPods: boolean;
  includeDefaults: boolean;
}

interface Accumulated {
  type: GrantType;
  subject: Subject;
  what: string[];
  bindings: Map<string, FindingBinding>;
  privileged: boolean;
  allDefault: boolean;
}

/** The grant findings of one scope, unordered. */
export function grantFindings(view: RbacView, scope: GrantScope): Finding[] {
  const ns = scope.namespace;
  const asked = ns === '' ? view : roleBindingsOnly(view);
  const bindings: readonly (RoleBinding | ClusterRoleBinding)[] = ns === '' ? view.clusterRoleBindings() : view.roleBindings(ns);
  const defaults = new Set<string>();
  for (const b of bindings) if (isBootstrapDefault(b)) defaults.add(b.metadata.name ?? '');

  const found = new Map<string, Accumulated>();
  for (const p of probes) {
    if (p.clusterScoped && ns !== '') continue;
    if (p.type === 'system-namespace-pods' && !scope.systemPods) continue;
    const answer = whoCan(asked, {
      resourceAttributes: { namespace: ns, verb: p.verb, group: p.group, resource: p.resource, ...(p.subresource ? { subresource: p.subresource } : {}) },
    }, { revision: 0 });
    if (!answer.ok) continue;
    for (const entry of answer.subjects) {
      const privileged = entry.privileged !== undefined;
      // The privileged group is reported once, cluster-wide; a super-user is configuration, not a grant.
      if (privileged && (ns !== '' || entry.privileged !== 'system:masters')) continue;
      const granting = entry.grantedBy.filter((b) => scope.includeDefaults || !defaults.has(b.name));
      if (!privileged && granting.length === 0) continue;
      if (privileged && !scope.includeDefaults) continue;
      const subject = normalSubject(entry.subject, ns);
      const key = `${p.type}\u0000${subjectKey(subject)}`;
      let acc = found.get(key);
      if (!acc) found.set(key, (acc = { type: p.type, subject, what: [], bindings: new Map(), privileged, allDefault: true }));
      const text = probeText(p);
      if (!acc.what.includes(text)) acc.what.push(text);
      // who-can's binding descriptions are frozen and shared: findings carry them as they are.
      for (const b of granting) {
        acc.bindings.set(bindingKey(b), b);
        if (!defaults.has(b.name)) acc.allDefault = false;
      }
    }
  }

  const out: Finding[] = [];
  for (const acc of found.values()) {
    const where = ns !== '' ? `in namespace "${ns}"` : acc.type === 'system-namespace-pods' ? 'in every namespace, the system namespaces included' : 'cluster-wide';
    const why = acc.privileged ? ' (the group may do everything before RBAC is asked)' : '';
    out.push(finding({
      id: findingId(acc.type, ns, subjectId(acc.subject)),
      type: acc.type,
      severity: ns === '' ? severity[acc.type].clusterWide : severity[acc.type].namespaced,
      ...(ns ? { namespace: ns } : {}),
      message: `${subjectText(acc.subject)} can ${listText(acc.what)} ${where}${why}`,
      subjects: [acc.subject],
      bindings: [...acc.bindings.values()],
      ...(acc.allDefault ? { default: true as const } : {}),
    }));
  }
  return out;
}
