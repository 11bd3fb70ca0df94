/**
 * Tenancy as a kube-apiserver meets it: the authorization webhook lets a
 * tenant owner create namespaces (a managed ClusterRoleBinding says so), the
 * mutating admission webhook puts the namespace into the owner's tenant, and
 * the validating one checks the tenant, its limit and the label, and records
 * the namespace so the owner is admin there. An owner can no longer end up
 * with a namespace outside its tenant. Every tenancy question is answered
 * alike by SubjectAccessReviews, the authorization webhook, who-can and
 * rules reviews, since all of them are RBAC.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestWarden, type TestWarden } from '../support/warden.ts';
import { api, ok, type Api } from '../api/client.ts';
import { user, type Obj } from '../api/builders.ts';
import { applyAll, tenant, tenantLabel, tenantNamespace } from './support.ts';

let w: TestWarden;
let admin: Api;
let serial = 0;

before(async () => {
  w = await startTestWarden();
  admin = api(w);
  await applyAll(admin, [
    tenant('shop', { owners: [user('alice')], namespaceLimit: 2 }),
    tenant('analytics', { owners: [user('bob')] }),
    tenant('lab', { owners: [user('carol')] }),
    tenant('lab-2', { owners: [user('carol')] }),
  ]);
  await applyAll(admin, [tenantNamespace('shop-web', 'shop'), tenantNamespace('analytics-etl', 'analytics')]);
});
after(async () => { await w?.close(); });

const userInfo = (name: string) => ({ username: name, uid: `${name}-uid`, groups: ['system:authenticated'] });

function namespaceReview(operation: 'CREATE' | 'UPDATE', name: string, who: string, labels?: Record<string, string>, opts: { oldLabels?: Record<string, string>; dryRun?: boolean } = {}): Obj {
  const object = { apiVersion: 'v1', kind: 'Namespace', metadata: { name, ...(labels ? { labels } : {}) } };
  return {
    apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview',
    request: {
      uid: `ns-${++serial}`, kind: { group: '', version: 'v1', kind: 'Namespace' }, resource: { group: '', version: 'v1', resource: 'namespaces' },
      name, operation, userInfo: userInfo(who), object,
      ...(operation === 'UPDATE' ? { oldObject: { ...object, metadata: { name, labels: opts.oldLabels ?? {} } } } : {}),
      dryRun: opts.dryRun ?? false,
    },
  };
}

async function authorizeWebhook(who: string, resourceAttributes: Obj): Promise<Obj> {
  const r = await w.http.post('/webhooks/authorization').set('Authorization', w.auth)
    .send({ apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: { user: who, groups: ['system:authenticated'], resourceAttributes } });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.status;
}

async function admission(path: string, review: Obj): Promise<Obj> {
  const r = await w.http.post(path).set('Authorization', w.auth).send(review);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.response.uid, review.request.uid);
  return r.body.response;
}

const held = async (name: string) => {
  const r = await admin.get(`/api/v1/namespaces/${name}`);
  return r.status === 200 ? r.body : undefined;
};

describe('an owner creating a namespace on a cluster that asks Warden', () => {
  test('the authorization webhook allows it through the tenant\'s managed binding', async () => {
    const status = await authorizeWebhook('alice', { verb: 'create', resource: 'namespaces' });
    assert.equal(status.allowed, true);
    assert.match(status.reason, /RBAC: allowed by ClusterRoleBinding "warden:tenant:shop:owners" of ClusterRole "warden:tenant:shop:owner" to User "alice"/);
    assert.equal((await authorizeWebhook('mallory', { verb: 'create', resource: 'namespaces' })).allowed, false);
  });

  test('the mutating webhook puts an unlabelled namespace into the owner\'s one tenant, by a JSON patch', async () => {
    const response = await admission('/webhooks/admission/mutate', namespaceReview('CREATE', 'shop-new', 'alice'));
    assert.equal(response.allowed, true);
    assert.equal(response.patchType, 'JSONPatch');
    assert.deepEqual(JSON.parse(Buffer.from(response.patch, 'base64').toString()), [{ op: 'add', path: '/metadata/labels', value: { [tenantLabel]: 'shop' } }]);
    const withLabels = await admission('/webhooks/admission/mutate', namespaceReview('CREATE', 'shop-new', 'alice', { team: 'web' }));
    assert.deepEqual(JSON.parse(Buffer.from(withLabels.patch, 'base64').toString()), [{ op: 'add', path: '/metadata/labels/tenancy.warden.dev~1tenant', value: 'shop' }]);
    assert.equal(await held('shop-new'), undefined, 'the mutating webhook writes nothing');
  });

  test('the validating webhook refuses an owner\'s unlabelled namespace (it may not patch), naming the label to set', async () => {
    const response = await admission('/webhooks/admission', namespaceReview('CREATE', 'shop-new', 'alice'));
    assert.equal(response.allowed, false);
    assert.equal(response.status.code, 422);
    assert.match(response.status.message, /metadata\.labels\[tenancy\.warden\.dev\/tenant\]: Required value: .*set it to "shop" \(Warden's mutating webhook at \/webhooks\/admission\/mutate sets it\)/);
    assert.equal(await held('shop-new'), undefined);
  });

  test('a dry run is admitted and records nothing', async () => {
    const response = await admission('/webhooks/admission', namespaceReview('CREATE', 'shop-new', 'alice', { [tenantLabel]: 'shop' }, { dryRun: true }));
    assert.equal(response.allowed, true);
    assert.equal(await held('shop-new'), undefined);
  });

  test('the labelled namespace is admitted and recorded in the tenant, and the owner is admin in it', async () => {
    assert.equal((await authorizeWebhook('alice', { verb: 'create', resource: 'pods', namespace: 'shop-new' })).allowed, false, 'not yet');
    const response = await admission('/webhooks/admission', namespaceReview('CREATE', 'shop-new', 'alice', { [tenantLabel]: 'shop' }));
    assert.equal(response.allowed, true, JSON.stringify(response));
    const ns = await held('shop-new');
    assert.equal(ns?.metadata.labels[tenantLabel], 'shop');
    const status = await authorizeWebhook('alice', { verb: 'create', resource: 'pods', namespace: 'shop-new' });
    assert.equal(status.allowed, true);
    assert.match(status.reason, /RoleBinding "warden-tenant-owners\/shop-new" of ClusterRole "admin"/);
    assert.equal((await authorizeWebhook('alice', { verb: 'delete', resource: 'namespaces', name: 'shop-new', namespace: 'shop-new' })).allowed, true);
    const changes = ok(await admin.get('/apis/audit.warden.dev/v1/changes?kind=Namespace&name=shop-new')).items;
    assert.equal(changes[0]?.actor, 'warden:admin (as alice)', `recorded as the webhook caller acting for the user: ${JSON.stringify(changes)}`);
    // The same review again (a retry of the API server) is admitted as it is.
    assert.equal((await admission('/webhooks/admission', namespaceReview('CREATE', 'shop-new', 'alice', { [tenantLabel]: 'shop' }))).allowed, true);
  });

  test('another tenant is refused, and so is a missing one, alike', async () => {
    for (const t of ['analytics', 'ghost']) {
      const response = await admission('/webhooks/admission', namespaceReview('CREATE', 'shop-evil', 'alice', { [tenantLabel]: t }));
      assert.equal(response.allowed, false);
      assert.equal(response.status.code, 403);
      assert.equal(response.status.message, `namespaces is forbidden: User "alice" cannot create namespaces in tenant "${t}": not one of its owners`);
    }
    assert.equal(await held('shop-evil'), undefined);
  });

  test('the tenant\'s limit holds', async () => {
    const response = await admission('/webhooks/admission', namespaceReview('CREATE', 'shop-third', 'alice', { [tenantLabel]: 'shop' }));
    assert.equal(response.allowed, false);
    assert.equal(response.status.message, 'namespaces is forbidden: tenant "shop" has 2 namespaces, its limit (spec.namespaceLimit is 2)');
    const mutated = await admission('/webhooks/admission/mutate', namespaceReview('CREATE', 'shop-third', 'alice'));
    assert.equal(mutated.allowed, false, 'the mutating webhook refuses it too');
    assert.equal(await held('shop-third'), undefined);
  });

  test('an owner of several tenants must name one', async () => {
    const response = await admission('/webhooks/admission/mutate', namespaceReview('CREATE', 'lab-x', 'carol'));
    assert.equal(response.allowed, false);
    assert.equal(response.status.code, 422);
    assert.match(response.status.message, /set it to one of "lab", "lab-2"/);
  });

  test('a namespace cannot move between tenants, leave one or join one', async () => {
    for (const [labels, oldLabels] of [[{ [tenantLabel]: 'analytics' }, { [tenantLabel]: 'shop' }], [{}, { [tenantLabel]: 'shop' }], [{ [tenantLabel]: 'shop' }, {}]] as const) {
      const response = await admission('/webhooks/admission', namespaceReview('UPDATE', 'shop-new', 'alice', labels, { oldLabels }));
      assert.equal(response.allowed, false, JSON.stringify([labels, oldLabels]));
      assert.equal(response.status.code, 422);
      assert.match(response.status.message, /a namespace's tenant is set at creation and cannot change/);
    }
    assert.equal((await admission('/webhooks/admission', namespaceReview('UPDATE', 'shop-new', 'alice', { [tenantLabel]: 'shop', team: 'x' }, { oldLabels: { [tenantLabel]: 'shop' } }))).allowed, true);
  });

  test('malformed namespace reviews are refused, not crashed on', async () => {
    const bad = namespaceReview('CREATE', 'x', 'alice');
    for (const object of [{ metadata: 'no' }, { metadata: { labels: ['a'] } }, { metadata: { labels: { [tenantLabel]: 7 } } }]) {
      const response = await admission('/webhooks/admission', { ...bad, request: { ...bad.request, uid: `bad-${++serial}`, object } });
      assert.equal(response.allowed, false);
      assert.ok([400, 422].includes(response.status.code), JSON.stringify(response));
    }
    const r = await w.http.post('/webhooks/admission').set('Authorization', w.auth).send({ ...bad, request: { ...bad.request, userInfo: { username: 'alice', groups: 'system:masters' } } });
    assert.equal(r.status, 400);
    assert.match(r.body.message, /request\.userInfo\.groups/);
  });
});

describe('every tenancy question gets one answer from every way of asking', () => {
  const questions: { who: string; attrs: Obj }[] = [
    { who: 'alice', attrs: { verb: 'create', resource: 'namespaces' } },
    { who: 'alice', attrs: { verb: 'get', resource: 'namespaces', name: 'shop-web', namespace: 'shop-web' } },
    { who: 'alice', attrs: { verb: 'delete', resource: 'namespaces', name: 'shop-web', namespace: 'shop-web' } },
    { who: 'alice', attrs: { verb: 'delete', resource: 'namespaces', name: 'analytics-etl', namespace: 'analytics-etl' } },
    { who: 'alice', attrs: { verb: 'get', resource: 'tenants', group: 'tenancy.warden.dev', name: 'shop' } },
    { who: 'alice', attrs: { verb: 'get', resource: 'tenants', group: 'tenancy.warden.dev', name: 'analytics' } },
    { who: 'alice', attrs: { verb: 'patch', resource: 'tenants', group: 'tenancy.warden.dev', name: 'shop' } },
    { who: 'alice', attrs: { verb: 'create', resource: 'apply', group: 'warden.dev' } },
    { who: 'alice', attrs: { verb: 'create', resource: 'roles', group: 'rbac.authorization.k8s.io', namespace: 'shop-web' } },
    { who: 'alice', attrs: { verb: 'create', resource: 'roles', group: 'rbac.authorization.k8s.io', namespace: 'analytics-etl' } },
    { who: 'bob', attrs: { verb: 'create', resource: 'namespaces' } },
    { who: 'mallory', attrs: { verb: 'create', resource: 'namespaces' } },
    { who: 'mallory', attrs: { verb: 'get', resource: 'namespaces', name: 'shop-web', namespace: 'shop-web' } },
  ];

  /** Whether a rule of a rules review allows the question (kube's ruleAllows, for these plain rules). */
  const covers = (rule: Obj, a: Obj) => {
    const has = (list: string[] | undefined, v: string) => (list ?? []).includes('*') || (list ?? []).includes(v);
    return has(rule.verbs, a.verb) && has(rule.apiGroups, a.group ?? '') && has(rule.resources, a.resource)
      && (!rule.resourceNames?.length || rule.resourceNames.includes(a.name));
  };

  for (const { who, attrs } of questions) {
    test(`${who}: ${attrs.verb} ${attrs.resource}${attrs.name ? `/${attrs.name}` : ''}${attrs.namespace ? ` in ${attrs.namespace}` : ''}`, async () => {
      const spec = { user: who, groups: ['system:authenticated'], resourceAttributes: attrs };
      const sar = ok(await w.http.post('/apis/authorization.k8s.io/v1/subjectaccessreviews').set('Authorization', w.auth)
        .send({ apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec }), 201).status.allowed;
      const webhook = (await authorizeWebhook(who, attrs)).allowed;
      const whoCan = ok(await w.http.post('/apis/authorization.warden.dev/v1/resourceaccessreviews').set('Authorization', w.auth)
        .send({ apiVersion: 'authorization.warden.dev/v1', kind: 'ResourceAccessReview', spec: { resourceAttributes: attrs } }), 201)
        .status.subjects.some((s: Obj) => s.kind === 'User' && s.name === who);
      const rules = ok(await w.http.post('/apis/authorization.warden.dev/v1/subjectrulesreviews').set('Authorization', w.auth)
        .send({ apiVersion: 'authorization.warden.dev/v1', kind: 'SubjectRulesReview', spec: { user: who, groups: ['system:authenticated'], namespace: attrs.namespace ?? 'no-bindings-here' } }), 201)
        .status.resourceRules.some((r: Obj) => covers(r, attrs));
      assert.deepEqual({ webhook, whoCan, rules }, { webhook: sar, whoCan: sar, rules: sar }, `SAR says ${sar}`);
    });
  }
});
