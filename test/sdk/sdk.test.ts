/**
 * @warden/sdk against a real Warden over HTTP: every resource client
 * method, pagination past three pages, every decision and review, history,
 * bulk apply, identity calls, read-your-writes headers, and every error
 * path (Status errors, bad token, unreachable, timeout, abort).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Warden, WardenError } from '@warden/sdk';
import { startTestWarden, type TestWarden } from '../support/warden.ts';
import { freePort } from '../support/process.ts';

let w: TestWarden;
let warden: Warden;
const sent: { method: string; url: string; headers: Headers }[] = [];

const recordingFetch = (input: string | URL | Request, init?: RequestInit) => {
  sent.push({ method: init?.method ?? 'GET', url: String(input), headers: new Headers(init?.headers) });
  return fetch(input, init);
};

const rbac = 'rbac.authorization.k8s.io';

before(async () => {
  w = await startTestWarden({ listen: true, env: { PORT: '0', WARDEN_TLS_PORT: 'off', HOST: '127.0.0.1' } });
  warden = new Warden({ baseUrl: w.warden.url!, token: w.adminToken, fetch: recordingFetch });
  await warden.apply(`
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: pod-reader, namespace: shop}
rules:
- {apiGroups: [""], resources: [pods], verbs: [get, list]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: readers, namespace: shop}
subjects: [{kind: User, name: alice}]
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: pod-reader}
`);
});

after(async () => {
  await w?.close();
});

describe('resource clients', () => {
  test('create, get, update, patch (merge, json, apply), delete a Role', async () => {
    const created = await warden.roles.create({ metadata: { name: 'r1', namespace: 'shop' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] });
    assert.equal(created.kind, 'Role');
    assert.equal((await warden.roles.get('r1', { namespace: 'shop' })).rules?.[0].verbs?.[0], 'get');
    const updated = await warden.roles.update({ ...created, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }] });
    assert.deepEqual(updated.rules?.[0].verbs, ['get', 'list']);
    const merged = await warden.roles.patch('r1', { metadata: { labels: { team: 'a' } } }, { namespace: 'shop' });
    assert.equal(merged.metadata?.labels?.team, 'a');
    const jsonPatched = await warden.roles.patch('r1', [{ op: 'add', path: '/metadata/labels/tier', value: 'x' }], { namespace: 'shop', type: 'json' });
    assert.equal(jsonPatched.metadata?.labels?.tier, 'x');
    const applied = await warden.roles.patch('r1', { apiVersion: `${rbac}/v1`, kind: 'Role', metadata: { name: 'r1', namespace: 'shop' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['watch'] }] }, { namespace: 'shop', type: 'apply', fieldManager: 'sdk-test', force: true });
    assert.deepEqual(applied.rules?.[0].verbs, ['watch']);
    await warden.roles.delete('r1', { namespace: 'shop' });
    await assert.rejects(warden.roles.get('r1', { namespace: 'shop' }), (e: WardenError) => e instanceof WardenError && e.status === 404 && e.reason === 'NotFound');
  });

  test('a stale resourceVersion on update is a 409 Conflict WardenError', async () => {
    const sa = await warden.serviceAccounts.create({ metadata: { name: 'deployer', namespace: 'shop' } });
    await warden.serviceAccounts.patch('deployer', { metadata: { labels: { a: 'b' } } }, { namespace: 'shop' });
    await assert.rejects(warden.serviceAccounts.update(sa), (e: WardenError) => e.status === 409 && e.reason === 'Conflict');
  });

  test('list follows continue tokens past three pages, in one namespace and across all', async () => {
    for (let i = 0; i < 7; i++) await warden.roleBindings.create({ metadata: { name: `page-${i}`, namespace: 'shop', labels: { paged: 'yes' } }, subjects: [{ kind: 'User', name: `u${i}` }], roleRef: { apiGroup: rbac, kind: 'ClusterRole', name: 'view' } });
    const before = sent.length;
    const names = (await warden.roleBindings.all({ namespace: 'shop', labelSelector: 'paged=yes', limit: 2 })).map((b) => b.metadata?.name);
    assert.deepEqual(names.sort(), [0, 1, 2, 3, 4, 5, 6].map((i) => `page-${i}`));
    assert.equal(sent.length - before, 4, 'four pages of two');
    const everywhere = await warden.roleBindings.all({ labelSelector: 'paged=yes', limit: 3 });
    assert.equal(everywhere.length, 7);
    const byField = await warden.roleBindings.all({ namespace: 'shop', fieldSelector: 'metadata.name=page-3' });
    assert.deepEqual(byField.map((b) => b.metadata?.name), ['page-3']);
    const first = await warden.roleBindings.page({ namespace: 'shop', labelSelector: 'paged=yes', limit: 2 });
    assert.equal(first.items.length, 2);
    assert.ok(first.continue);
    await warden.roleBindings.deleteCollection({ namespace: 'shop', labelSelector: 'paged=yes' });
    assert.equal((await warden.roleBindings.all({ namespace: 'shop', labelSelector: 'paged=yes' })).length, 0);
  });

  test('every kind has a working client', async () => {
    await warden.namespaces.create({ metadata: { name: 'kinds' } });
    assert.ok((await warden.namespaces.all()).some((n) => n.metadata?.name === 'kinds'));
    await warden.clusterRoles.create({ metadata: { name: 'sdk-cr' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] });
    await warden.clusterRoleBindings.create({ metadata: { name: 'sdk-crb' }, subjects: [{ kind: 'User', name: 'carol' }], roleRef: { apiGroup: rbac, kind: 'ClusterRole', name: 'sdk-cr' } });
    assert.equal((await warden.clusterRoleBindings.get('sdk-crb')).roleRef?.name, 'sdk-cr');
    const quota = await warden.resourceQuotas.create({ metadata: { name: 'q', namespace: 'kinds' }, spec: { hard: { pods: '10' } } });
    assert.equal(quota.spec?.hard?.pods, '10');
    assert.equal((await warden.quotaStatus('q', { namespace: 'kinds' })).metadata?.name, 'q');
    const patched = await warden.patchQuotaStatus('q', { status: { hard: { pods: '10' }, used: { pods: '1' } } }, { namespace: 'kinds' });
    assert.equal(patched.status?.used?.pods, '1');
    const fresh = await warden.quotaStatus('q', { namespace: 'kinds' });
    const replaced = await warden.updateQuotaStatus({ ...fresh, status: { hard: { pods: '10' }, used: { pods: '2' } } });
    assert.equal(replaced.status?.used?.pods, '2');
    await warden.networkPolicies.create({ metadata: { name: 'deny', namespace: 'kinds' }, spec: { podSelector: {}, policyTypes: ['Ingress'] } });
    assert.equal((await warden.networkPolicies.all({ namespace: 'kinds' })).length, 1);
    await warden.users.create({ metadata: { name: 'dave' }, spec: { groups: ['devs'] } });
    const token = await warden.tokens.create({ metadata: { name: 'dave-ci' }, spec: { user: 'dave' } });
    assert.match(token.status?.token ?? '', /.{20,}/, 'the secret is shown once, on issue');
    assert.deepEqual((await new Warden({ baseUrl: w.warden.url!, token: token.status!.token }).whoAmI()).username, 'dave');
    assert.equal((await warden.reviewToken(token.status!.token!)).user?.username, 'dave');
    await warden.tokens.delete('dave-ci');
    await warden.tenants.create({ metadata: { name: 'acme' }, spec: { owners: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'erin' }] } });
    assert.equal((await warden.tenants.get('acme')).spec?.owners?.[0].name, 'erin');
    const crds = await warden.customResourceDefinitions.all();
    assert.ok(Array.isArray(crds));
    await warden.serviceAccounts.create({ metadata: { name: 'bot', namespace: 'kinds' } });
    const sat = await warden.serviceAccountToken('bot', { namespace: 'kinds', expirationSeconds: 600 });
    assert.equal((await warden.reviewToken(sat.token)).user?.username, 'system:serviceaccount:kinds:bot');
    await warden.namespaces.delete('kinds');
  });

  test('a namespaced kind without a namespace is refused before any request', async () => {
    const before = sent.length;
    await assert.rejects(warden.roles.get('x'), (e: WardenError) => e.status === 400 && /namespaced/.test(e.message));
    assert.equal(sent.length, before);
  });
});

describe('decisions', () => {
  test('can, localCan, selfCan answer with reason and revision', async () => {
    const d = await warden.can({ user: 'alice', verb: 'list', resource: 'pods', namespace: 'shop' });
    assert.equal(d.allowed, true);
    assert.match(d.reason, /RoleBinding "readers\/shop"/);
    assert.ok(d.revision > 0);
    assert.equal((await warden.can({ user: 'alice', verb: 'delete', resource: 'pods', namespace: 'shop' })).allowed, false);
    assert.equal((await warden.localCan({ user: 'alice', verb: 'get', resource: 'pods', namespace: 'shop' })).allowed, true);
    assert.equal((await warden.selfCan({ verb: 'delete', resource: 'namespaces' })).allowed, true);
    assert.equal((await warden.can({ user: 'alice', verb: 'get', path: '/healthz' })).allowed, false);
  });

  test('canMany answers in order, in chunks past the batch limit', async () => {
    const qs = Array.from({ length: 1203 }, (_, i) => ({ user: 'alice', verb: i % 2 ? 'get' : 'delete', resource: 'pods', namespace: 'shop' }));
    const before = sent.length;
    const answers = await warden.canMany(qs);
    assert.equal(sent.length - before, 2, 'two batches');
    assert.equal(answers.length, 1203);
    answers.forEach((a, i) => assert.equal(a.allowed, i % 2 === 1));
  });

  test('explain gives what allowed it, or the bindings that applied and what was missing', async () => {
    const yes = await warden.explain({ user: 'alice', verb: 'get', resource: 'pods', namespace: 'shop' });
    assert.equal(yes.allowed, true);
    assert.deepEqual(yes.grantedBy && 'binding' in yes.grantedBy ? [yes.grantedBy.binding, yes.grantedBy.role] : undefined, [{ kind: 'RoleBinding', namespace: 'shop', name: 'readers' }, { kind: 'Role', name: 'pod-reader', namespace: 'shop' }]);
    const no = await warden.explain({ user: 'alice', verb: 'delete', resource: 'pods', namespace: 'shop' });
    assert.equal(no.allowed, false);
    assert.ok(no.reason.length > 0);
    assert.equal(no.considered[0].binding.name, 'readers');
    assert.ok(no.considered[0].rules?.some((r) => r.resources?.includes('pods') && r.verbs?.includes('list')));
    assert.match(no.missing ?? '', /"delete" on resource "pods"/);
  });

  test('rules and selfRules', async () => {
    const r = await warden.rules({ user: 'alice', namespace: 'shop' });
    assert.ok(r.resourceRules?.some((x) => x.resources?.includes('pods')));
    const self = await warden.selfRules({ namespace: 'shop' });
    assert.ok(self.resourceRules?.some((x) => x.verbs?.includes('*')));
  });

  test('whoCan iterates every subject across pages, with the bindings that grant it', async () => {
    for (let i = 0; i < 5; i++) await warden.roleBindings.create({ metadata: { name: `wc-${i}`, namespace: 'shop' }, subjects: [{ kind: 'User', name: `wc-user-${i}` }], roleRef: { apiGroup: rbac, kind: 'Role', name: 'pod-reader' } });
    const before = sent.length;
    const subjects = [];
    for await (const s of warden.whoCan({ verb: 'get', resource: 'pods', namespace: 'shop', limit: 2 })) subjects.push(s);
    assert.ok(sent.length - before >= 4, 'more than three pages');
    const alice = subjects.find((s) => s.kind === 'User' && s.name === 'alice');
    assert.deepEqual(alice?.bindings.map((b) => b.name), ['readers']);
    for (let i = 0; i < 5; i++) assert.ok(subjects.some((s) => s.name === `wc-user-${i}`));
    assert.ok(subjects.some((s) => s.privileged === 'system:masters'));
  });

  test('whoCan across a write between pages is 410 Expired', async () => {
    const pages = warden.whoCan({ verb: 'get', resource: 'pods', namespace: 'shop', limit: 1 });
    await pages.next();
    await warden.serviceAccounts.create({ metadata: { name: 'moves-revision', namespace: 'shop' } });
    await assert.rejects(async () => { for await (const _ of pages) { /* drain */ } }, (e: WardenError) => e.status === 410 && e.reason === 'Expired');
  });

  test('traffic and reachability reviews', async () => {
    const t = await warden.traffic({ source: { namespace: 'shop', labels: { app: 'web' } }, destination: { namespace: 'shop', labels: { app: 'db' } }, port: 5432 });
    assert.equal(t.allowed, true);
    assert.ok(t.revision > 0);
    const r = await warden.reachability({ endpoints: [{ namespace: 'shop', labels: { app: 'web' } }, { namespace: 'shop', labels: { app: 'db' } }], port: 80 });
    assert.equal(r.allowed?.[0]?.[1], true);
  });

  test('whatIf shows the permission delta and answers questions as they would be', async () => {
    const change = [{ apiVersion: `${rbac}/v1`, kind: 'RoleBinding', metadata: { name: 'bob-edit', namespace: 'shop' }, subjects: [{ kind: 'User', name: 'bob' }], roleRef: { apiGroup: rbac, kind: 'ClusterRole', name: 'edit' } }];
    const r = await warden.whatIf(change, [{ user: 'bob', verb: 'delete', resource: 'pods', namespace: 'shop' }, { user: 'alice', verb: 'list', resource: 'pods', namespace: 'shop' }]);
    assert.ok(r.entries.some((e) => e.subject?.name === 'bob' && (e.gained ?? []).length > 0));
    assert.equal(r.answers[0].before, false);
    assert.equal(r.answers[0].after, true);
    assert.deepEqual([r.answers[1].before, r.answers[1].after], [true, true]);
    const del = await warden.whatIf({ delete: [{ kind: 'RoleBinding', namespace: 'shop', name: 'readers' }] }, [{ user: 'alice', verb: 'list', resource: 'pods', namespace: 'shop' }]);
    assert.equal(del.answers[0].after, false);
    await assert.rejects(warden.roleBindings.get('bob-edit', { namespace: 'shop' }), (e: WardenError) => e.status === 404, 'nothing is written');
  });

  test('risks lists findings', async () => {
    const r = await warden.risks({});
    assert.ok(Array.isArray(r.findings));
    assert.ok(r.revision > 0);
    const inShop = await warden.risks({ namespace: 'shop' });
    assert.ok(inShop.findings.every((f) => !f.namespace || f.namespace === 'shop'));
  });
});

describe('history, apply and server info', () => {
  test('changes and decisions iterate through pages with filters', async () => {
    const changes = [];
    for await (const c of warden.changes({ namespace: 'shop', kind: 'RoleBinding', limit: 2 })) changes.push(c);
    assert.ok(changes.length >= 7);
    assert.ok(changes.every((c) => c.object.kind === 'RoleBinding'));
    assert.ok(changes[0].revision >= changes[changes.length - 1].revision, 'newest first');
    await warden.can({ user: 'history-user', verb: 'get', resource: 'pods', namespace: 'shop' });
    let found: unknown[] = [];
    for (let i = 0; i < 50 && !found.length; i++) {
      found = [];
      for await (const d of warden.decisions({ user: 'history-user', allowed: false, since: new Date(Date.now() - 60_000) })) found.push(d);
      if (!found.length) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(found.length, 1);
  });

  test('apply takes objects or YAML, and a dry run writes nothing', async () => {
    const items = await warden.apply([{ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'applied', namespace: 'shop' } }]);
    assert.equal(items[0].metadata?.name, 'applied');
    await warden.apply('apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: dry, namespace: shop}\n', { dryRun: true });
    await assert.rejects(warden.serviceAccounts.get('dry', { namespace: 'shop' }), (e: WardenError) => e.status === 404);
  });

  test('version and ready', async () => {
    assert.ok((await warden.version()).gitVersion);
    assert.deepEqual(await warden.ready(), { live: true, ready: true });
  });
});

describe('read-your-writes', () => {
  test('writes raise the minimum revision sent on later requests; it can be turned off', async () => {
    const c = new Warden({ baseUrl: w.warden.url!, token: w.adminToken, fetch: recordingFetch });
    assert.equal(c.revision, 0);
    const before = sent.length;
    await c.serviceAccounts.list({ namespace: 'shop' }).next();
    assert.equal(sent[before].headers.get('x-warden-min-revision'), null, 'nothing to wait for before a write');
    const sa = await c.serviceAccounts.create({ metadata: { name: 'ryw', namespace: 'shop' } });
    assert.equal(c.revision, Number(sa.metadata?.resourceVersion));
    const d = await c.can({ user: 'x', verb: 'get', resource: 'pods' });
    assert.equal(sent[sent.length - 1].headers.get('x-warden-min-revision'), String(c.revision));
    assert.ok(d.revision >= c.revision);
    await c.apply('apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: dry2, namespace: shop}\n', { dryRun: true });
    assert.equal(c.revision, Number(sa.metadata?.resourceVersion), 'a dry run moves nothing');
    c.readYourWrites = false;
    await c.can({ user: 'x', verb: 'get', resource: 'pods' });
    assert.equal(sent[sent.length - 1].headers.get('x-warden-min-revision'), null);
  });
});

describe('errors', () => {
  test('Invalid carries the causes naming the field', async () => {
    await assert.rejects(warden.roles.create({ metadata: { name: 'broken', namespace: 'shop' }, rules: [{ apiGroups: [''], resources: ['pods'] }] }), (e: WardenError) =>
      e.status === 422 && e.reason === 'Invalid' && e.causes.some((c) => c.field === 'rules[0].verbs') && e.body?.kind === 'Status');
  });

  test('AlreadyExists, Forbidden and Unauthorized', async () => {
    await assert.rejects(warden.namespaces.create({ metadata: { name: 'shop' } }), (e: WardenError) => e.status === 409 && e.reason === 'AlreadyExists');
    await assert.rejects(new Warden({ baseUrl: w.warden.url!, token: 'nope' }).namespaces.get('shop'), (e: WardenError) => e.status === 401 && e.reason === 'Unauthorized');
    await warden.users.create({ metadata: { name: 'frank' } });
    const t = await warden.tokens.create({ metadata: { name: 'frank-t' }, spec: { user: 'frank' } });
    await assert.rejects(new Warden({ baseUrl: w.warden.url!, token: t.status!.token }).namespaces.get('shop'), (e: WardenError) => e.status === 403 && e.reason === 'Forbidden' && /frank/.test(e.message));
  });

  test('a bad question is a 4xx WardenError, not a crash', async () => {
    await assert.rejects(warden.can({ user: '', verb: 'get', resource: 'pods' }), (e: WardenError) => e.status === 422 && e.causes.length > 0);
    await assert.rejects(warden.traffic({ source: { namespace: 'nowhere', labels: {} }, destination: { ip: '10.0.0.1' }, port: 80 }), (e: WardenError) => e.status === 422 && /spec\.source\.namespace/.test(e.message + JSON.stringify(e.causes)));
    await assert.rejects(warden.apply('kind: [unclosed'), (e: WardenError) => e.status === 400);
  });

  test('an unreachable server is a WardenError Unreachable within the deadline', async () => {
    const port = await freePort();
    const c = new Warden({ baseUrl: `http://127.0.0.1:${port}`, token: 't', retryBaseMs: 10 });
    const started = Date.now();
    await assert.rejects(c.version(), (e: WardenError) => e.status === 0 && e.reason === 'Unreachable' && /ECONNREFUSED/.test(e.message));
    assert.ok(Date.now() - started < 2000);
  });

  test('a call past its deadline is a WardenError Timeout; a caller abort is the abort reason', async () => {
    const http = await import('node:http');
    const server = http.createServer(() => { /* never answers */ });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      await assert.rejects(new Warden({ baseUrl: url, token: 't', timeoutMs: 200 }).version(), (e: WardenError) => e.reason === 'Timeout' && e.status === 0);
      const ac = new AbortController();
      setTimeout(() => ac.abort(new Error('stopped by caller')), 50);
      await assert.rejects(new Warden({ baseUrl: url, token: 't' }).version({ signal: ac.signal }), /stopped by caller/);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  test('a bad baseUrl is refused at construction', () => {
    assert.throws(() => new Warden({ baseUrl: 'warden:8080' }), WardenError);
  });
});
