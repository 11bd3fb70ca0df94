/**
 * What-if (RBACChangeReview): which subjects would gain or lose which
 * permissions, where, if RBAC objects were applied or deleted, aggregation
 * included; and that asking writes nothing.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestWarden, type TestWarden } from '../support/warden.ts';
import {
  api, applyAll, assertStatus, clusterRole, clusterRoleBinding, ok, paths, rbacBase, revision, reviewOf, revisionOf, role, roleBinding, roleRef, rule,
  serviceAccountSubject, user, type Api, type Obj,
} from './support.ts';

let w: TestWarden;
let admin: Api;

before(async () => {
  w = await startTestWarden();
  admin = api(w);
  await applyAll(admin, [
    clusterRole('wi-reader', [rule(['get'], ['pods'])]),
    roleBinding('wi-existing', roleRef('ClusterRole', 'wi-reader'), [user('walt'), serviceAccountSubject('bot')], { namespace: 'wi' }),
    roleBinding('wi-editors', roleRef('ClusterRole', 'edit'), [user('ed')], { namespace: 'wi' }),
    roleBinding('wi-admins', roleRef('ClusterRole', 'admin'), [user('ada')], { namespace: 'wi' }),
    role('wi-local', [rule(['update'], ['deployments'], ['apps'])], { namespace: 'wi' }),
    roleBinding('wi-local', roleRef('Role', 'wi-local'), [user('walt')], { namespace: 'wi' }),
  ]);
});
after(async () => { await w?.close(); });

/** One line per entry: `Kind ns/name @namespace +{atom} -{atom}` (`@*` for the cluster-wide entry). */
function lines(status: Obj): string[] {
  const atom = (r: Obj) => [r.verbs, r.apiGroups, r.resources, r.resourceNames, r.nonResourceURLs].filter(Boolean).map((l) => l.join(',')).join(' ');
  return status.entries.map((e: Obj) => {
    const s = e.subject;
    return `${s.kind} ${s.namespace ? `${s.namespace}/` : ''}${s.name} @${e.namespace ?? '*'} ` +
      [...e.gained.map((a: Obj) => `+{${atom(a)}}`), ...e.lost.map((a: Obj) => `-{${atom(a)}}`)].join(' ');
  });
}

async function whatIf(spec: Obj): Promise<string[]> {
  const r = await admin.post(paths.whatIf, reviewOf('RBACChangeReview', spec));
  revisionOf(r);
  return lines(ok(r, 201).status);
}

describe('what if', () => {
  test('adding a RoleBinding: its subjects gain the role\'s rules in its namespace', async () => {
    assert.deepEqual(await whatIf({ apply: [roleBinding('wi-new', roleRef('ClusterRole', 'wi-reader'), [user('wanda')], { namespace: 'wi' })] }),
      ['User wanda @wi +{get  pods}']);
  });

  test('adding a ClusterRoleBinding: the gain is cluster-wide, and a namespace grant it now covers is reported lost there', async () => {
    assert.deepEqual(await whatIf({ apply: [clusterRoleBinding('wi-everywhere', roleRef('ClusterRole', 'wi-reader'), [user('walt')])] }), [
      'User walt @* +{get  pods}',
      'User walt @wi -{get  pods}',
    ]);
  });

  test('deleting a binding: its subjects lose its rules; a service account subject is its binding namespace\'s', async () => {
    assert.deepEqual(await whatIf({ delete: [{ kind: 'RoleBinding', namespace: 'wi', name: 'wi-existing' }] }), [
      'ServiceAccount wi/bot @wi -{get  pods}',
      'User walt @wi -{get  pods}',
    ]);
  });

  test('adding and removing rules of a bound role: every holder gains or loses exactly those', async () => {
    assert.deepEqual(await whatIf({ apply: [clusterRole('wi-reader', [rule(['get', 'list'], ['pods'])])] }), [
      'ServiceAccount wi/bot @wi +{list  pods}',
      'User walt @wi +{list  pods}',
    ]);
    assert.deepEqual(await whatIf({ apply: [role('wi-local', [], { namespace: 'wi' })] }), ['User walt @wi -{update apps deployments}']);
  });

  test('a ClusterRole labelled to feed edit reaches holders of edit and, through edit, of admin', async () => {
    const feeder = clusterRole('wi-widgets', [rule(['get'], ['widgets'], ['example.com'])], { labels: { 'rbac.authorization.k8s.io/aggregate-to-edit': 'true' } });
    assert.deepEqual(await whatIf({ apply: [feeder] }), [
      'User ada @wi +{get example.com widgets}',
      'User ed @wi +{get example.com widgets}',
    ]);
  });

  test('deleting a role that feeds view loses its rules for holders of view, edit and admin', async () => {
    const lost = await whatIf({ delete: [{ kind: 'ClusterRole', name: 'system:aggregate-to-view' }] });
    assert.deepEqual(lost.map((l) => l.split(' -{')[0]), ['User ada @wi', 'User ed @wi'], lost.join('\n'));
    for (const l of lost) {
      assert.ok(!l.includes('+{'), l);
      assert.ok(l.includes(' -{get  configmaps}') && l.includes(' -{watch apps deployments}'), l);
    }
  });

  test('a change that grants nothing new reports nothing', async () => {
    assert.deepEqual(await whatIf({ apply: [roleBinding('wi-existing', roleRef('ClusterRole', 'wi-reader'), [user('walt'), serviceAccountSubject('bot')], { namespace: 'wi' })] }), []);
  });

  test('questions are answered before and after the change, each by the same evaluator, in order', async () => {
    const ask = (user: string, verb: string, resource: string, more: Obj = {}) => ({ user, resourceAttributes: { verb, resource, namespace: 'wi', ...more } });
    const r = ok(await admin.post(paths.whatIf, reviewOf('RBACChangeReview', {
      apply: [roleBinding('wi-new', roleRef('ClusterRole', 'wi-reader'), [user('nina')], { namespace: 'wi' })],
      delete: [{ kind: 'RoleBinding', namespace: 'wi', name: 'wi-existing' }],
      questions: [
        ask('nina', 'get', 'pods'), ask('walt', 'get', 'pods'), ask('walt', 'update', 'deployments', { group: 'apps' }),
        // ed still reads pods through edit after the change; a system:masters member may do everything.
        ask('ed', 'get', 'pods'), { user: 'root', groups: ['system:masters'], resourceAttributes: { verb: 'delete', resource: 'namespaces' } },
        { user: 'nina', nonResourceAttributes: { verb: 'get', path: '/healthz' } },
      ],
    })), 201);
    assert.deepEqual(r.status.answers, [
      { before: false, after: true }, { before: true, after: false }, { before: true, after: true },
      { before: true, after: true }, { before: true, after: true }, { before: false, after: false },
    ]);
    // Each "before" agrees with a SubjectAccessReview of the same question.
    const sarNow = ok(await admin.post(paths.sar, reviewOf('SubjectAccessReview', ask('walt', 'get', 'pods'))), 201);
    assert.equal(sarNow.status.allowed, r.status.answers[1].before);
  });

  test('asking writes nothing', async () => {
    const before = await revision(admin);
    await whatIf({
      apply: [clusterRoleBinding('wi-ghost-crb', roleRef('ClusterRole', 'wi-reader'), [user('x')]), clusterRole('wi-ghost-role', [rule(['get'], ['pods'])])],
      delete: [{ kind: 'RoleBinding', namespace: 'wi', name: 'wi-existing' }],
    });
    assert.equal(await revision(admin), before);
    assertStatus(await admin.get(`${rbacBase}/clusterrolebindings/wi-ghost-crb`), { code: 404, reason: 'NotFound' });
    assertStatus(await admin.get(`${rbacBase}/clusterroles/wi-ghost-role`), { code: 404, reason: 'NotFound' });
    ok(await admin.get(`${rbacBase}/namespaces/wi/rolebindings/wi-existing`));
  });
});

describe('what-if validation', () => {
  const post = (spec: unknown) => admin.post(paths.whatIf, reviewOf('RBACChangeReview', spec));

  test('objects to apply are validated as a create would; errors name spec.apply[i]', async () => {
    const status = assertStatus(await post({ apply: [clusterRole('ok-role'), roleBinding('no-ref', { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: '' }, [user('a')], { namespace: 'wi' })] }),
      { code: 422, reason: 'Invalid', message: ['spec.apply[1].roleRef.name'] });
    assert.ok(status.details.causes.every((c: Obj) => c.field.startsWith('spec.apply[1].')));
    assertStatus(await post({ apply: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x' } }] }), { code: 422, reason: 'Invalid', message: ['spec.apply[0].kind: Unsupported value'] });
  });

  test('wrong types inside an object are 400 naming the field', async () => {
    assertStatus(await post({ apply: [{ ...clusterRole('typed'), rules: 'get pods' }] }), { code: 400, reason: 'BadRequest', message: ['spec.apply[0].rules: must be array'] });
    assertStatus(await post({ apply: [{ ...roleBinding('typed', roleRef('Role', 'r'), [], { namespace: 'wi' }), subjects: [{ kind: 'User', name: 7 }] }] }),
      { code: 400, reason: 'BadRequest', message: ['spec.apply[0].subjects[0].name: must be string'] });
    // null is an empty list, as in kube.
    ok(await post({ apply: [{ ...clusterRole('nulls'), rules: null }] }), 201);
  });

  test('questions are validated as SubjectAccessReview specs, naming spec.questions[i]', async () => {
    const change = { delete: [{ kind: 'RoleBinding', namespace: 'wi', name: 'wi-existing' }] };
    assertStatus(await post({ ...change, questions: [{ user: 'a', resourceAttributes: { verb: 'get', resource: 'pods' } }, { resourceAttributes: { verb: 'get' } }] }),
      { code: 422, reason: 'Invalid', message: ['spec.questions[1]'] });
    assertStatus(await post({ ...change, questions: 'everything' }), { code: 400, reason: 'BadRequest' });
  });

  test('deletions name a kind, a name, and a namespace for namespaced kinds; an empty change is refused', async () => {
    assertStatus(await post({ delete: [{ kind: 'RoleBinding', name: 'x' }] }), { code: 422, reason: 'Invalid', message: ['spec.delete[0].namespace'] });
    assertStatus(await post({ delete: [{ kind: 'Secret', namespace: 'wi', name: 'x' }] }), { code: 422, reason: 'Invalid', message: ['spec.delete[0].kind: Unsupported value'] });
    assertStatus(await post({ delete: [{ kind: 'ClusterRole', name: '' }] }), { code: 422, reason: 'Invalid', message: ['spec.delete[0].name'] });
    assertStatus(await post({}), { code: 422, reason: 'Invalid', message: ['spec.apply'] });
  });
});
