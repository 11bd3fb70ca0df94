/**
 * RiskReview over HTTP: one platform with every kind of finding, found in
 * the cluster-wide review and in a namespace review, gone once its grant is;
 * who may ask (create on riskreviews, and listing the bindings reviewed),
 * what a tenant member sees (its namespace, nothing it could not read);
 * bad input refused with kube's Status naming the field.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestWarden, type TestWarden } from '../support/warden.ts';
import { usersPath, userObject } from '../iam/support.ts';
import {
  api, as, assertStatus, clusterRole, clusterRoleBinding, group, ok, rbacBase, role, roleBinding, roleRef, rule, serviceAccountSubject,
  tenantLabel, user, type Api, type Obj,
} from '../reviews/support.ts';

const path = '/apis/authorization.warden.dev/v1/riskreviews';
const review = (spec: Obj = {}): Obj => ({ apiVersion: 'authorization.warden.dev/v1', kind: 'RiskReview', spec });

let w: TestWarden;
let admin: Api;

const tenant = (name: string, owner: string): Obj => ({ apiVersion: 'tenancy.warden.dev/v1', kind: 'Tenant', metadata: { name }, spec: { owners: [user(owner)] } });
const ns = (name: string, tenantName?: string): Obj => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, ...(tenantName ? { labels: { [tenantLabel]: tenantName } } : {}) } });
const inNs = (namespace: string) => ({ namespace });

before(async () => {
  w = await startTestWarden();
  admin = api(w);
  // A namespace lands in a tenant that exists already.
  ok(await admin.post('/apis/warden.dev/v1/apply?fieldManager=risk-tests&force=true', { apiVersion: 'v1', kind: 'List', items: [tenant('acme', 'alice'), tenant('bolt', 'bob')] }));
  const items: Obj[] = [
    ns('acme-web', 'acme'), ns('bolt-web', 'bolt'), ns('infra'), ns('calm'),
    clusterRoleBinding('ops-admin', roleRef('ClusterRole', 'cluster-admin'), [group('ops')]),
    clusterRole('escalator', [rule(['escalate', 'bind'], ['roles', 'clusterroles'], ['rbac.authorization.k8s.io'])]),
    clusterRoleBinding('escalators', roleRef('ClusterRole', 'escalator'), [user('erin')]),
    clusterRole('impersonator', [rule(['impersonate'], ['users'])]),
    clusterRoleBinding('impersonators', roleRef('ClusterRole', 'impersonator'), [serviceAccountSubject('gateway', 'infra')]),
    clusterRole('secret-reader', [rule(['get', 'list', 'watch'], ['secrets'])]),
    clusterRoleBinding('secret-readers', roleRef('ClusterRole', 'secret-reader'), [user('sam')]),
    clusterRole('pod-maker', [rule(['create'], ['pods', 'pods/exec'])]),
    roleBinding('pod-makers', roleRef('ClusterRole', 'pod-maker'), [user('pat')], inNs('kube-system')),
    clusterRole('star', [rule(['*'], ['deployments'], ['apps'])]),
    clusterRoleBinding('stars', roleRef('ClusterRole', 'star'), [user('stella')]),
    clusterRole('unused', [rule(['get'], ['configmaps'])]),
    roleBinding('ghost', roleRef('Role', 'ghost'), [user('gus')], inNs('acme-web')),
    roleBinding('partner', roleRef('ClusterRole', 'view'), [user('bob')], inNs('acme-web')),
    role('wild', [rule(['*'], ['*'])], inNs('acme-web')),
    roleBinding('wild', roleRef('Role', 'wild'), [user('wanda')], inNs('acme-web')),
    role('orphan', [rule(['get'])], inNs('acme-web')),
  ];
  ok(await admin.post('/apis/warden.dev/v1/apply?fieldManager=risk-tests&force=true', { apiVersion: 'v1', kind: 'List', items }));
  ok(await admin.post(usersPath, userObject('root', ['system:masters'])), 201);
});
after(async () => { await w?.close(); });

async function findings(a: Api, spec: Obj = {}): Promise<{ ids: string[]; body: Obj }> {
  const body = ok(await a.post(path, review(spec)), 201);
  return { ids: (body.status.findings as Obj[]).map((f) => f.id), body };
}
const find = (body: Obj, id: string): Obj => {
  const f = (body.status.findings as Obj[]).find((x) => x.id === id);
  assert.ok(f, `no finding ${id}`);
  return f;
};

describe('findings', () => {
  test('the cluster-wide review finds every kind of risky grant, defaults left out', async () => {
    const { ids, body } = await findings(admin);
    for (const id of [
      'system-masters/*/User/root',
      'cluster-admin/*/ClusterRoleBinding/ops-admin',
      'escalate/*/User/erin',
      'bind/*/User/erin',
      'impersonate/*/ServiceAccount/infra/gateway',
      'read-secrets/*/User/sam',
      'system-namespace-pods/kube-system/User/pat',
      'foreign-tenant-subject/acme-web/RoleBinding/partner',
      'wildcard-rule/acme-web/Role/wild',
      'wildcard-rule/*/ClusterRole/star',
      'missing-role/acme-web/RoleBinding/ghost',
      'unbound-role/*/ClusterRole/unused',
      'unbound-role/acme-web/Role/orphan',
    ]) assert.ok(ids.includes(id), `${id} missing from ${ids.join(', ')}`);
    assert.equal(body.status.incomplete, undefined);
    // Kubernetes' own grants do not drown the report.
    assert.ok(!ids.some((id) => id.includes('system:masters') || id.includes('system:discovery') || id.endsWith('/ClusterRole/admin')), ids.join(', '));
    const f = find(body, 'cluster-admin/*/ClusterRoleBinding/ops-admin');
    assert.deepEqual(f, {
      id: 'cluster-admin/*/ClusterRoleBinding/ops-admin', type: 'cluster-admin', severity: 'critical',
      message: 'ClusterRoleBinding "ops-admin" grants ClusterRole "cluster-admin" cluster-wide to Group "ops"',
      subjects: [group('ops')],
      bindings: [{ kind: 'ClusterRoleBinding', name: 'ops-admin', roleRef: roleRef('ClusterRole', 'cluster-admin') }],
      roles: [{ kind: 'ClusterRole', name: 'cluster-admin' }],
    });
    const severities = (body.status.findings as Obj[]).map((x) => ['critical', 'high', 'medium', 'low'].indexOf(x.severity));
    assert.deepEqual(severities, [...severities].sort((a, b) => a - b));
  });

  test('a calm namespace has none of its own; a tenant\'s namespace has its own and the cluster-wide grants', async () => {
    const calm = await findings(admin, { namespace: 'calm' });
    assert.ok(calm.ids.length > 0);
    assert.ok(calm.ids.every((id) => id.split('/')[1] === '*'), calm.ids.join(', '));
    assert.ok(!calm.ids.includes('system-masters/*/User/root'), 'users are the cluster review\'s');
    const acme = await findings(admin, { namespace: 'acme-web' });
    assert.ok(acme.ids.includes('missing-role/acme-web/RoleBinding/ghost'));
    assert.ok(acme.ids.includes('read-secrets/*/User/sam'));
    assert.ok(!acme.ids.some((id) => id.startsWith('system-namespace-pods/')), 'acme-web is no system namespace');
    assert.ok(!acme.ids.includes('wildcard-rule/*/ClusterRole/star'), 'ClusterRoles are the cluster review\'s');
  });

  test('pages add up to the whole report; a token belongs to one question and one revision', async () => {
    const whole = await findings(admin);
    const paged: string[] = [];
    let token = '';
    for (let pages = 0; ; pages++) {
      assert.ok(pages < 50);
      const r = await admin.post(`${path}?limit=4${token ? `&continue=${token}` : ''}`, review());
      const body = ok(r, 201);
      paged.push(...(body.status.findings as Obj[]).map((f) => f.id));
      if (!body.metadata.continue) {
        assert.equal(body.metadata.remainingItemCount, undefined);
        break;
      }
      assert.equal(body.metadata.remainingItemCount, whole.ids.length - paged.length);
      token = body.metadata.continue;
    }
    assert.deepEqual(paged, whole.ids);

    const first = ok(await admin.post(`${path}?limit=1`, review()), 201);
    assertStatus(await admin.post(`${path}?limit=1&continue=${first.metadata.continue}`, review({ namespace: 'calm' })), {
      code: 400, reason: 'BadRequest', message: ['invalid continue token: it belongs to a different question'],
    });
    assertStatus(await admin.post(`${path}?limit=-1`, review()), { code: 400, reason: 'BadRequest', message: ['limit'] });
    ok(await admin.post(`${rbacBase}/clusterroles`, clusterRole('moves-the-revision')), 201);
    assertStatus(await admin.post(`${path}?limit=1&continue=${first.metadata.continue}`, review()), { code: 410, reason: 'Expired' });
  });

  test('includeDefaults reports Kubernetes\' bootstrap grants, marked default', async () => {
    const { body } = await findings(admin, { includeDefaults: true });
    assert.equal(find(body, 'cluster-admin/*/ClusterRoleBinding/cluster-admin').default, true);
    assert.equal(find(body, 'read-secrets/*/Group/system:masters').default, true);
    assert.equal(find(body, 'cluster-admin/*/ClusterRoleBinding/ops-admin').default, undefined);
  });

  test('a finding goes once its grant does', async () => {
    ok(await admin.delete(`${rbacBase}/namespaces/acme-web/rolebindings/ghost`));
    ok(await admin.delete(`${rbacBase}/clusterrolebindings/escalators`));
    const { ids } = await findings(admin);
    assert.ok(!ids.includes('missing-role/acme-web/RoleBinding/ghost'));
    assert.ok(!ids.includes('escalate/*/User/erin'));
    assert.ok(ids.includes('unbound-role/*/ClusterRole/escalator'), 'its role is now bound by nothing');
  });
});

describe('who may ask', () => {
  test('no create on riskreviews: 403 as for any review', async () => {
    assertStatus(await as(w, 'nobody').post(path, review()), {
      code: 403, reason: 'Forbidden',
      message: ['riskreviews.authorization.warden.dev is forbidden: User "nobody" cannot create resource "riskreviews" in API group "authorization.warden.dev" at the cluster scope'],
    });
  });

  test('no default role lets a tenant owner ask', async () => {
    assertStatus(await as(w, 'alice').post(path, review({ namespace: 'acme-web' })), { code: 403, reason: 'Forbidden', message: ['"riskreviews"'] });
  });

  describe('a tenant owner allowed to create riskreviews', () => {
    let alice: Api;
    before(async () => {
      ok(await admin.post(`${rbacBase}/clusterroles`, clusterRole('risk-reviewer', [rule(['create'], ['riskreviews'], ['authorization.warden.dev'])])), 201);
      ok(await admin.post(`${rbacBase}/clusterrolebindings`, clusterRoleBinding('risk-reviewers', roleRef('ClusterRole', 'risk-reviewer'), [user('alice')])), 201);
      alice = as(w, 'alice');
    });

    test('reviews its own namespace: its own findings, nothing it could not read', async () => {
      const { ids, body } = await findings(alice, { namespace: 'acme-web' });
      assert.equal(body.status.incomplete, true);
      assert.equal(body.status.evaluationError, 'left out, as the caller may not list them: clusterrolebindings');
      assert.ok(ids.includes('wildcard-rule/acme-web/Role/wild'), 'admin lists roles in its namespace');
      assert.ok(ids.every((id) => id.split('/')[1] === 'acme-web'), ids.join(', '));
      for (const f of body.status.findings as Obj[]) assert.ok(f.bindings.every((b: Obj) => b.kind === 'RoleBinding'), f.id);
      // bob owns bolt, which alice may not read: he is not recognised as bolt's, and bolt is not named.
      assert.ok(!ids.includes('foreign-tenant-subject/acme-web/RoleBinding/partner'));
      assert.ok(!JSON.stringify(body).includes('"bolt"'));
    });

    test('another tenant\'s namespace, a missing one it may not list, and the whole cluster are 403', async () => {
      assertStatus(await alice.post(path, review({ namespace: 'bolt-web' })), {
        code: 403, reason: 'Forbidden',
        message: ['riskreviews.authorization.warden.dev is forbidden: User "alice" cannot list resource "rolebindings" in API group "rbac.authorization.k8s.io" in the namespace "bolt-web"'],
      });
      assertStatus(await alice.post(path, review({ namespace: 'no-such-ns' })), { code: 403, reason: 'Forbidden', message: ['"no-such-ns"'] });
      assertStatus(await alice.post(path, review()), {
        code: 403, reason: 'Forbidden',
        message: ['User "alice" cannot list resource "clusterrolebindings" in API group "rbac.authorization.k8s.io" at the cluster scope'],
      });
    });
  });

  test('a cluster-wide reviewer who may list bindings but no ClusterRoles, Roles or Users gets the rest', async () => {
    ok(await admin.post(`${rbacBase}/clusterroles`, clusterRole('binding-auditor', [
      rule(['create'], ['riskreviews'], ['authorization.warden.dev']),
      rule(['list'], ['rolebindings', 'clusterrolebindings'], ['rbac.authorization.k8s.io']),
    ])), 201);
    ok(await admin.post(`${rbacBase}/clusterrolebindings`, clusterRoleBinding('binding-auditors', roleRef('ClusterRole', 'binding-auditor'), [user('audrey')])), 201);
    const { ids, body } = await findings(as(w, 'audrey'));
    assert.equal(body.status.evaluationError, 'left out, as the caller may not list them: clusterroles, roles, users');
    assert.ok(ids.includes('cluster-admin/*/ClusterRoleBinding/ops-admin'));
    assert.ok(!ids.some((id) => /^(wildcard-rule|unbound-role|system-masters)\//.test(id)), ids.join(', '));
    assert.ok(!ids.includes('foreign-tenant-subject/acme-web/RoleBinding/partner'), 'tenants it may not get');
  });
});

describe('bad input', () => {
  test('a namespace that does not exist is 422 naming spec.namespace', async () => {
    const body = assertStatus(await admin.post(path, review({ namespace: 'no-such-ns' })), {
      code: 422, reason: 'Invalid', message: ['RiskReview.authorization.warden.dev "" is invalid: spec.namespace: Not found: "no-such-ns"'],
    });
    assert.deepEqual(body.details.causes, [{ reason: 'FieldValueNotFound', message: 'Not found: "no-such-ns"', field: 'spec.namespace' }]);
  });

  test('wrong types are 400 naming the field', async () => {
    for (const [spec, field] of [[{ namespace: 7 }, 'spec.namespace'], [{ includeDefaults: 'yes' }, 'spec.includeDefaults']] as const) {
      const body = assertStatus(await admin.post(path, review(spec)), { code: 400, reason: 'BadRequest', message: [field] });
      assert.ok((body.details.causes as Obj[]).some((c) => c.field === field), JSON.stringify(body.details));
    }
    assertStatus(await admin.post(path, { ...review(), spec: [] }), { code: 400, reason: 'BadRequest' });
  });

  test('unknown fields: a warning, or 400 under Strict', async () => {
    const warned = await admin.post(path, review({ namespace: 'calm', color: 'red' }));
    assert.equal(warned.status, 201);
    assert.equal(warned.headers.warning, '299 - "unknown field \\"spec.color\\""');
    assertStatus(await admin.post(`${path}?fieldValidation=Strict`, review({ namespace: 'calm', color: 'red' })), {
      code: 400, reason: 'BadRequest', message: ['unknown field "spec.color"'],
    });
  });

  test('another kind is 400', async () => {
    assertStatus(await admin.post(path, { apiVersion: 'authorization.warden.dev/v1', kind: 'ResourceAccessReview', spec: {} }), { code: 400, reason: 'BadRequest' });
  });
});

test('discovery lists riskreviews (create only)', async () => {
  const body = ok(await admin.get('/apis/authorization.warden.dev/v1'));
  const r = (body.resources as Obj[]).find((x) => x.name === 'riskreviews');
  assert.deepEqual(r && { kind: r.kind, verbs: r.verbs, namespaced: r.namespaced }, { kind: 'RiskReview', verbs: ['create'], namespaced: false });
});
