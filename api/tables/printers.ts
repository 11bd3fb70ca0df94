/**
 * The columns `kubectl get` shows for each kind, and each object's cells:
 * for Kubernetes kinds exactly kube-apiserver 1.32's (pkg/printers/
 * internalversion/printers.go: names, types, descriptions, wide-only
 * columns at priority 1, and how each cell is written), for Warden's own
 * kinds columns in the same style. A kind without a printer gets the
 * default table (Name, Created At), as Roles, ClusterRoles and
 * CustomResourceDefinitions do in kube-apiserver. Pure: objects and the
 * current time in, cells out, so list, get and watch print alike.
 */
import type { KubeObject, LabelSelector } from '../../engine/meta.ts';
import type { RoleRef, Subject } from '../../engine/rbac/types.ts';
import { formatLabelSelector, quotaEntries, quotaUsage, rfc3339, subjectsStrings, timeSince, timeUntil } from './format.ts';

/** metav1.TableColumnDefinition. */
export interface TableColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

export type Cell = string | number | boolean;

export interface Printer {
  columns: readonly TableColumnDefinition[];
  cells(o: KubeObject, now: number): Cell[];
}

// Descriptions kube takes from the API types' documentation (SwaggerDoc), k8s.io/api and apimachinery v0.32.
const docs = {
  name: 'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names',
  creationTimestamp: 'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata',
  serviceAccountSecrets: 'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use. Pods are only limited to this list if this service account has a "kubernetes.io/enforce-mountable-secrets" annotation set to "true". The "kubernetes.io/enforce-mountable-secrets" annotation is deprecated since v1.32. Prefer separate namespaces to isolate access to mounted secrets. This field should not be used to find auto-generated service account token secrets for use outside of pods. Instead, tokens can be requested directly using the TokenRequest API, or service account token secrets can be manually created. More info: https://kubernetes.io/docs/concepts/configuration/secret',
  podSelector: 'Selects the pods to which this NetworkPolicy object applies.  The array of ingress rules is applied to any pods selected by this field. Multiple network policies can select the same set of pods.  In this case, the ingress rules for each are combined additively. This field is NOT optional and follows standard label selector semantics. An empty podSelector matches all pods in this namespace.',
  roleBindingRoleRef: 'RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error.',
  clusterRoleBindingRoleRef: 'RoleRef can only reference a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error.',
};

function column(name: string, description: string, opts: { type?: string; format?: string; priority?: number } = {}): TableColumnDefinition {
  return { name, type: opts.type ?? 'string', format: opts.format ?? '', description, priority: opts.priority ?? 0 };
}

const nameColumn = column('Name', docs.name, { format: 'name' });
const ageColumn = column('Age', docs.creationTimestamp);

const nameOf = (o: KubeObject): string => o.metadata?.name ?? '';
const ageOf = (o: KubeObject, now: number): string => timeSince(o.metadata?.creationTimestamp, now);
const field = <T>(o: KubeObject, key: string): T | undefined => {
  const v = o[key];
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as T) : undefined;
};

/** rest.NewDefaultTableConvertor: the name and the creation time in RFC 3339. */
export const defaultPrinter: Printer = {
  columns: [nameColumn, column('Created At', docs.creationTimestamp, { type: 'date' })],
  cells: (o) => [nameOf(o), rfc3339(o.metadata?.creationTimestamp)],
};

/** printRoleBinding / printClusterRoleBinding: `Kind/name` of the role; subjects in wide output. */
function bindingPrinter(kind: 'roleBinding' | 'clusterRoleBinding', roleRefDoc: string): Printer {
  return {
    columns: [
      nameColumn,
      column('Role', roleRefDoc),
      ageColumn,
      column('Users', `Users in the ${kind}`, { priority: 1 }),
      column('Groups', `Groups in the ${kind}`, { priority: 1 }),
      column('ServiceAccounts', `ServiceAccounts in the ${kind}`, { priority: 1 }),
    ],
    cells(o, now) {
      const ref = (o.roleRef ?? {}) as Partial<RoleRef>;
      const s = subjectsStrings(o.subjects as Subject[] | undefined);
      return [nameOf(o), `${ref.kind ?? ''}/${ref.name ?? ''}`, ageOf(o, now), s.users.join(', '), s.groups.join(', '), s.serviceAccounts.join(', ')];
    },
  };
}

const listOrNone = (items: string[]) => (items.length ? items.join(', ') : '<none>');

/** A Tenant's owners as `Kind/name` (`ServiceAccount/namespace/name`). */
function ownersOf(o: KubeObject): string {
  const owners = field<{ owners?: unknown }>(o, 'spec')?.owners;
  const subjects = Array.isArray(owners) ? (owners as Subject[]) : [];
  return listOrNone(subjects.map((s) => (s?.kind === 'ServiceAccount' ? `ServiceAccount/${s.namespace ?? ''}/${s.name}` : `${s?.kind}/${s?.name}`)));
}

const printers = new Map<string, Printer>([
  ['Namespace', {
    columns: [nameColumn, column('Status', 'The status of the namespace'), ageColumn],
    cells: (o, now) => [nameOf(o), String(field<{ phase?: unknown }>(o, 'status')?.phase ?? ''), ageOf(o, now)],
  }],
  ['ServiceAccount', {
    columns: [nameColumn, column('Secrets', docs.serviceAccountSecrets), ageColumn],
    cells: (o, now) => [nameOf(o), Array.isArray(o.secrets) ? o.secrets.length : 0, ageOf(o, now)],
  }],
  ['ResourceQuota', {
    columns: [
      nameColumn,
      ageColumn,
      column('Request', 'Request represents a minimum amount of cpu/memory that a container may consume.'),
      column('Limit', 'Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.'),
    ],
    cells(o, now) {
      const status = field<{ hard?: Record<string, unknown>; used?: Record<string, unknown> }>(o, 'status');
      const usage = quotaUsage(status?.hard, status?.used);
      return [nameOf(o), ageOf(o, now), usage.requests, usage.limits];
    },
  }],
  ['NetworkPolicy', {
    columns: [nameColumn, column('Pod-Selector', docs.podSelector), ageColumn],
    cells: (o, now) => [nameOf(o), formatLabelSelector(field<{ podSelector?: LabelSelector }>(o, 'spec')?.podSelector ?? {}), ageOf(o, now)],
  }],
  ['RoleBinding', bindingPrinter('roleBinding', docs.roleBindingRoleRef)],
  ['ClusterRoleBinding', bindingPrinter('clusterRoleBinding', docs.clusterRoleBindingRoleRef)],
  ['Tenant', {
    columns: [
      nameColumn,
      column('Owners', 'Subjects that own the tenant: Kind/name, or ServiceAccount/namespace/name.'),
      column('Namespaces', 'Namespaces of the tenant, out of its namespace limit when it has one.'),
      column('Quota', 'Tenant-wide use of each resource of the tenant quota, as used/hard; <none> without a tenant quota.'),
      ageColumn,
    ],
    cells(o, now) {
      const spec = field<{ namespaceLimit?: unknown; resourceQuota?: { hard?: Record<string, unknown> } }>(o, 'spec');
      const status = field<{ namespaceCount?: unknown; namespaces?: unknown; used?: Record<string, unknown> }>(o, 'status');
      const count = typeof status?.namespaceCount === 'number' ? status.namespaceCount : Array.isArray(status?.namespaces) ? status.namespaces.length : 0;
      const namespaces = typeof spec?.namespaceLimit === 'number' ? `${count}/${spec.namespaceLimit}` : String(count);
      const quota = quotaEntries(spec?.resourceQuota?.hard, status?.used).map((e) => e.text);
      return [nameOf(o), ownersOf(o), namespaces, listOrNone(quota), ageOf(o, now)];
    },
  }],
  ['User', {
    columns: [nameColumn, column('Groups', 'Groups every token of the user carries.'), ageColumn],
    cells(o, now) {
      const groups = field<{ groups?: unknown }>(o, 'spec')?.groups;
      return [nameOf(o), listOrNone(Array.isArray(groups) ? groups.map(String) : []), ageOf(o, now)];
    },
  }],
  ['Token', {
    columns: [
      nameColumn,
      column('User', 'The user the token authenticates as.'),
      column('Expires', 'Time until the token expires: <none> when it never does, Expired once it has.'),
      ageColumn,
      column('Description', 'What the token is for.', { priority: 1 }),
    ],
    cells(o, now) {
      const spec = field<{ user?: unknown; expirationTimestamp?: unknown; description?: unknown }>(o, 'spec');
      const at = spec?.expirationTimestamp;
      const expires = at === undefined || at === null || at === '' ? '<none>' : Date.parse(String(at)) <= now ? 'Expired' : timeUntil(at, now);
      return [nameOf(o), String(spec?.user ?? ''), expires, ageOf(o, now), String(spec?.description ?? '')];
    },
  }],
]);

/** The printer of a kind: its own, or the default table. */
export function printerFor(kind: string): Printer {
  return printers.get(kind) ?? defaultPrinter;
}
