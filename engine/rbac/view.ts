/**
 * The read-only view of resolved RBAC state that the authorizer, reviews,
 * who-can and escalation checks are written against. Every implementation
 * promises: lister order is stable for one state; `clusterRole` returns the
 * role with aggregation already resolved (its rules are the union of the
 * rules of the roles its selectors match); a missing object is `undefined`,
 * never an error.
 */
import type { RoleEvaluator } from '../casbin/role-evaluator.ts';
import type { ClusterRole, ClusterRoleBinding, Role, RoleBinding, UserInfo } from './types.ts';
import type { BindingIndex } from './who-can-index.ts';

/** A binding that applies to a user, and the namespace it grants in ('' for a ClusterRoleBinding). */
export interface ApplicableBinding {
  readonly binding: RoleBinding | ClusterRoleBinding;
  readonly namespace: string;
}

export interface RbacView {
  clusterRoleBindings(): readonly ClusterRoleBinding[];
  /** RoleBindings of one namespace; empty for a namespace with none. */
  roleBindings(namespace: string): readonly RoleBinding[];
  /** Every namespace that holds at least one RoleBinding. */
  roleBindingNamespaces(): Iterable<string>;
  role(namespace: string, name: string): Role | undefined;
  clusterRole(name: string): ClusterRole | undefined;
  clusterRoles(): Iterable<ClusterRole>;
  /**
   * The one resolver of which bindings apply to `user` in `namespace` (''
   * = cluster-wide: ClusterRoleBindings only): ClusterRoleBindings, then the
   * namespace's RoleBindings, each in lister order, as kube's rule
   * resolver visits them.
   */
  applicableBindings(user: UserInfo, namespace: string): readonly ApplicableBinding[];
  /** The Casbin evaluator that decides whether a role's rules allow a request: the one evaluator of record. */
  readonly evaluator: RoleEvaluator;
  /** Who-can's per-list indexes, kept as long as the lists they describe; absent where lists are short-lived. */
  readonly whoCanIndexes?: WeakMap<readonly object[], BindingIndex>;
}
