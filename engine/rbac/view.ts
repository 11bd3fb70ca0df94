/**
 * The read-only view of resolved RBAC state that reviews, who-can and
 * escalation checks are written against. Every implementation promises:
 * lister order is stable for one state; `clusterRole` returns the role with
 * aggregation already resolved (its rules are the union of the rules of the
 * roles its selectors match); a missing object is `undefined`, never an error.
 */
import type { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from './types.ts';

export interface RbacView {
  clusterRoleBindings(): readonly ClusterRoleBinding[];
  /** RoleBindings of one namespace; empty for a namespace with none. */
  roleBindings(namespace: string): readonly RoleBinding[];
  /** Every namespace that holds at least one RoleBinding. */
  roleBindingNamespaces(): Iterable<string>;
  role(namespace: string, name: string): Role | undefined;
  clusterRole(name: string): ClusterRole | undefined;
  clusterRoles(): Iterable<ClusterRole>;
}
