/**
 * RiskReview findings: dangerous or broken grants found in the RBAC state,
 * each naming the subjects, bindings and roles involved. What the caller
 * may read bounds what is looked at (`RiskVisibility`): a finding never
 * names an object the caller could not read.
 */
import type { KubeObject } from '../meta.ts';
import type { UserRecord } from '../identity.ts';
import type { RbacState } from '../rbac/state.ts';
import type { PolicyRule, RoleRef, Subject } from '../rbac/types.ts';
import type { Tenant } from '../tenancy/types.ts';

export type Severity = 'critical' | 'high' | 'medium' | 'low';
export const severities: readonly Severity[] = ['critical', 'high', 'medium', 'low'];

/** Every finding type, in the order a report lists them within one severity. */
export const findingTypes = [
  'system-masters',
  'cluster-admin',
  'escalate',
  'bind',
  'impersonate',
  'read-secrets',
  'system-namespace-pods',
  'foreign-tenant-subject',
  'wildcard-rule',
  'missing-role',
  'unbound-role',
] as const;
export type FindingType = (typeof findingTypes)[number];

export interface FindingBinding {
  kind: 'ClusterRoleBinding' | 'RoleBinding';
  /** Set for RoleBindings. */
  namespace?: string;
  name: string;
  roleRef: RoleRef;
}

export interface FindingRole {
  kind: 'Role' | 'ClusterRole';
  /** Set for Roles. */
  namespace?: string;
  name: string;
}

export interface Finding {
  /** Stable for the same grant between reviews: type, namespace (or `*` when cluster-wide) and what it is about, slash-separated. */
  id: string;
  type: FindingType;
  severity: Severity;
  /** Where it applies; absent: cluster-wide (every namespace, or cluster-scoped objects). */
  namespace?: string;
  message: string;
  /** Service accounts always carry their namespace. */
  subjects: Subject[];
  bindings: FindingBinding[];
  roles: FindingRole[];
  /** The rules a wildcard-rule finding is about. */
  rules?: PolicyRule[];
  /** Set (with `includeDefaults`) when only Kubernetes' bootstrap defaults make up the finding. */
  default?: true;
}

/** What the review reads: parts of a snapshot. */
export interface RiskState {
  readonly rbac: RbacState;
  readonly namespaces: ReadonlyMap<string, KubeObject>;
  readonly tenants: ReadonlyMap<string, Tenant>;
  readonly users: ReadonlyMap<string, UserRecord>;
}

/** What the caller may read; each `false` leaves findings out (and says so), never adds any. */
export interface RiskVisibility {
  clusterRoleBindings: boolean;
  clusterRoles: boolean;
  /** Roles of one namespace. */
  roles(namespace: string): boolean;
  /** iam.warden.dev Users. */
  users: boolean;
  tenant(name: string): boolean;
}

export interface RiskOptions {
  /** Review one namespace: what is bound in it, and cluster-wide grants that reach it. Absent: the whole cluster. */
  namespace?: string;
  /** Report Kubernetes' bootstrap defaults too, marked `default: true` (otherwise they are left out). */
  includeDefaults?: boolean;
  visible: RiskVisibility;
}

export interface RiskResult {
  findings: Finding[];
  /** Resources left out because the caller may not list them (sorted). */
  omitted: string[];
}

/** The namespaces kube-apiserver creates for itself; pods there run with the cluster's own privileges. */
export const systemNamespaces: readonly string[] = ['default', 'kube-node-lease', 'kube-public', 'kube-system'];

/** The label Kubernetes puts on its bootstrap RBAC policy (and Warden on the same defaults). */
export const bootstrapLabel = 'kubernetes.io/bootstrapping';

/** Whether an object is one of Kubernetes' bootstrap defaults (`kubernetes.io/bootstrapping: rbac-defaults`). */
export function isBootstrapDefault(o: { metadata?: { labels?: Record<string, string> } } | undefined): boolean {
  return o?.metadata?.labels?.[bootstrapLabel] === 'rbac-defaults';
}
