/**
 * Validation of the kind-specific fields of Role, ClusterRole, RoleBinding
 * and ClusterRoleBinding, as kube-apiserver's pkg/apis/rbac/validation does
 * it, with kube's field paths and wording. Object metadata (name format,
 * labels, annotations) is validated by the generic metadata validator; RBAC
 * names there only need `validateRbacName`.
 *
 * Bindings are validated after v1 defaulting, as kube-apiserver does: an
 * omitted `roleRef.apiGroup`, and an omitted `apiGroup` of a User or Group
 * subject, mean `rbac.authorization.k8s.io` (`defaultBinding`).
 */
import type { ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, RoleRef, Subject } from './types.ts';
import { child, index, invalid, notSupported, required, type FieldError } from '../validation/field-error.ts';
import { validateLabelSelector } from '../validation/labels.ts';
import { nameIsDNSSubdomain, validatePathSegmentName } from '../validation/names.ts';
import { hasInvalidLabelValueInSelector, selectorConvertible } from './selector-facts.ts';

export const rbacGroupName = 'rbac.authorization.k8s.io';

/** ValidateRBACName: the metadata.name rule for the four RBAC kinds (and roleRef.name). */
export function validateRbacName(name: string, prefix = false): string[] {
  return validatePathSegmentName(name, prefix);
}

/** ValidatePolicyRule. `namespaced` is true for a Role's rules, which may not name URLs. */
export function validatePolicyRule(rule: PolicyRule, namespaced: boolean, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const len = (a: string[] | undefined) => a?.length ?? 0;
  if (len(rule.verbs) === 0) errs.push(required(child(path, 'verbs'), 'verbs must contain at least one value'));
  if (len(rule.nonResourceURLs) > 0) {
    if (namespaced) {
      errs.push(invalid(child(path, 'nonResourceURLs'), rule.nonResourceURLs, 'namespaced rules cannot apply to non-resource URLs'));
    }
    if (len(rule.apiGroups) > 0 || len(rule.resources) > 0 || len(rule.resourceNames) > 0) {
      errs.push(invalid(child(path, 'nonResourceURLs'), rule.nonResourceURLs,
        'rules cannot apply to both regular resources and non-resource URLs'));
    }
    return errs;
  }
  if (len(rule.apiGroups) === 0) errs.push(required(child(path, 'apiGroups'), 'resource rules must supply at least one api group'));
  if (len(rule.resources) === 0) errs.push(required(child(path, 'resources'), 'resource rules must supply at least one resource'));
  return errs;
}

function validateRules(rules: PolicyRule[] | undefined, namespaced: boolean): FieldError[] {
  return (rules ?? []).flatMap((rule, i) => validatePolicyRule(rule, namespaced, index('rules', i)));
}

export function validateRole(role: Role): FieldError[] {
  return validateRules(role.rules, true);
}

/** Role updates carry no extra RBAC rule beyond validateRole (metadata immutability is checked elsewhere). */
export function validateRoleUpdate(next: Role, _prev: Role): FieldError[] {
  return validateRole(next);
}

export interface ClusterRoleValidationOptions {
  allowInvalidLabelValueInSelector?: boolean;
}

/**
 * ValidateClusterRole: its rules, and an aggregationRule that, when present,
 * has at least one selector and only valid selectors.
 */
export function validateClusterRole(role: ClusterRole, opts: ClusterRoleValidationOptions = {}): FieldError[] {
  const errs = validateRules(role.rules, false);
  const agg = role.aggregationRule;
  if (agg !== undefined && agg !== null) {
    const selectorsPath = 'aggregationRule.clusterRoleSelectors';
    const selectors = agg.clusterRoleSelectors ?? [];
    if (selectors.length === 0) {
      errs.push(required(selectorsPath, 'at least one clusterRoleSelector required if aggregationRule is non-nil'));
    }
    selectors.forEach((selector, i) => {
      const p = index(selectorsPath, i);
      errs.push(...validateLabelSelector(selector, p, opts));
      if (!selectorConvertible(selector)) errs.push(invalid(p, null, 'invalid label selector.'));
    });
  }
  return errs;
}

/**
 * ValidateClusterRoleUpdate. Selector values that were already invalid in the
 * stored object stay tolerated, so old objects remain updatable.
 */
export function validateClusterRoleUpdate(next: ClusterRole, prev: ClusterRole): FieldError[] {
  const tolerate = (prev.aggregationRule?.clusterRoleSelectors ?? []).some(hasInvalidLabelValueInSelector);
  return validateClusterRole(next, { allowInvalidLabelValueInSelector: tolerate });
}

/** v1 defaulting of a binding: roleRef.apiGroup, and User/Group subjects' apiGroup. Returns a copy. */
export function defaultBinding<T extends RoleBinding | ClusterRoleBinding>(binding: T): T {
  const roleRef: RoleRef = { ...binding.roleRef, apiGroup: binding.roleRef?.apiGroup || rbacGroupName };
  const subjects = binding.subjects?.map((s): Subject => {
    if (s.apiGroup) return s;
    if (s.kind === 'User' || s.kind === 'Group') return { ...s, apiGroup: rbacGroupName };
    return s;
  });
  return { ...binding, roleRef, ...(subjects ? { subjects } : {}) };
}

function validateRoleRef(roleRef: RoleRef | undefined, kinds: string[]): FieldError[] {
  const errs: FieldError[] = [];
  const ref = roleRef ?? { apiGroup: '', kind: '', name: '' };
  if (ref.apiGroup !== rbacGroupName) errs.push(notSupported('roleRef.apiGroup', ref.apiGroup ?? '', [rbacGroupName]));
  if (!kinds.includes(ref.kind)) errs.push(notSupported('roleRef.kind', ref.kind ?? '', kinds));
  if (!ref.name) errs.push(required('roleRef.name'));
  else for (const msg of validateRbacName(ref.name)) errs.push(invalid('roleRef.name', ref.name, msg));
  return errs;
}

/** ValidateRoleBindingSubject; `namespaced` is false for ClusterRoleBindings, whose ServiceAccounts need a namespace. */
export function validateSubject(subject: Subject, namespaced: boolean, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const name = subject.name ?? '';
  if (name.length === 0) errs.push(required(child(path, 'name')));
  switch (subject.kind) {
    case 'ServiceAccount':
      // ValidateServiceAccountName: ServiceAccount names are DNS subdomains.
      if (name.length > 0) for (const msg of nameIsDNSSubdomain(name)) errs.push(invalid(child(path, 'name'), name, msg));
      if (subject.apiGroup) errs.push(notSupported(child(path, 'apiGroup'), subject.apiGroup, ['']));
      if (!namespaced && !subject.namespace) errs.push(required(child(path, 'namespace')));
      break;
    case 'User':
    case 'Group':
      if (subject.apiGroup !== rbacGroupName) errs.push(notSupported(child(path, 'apiGroup'), subject.apiGroup ?? '', [rbacGroupName]));
      break;
    default:
      errs.push(notSupported(child(path, 'kind'), subject.kind ?? '', ['ServiceAccount', 'User', 'Group']));
  }
  return errs;
}

function validateBinding(binding: RoleBinding | ClusterRoleBinding, kinds: string[], namespaced: boolean): FieldError[] {
  const b = defaultBinding(binding);
  const errs = validateRoleRef(b.roleRef, kinds);
  (b.subjects ?? []).forEach((s, i) => errs.push(...validateSubject(s, namespaced, index('subjects', i))));
  return errs;
}

export function validateRoleBinding(binding: RoleBinding): FieldError[] {
  return validateBinding(binding, ['Role', 'ClusterRole'], true);
}

export function validateClusterRoleBinding(binding: ClusterRoleBinding): FieldError[] {
  return validateBinding(binding, ['ClusterRole'], false);
}

/**
 * roleRef is immutable: permissions change by replacing a binding, so that
 * a `bind`/escalation check always sees the role a binding grants.
 */
function validateRoleRefUnchanged(next: RoleBinding | ClusterRoleBinding, prev: RoleBinding | ClusterRoleBinding): FieldError[] {
  const a = defaultBinding(next).roleRef;
  const b = defaultBinding(prev).roleRef;
  if (a.apiGroup === b.apiGroup && a.kind === b.kind && a.name === b.name) return [];
  return [invalid('roleRef', { apiGroup: a.apiGroup, kind: a.kind, name: a.name }, 'cannot change roleRef')];
}

export function validateRoleBindingUpdate(next: RoleBinding, prev: RoleBinding): FieldError[] {
  return [...validateRoleBinding(next), ...validateRoleRefUnchanged(next, prev)];
}

export function validateClusterRoleBindingUpdate(next: ClusterRoleBinding, prev: ClusterRoleBinding): FieldError[] {
  return [...validateClusterRoleBinding(next), ...validateRoleRefUnchanged(next, prev)];
}
