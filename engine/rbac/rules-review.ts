/**
 * SelfSubjectRulesReview / SubjectRulesReview status for a user in a
 * namespace, as kube-apiserver's RBAC rule resolver builds it
 * (plugin/pkg/auth/authorizer/rbac RulesFor, pkg/registry/authorization/
 * selfsubjectrulesreview).
 *
 * Every rule of every applicable binding is listed, ClusterRoleBindings
 * first, then the namespace's RoleBindings, each in lister order, one copy
 * per binding (duplicates are real). A rule contributes its resource part
 * when it names resources and its URL part when it names URLs; URL rules
 * reached through RoleBindings are listed although a RoleBinding never
 * grants a URL, exactly as upstream lists them. Aggregated ClusterRoles
 * appear with their aggregated rules. A binding that applies to the user but
 * whose role is missing makes `evaluationError` non-empty (the listers'
 * NotFound text); the other rules are still returned.
 *
 * system:masters gets no special treatment: upstream's rules review asks
 * only the RBAC rule resolver, which knows nothing of the privileged group.
 */
import type { UserInfo } from './types.ts';
import type { RbacView } from './view.ts';
import { rulesFor } from './rules-for.ts';
import { aggregateErrorString } from './rule-format.ts';

export interface ResourceRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
}

export interface NonResourceRule {
  verbs: string[];
  nonResourceURLs?: string[];
}

export interface RulesReviewStatus {
  resourceRules: ResourceRule[];
  nonResourceRules: NonResourceRule[];
  /** Always false: RBAC knows every rule it holds. */
  incomplete: boolean;
  /** Present only when some applicable binding could not be resolved. */
  evaluationError?: string;
}

export type RulesReviewResult =
  | { ok: true; status: RulesReviewStatus }
  | { ok: false; problem: 'no-namespace'; message: string };

function copyList(list: string[] | undefined): string[] | undefined {
  return list && list.length > 0 ? [...list] : undefined;
}

/** The rules review of `user` in `namespace`; a missing namespace is refused (a 400 upstream). */
export function rulesReview(view: RbacView, user: UserInfo, namespace: string): RulesReviewResult {
  if (!namespace) return { ok: false, problem: 'no-namespace', message: 'no namespace on request' };
  const { rules, errors } = rulesFor(view, user, namespace, 'lister');
  const resourceRules: ResourceRule[] = [];
  const nonResourceRules: NonResourceRule[] = [];
  for (const rule of rules) {
    if ((rule.resources?.length ?? 0) > 0) {
      const r: ResourceRule = { verbs: [...(rule.verbs ?? [])] };
      const apiGroups = copyList(rule.apiGroups);
      const resources = copyList(rule.resources);
      const resourceNames = copyList(rule.resourceNames);
      if (apiGroups) r.apiGroups = apiGroups;
      if (resources) r.resources = resources;
      if (resourceNames) r.resourceNames = resourceNames;
      resourceRules.push(r);
    }
    if ((rule.nonResourceURLs?.length ?? 0) > 0) {
      nonResourceRules.push({ verbs: [...(rule.verbs ?? [])], nonResourceURLs: [...rule.nonResourceURLs!] });
    }
  }
  const status: RulesReviewStatus = { resourceRules, nonResourceRules, incomplete: false };
  if (errors.length > 0) status.evaluationError = aggregateErrorString(errors);
  return { ok: true, status };
}
