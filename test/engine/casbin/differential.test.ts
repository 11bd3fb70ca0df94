import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generatePlatform, generateRequests } from '../../../bench/platform.ts';
import { newPlainEnforcer, plainEnforcerAllows } from '../../../engine/casbin/enforcer.ts';
import { projectPolicy } from '../../../engine/casbin/projection.ts';
import { aggregateClusterRoles } from '../../../engine/rbac/aggregation.ts';
import { authorize } from '../../../engine/rbac/authorizer.ts';
import { ruleAllows } from '../../../engine/rbac/rule-matching.ts';
import { RbacState } from '../../../engine/rbac/state.ts';
import type {
  Attributes, ClusterRole, ClusterRoleBinding, PolicyRule, RbacObjects, Role, RoleBinding, Subject, UserInfo,
} from '../../../engine/rbac/types.ts';
import { casbinModel } from '../rbac/builders.ts';

/**
 * kube's RBAC authorizer written out directly (rule resolver order, appliesTo,
 * RuleAllows, the describer's reason), over plain arrays: the second
 * reference the fast path is held to, besides the plain enforcer.
 */
function referenceAuthorizer(objects: RbacObjects): (attrs: Attributes) => { allowed: boolean; reason: string } {
  const clusterRoles = new Map(aggregateClusterRoles(objects.clusterRoles).map((r) => [r.metadata.name, r]));
  const roles = new Map(objects.roles.map((r) => [`${r.metadata.namespace}/${r.metadata.name}`, r]));
  return (attrs) => referenceDecision(objects, clusterRoles, roles, attrs);
}

function referenceDecision(
  objects: RbacObjects,
  clusterRoles: ReadonlyMap<string | undefined, ClusterRole>,
  roles: ReadonlyMap<string, Role>,
  attrs: Attributes,
): { allowed: boolean; reason: string } {
  const applies = (u: UserInfo, s: Subject, ns: string): boolean =>
    s.kind === 'User' ? u.name === s.name
      : s.kind === 'Group' ? (u.groups ?? []).includes(s.name)
        : s.kind === 'ServiceAccount' && (s.namespace || ns) !== '' && u.name === `system:serviceaccount:${s.namespace || ns}:${s.name}`;
  const q = (s: string) => JSON.stringify(s);
  const visit = (b: RoleBinding | ClusterRoleBinding, ns: string): string | undefined => {
    const subject = (b.subjects ?? []).find((s) => applies(attrs.user, s, ns));
    if (!subject) return undefined;
    let rules: PolicyRule[] | undefined;
    if (b.roleRef.kind === 'ClusterRole') rules = clusterRoles.get(b.roleRef.name)?.rules;
    else if (b.roleRef.kind === 'Role' && ns !== '') {
      rules = roles.get(`${ns}/${b.roleRef.name}`)?.rules;
    }
    if (!(rules ?? []).some((r) => ruleAllows(attrs, r))) return undefined;
    const who = subject.kind === 'ServiceAccount' ? `${subject.name}/${subject.namespace || ns}` : subject.name;
    const name = ns === '' ? b.metadata.name! : `${b.metadata.name}/${ns}`;
    return `RBAC: allowed by ${b.kind} ${q(name)} of ${b.roleRef.kind} ${q(b.roleRef.name)} to ${subject.kind} ${q(who)}`;
  };
  for (const crb of objects.clusterRoleBindings) {
    const reason = visit(crb, '');
    if (reason) return { allowed: true, reason };
  }
  const ns = attrs.isResourceRequest ? attrs.namespace : '';
  if (ns !== '') {
    for (const rb of objects.roleBindings) {
      if (rb.metadata.namespace !== ns) continue;
      const reason = visit(rb, ns);
      if (reason) return { allowed: true, reason };
    }
  }
  return { allowed: false, reason: '' };
}

for (const seed of [3, 4]) {
  test(`fast path, one plain Casbin enforcer over all lines, and a direct evaluation agree (platform seed ${seed})`, async () => {
    const platform = generatePlatform({
      seed, namespaces: 6, roles: 50, bindings: 500, users: 50, groups: 8, serviceAccountsPerNamespace: 2,
    });
    const requests = generateRequests(platform, 1000, seed * 10);
    const state = RbacState.build(platform.objects, { casbinModel });
    const uncached = RbacState.build(platform.objects, { casbinModel, memoLimit: 0, roleAnswerLimit: 0 });
    const plain = await newPlainEnforcer(casbinModel, projectPolicy(state));
    const reference = referenceAuthorizer(platform.objects);
    let allowed = 0;
    for (const a of requests) {
      const fast = authorize(state, a);
      const expected = reference(a);
      const context = JSON.stringify({ ...a, user: a.user });
      assert.equal(plainEnforcerAllows(plain, a), expected.allowed, `plain enforcer: ${context}`);
      assert.equal(fast.allowed, expected.allowed, `fast path: ${context}`);
      if (expected.allowed) assert.equal(fast.reason, expected.reason, `reason: ${context}`);
      assert.equal(authorize(uncached, a).allowed, expected.allowed, `fast path without memos: ${context}`);
      if (fast.allowed) allowed++;
    }
    assert.ok(allowed > requests.length * 0.2 && allowed < requests.length * 0.8, `a fair mix of allows and denies (${allowed}/${requests.length})`);
  });
}
