/**
 * Every review kind asks the one Casbin-backed core, and agrees with one
 * plain Casbin enforcer over the whole policy and with kube's rules written
 * out directly, on platforms of 100 namespaces and 10,000 bindings:
 *
 * - SubjectAccessReview (the authorizer): allowed exactly when the plain
 *   enforcer allows;
 * - who-can: a subject is listed exactly when the plain enforcer allows a
 *   user who is that subject and nothing else (one principal), checked for
 *   every subject any binding names;
 * - rules reviews: some rule of the review allows a resource request
 *   exactly when the plain enforcer allows it (a RoleBinding's URL rules
 *   are listed but grant nothing, so URLs are left out here).
 *
 * The plain enforcer is slow (every line for every question), so it is
 * asked a sample; the direct reference is asked everything.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generatePlatform, generateRequests } from '../../../bench/platform.ts';
import { newPlainEnforcer, plainEnforcerAllows } from '../../../engine/casbin/enforcer.ts';
import { projectPolicy } from '../../../engine/casbin/projection.ts';
import { authorize } from '../../../engine/rbac/authorizer.ts';
import { rulesReview } from '../../../engine/rbac/rules-review.ts';
import { ruleAllows } from '../../../engine/rbac/rule-matching.ts';
import { RbacState } from '../../../engine/rbac/state.ts';
import type { Attributes, Subject, UserInfo } from '../../../engine/rbac/types.ts';
import { whoCan } from '../../../engine/rbac/who-can.ts';
import { casbinModel, viewAuthorizer } from '../rbac/builders.ts';

/** A user who is `s` and no other principal (`ns`: the binding namespace a namespaceless ServiceAccount means). */
function userFor(s: Subject, ns: string): UserInfo {
  if (s.kind === 'User') return { name: s.name, groups: [] };
  if (s.kind === 'Group') return { name: '', groups: [s.name] };
  return { name: `system:serviceaccount:${s.namespace || ns}:${s.name}`, groups: [] };
}

for (const seed of [11, 12]) {
  test(`SARs, who-can and rules reviews agree with a plain enforcer and a direct evaluation (100 namespaces, 10,000 bindings, seed ${seed})`, { timeout: 600_000 }, async () => {
    const platform = generatePlatform({ seed, namespaces: 100, roles: 1000, bindings: 10_000, users: 400, groups: 40, serviceAccountsPerNamespace: 2 });
    const o = platform.objects;
    assert.ok(o.roleBindings.length + o.clusterRoleBindings.length >= 10_000 && platform.namespaces.length >= 100);
    const state = RbacState.build(o, { casbinModel });
    const plain = await newPlainEnforcer(casbinModel, projectPolicy(state));
    const reference = viewAuthorizer(state);
    const requests = generateRequests(platform, 2000, seed * 7);

    // SubjectAccessReviews: every request against the reference, a sample against the plain enforcer.
    let allowed = 0;
    requests.forEach((a, i) => {
      const fast = authorize(state, a).allowed;
      assert.equal(fast, reference(a), `reference: ${JSON.stringify(a)}`);
      if (i % 10 === 0) assert.equal(plainEnforcerAllows(plain, a), fast, `plain enforcer: ${JSON.stringify(a)}`);
      if (fast) allowed++;
    });
    assert.ok(allowed > 0 && allowed < requests.length, `a mix of allows and denies (${allowed}/${requests.length})`);

    // Who-can: resource questions in namespaces and cluster-wide.
    const resourceRequests = requests.filter((a) => a.isResourceRequest);
    let listed = 0;
    let asked = 0;
    for (const a of resourceRequests.slice(0, 24)) {
      const q = { resourceAttributes: { verb: a.verb, group: a.apiGroup, resource: a.resource, subresource: a.subresource, name: a.name, namespace: a.namespace } };
      const out = whoCan(state, q, { revision: 1 });
      assert.ok(out.ok);
      // Compared per user a subject stands for: a ServiceAccount named with and without its namespace is one user.
      const who = (u: UserInfo) => JSON.stringify([u.name, u.groups]);
      const got = new Set(out.subjects.filter((e) => !e.privileged).map((e) => who(userFor(e.subject, a.namespace))));
      const candidates = new Map<string, UserInfo>();
      // A ServiceAccount without namespace in a ClusterRoleBinding is nobody (as upstream, who-can still lists it as bound).
      for (const b of o.clusterRoleBindings) for (const s of b.subjects ?? []) if (s.kind !== 'ServiceAccount' || s.namespace) candidates.set(who(userFor(s, '')), userFor(s, ''));
      if (a.namespace) for (const b of state.roleBindings(a.namespace)) for (const s of b.subjects ?? []) candidates.set(who(userFor(s, a.namespace)), userFor(s, a.namespace));
      for (const [key, user] of candidates) {
        const as: Attributes = { ...a, user };
        const expected = reference(as);
        assert.equal(got.has(key), expected, `who-can ${JSON.stringify(q)} and ${key}: reference says ${expected}`);
        if (asked % 7 === 0) assert.equal(plainEnforcerAllows(plain, as), expected, `plain enforcer on ${key}`);
        asked++;
      }
      for (const u of got) assert.ok(candidates.has(u), `who-can listed ${u}, whom no binding in scope names`);
      listed += got.size;
    }
    assert.ok(listed > 0, 'who-can found subjects');

    // Rules reviews: a user's rules in a namespace allow a resource request exactly when RBAC does.
    const byUser = new Map<string, Attributes[]>();
    for (const a of resourceRequests) if (a.namespace) byUser.set(`${a.user.name}\u0000${a.namespace}`, [...(byUser.get(`${a.user.name}\u0000${a.namespace}`) ?? []), a]);
    let reviewed = 0;
    for (const list of [...byUser.values()].slice(0, 120)) {
      const { user, namespace } = list[0];
      const review = rulesReview(state, user, namespace);
      assert.ok(review.ok);
      for (const a of list) {
        const byRules = review.status.resourceRules.some((r) => ruleAllows(a, { verbs: r.verbs, apiGroups: r.apiGroups, resources: r.resources, resourceNames: r.resourceNames }));
        assert.equal(byRules, authorize(state, a).allowed, `rules review of ${user.name} in ${namespace}: ${JSON.stringify(a)}`);
        if (reviewed % 5 === 0) assert.equal(plainEnforcerAllows(plain, a), byRules, `plain enforcer: ${JSON.stringify(a)}`);
        reviewed++;
      }
    }
    assert.ok(reviewed > 50, `rules reviews compared on ${reviewed} requests`);
  });
}
