/**
 * Escalation prevention on RBAC writes through the API, each actor acting
 * by impersonation: nobody grants more than they hold, unless RBAC gives
 * them `escalate` (roles) or `bind` (bindings); refusals are 403 in
 * kube-apiserver's words, listing the rules the actor lacks.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestWarden, type TestWarden } from '../support/warden.ts';
import {
  api, applyAll, as, assertStatus, clusterRole, clusterRoleBinding, ok, rbacBase, role, roleBinding, roleRef, rule, user, type Api, type Obj,
} from './support.ts';

let w: TestWarden;
let admin: Api;

const rbac = (verbs: string[], resources: string[], resourceNames?: string[]) =>
  ({ ...rule(verbs, resources, ['rbac.authorization.k8s.io']), ...(resourceNames ? { resourceNames } : {}) });
const inEsc = { namespace: 'esc' };
/** Binds `name` to a Role of the same name holding `rules`, in namespace esc. */
const grantInEsc = (name: string, rules: Obj[]) => [role(name, rules, inEsc), roleBinding(name, roleRef('Role', name), [user(name)], inEsc)];
/** Binds `name` cluster-wide to a ClusterRole of the same name holding `rules`. */
const grantClusterWide = (name: string, rules: Obj[]) => [clusterRole(`esc-${name}`, rules), clusterRoleBinding(`esc-${name}`, roleRef('ClusterRole', `esc-${name}`), [user(name)])];

before(async () => {
  w = await startTestWarden();
  admin = api(w);
  await applyAll(admin, [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'esc-other' } },
    ...grantInEsc('limited', [rbac(['create', 'update'], ['roles', 'rolebindings']), rule(['get', 'list'], ['pods'])]),
    ...grantInEsc('escalator', [rbac(['create'], ['roles']), rbac(['escalate'], ['roles'])]),
    ...grantInEsc('named-escalator', [rbac(['create', 'update'], ['roles']), rbac(['escalate'], ['roles'], ['named-target'])]),
    ...grantInEsc('binder', [rbac(['create'], ['rolebindings']), rbac(['bind'], ['clusterroles'], ['edit'])]),
    ...grantInEsc('role-binder', [rbac(['create'], ['rolebindings']), rbac(['bind'], ['roles'])]),
    ...grantInEsc('star', [rbac(['*'], ['roles', 'rolebindings', 'clusterroles'])]),
    roleBinding('nsadm', roleRef('ClusterRole', 'admin'), [user('nsadm')], inEsc),
    ...grantClusterWide('crb-writer', [rbac(['create'], ['clusterrolebindings'])]),
    ...grantInEsc('crb-writer', [rbac(['bind'], ['clusterroles'])]),
    roleBinding('crb-writer-view', roleRef('ClusterRole', 'view'), [user('crb-writer')], inEsc),
    ...grantClusterWide('cr-writer', [rbac(['create', 'update'], ['clusterroles']), rule(['get'], ['pods'])]),
    ...grantClusterWide('cr-escalator', [rbac(['create'], ['clusterroles']), rbac(['escalate'], ['clusterroles'])]),
    role('pods-reader', [rule(['get'], ['pods'])], inEsc),
    role('big', [rule(['delete'], ['nodes'])], inEsc),
    role('named-target', [rule(['get'], ['pods'])], inEsc),
    roleBinding('pods-binding', roleRef('Role', 'pods-reader'), [user('x')], inEsc),
    roleBinding('big-binding', roleRef('Role', 'big'), [user('y')], inEsc),
  ]);
});
after(async () => { await w?.close(); });

const path = (plural: string, namespace?: string) => `${rbacBase}${namespace ? `/namespaces/${namespace}` : ''}/${plural}`;
const forbiddenGrant = (kind: string, name: string, actor: string, missing: string[]) => ({
  code: 403, reason: 'Forbidden',
  message: [`${kind}.rbac.authorization.k8s.io "${name}" is forbidden: user "${actor}" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n${missing.join('\n')}`],
});

/** Reads the object at `itemPath` as the admin, changes it, and PUTs it as `actor`. */
async function update(actor: Api, itemPath: string, change: (o: Obj) => void) {
  const current = ok(await admin.get(itemPath));
  const next = structuredClone(current);
  change(next);
  return actor.put(itemPath, next);
}

describe('Role and ClusterRole writes', () => {
  test('rules the actor holds may be written; others are 403 listing each missing rule in kube\'s format', async () => {
    const limited = as(w, 'limited');
    ok(await limited.post(path('roles', 'esc'), role('held', [rule(['get'], ['pods'])], inEsc)), 201);
    const status = assertStatus(await limited.post(path('roles', 'esc'), role('more', [rule(['get', 'delete'], ['pods']), rule(['get'], ['secrets'])], inEsc)),
      forbiddenGrant('roles', 'more', 'limited', ['{APIGroups:[""], Resources:["pods"], Verbs:["delete"]}', '{APIGroups:[""], Resources:["secrets"], Verbs:["get"]}']));
    assert.deepEqual(status.details, { name: 'more', group: 'rbac.authorization.k8s.io', kind: 'roles' });
  });

  test('the escalate verb lets an actor write rules it does not hold', async () => {
    ok(await as(w, 'escalator').post(path('roles', 'esc'), role('escalated', [rule(['delete'], ['nodes'])], inEsc)), 201);
  });

  test('escalate limited to a name helps updates of that role only, as create has no name yet', async () => {
    const actor = as(w, 'named-escalator');
    assertStatus(await actor.post(path('roles', 'esc'), role('named-target-2', [rule(['delete'], ['nodes'])], inEsc)),
      forbiddenGrant('roles', 'named-target-2', 'named-escalator', ['{APIGroups:[""], Resources:["nodes"], Verbs:["delete"]}']));
    ok(await update(actor, `${path('roles', 'esc')}/named-target`, (o) => { o.rules = [rule(['delete'], ['nodes'])]; }));
  });

  test('verb "*" includes escalate and bind', async () => {
    const star = as(w, 'star');
    ok(await star.post(path('roles', 'esc'), role('star-role', [rule(['*'], ['*'], ['*'])], inEsc)), 201);
    ok(await star.post(path('rolebindings', 'esc'), roleBinding('star-binding', roleRef('ClusterRole', 'cluster-admin'), [user('z')], inEsc)), 201);
  });

  test('an aggregationRule needs authority over everything, unless the actor may escalate clusterroles', async () => {
    const aggregating = { ...clusterRole('esc-aggregating', []), aggregationRule: { clusterRoleSelectors: [{ matchLabels: { 'esc/feeds': 'true' } }] } };
    assertStatus(await as(w, 'cr-writer').post(path('clusterroles'), aggregating),
      { code: 403, reason: 'Forbidden', message: ['clusterroles.rbac.authorization.k8s.io "esc-aggregating" is forbidden: must have cluster-admin privileges to use the aggregationRule'] });
    ok(await as(w, 'cr-escalator').post(path('clusterroles'), aggregating), 201);
  });

  test('labels that feed an aggregated role are not checked', async () => {
    ok(await as(w, 'cr-writer').post(path('clusterroles'), clusterRole('esc-feeds-admin', [rule(['get'], ['pods'])], { labels: { 'rbac.authorization.k8s.io/aggregate-to-admin': 'true' } })), 201);
  });

  test('an update changing only finalizers or ownerReferences is not checked; any other change is', async () => {
    const limited = as(w, 'limited');
    const big = `${path('roles', 'esc')}/big`;
    ok(await update(limited, big, (o) => { o.metadata.finalizers = ['example.com/keep']; }));
    ok(await update(limited, big, (o) => { o.metadata.ownerReferences = [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: '6f1c2f7e-3a1b-4c1d-9e8f-0a1b2c3d4e5f' }]; }));
    assertStatus(await update(limited, big, (o) => { o.metadata.labels = { touched: 'yes' }; }),
      forbiddenGrant('roles', 'big', 'limited', ['{APIGroups:[""], Resources:["nodes"], Verbs:["delete"]}']));
  });
});

describe('RoleBinding and ClusterRoleBinding writes', () => {
  test('a namespace admin may bind admin and edit in its namespace, not cluster-admin, and nothing elsewhere', async () => {
    const nsadm = as(w, 'nsadm');
    ok(await nsadm.post(path('rolebindings', 'esc'), roleBinding('give-edit', roleRef('ClusterRole', 'edit'), [user('u1')], inEsc)), 201);
    ok(await nsadm.post(path('rolebindings', 'esc'), roleBinding('give-admin', roleRef('ClusterRole', 'admin'), [user('u1')], inEsc)), 201);
    assertStatus(await nsadm.post(path('rolebindings', 'esc'), roleBinding('give-all', roleRef('ClusterRole', 'cluster-admin'), [user('u1')], inEsc)),
      forbiddenGrant('rolebindings', 'give-all', 'nsadm', ['{APIGroups:["*"], Resources:["*"], Verbs:["*"]}', '{NonResourceURLs:["*"], Verbs:["*"]}']));
    assertStatus(await nsadm.post(path('rolebindings', 'esc-other'), roleBinding('give-edit', roleRef('ClusterRole', 'edit'), [user('u1')], { namespace: 'esc-other' })),
      { code: 403, reason: 'Forbidden', message: ['User "nsadm" cannot create resource "rolebindings" in API group "rbac.authorization.k8s.io" in the namespace "esc-other"'] });
    assertStatus(await nsadm.post(path('roles', 'esc'), role('nodes-role', [rule(['get'], ['nodes'])], inEsc)),
      forbiddenGrant('roles', 'nodes-role', 'nsadm', ['{APIGroups:[""], Resources:["nodes"], Verbs:["get"]}']));
  });

  test('the bind verb lets an actor bind a role it does not hold, only the role it names', async () => {
    const binder = as(w, 'binder');
    ok(await binder.post(path('rolebindings', 'esc'), roleBinding('bound-edit', roleRef('ClusterRole', 'edit'), [user('u2')], inEsc)), 201);
    const status = assertStatus(await binder.post(path('rolebindings', 'esc'), roleBinding('bound-view', roleRef('ClusterRole', 'view'), [user('u2')], inEsc)),
      { code: 403, reason: 'Forbidden', message: ['rolebindings.rbac.authorization.k8s.io "bound-view" is forbidden: user "binder" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["bindings"], Verbs:["get" "list" "watch"]}\n'] });
    assert.deepEqual(status.details, { name: 'bound-view', group: 'rbac.authorization.k8s.io', kind: 'rolebindings' });
  });

  test('a binding to a missing role is 404 NotFound, unless bind is allowed', async () => {
    const status = assertStatus(await as(w, 'nsadm').post(path('rolebindings', 'esc'), roleBinding('to-nothing', roleRef('Role', 'nothing'), [user('u3')], inEsc)),
      { code: 404, reason: 'NotFound', message: ['"nothing" not found'] });
    assert.deepEqual(status.details, { name: 'nothing', group: 'rbac.authorization.k8s.io', kind: 'roles' });
    ok(await as(w, 'role-binder').post(path('rolebindings', 'esc'), roleBinding('to-nothing', roleRef('Role', 'nothing'), [user('u3')], inEsc)), 201);
  });

  test('a ClusterRoleBinding is judged by cluster-wide grants only: bind and rules from RoleBindings do not help', async () => {
    assertStatus(await as(w, 'crb-writer').post(path('clusterrolebindings'), clusterRoleBinding('esc-view-all', roleRef('ClusterRole', 'view'), [user('u4')])),
      { code: 403, reason: 'Forbidden', message: ['clusterrolebindings.rbac.authorization.k8s.io "esc-view-all" is forbidden: user "crb-writer"', 'is attempting to grant RBAC permissions not currently held'] });
  });

  test('an update changing only finalizers passes; adding a subject re-checks the bound role', async () => {
    const limited = as(w, 'limited');
    const bigBinding = `${path('rolebindings', 'esc')}/big-binding`;
    ok(await update(limited, bigBinding, (o) => { o.metadata.finalizers = ['example.com/keep']; }));
    assertStatus(await update(limited, bigBinding, (o) => { o.subjects.push(user('limited')); }),
      forbiddenGrant('rolebindings', 'big-binding', 'limited', ['{APIGroups:[""], Resources:["nodes"], Verbs:["delete"]}']));
    ok(await update(limited, `${path('rolebindings', 'esc')}/pods-binding`, (o) => { o.subjects.push(user('limited')); }));
  });
});

describe('RBAC writes through the admission webhook', () => {
  test('the same check answers an AdmissionReview for a RoleBinding', async () => {
    const object = roleBinding('via-webhook', roleRef('ClusterRole', 'cluster-admin'), [user('u5')], inEsc);
    const review = {
      apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview',
      request: {
        uid: '2b1f7a64-1111-4c1d-9e8f-0a1b2c3d4e5f', kind: { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'RoleBinding' },
        resource: { group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'rolebindings' }, namespace: 'esc', name: 'via-webhook',
        operation: 'CREATE', userInfo: { username: 'nsadm', groups: ['system:authenticated'] }, object,
      },
    };
    const body = ok(await admin.post('/webhooks/admission', review));
    assert.equal(body.response.uid, review.request.uid);
    assert.equal(body.response.allowed, false);
    assert.equal(body.response.status.code, 403);
    assert.match(body.response.status.message, /user "nsadm" \(groups=\["system:authenticated"\]\) is attempting to grant RBAC permissions not currently held/);
  });
});
