/**
 * Server-side printing as kube-apiserver's: `Accept: application/json;as=
 * Table;v=v1;g=meta.k8s.io` (what `kubectl get` sends) on a stored kind's
 * get, list, create and status answers a meta.k8s.io Table with kube 1.32's
 * columns for the kind and each object's cells; `includeObject` says what a
 * row carries; list metadata is kept; negotiation falls back to JSON when
 * the client also accepts it, and is 406 when a Table is all it accepts and
 * the endpoint cannot make one. Authorization is unchanged: refused lists
 * stay 403, and rows show only what the caller may see.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import YAML from 'yaml';
import { startTestWarden, type TestWarden } from '../support/warden.ts';
import { api, assertRefused, assertStatus, ok, type Api } from './client.ts';
import {
  clusterRole, clusterRoleBinding, group, namespace, rbacBase, role, roleBinding, roleRef, rule, serviceAccount, serviceAccountSubject, tenant, tenantLabel, tenantsPath, user, type Obj,
} from './builders.ts';
import { formatLabelSelector, humanDuration } from '../../api/tables/format.ts';
import { defaultPrinter, printerFor } from '../../api/tables/printers.ts';
import { issue, secondsFromNow, tokensPath, userObject, usersPath, userWithToken } from '../iam/support.ts';

const tableV1 = 'application/json;as=Table;v=v1;g=meta.k8s.io';
/** What `kubectl get` sends. */
const kubectlAccept = `${tableV1},application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json`;
const notAcceptable = 'only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf';

const nameDoc = 'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names';
const creationDoc = 'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata';

let w: TestWarden;
let admin: Api;
const ns = 'printing';

before(async () => {
  w = await startTestWarden();
  admin = api(w);
  ok(await admin.post('/api/v1/namespaces', namespace(ns)), 201);
  ok(await admin.post('/api/v1/namespaces', namespace('empty')), 201);
  ok(await admin.post(tenantsPath, { ...tenant('acme', [user('alice'), group('devs')]), spec: { owners: [user('alice'), group('devs')], namespaceLimit: 3, resourceQuota: { hard: { pods: '10', 'requests.cpu': '4', 'limits.memory': '8Gi' } } } }), 201);
  ok(await admin.post('/api/v1/namespaces', namespace('acme-one', { labels: { [tenantLabel]: 'acme' } })), 201);
  ok(await admin.post(`/api/v1/namespaces/${ns}/serviceaccounts`, serviceAccount('robot', {}, { secrets: [{ name: 'robot-a' }, { name: 'robot-b' }] })), 201);
  ok(await admin.post(`${rbacBase}/namespaces/${ns}/roles`, role('reader')), 201);
  ok(await admin.post(`${rbacBase}/clusterroles`, clusterRole('printing-viewer')), 201);
  ok(await admin.post(`${rbacBase}/namespaces/${ns}/rolebindings`, roleBinding('readers', roleRef('Role', 'reader'), [user('alice'), group('devs'), user('bob'), serviceAccountSubject('robot', ns)])), 201);
  ok(await admin.post(`${rbacBase}/clusterrolebindings`, clusterRoleBinding('viewers', roleRef('ClusterRole', 'printing-viewer'), [group('qa'), group('devs')])), 201);
  ok(await admin.post(`/api/v1/namespaces/${ns}/resourcequotas`, {
    apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'compute' },
    spec: { hard: { pods: '10', 'requests.cpu': '1000m', 'requests.memory': '512Mi', 'limits.memory': '1024Mi' } },
  }), 201);
  const quota = ok(await admin.get(`/api/v1/namespaces/${ns}/resourcequotas/compute`));
  ok(await admin.put(`/api/v1/namespaces/${ns}/resourcequotas/compute/status`, { ...quota, status: { used: { pods: '2', 'requests.cpu': '250m' } } }));
  ok(await admin.post(`/apis/networking.k8s.io/v1/namespaces/${ns}/networkpolicies`, {
    apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'web' },
    spec: {
      podSelector: { matchLabels: { tier: 'front', app: 'web' }, matchExpressions: [{ key: 'env', operator: 'In', values: ['prod', 'dev'] }, { key: 'legacy', operator: 'DoesNotExist' }] },
      policyTypes: ['Ingress'],
    },
  }), 201);
  ok(await admin.post(usersPath, userObject('carol', ['qa', 'ops'])), 201);
  await issue(admin, 'carol-ci', { user: 'carol', expirationTimestamp: secondsFromNow(7200), description: 'ci pipeline' });
});
after(async () => { await w?.close(); });

/** A client sending `accept` as its Accept header, as the bearer of `token` (the admin's by default). */
const accepting = (accept: string, token: string = w.adminToken): Api => api(w, token, { Accept: accept });

function getAs(token: string, path: string, accept: string) {
  return accepting(accept, token).get(path);
}

/** GETs `path` as kubectl does and returns the Table. */
async function table(path: string, token: string = w.adminToken, accept = kubectlAccept): Promise<Obj> {
  const body = ok(await getAs(token, path, accept));
  assert.equal(body.kind, 'Table', JSON.stringify(body).slice(0, 200));
  return body;
}

const rowNamed = (t: Obj, name: string): Obj => {
  const row = t.rows.find((r: Obj) => r.cells[0] === name);
  assert.ok(row, `no row ${name} in ${JSON.stringify(t.rows.map((r: Obj) => r.cells[0]))}`);
  return row;
};

/** Every value humanDuration gives for an instant between `from` and `to` counted from `since`. */
function durationsBetween(since: number, from: number, to: number): Set<string> {
  const out = new Set<string>();
  for (let t = from; t < to + 1000; t += 500) out.add(humanDuration(Math.min(t, to) - since));
  return out;
}

const age = Symbol('the object\'s age');
const expiresIn = Symbol('time until spec.expirationTimestamp');

interface KindCase {
  kind: string;
  list: string;
  name: string;
  /** [column name, type, priority] as kube-apiserver 1.32 defines them (Warden's own for its kinds). */
  columns: [string, string, number][];
  cells(o: Obj): unknown[];
}

const cases: KindCase[] = [
  {
    kind: 'Namespace', list: '/api/v1/namespaces', name: ns,
    columns: [['Name', 'string', 0], ['Status', 'string', 0], ['Age', 'string', 0]],
    cells: (o) => [o.metadata.name, o.status.phase, age],
  },
  {
    kind: 'ServiceAccount', list: `/api/v1/namespaces/${ns}/serviceaccounts`, name: 'robot',
    columns: [['Name', 'string', 0], ['Secrets', 'string', 0], ['Age', 'string', 0]],
    cells: (o) => [o.metadata.name, o.secrets.length, age],
  },
  {
    // Age comes second in 1.32 (later releases move it last); entries sorted by resource name, limits.* apart, canonical quantities.
    kind: 'ResourceQuota', list: `/api/v1/namespaces/${ns}/resourcequotas`, name: 'compute',
    columns: [['Name', 'string', 0], ['Age', 'string', 0], ['Request', 'string', 0], ['Limit', 'string', 0]],
    cells: (o) => [o.metadata.name, age, 'pods: 2/10, requests.cpu: 250m/1, requests.memory: 0/512Mi', 'limits.memory: 0/1Gi'],
  },
  {
    kind: 'NetworkPolicy', list: `/apis/networking.k8s.io/v1/namespaces/${ns}/networkpolicies`, name: 'web',
    columns: [['Name', 'string', 0], ['Pod-Selector', 'string', 0], ['Age', 'string', 0]],
    cells: (o) => [o.metadata.name, 'app=web,env in (dev,prod),!legacy,tier=front', age],
  },
  {
    kind: 'RoleBinding', list: `${rbacBase}/namespaces/${ns}/rolebindings`, name: 'readers',
    columns: [['Name', 'string', 0], ['Role', 'string', 0], ['Age', 'string', 0], ['Users', 'string', 1], ['Groups', 'string', 1], ['ServiceAccounts', 'string', 1]],
    cells: (o) => [o.metadata.name, `${o.roleRef.kind}/${o.roleRef.name}`, age, 'alice, bob', 'devs', `${ns}/robot`],
  },
  {
    kind: 'ClusterRoleBinding', list: `${rbacBase}/clusterrolebindings`, name: 'viewers',
    columns: [['Name', 'string', 0], ['Role', 'string', 0], ['Age', 'string', 0], ['Users', 'string', 1], ['Groups', 'string', 1], ['ServiceAccounts', 'string', 1]],
    cells: (o) => [o.metadata.name, 'ClusterRole/printing-viewer', age, '', 'qa, devs', ''],
  },
  {
    // kube-apiserver prints Roles and ClusterRoles with its default table.
    kind: 'Role', list: `${rbacBase}/namespaces/${ns}/roles`, name: 'reader',
    columns: [['Name', 'string', 0], ['Created At', 'date', 0]],
    cells: (o) => [o.metadata.name, o.metadata.creationTimestamp],
  },
  {
    kind: 'ClusterRole', list: `${rbacBase}/clusterroles`, name: 'printing-viewer',
    columns: [['Name', 'string', 0], ['Created At', 'date', 0]],
    cells: (o) => [o.metadata.name, o.metadata.creationTimestamp],
  },
  {
    kind: 'Tenant', list: tenantsPath, name: 'acme',
    columns: [['Name', 'string', 0], ['Owners', 'string', 0], ['Namespaces', 'string', 0], ['Quota', 'string', 0], ['Age', 'string', 0]],
    cells: (o) => [o.metadata.name, 'User/alice, Group/devs', `${o.status.namespaces.length}/${o.spec.namespaceLimit}`, 'limits.memory: 0/8Gi, pods: 0/10, requests.cpu: 0/4', age],
  },
  {
    kind: 'User', list: usersPath, name: 'carol',
    columns: [['Name', 'string', 0], ['Groups', 'string', 0], ['Age', 'string', 0]],
    cells: (o) => [o.metadata.name, o.spec.groups.join(', '), age],
  },
  {
    kind: 'Token', list: tokensPath, name: 'carol-ci',
    columns: [['Name', 'string', 0], ['User', 'string', 0], ['Expires', 'string', 0], ['Age', 'string', 0], ['Description', 'string', 1]],
    cells: (o) => [o.metadata.name, o.spec.user, expiresIn, age, o.spec.description],
  },
];

describe('columns and cells of each kind', () => {
  for (const c of cases) {
    test(`${c.kind}: ${c.columns.map((x) => x[0]).join(', ')}, each cell from the object`, async () => {
      const object = ok(await admin.get(`${c.list}/${c.name}`));
      const from = Date.now();
      const t = await table(c.list);
      const to = Date.now();
      assert.deepEqual(t.columnDefinitions.map((d: Obj) => [d.name, d.type, d.priority]), c.columns);
      assert.deepEqual(t.columnDefinitions[0], { name: 'Name', type: 'string', format: 'name', description: nameDoc, priority: 0 });
      for (const d of t.columnDefinitions) {
        assert.equal(d.format, d.name === 'Name' ? 'name' : '');
        assert.ok(typeof d.description === 'string' && d.description !== '', `column ${d.name} has a description`);
        if (d.name === 'Age' || d.name === 'Created At') assert.equal(d.description, creationDoc);
      }
      for (const r of t.rows) assert.equal(r.cells.length, c.columns.length, 'one cell per column, wide ones included');
      const row = rowNamed(t, c.name);
      const created = Date.parse(object.metadata.creationTimestamp);
      c.cells(object).forEach((want, i) => {
        const cell = row.cells[i];
        if (want === age) assert.ok(durationsBetween(created, from, to).has(cell), `age ${cell}`);
        else if (want === expiresIn) assert.ok(durationsBetween(-Date.parse(object.spec.expirationTimestamp), -to, -from).has(cell), `expires in ${cell}`);
        else assert.deepEqual(cell, want, `${c.kind} column ${c.columns[i][0]}`);
      });
      assert.deepEqual(row.object, { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: object.metadata });
    });
  }

  test('a kind with no printer of its own gets kube\'s default table', () => {
    assert.equal(printerFor('CustomResourceDefinition'), defaultPrinter);
    assert.deepEqual(defaultPrinter.columns.map((d) => d.name), ['Name', 'Created At']);
  });

  test('an empty list is a Table without rows: [] from a printer, null from the default table (as kube encodes them)', async () => {
    assert.deepEqual((await table(`${rbacBase}/namespaces/empty/rolebindings`)).rows, []);
    assert.equal((await table(`${rbacBase}/namespaces/empty/roles`)).rows, null);
  });
});

describe('what a row carries (includeObject)', () => {
  const path = `${rbacBase}/namespaces/${ns}/rolebindings`;

  test('Metadata (the default) is a meta.k8s.io PartialObjectMetadata with the whole metadata', async () => {
    const items = ok(await admin.get(path)).items as Obj[];
    for (const query of ['', '?includeObject=Metadata', '?includeObject=']) {
      const t = await table(`${path}${query}`);
      assert.deepEqual(t.rows.map((r: Obj) => r.object), items.map((o) => ({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata })), query);
    }
  });

  test('Object is the whole object with its kind; None is null', async () => {
    const items = ok(await admin.get(path)).items as Obj[];
    const whole = await table(`${path}?includeObject=Object`);
    assert.deepEqual(whole.rows.map((r: Obj) => r.object), items.map((o) => ({ ...o, kind: 'RoleBinding', apiVersion: 'rbac.authorization.k8s.io/v1' })));
    const none = await table(`${path}?includeObject=None`);
    assert.deepEqual(none.rows.map((r: Obj) => r.object), items.map(() => null));
    assert.deepEqual(none.rows.map((r: Obj) => r.cells[0]), items.map((o) => o.metadata.name));
  });

  test('a v1beta1 Table carries v1beta1 PartialObjectMetadata', async () => {
    const t = await table(path, w.adminToken, 'application/json;as=Table;v=v1beta1;g=meta.k8s.io');
    assert.equal(t.apiVersion, 'meta.k8s.io/v1beta1');
    assert.ok(t.rows.every((r: Obj) => r.object.apiVersion === 'meta.k8s.io/v1beta1' && r.object.kind === 'PartialObjectMetadata'));
  });

  test('any other includeObject is kube\'s 400 on list and get (after a missing object\'s 404); without a Table it is not read', async () => {
    const message = (v: string) => `Unable to convert to Table as requested: includeObject: Invalid value: "${v}": must be 'Metadata', 'Object', 'None', or empty`;
    for (const v of ['Everything', 'metadata', 'none']) {
      const body = assertStatus(await getAs(w.adminToken, `${path}?includeObject=${v}`, kubectlAccept), { code: 400, reason: 'BadRequest' });
      assert.equal(body.message, message(v));
    }
    assertStatus(await getAs(w.adminToken, `${path}/readers?includeObject=All`, tableV1), { code: 400, reason: 'BadRequest', message: [message('All')] });
    // The object is looked up before the answer is converted: a missing one is 404 whatever includeObject says.
    assertStatus(await getAs(w.adminToken, `${path}/missing?includeObject=All`, tableV1), { code: 404, reason: 'NotFound' });
    assert.equal(ok(await admin.get(`${path}?includeObject=Everything`)).kind, 'RoleBindingList');
  });

  test('a write whose answer could not be converted is refused before it runs, with the Status kube gives after it', async () => {
    const create = () => accepting(tableV1).post(`${path}?includeObject=Everything`, roleBinding('never-bound', roleRef('Role', 'reader')));
    const refused = await assertRefused(w, admin, create, { code: 400, reason: 'BadRequest' });
    assert.equal(refused.message, 'Unable to convert to Table as requested: includeObject: Invalid value: "Everything": must be \'Metadata\', \'Object\', \'None\', or empty');
    assertStatus(await admin.get(`${path}/never-bound`), { code: 404, reason: 'NotFound' });
    const current = ok(await admin.get(`${path}/readers`));
    const relabel = () => accepting('application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io').put(`${path}/readers`, { ...current, metadata: { ...current.metadata, labels: { changed: 'yes' } } });
    const wrongShape = await assertRefused(w, admin, relabel, { code: 406, reason: 'NotAcceptable' });
    assert.equal(wrongShape.message, 'you requested PartialObjectMetadataList, but the requested object is not a list (*rbac.RoleBinding)');
    assert.equal(ok(await admin.get(`${path}/readers`)).metadata.labels?.changed, undefined);
    ok(await admin.post('/api/v1/namespaces/empty/serviceaccounts', serviceAccount('kept')), 201);
    const purge = () => accepting('application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io').delete('/api/v1/namespaces/empty/serviceaccounts');
    assert.equal((await assertRefused(w, admin, purge, { code: 406, reason: 'NotAcceptable' })).message, 'you requested PartialObjectMetadata, but the requested object is a list (*core.ServiceAccountList)');
    ok(await admin.get('/api/v1/namespaces/empty/serviceaccounts/kept'));
  });
});

describe('list metadata and single objects', () => {
  test('a list Table keeps the list\'s resourceVersion, continue and remainingItemCount, and pages alike', async () => {
    const plain = ok(await admin.get('/api/v1/namespaces?limit=2'));
    const first = await table('/api/v1/namespaces?limit=2');
    assert.deepEqual(first.metadata, plain.metadata);
    assert.ok(first.metadata.continue, 'more namespaces than one page');
    assert.deepEqual(first.rows.map((r: Obj) => r.cells[0]), plain.items.map((o: Obj) => o.metadata.name));
    const next = ok(await admin.get(`/api/v1/namespaces?limit=2&continue=${plain.metadata.continue}`));
    const nextTable = await table(`/api/v1/namespaces?limit=2&continue=${first.metadata.continue}`);
    assert.deepEqual(nextTable.rows.map((r: Obj) => r.cells[0]), next.items.map((o: Obj) => o.metadata.name));
  });

  test('get answers a one-row Table carrying the object\'s resourceVersion; status and create answers convert too', async () => {
    const object = ok(await admin.get(`${rbacBase}/namespaces/${ns}/rolebindings/readers`));
    const t = await table(`${rbacBase}/namespaces/${ns}/rolebindings/readers`, w.adminToken, tableV1);
    assert.deepEqual(t.metadata, { resourceVersion: object.metadata.resourceVersion });
    assert.equal(t.rows.length, 1);
    assert.equal(t.rows[0].cells[1], 'Role/reader');
    const status = await table(`/api/v1/namespaces/${ns}/resourcequotas/compute/status`, w.adminToken, tableV1);
    assert.equal(status.rows[0].cells[0], 'compute');
    const created = await accepting(tableV1).post(`/api/v1/namespaces/${ns}/serviceaccounts`, serviceAccount('built'));
    assert.equal(created.status, 201);
    assert.equal(created.body.kind, 'Table');
    assert.deepEqual(created.body.rows[0].cells.slice(0, 2), ['built', 0]);
  });

  test('a Table is application/json, or YAML when asked as YAML', async () => {
    const r = await getAs(w.adminToken, `${rbacBase}/clusterrolebindings`, kubectlAccept);
    assert.match(r.headers['content-type'], /^application\/json(;|$)/);
    const y = await getAs(w.adminToken, `${rbacBase}/clusterrolebindings`, 'application/yaml;as=Table;v=v1;g=meta.k8s.io');
    assert.equal(y.status, 200);
    assert.match(y.headers['content-type'], /^application\/yaml(;|$)/);
    const doc = YAML.parse(y.text);
    assert.equal(doc.kind, 'Table');
    assert.ok(doc.rows.some((row: Obj) => row.cells[0] === 'viewers'));
  });
});

describe('negotiation', () => {
  const list = `${rbacBase}/namespaces/${ns}/rolebindings`;

  test('a clause the endpoint cannot answer is skipped: the next one decides, and none acceptable is 406', async () => {
    const plain = async (accept: string) => ok(await getAs(w.adminToken, list, accept)).kind;
    assert.equal(await plain('application/json;as=Table,application/json'), 'RoleBindingList', 'a Table without its group and version');
    assert.equal(await plain('application/json;as=Table;v=v2;g=meta.k8s.io,application/json'), 'RoleBindingList');
    assert.equal(await plain('application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io,application/json'), 'RoleBindingList', 'Tables are JSON or YAML only');
    assert.equal(await plain('application/json;as=Table;v=v1;g=meta.k8s.io;q=0.5,application/json'), 'RoleBindingList', 'q orders the clauses');
    assert.equal(await plain('application/json;as=Table;v=v1;g=meta.k8s.io;q=0.95 , application/json;q=0.9'), 'RoleBindingList', 'a q that does not parse (trailing space) is 0, as goautoneg reads it');
    assert.equal(await plain('application/json;as=Table;v=v1;g=meta.k8s.io;q=0.95, application/json;q=0.9'), 'Table');
    assert.equal(await plain('*/*;as=Table;v=v1;g=meta.k8s.io'), 'Table', 'a wildcard takes the first serializer, JSON');
    assert.equal(await plain('application/*;q=0.9;as=Table;v=v1;g=meta.k8s.io, application/json;as=Table;v=v2;g=meta.k8s.io'), 'Table', 'a skipped clause falls through to the next in order');
    for (const accept of ['application/json;as=Table', 'application/json;as=Table;v=v2;g=meta.k8s.io', 'application/json;as=Widget;v=v1;g=meta.k8s.io']) {
      const body = assertStatus(await getAs(w.adminToken, list, accept), { code: 406, reason: 'NotAcceptable' });
      assert.equal(body.message, notAcceptable);
    }
  });

  test('reviews, discovery and subresources make no Table: JSON when also accepted, else 406 before anything runs', async () => {
    const sar = { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: { user: 'alice', resourceAttributes: { verb: 'list', resource: 'rolebindings', group: 'rbac.authorization.k8s.io', namespace: ns } } };
    const reviewed = await accepting(kubectlAccept).post('/apis/authorization.k8s.io/v1/subjectaccessreviews', sar);
    assert.equal(reviewed.status, 201, JSON.stringify(reviewed.body));
    assert.equal(reviewed.body.kind, 'SubjectAccessReview');
    const refused = await accepting(tableV1).post('/apis/authorization.k8s.io/v1/subjectaccessreviews', sar);
    assert.equal(assertStatus(refused, { code: 406, reason: 'NotAcceptable' }).message, notAcceptable);
    assert.equal(ok(await getAs(w.adminToken, '/api/v1', kubectlAccept)).kind, 'APIResourceList');
    assertStatus(await getAs(w.adminToken, '/api/v1', tableV1), { code: 406, reason: 'NotAcceptable' });
    const tokenRequest = { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: {} };
    assertStatus(await accepting(tableV1).post(`/api/v1/namespaces/${ns}/serviceaccounts/robot/token`, tokenRequest), { code: 406, reason: 'NotAcceptable' });
    const bulk = [namespace('never-written')];
    await assertRefused(w, admin, () => accepting(tableV1).post('/apis/warden.dev/v1/apply', { apiVersion: 'v1', kind: 'List', items: bulk }), { code: 406, reason: 'NotAcceptable' });
    assertStatus(await admin.get('/api/v1/namespaces/never-written'), { code: 404, reason: 'NotFound' });
  });

  test('PartialObjectMetadataList and PartialObjectMetadata convert as kube\'s metadata clients ask; the wrong shape is 406', async () => {
    const names = (ok(await admin.get(list)).items as Obj[]).map((o) => o.metadata.name);
    const metaList = ok(await getAs(w.adminToken, list, 'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io,application/json'));
    assert.equal(metaList.kind, 'PartialObjectMetadataList');
    assert.equal(metaList.apiVersion, 'meta.k8s.io/v1');
    assert.deepEqual(metaList.items.map((o: Obj) => [o.kind, o.metadata.name]), names.map((n) => ['PartialObjectMetadata', n]));
    const one = ok(await getAs(w.adminToken, `${list}/readers`, 'application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io'));
    assert.deepEqual(Object.keys(one), ['kind', 'apiVersion', 'metadata']);
    assert.equal(one.metadata.name, 'readers');
    const wrong = assertStatus(await getAs(w.adminToken, `${list}/readers`, 'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io'), { code: 406, reason: 'NotAcceptable' });
    assert.equal(wrong.message, 'you requested PartialObjectMetadataList, but the requested object is not a list (*rbac.RoleBinding)');
    const listAsOne = assertStatus(await getAs(w.adminToken, list, 'application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io'), { code: 406, reason: 'NotAcceptable' });
    assert.equal(listAsOne.message, 'you requested PartialObjectMetadata, but the requested object is a list (*rbac.RoleBindingList)');
  });

  test('a failure asked as a Table is its Status', async () => {
    const r = await getAs(w.adminToken, `${list}/missing`, kubectlAccept);
    assertStatus(r, { code: 404, reason: 'NotFound', message: ['rolebindings.rbac.authorization.k8s.io "missing" not found'] });
  });
});

describe('authorization is unchanged', () => {
  let dan: string;
  let erin: string;
  before(async () => {
    dan = await userWithToken(admin, 'dan');
    erin = await userWithToken(admin, 'erin');
    // erin may read namespace `printing` and list its RoleBindings, nothing else.
    ok(await admin.post(`${rbacBase}/namespaces/${ns}/roles`, role('erin-reads', [rule(['get'], ['namespaces']), rule(['list'], ['rolebindings'], ['rbac.authorization.k8s.io'])])), 201);
    ok(await admin.post(`${rbacBase}/namespaces/${ns}/rolebindings`, roleBinding('erin-reads', roleRef('Role', 'erin-reads'), [user('erin')])), 201);
  });

  test('a caller who may not list gets 403, not a Table and not 406', async () => {
    for (const accept of [kubectlAccept, tableV1]) {
      assertStatus(await getAs(dan, `${rbacBase}/namespaces/${ns}/rolebindings`, accept), { code: 403, reason: 'Forbidden', message: ['User "dan" cannot list resource "rolebindings"'] });
      const sar = { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: { user: 'alice', resourceAttributes: { verb: 'get', resource: 'pods' } } };
      assertStatus(await accepting(accept, dan).post('/apis/authorization.k8s.io/v1/subjectaccessreviews', sar), { code: 403, reason: 'Forbidden' });
    }
  });

  test('rows show only what the caller may see: its namespaces, and bindings of namespaces it may list them in', async () => {
    const everything = await table(`${rbacBase}/rolebindings`);
    assert.ok(everything.rows.some((r: Obj) => r.object.metadata.namespace === 'acme-one'), 'the tenant namespace has bindings the admin sees');
    const bindings = await table(`${rbacBase}/rolebindings`, erin);
    assert.ok(bindings.rows.length > 0);
    assert.deepEqual([...new Set(bindings.rows.map((r: Obj) => r.object.metadata.namespace))], [ns]);
    const spaces = await table('/api/v1/namespaces', erin);
    assert.deepEqual(spaces.rows.map((r: Obj) => r.cells[0]), [ns]);
    const whole = await table('/api/v1/namespaces?includeObject=Object', erin);
    assert.deepEqual(whole.rows.map((r: Obj) => r.object.metadata.name), [ns]);
  });
});

describe('cells written as kube writes them', () => {
  const s = 1000;
  const m = 60 * s;
  const h = 60 * m;
  const d = 24 * h;
  const durations: [number, string][] = [
    [-2 * s, '<invalid>'], [-1.5 * s, '0s'], [0, '0s'], [59 * s, '59s'], [119 * s, '119s'], [120 * s, '2m'], [125 * s, '2m5s'],
    [9 * m + 59 * s, '9m59s'], [10 * m + 30 * s, '10m'], [179 * m, '179m'], [3 * h, '3h'], [3 * h + 5 * m, '3h5m'], [7 * h + 59 * m, '7h59m'],
    [8 * h + 30 * m, '8h'], [47 * h, '47h'], [48 * h, '2d'], [49 * h, '2d1h'], [7 * d + 23 * h, '7d23h'], [8 * d + 5 * h, '8d'],
    [729 * d, '729d'], [730 * d, '2y'], [731 * d, '2y1d'], [8 * 365 * d, '8y'], [10 * 365 * d + 40 * d, '10y'],
  ];
  for (const [ms, text] of durations) {
    test(`an age of ${ms} ms reads ${text} (duration.HumanDuration)`, () => assert.equal(humanDuration(ms), text));
  }

  const selectors: [Obj, string][] = [
    [{}, '<none>'],
    [{ matchLabels: { b: '2', a: '1' } }, 'a=1,b=2'],
    [{ matchExpressions: [{ key: 'k', operator: 'In', values: ['z', 'y'] }] }, 'k in (y,z)'],
    [{ matchExpressions: [{ key: 'k', operator: 'NotIn', values: ['x'] }] }, 'k notin (x)'],
    [{ matchExpressions: [{ key: 'k', operator: 'Exists' }, { key: 'j', operator: 'DoesNotExist' }] }, '!j,k'],
    [{ matchExpressions: [{ key: 'k', operator: 'Near', values: ['x'] }] }, '<error>'],
  ];
  for (const [selector, text] of selectors) {
    test(`the selector ${JSON.stringify(selector)} reads ${text} (metav1.FormatLabelSelector)`, () => assert.equal(formatLabelSelector(selector), text));
  }
});
