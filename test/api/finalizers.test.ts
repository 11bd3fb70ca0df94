/**
 * Finalizers and graceful deletion as kube-apiserver's: an object its
 * finalizers hold is marked (deletionTimestamp, deletionGracePeriodSeconds
 * 0) and kept until the write that removes the last one; a deleting object
 * gains no finalizers; DeleteOptions (body or query) are validated and
 * honoured; a namespace in deletion is Terminating, refuses new content and
 * goes once its content has; and a deleting Role, ClusterRole or binding
 * grants nothing anywhere.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestWarden, type TestWarden } from '../support/warden.ts';
import {
  clusterRole, clusterRoleBinding, namespace, rbacBase, role, roleBinding, roleRef, rule, serviceAccount, tenant, tenantLabel, tenantsPath, user, type Obj,
} from './builders.ts';
import { api, assertRefused, assertStatus, jsonPatch, mergePatch, ok, revision, type Api } from './client.ts';

let w: TestWarden;
let a: Api;
before(async () => {
  w = await startTestWarden();
  a = api(w);
  for (const name of ['fin', 'doomed', 'held', 'grants']) ok(await a.post('/api/v1/namespaces', namespace(name)), 201);
});
after(async () => { await w?.close(); });

const hold = 'example.com/hold';
const rolesIn = (ns: string) => `${rbacBase}/namespaces/${ns}/roles`;
const withFinalizers = (o: Obj, finalizers: string[]) => ({ ...o, metadata: { ...o.metadata, finalizers } });
const unfinalize = { metadata: { finalizers: null } };

describe('finalizers on delete', () => {
  test('deleting an object with finalizers marks it and answers it; the write that removes the last finalizer deletes it', async () => {
    const created = ok(await a.post(rolesIn('fin'), withFinalizers(role('kept'), [hold])), 201);
    const path = `${rolesIn('fin')}/kept`;
    const marked = ok(await a.delete(path));
    assert.equal(marked.kind, 'Role');
    assert.match(marked.metadata.deletionTimestamp, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    assert.equal(marked.metadata.deletionGracePeriodSeconds, 0);
    assert.deepEqual(marked.metadata.finalizers, [hold]);
    assert.ok(Number(marked.metadata.resourceVersion) > Number(created.metadata.resourceVersion));
    assert.deepEqual(ok(await a.get(path)), marked, 'the marked object is stored');

    const rev = await revision(a);
    assert.deepEqual(ok(await a.delete(path)), marked, 'deleting it again answers it unchanged');
    assert.equal(await revision(a), rev, 'and writes nothing');

    // An update cannot move or drop the deletion timestamp (kube's BeforeUpdate keeps the stored one).
    const relabelled = ok(await a.put(path, { ...marked, metadata: { ...marked.metadata, labels: { a: 'b' }, deletionTimestamp: undefined, deletionGracePeriodSeconds: undefined } }));
    assert.equal(relabelled.metadata.deletionTimestamp, marked.metadata.deletionTimestamp);
    assert.equal(relabelled.metadata.deletionGracePeriodSeconds, 0);

    const last = ok(await a.patch(path, unfinalize, mergePatch));
    assert.equal(last.metadata.name, 'kept');
    assert.equal(last.metadata.finalizers, undefined, 'the answer is the object as the patch left it');
    assertStatus(await a.get(path), { code: 404, reason: 'NotFound', message: ['roles.rbac.authorization.k8s.io "kept" not found'] });
  });

  test('a deleting object gains no finalizers: 422 naming metadata.finalizers, nothing written', async () => {
    ok(await a.post(rolesIn('fin'), withFinalizers(role('sealed'), [hold])), 201);
    const path = `${rolesIn('fin')}/sealed`;
    ok(await a.delete(path));
    const status = await assertRefused(w, a, () => a.patch(path, [{ op: 'add', path: '/metadata/finalizers/-', value: 'example.com/more' }], jsonPatch), {
      code: 422, reason: 'Invalid',
      message: ['Role.rbac.authorization.k8s.io "sealed" is invalid: metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"example.com/more"}'],
    });
    assert.deepEqual(status.details.causes, [{
      reason: 'FieldValueForbidden', field: 'metadata.finalizers',
      message: 'Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"example.com/more"}',
    }]);
    ok(await a.patch(path, unfinalize, mergePatch));
  });

  test('a live object\'s deletionTimestamp and deletionGracePeriodSeconds cannot be set by an update: 422 as kube prints them', async () => {
    const live = ok(await a.post(rolesIn('fin'), role('live')), 201);
    const path = `${rolesIn('fin')}/live`;
    await assertRefused(w, a, () => a.put(path, { ...live, metadata: { ...live.metadata, deletionTimestamp: '2030-01-02T03:04:05Z', deletionGracePeriodSeconds: 30 } }), {
      code: 422, reason: 'Invalid',
      message: [
        'metadata.deletionTimestamp: Invalid value: 2030-01-02 03:04:05 +0000 UTC: field is immutable',
        'metadata.deletionGracePeriodSeconds: Invalid value: 30: field is immutable',
      ],
    });
    ok(await a.delete(path));
  });

  test('an object without finalizers is removed at once and answered with a Success Status', async () => {
    const created = ok(await a.post(rolesIn('fin'), role('plain')), 201);
    const res = ok(await a.delete(`${rolesIn('fin')}/plain?propagationPolicy=Orphan`));
    assert.deepEqual(res, {
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success',
      details: { name: 'plain', group: 'rbac.authorization.k8s.io', kind: 'roles', uid: created.metadata.uid }, code: 200,
    });
    assert.equal((await a.get(`${rolesIn('fin')}/plain`)).status, 404);
  });

  test('Foreground adds foregroundDeletion, Orphan swaps it for orphan, Background removes both; they hold nothing once the others go', async () => {
    ok(await a.post(rolesIn('fin'), withFinalizers(role('gc'), [hold])), 201);
    const path = `${rolesIn('fin')}/gc`;
    const fg = ok(await a.delete(path, { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Foreground' }));
    assert.deepEqual(fg.metadata.finalizers, [hold, 'foregroundDeletion']);
    const orphan = ok(await a.delete(`${path}?propagationPolicy=Orphan`));
    assert.deepEqual(orphan.metadata.finalizers, [hold, 'orphan']);
    assert.equal(orphan.metadata.deletionTimestamp, fg.metadata.deletionTimestamp, 'the first deletion timestamp stays');
    // orphanDependents: false asks for a cascade: kube answers 202 while the object stays.
    const accepted = ok(await a.delete(path, { orphanDependents: false }), 202);
    assert.deepEqual(accepted.metadata.finalizers, [hold]);
    ok(await a.delete(`${path}?propagationPolicy=Foreground`));
    ok(await a.patch(path, [{ op: 'remove', path: '/metadata/finalizers/0' }], jsonPatch));
    assert.equal((await a.get(path)).status, 404, 'only the collector\'s finalizer was left: the object went');
  });

  test('dryRun deletes answer what a delete would do and write nothing', async () => {
    ok(await a.post(rolesIn('fin'), withFinalizers(role('dry'), [hold])), 201);
    const path = `${rolesIn('fin')}/dry`;
    const rev = await revision(a);
    const marked = ok(await a.delete(`${path}?dryRun=All`));
    assert.ok(marked.metadata.deletionTimestamp);
    const viaBody = ok(await a.delete(path, { dryRun: ['All'], propagationPolicy: 'Foreground' }));
    assert.deepEqual(viaBody.metadata.finalizers, [hold, 'foregroundDeletion']);
    assert.equal(await revision(a), rev);
    assert.equal(ok(await a.get(path)).metadata.deletionTimestamp, undefined);
    ok(await a.patch(path, unfinalize, mergePatch));
    ok(await a.delete(path));
  });

  test('deletecollection marks what finalizers hold and removes the rest, in one write', async () => {
    ok(await a.post(rolesIn('fin'), withFinalizers(role('c-held', undefined, { labels: { batch: 'one' } }), [hold])), 201);
    ok(await a.post(rolesIn('fin'), role('c-free', undefined, { labels: { batch: 'one' } })), 201);
    ok(await a.delete(`${rolesIn('fin')}?labelSelector=batch%3Done`));
    assert.ok(ok(await a.get(`${rolesIn('fin')}/c-held`)).metadata.deletionTimestamp);
    assert.equal((await a.get(`${rolesIn('fin')}/c-free`)).status, 404);
    ok(await a.patch(`${rolesIn('fin')}/c-held`, unfinalize, mergePatch));
    assert.equal((await a.get(`${rolesIn('fin')}/c-held`)).status, 404);
  });
});

describe('DeleteOptions: bad values and preconditions', () => {
  const invalidOptions = (detail: string) => ({ code: 422, reason: 'Invalid', message: [`DeleteOptions.meta.k8s.io "" is invalid: ${detail}`] });
  const unsupported = 'propagationPolicy: Unsupported value: "Bogus": supported values: "Foreground", "Background", "Orphan", "nil"';

  test('a bad propagationPolicy, both orphanDependents and propagationPolicy, or a bad dryRun is 422 and deletes nothing', async () => {
    ok(await a.post(rolesIn('fin'), role('target')), 201);
    const path = `${rolesIn('fin')}/target`;
    const q = await assertRefused(w, a, () => a.delete(`${path}?propagationPolicy=Bogus`), invalidOptions(unsupported));
    assert.deepEqual(q.details, { group: 'meta.k8s.io', kind: 'DeleteOptions', causes: [{ reason: 'FieldValueNotSupported', field: 'propagationPolicy', message: unsupported.slice('propagationPolicy: '.length) }] });
    await assertRefused(w, a, () => a.delete(path, { propagationPolicy: 'Bogus' }), invalidOptions(unsupported));
    await assertRefused(w, a, () => a.delete(path, { propagationPolicy: 'Orphan', orphanDependents: true }),
      invalidOptions('propagationPolicy: Invalid value: "Orphan": orphanDependents and deletionPropagation cannot be both set'));
    await assertRefused(w, a, () => a.delete(path, { dryRun: ['Some'] }), invalidOptions('dryRun: Unsupported value: []string{"Some"}: supported values: "All"'));
    await assertRefused(w, a, () => a.delete(path, { kind: 'Role' }), { code: 400, reason: 'BadRequest', message: ['DeleteOptions'] });
    // Options of a missing object are still checked first, as kube's handler does.
    await assertRefused(w, a, () => a.delete(`${rolesIn('fin')}/missing?propagationPolicy=Bogus`), invalidOptions(unsupported));
    ok(await a.get(path));
  });

  test('a precondition that does not match is 409 Conflict and deletes nothing; a matching one deletes', async () => {
    const current = ok(await a.get(`${rolesIn('fin')}/target`));
    const path = `${rolesIn('fin')}/target`;
    const uid = await assertRefused(w, a, () => a.delete(path, { preconditions: { uid: 'not-the-uid' } }), {
      code: 409, reason: 'Conflict',
      message: [`Operation cannot be fulfilled on Role.rbac.authorization.k8s.io "target": the UID in the precondition (not-the-uid) does not match the UID in record (${current.metadata.uid}). The object might have been deleted and then recreated`],
    });
    assert.deepEqual(uid.details, { name: 'target', group: 'rbac.authorization.k8s.io', kind: 'Role' });
    await assertRefused(w, a, () => a.delete(path, { preconditions: { resourceVersion: '1' } }), {
      code: 409, reason: 'Conflict',
      message: [`the ResourceVersion in the precondition (1) does not match the ResourceVersion in record (${current.metadata.resourceVersion}). The object might have been modified`],
    });
    ok(await a.delete(path, { preconditions: { uid: current.metadata.uid, resourceVersion: current.metadata.resourceVersion } }));
    assert.equal((await a.get(path)).status, 404);
  });

  test('a namespace precondition mismatch uses the namespace storage\'s words', async () => {
    const ns = ok(await a.get('/api/v1/namespaces/fin'));
    await assertRefused(w, a, () => a.delete('/api/v1/namespaces/fin', { preconditions: { uid: 'other' } }), {
      code: 409, reason: 'Conflict', message: [`Operation cannot be fulfilled on namespaces "fin": Precondition failed: UID in precondition: other, UID in object meta: ${ns.metadata.uid}`],
    });
  });
});

describe('namespace termination', () => {
  test('a namespace whose content has finalizers stays Terminating with the controller\'s conditions, refuses new content, and goes with its last finalizer', async () => {
    ok(await a.post(rolesIn('held'), withFinalizers(role('blocker'), [hold])), 201);
    ok(await a.post(rolesIn('held'), role('loose')), 201);
    ok(await a.post('/api/v1/namespaces/held/serviceaccounts', serviceAccount('robot')), 201);

    const answered = ok(await a.delete('/api/v1/namespaces/held'));
    assert.equal(answered.status.phase, 'Terminating');
    assert.ok(answered.metadata.deletionTimestamp);
    const ns = ok(await a.get('/api/v1/namespaces/held'));
    assert.deepEqual(ns.spec.finalizers, ['kubernetes']);
    assert.equal(ns.status.phase, 'Terminating');
    const conditions = Object.fromEntries((ns.status.conditions as Obj[]).map((c) => [c.type, c]));
    assert.deepEqual(Object.keys(conditions), [
      'NamespaceDeletionDiscoveryFailure', 'NamespaceDeletionGroupVersionParsingFailure', 'NamespaceDeletionContentFailure',
      'NamespaceContentRemaining', 'NamespaceFinalizersRemaining',
    ]);
    assert.deepEqual({ ...conditions.NamespaceContentRemaining, lastTransitionTime: undefined }, {
      type: 'NamespaceContentRemaining', status: 'True', reason: 'SomeResourcesRemain', lastTransitionTime: undefined,
      message: 'Some resources are remaining: roles.rbac.authorization.k8s.io has 1 resource instances',
    });
    assert.equal(conditions.NamespaceFinalizersRemaining.message, `Some content in the namespace has finalizers remaining: ${hold} in 1 resource instances`);
    assert.equal(conditions.NamespaceDeletionDiscoveryFailure.status, 'False');

    assert.ok(ok(await a.get(`${rolesIn('held')}/blocker`)).metadata.deletionTimestamp, 'held content is marked');
    assert.equal((await a.get(`${rolesIn('held')}/loose`)).status, 404, 'free content is gone');
    assert.equal((await a.get('/api/v1/namespaces/held/serviceaccounts/robot')).status, 404);

    const refused = await assertRefused(w, a, () => a.post(rolesIn('held'), role('late')), {
      code: 403, reason: 'Forbidden',
      message: ['roles.rbac.authorization.k8s.io "late" is forbidden: unable to create new content in namespace held because it is being terminated'],
    });
    assert.deepEqual(refused.details.causes, [{ reason: 'NamespaceTerminating', message: 'namespace held is being terminated', field: 'metadata.namespace' }]);
    await assertRefused(w, a, () => a.delete('/api/v1/namespaces/held'), {
      code: 409, reason: 'Conflict',
      message: ['Operation cannot be fulfilled on namespaces "held": The system is ensuring all content is removed from this namespace.  Upon completion, this namespace will automatically be purged by the system.'],
    });

    const res = await a.patch(`${rolesIn('held')}/blocker`, unfinalize, mergePatch);
    ok(res);
    const rev = BigInt(res.headers['x-warden-revision']);
    const changes = await w.warden.deps.db.prisma.change.findMany({ where: { revision: rev } });
    assert.deepEqual(changes.map((c) => `${c.operation} ${c.kind} ${c.namespace}/${c.name}`).sort(), ['delete Namespace /held', 'delete Role held/blocker']);
    assert.equal((await a.get('/api/v1/namespaces/held')).status, 404);
    ok(await a.post('/api/v1/namespaces', namespace('held')), 201);
  });

  test('a namespace\'s own finalizer keeps it, emptied and Terminating, until removed', async () => {
    ok(await a.post('/api/v1/namespaces', withFinalizers(namespace('own'), [hold])), 201);
    ok(await a.post(rolesIn('own'), role('inside')), 201);
    ok(await a.delete('/api/v1/namespaces/own'));
    const ns = ok(await a.get('/api/v1/namespaces/own'));
    assert.deepEqual(ns.spec.finalizers, []);
    assert.equal(ns.status.phase, 'Terminating');
    assert.equal((await a.get(`${rolesIn('own')}/inside`)).status, 404);
    assert.ok((ns.status.conditions as Obj[]).every((c) => c.status === 'False'));
    ok(await a.patch('/api/v1/namespaces/own', unfinalize, mergePatch));
    assert.equal((await a.get('/api/v1/namespaces/own')).status, 404);
  });

  test('a namespace without held content goes in the delete\'s own write, answered Terminating', async () => {
    ok(await a.post(rolesIn('doomed'), role('r')), 201);
    const body = ok(await a.delete('/api/v1/namespaces/doomed?propagationPolicy=Foreground'));
    assert.equal(body.status.phase, 'Terminating');
    assert.deepEqual(body.metadata.finalizers, ['foregroundDeletion']);
    assert.equal((await a.get('/api/v1/namespaces/doomed')).status, 404);
  });
});

describe('tenants', () => {
  test('a tenant its finalizer keeps grants its owners nothing once deleted; Foreground terminates its namespaces as their DELETE would', async () => {
    ok(await a.post(tenantsPath, withFinalizers(tenant('fint', [user('olga')]), [hold])), 201);
    ok(await a.post('/api/v1/namespaces', namespace('fint-a', { labels: { [tenantLabel]: 'fint' } })), 201);
    ok(await a.post(rolesIn('fint-a'), withFinalizers(role('stays'), [hold])), 201);
    const olga = api(w, w.adminToken, { 'Impersonate-User': 'olga' });
    assert.equal((await olga.get(rolesIn('fint-a'))).status, 200, 'an owner may read in the tenant\'s namespaces');

    const marked = ok(await a.delete(`${tenantsPath}/fint`, { propagationPolicy: 'Foreground' }));
    assert.deepEqual(marked.metadata.finalizers, [hold, 'foregroundDeletion']);
    assert.equal((await olga.get(rolesIn('fint-a'))).status, 403, 'the owner\'s rights went with the deletion');
    const ns = ok(await a.get('/api/v1/namespaces/fint-a'));
    assert.equal(ns.status.phase, 'Terminating');
    assert.ok(ok(await a.get(`${rolesIn('fint-a')}/stays`)).metadata.deletionTimestamp);

    // A deleting tenant takes no new namespace: it counts as gone.
    await assertRefused(w, a, () => a.post('/api/v1/namespaces', namespace('fint-b', { labels: { [tenantLabel]: 'fint' } })), {
      code: 422, reason: 'Invalid', message: [`metadata.labels[${tenantLabel}]: Not found: "fint"`],
    });
    ok(await a.patch(`${rolesIn('fint-a')}/stays`, unfinalize, mergePatch));
    assert.equal((await a.get('/api/v1/namespaces/fint-a')).status, 404);
    ok(await a.patch(`${tenantsPath}/fint`, unfinalize, mergePatch));
    assert.equal((await a.get(`${tenantsPath}/fint`)).status, 404);
  });
});

describe('deleting RBAC objects grant nothing', () => {
  const sar = async (name: string, verb: string, resource: string, ns?: string) =>
    ok(await a.post('/apis/authorization.k8s.io/v1/subjectaccessreviews', {
      apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview',
      spec: { user: name, resourceAttributes: { verb, resource, ...(ns ? { namespace: ns } : {}) } },
    }), 201).status.allowed as boolean;
  const whoCan = async (verb: string, resource: string, ns: string) =>
    (ok(await a.post('/apis/authorization.warden.dev/v1/resourceaccessreviews', {
      apiVersion: 'authorization.warden.dev/v1', kind: 'ResourceAccessReview',
      spec: { resourceAttributes: { verb, resource, namespace: ns } },
    }), 201).status.subjects as Obj[]).map((s) => s.name);
  const rules = async (name: string, ns: string) =>
    (ok(await a.post('/apis/authorization.warden.dev/v1/subjectrulesreviews', {
      apiVersion: 'authorization.warden.dev/v1', kind: 'SubjectRulesReview', spec: { user: name, namespace: ns },
    }), 201).status.resourceRules as Obj[]);

  test('a Role, RoleBinding, ClusterRole or ClusterRoleBinding held by a finalizer grants nothing once deleted', async () => {
    ok(await a.post(rolesIn('grants'), withFinalizers(role('pod-reader', [rule(['get'], ['pods'])]), [hold])), 201);
    ok(await a.post(`${rbacBase}/namespaces/grants/rolebindings`, roleBinding('erin-reads', roleRef('Role', 'pod-reader'), [user('erin')])), 201);
    ok(await a.post(`${rbacBase}/namespaces/grants/rolebindings`, withFinalizers(roleBinding('frank-reads', roleRef('Role', 'pod-reader'), [user('frank')]), [hold])), 201);
    assert.equal(await sar('erin', 'get', 'pods', 'grants'), true);
    assert.equal(await sar('frank', 'get', 'pods', 'grants'), true);
    ok(await a.delete(`${rolesIn('grants')}/pod-reader`));
    ok(await a.delete(`${rbacBase}/namespaces/grants/rolebindings/frank-reads`));
    assert.equal(await sar('erin', 'get', 'pods', 'grants'), false, 'the binding\'s Role is being deleted');
    assert.equal(await sar('frank', 'get', 'pods', 'grants'), false, 'the binding is being deleted');
    assert.ok(!(await whoCan('get', 'pods', 'grants')).some((n) => n === 'erin' || n === 'frank'));
    assert.ok(!(await rules('erin', 'grants')).some((r) => r.resources?.includes('pods')));
    const asErin = api(w, w.adminToken, { 'Impersonate-User': 'frank' });
    assert.equal((await asErin.get(`${rbacBase}/namespaces/grants/roles`)).status, 403);

    ok(await a.post(`${rbacBase}/clusterroles`, withFinalizers(clusterRole('fin-secrets', [rule(['list'], ['secrets'])]), [hold])), 201);
    ok(await a.post(`${rbacBase}/clusterrolebindings`, withFinalizers(clusterRoleBinding('fin-gina', roleRef('ClusterRole', 'fin-secrets'), [user('gina')]), [hold])), 201);
    assert.equal(await sar('gina', 'list', 'secrets'), true);
    ok(await a.delete(`${rbacBase}/clusterrolebindings/fin-gina`));
    assert.equal(await sar('gina', 'list', 'secrets'), false);
    for (const path of [`${rolesIn('grants')}/pod-reader`, `${rbacBase}/namespaces/grants/rolebindings/frank-reads`, `${rbacBase}/clusterrolebindings/fin-gina`]) {
      ok(await a.patch(path, unfinalize, mergePatch));
    }
  });

  test('the tokens of a ServiceAccount being deleted authenticate no more', async () => {
    ok(await a.post('/api/v1/namespaces/grants/serviceaccounts', withFinalizers(serviceAccount('leaving'), [hold])), 201);
    const issued = ok(await a.post('/api/v1/namespaces/grants/serviceaccounts/leaving/token', { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: {} }), 201);
    const bearer = { Authorization: `Bearer ${issued.status.token}` };
    // Authenticated but granted nothing: 403 while the account lives, 401 once the token no longer authenticates.
    const whoami = () => w.http.get('/api/v1/namespaces/grants/serviceaccounts').set(bearer);
    assert.equal((await whoami()).status, 403, 'the token authenticates while its account lives');
    ok(await a.delete('/api/v1/namespaces/grants/serviceaccounts/leaving'));
    assert.equal((await whoami()).status, 401);
    ok(await a.patch('/api/v1/namespaces/grants/serviceaccounts/leaving', unfinalize, mergePatch));
    assert.equal((await whoami()).status, 401);
  });

  test('a deleting ClusterRole feeds no aggregated ClusterRole', async () => {
    ok(await a.post(`${rbacBase}/clusterroles`, {
      ...clusterRole('fin-aggregate', []), aggregationRule: { clusterRoleSelectors: [{ matchLabels: { 'fin-agg': 'yes' } }] },
    }), 201);
    ok(await a.post(`${rbacBase}/clusterroles`, withFinalizers(clusterRole('fin-piece', [rule(['watch'], ['configmaps'])], { labels: { 'fin-agg': 'yes' } }), [hold])), 201);
    ok(await a.post(`${rbacBase}/clusterrolebindings`, clusterRoleBinding('fin-hank', roleRef('ClusterRole', 'fin-aggregate'), [user('hank')])), 201);
    assert.equal(await sar('hank', 'watch', 'configmaps'), true);
    ok(await a.delete(`${rbacBase}/clusterroles/fin-piece`));
    assert.equal(await sar('hank', 'watch', 'configmaps'), false);
    assert.deepEqual(ok(await a.get(`${rbacBase}/clusterroles/fin-aggregate`)).rules ?? [], [], 'the stored aggregate no longer has its rules');
    ok(await a.patch(`${rbacBase}/clusterroles/fin-piece`, unfinalize, mergePatch));
  });
});
