/**
 * GET /apis/audit.warden.dev/v1/decisions: every filter selects exactly its
 * entries, newest first; paging with limit and continue is complete and
 * stable while new decisions arrive; retention prunes old entries; dropped
 * entries are counted on /metrics and announced by a Warning on the list;
 * the resource is discoverable and authorized as `list` on `decisions`.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DecisionEntry } from '../../api/audit/decision-log.ts';
import { ConfigError, loadConfig } from '../../api/config.ts';
import { clusterRole, clusterRoleBinding, rbacBase, roleRef, user } from '../api/builders.ts';
import { api, assertStatus, ok, type Api } from '../api/client.ts';
import { startTestWarden, type TestWarden } from '../support/warden.ts';

const base = '/apis/audit.warden.dev/v1/decisions';
/** A whole minute an hour ago: recent enough that retention keeps what the tests record at it. */
const t0 = Math.floor(Date.now() / 60_000) * 60_000 - 3_600_000;
const minute = (n: number) => new Date(t0 + n * 60_000);
const seconds = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
/** `d` written with a +01:00 offset, URL-encoded. */
const plusOne = (d: Date) => `${new Date(d.getTime() + 3_600_000).toISOString().slice(0, 19)}%2B01:00`;

let w: TestWarden;
let a: Api;
before(async () => {
  w = await startTestWarden({ env: { WARDEN_DECISION_LOG_QUEUE: '100', WARDEN_DECISION_LOG_BATCH: '20' } });
  a = api(w);
});
after(async () => { await w?.close(); });

const record = (e: Partial<DecisionEntry> & { tag: string }) => {
  const { tag, ...rest } = e;
  w.warden.deps.decisions!.record({
    caller: 'warden:admin', subject: { user: 'nobody' }, kind: 'SubjectAccessReview', question: { tag },
    allowed: false, reason: 'no binding', revision: 1, ...rest,
  });
};

const tags = (body: Record<string, any>) => body.items.map((i: any) => i.spec.question.tag);
const list = async (query: string) => ok(await a.get(`${base}?${query}`));

test('each filter selects exactly its decisions, newest first', async () => {
  record({ tag: 'e1', at: minute(1), subject: { user: 'alice', groups: ['devs'] }, namespace: 'team-a', verb: 'get', resource: 'pods', allowed: true });
  record({ tag: 'e2', at: minute(2), subject: { user: 'alice', groups: ['devs', 'ops'] }, kind: 'LocalSubjectAccessReview', namespace: 'team-b', verb: 'list', resource: 'secrets' });
  record({ tag: 'e3', at: minute(3), subject: { user: 'bob', groups: ['ops'] }, kind: 'AdmissionReview', namespace: 'team-a', verb: 'delete', resource: 'pods' });
  record({ tag: 'e4', at: minute(4), subject: { user: 'bob' }, kind: 'AuthorizationWebhook', verb: 'get', path: '/metrics', allowed: true });
  record({ tag: 'e5', at: minute(5), subject: { user: 'carol', groups: ['devs'] }, kind: 'TrafficReview', namespace: 'team-a', allowed: true });
  await w.warden.deps.decisions!.flush();

  const window = `since=${minute(0).toISOString()}&until=${minute(60).toISOString()}`;
  const cases: [string, string[]][] = [
    [window, ['e5', 'e4', 'e3', 'e2', 'e1']],
    ['user=alice', ['e2', 'e1']],
    ['group=ops', ['e3', 'e2']],
    ['group=devs', ['e5', 'e2', 'e1']],
    ['namespace=team-a', ['e5', 'e3', 'e1']],
    ['verb=get', ['e4', 'e1']],
    ['resource=pods', ['e3', 'e1']],
    [`allowed=false&${window}`, ['e3', 'e2']],
    [`allowed=true&${window}`, ['e5', 'e4', 'e1']],
    ['kind=TrafficReview', ['e5']],
    ['kind=AuthorizationWebhook', ['e4']],
    [`since=${minute(3).toISOString()}&until=${minute(60).toISOString()}`, ['e5', 'e4', 'e3']],
    [`until=${minute(3).toISOString()}`, ['e2', 'e1']],
    [`since=${minute(2).toISOString()}&until=${minute(4).toISOString()}`, ['e3', 'e2']],
    [`since=${plusOne(minute(2))}&until=${seconds(minute(4))}`, ['e3', 'e2']],
    [`since=${minute(5).toISOString()}&until=${minute(5).toISOString()}`, []],
    ['user=alice&namespace=team-a', ['e1']],
    ['user=bob&allowed=true&verb=get', ['e4']],
    ['user=nobody-at-all', []],
  ];
  for (const [query, want] of cases) assert.deepEqual(tags(await list(query)), want, query);
});

test('an entry reads back as a Decision: spec is the question, status the answer', async () => {
  const body = await list('kind=AuthorizationWebhook');
  assert.deepEqual(body.apiVersion, 'audit.warden.dev/v1');
  assert.deepEqual(body.kind, 'DecisionList');
  const [item] = body.items;
  assert.match(item.metadata.name, /^\d+$/);
  assert.deepEqual(item, {
    apiVersion: 'audit.warden.dev/v1', kind: 'Decision',
    metadata: { name: item.metadata.name, creationTimestamp: seconds(minute(4)) },
    spec: {
      at: minute(4).toISOString(), caller: 'warden:admin', subject: { user: 'bob', groups: [] }, kind: 'AuthorizationWebhook',
      verb: 'get', path: '/metrics', question: { tag: 'e4' },
    },
    status: { allowed: true, reason: 'no binding', revision: 1 },
  });
});

/** Every page of `query` with `limit`, following continue tokens; `between` runs after the first page. */
async function walk(query: string, limit: number, between?: () => Promise<void>): Promise<string[]> {
  const names: string[] = [];
  let token: string | undefined;
  for (let page = 0; page < 100; page++) {
    const body = await list(`${query}&limit=${limit}${token ? `&continue=${encodeURIComponent(token)}` : ''}`);
    assert.ok(body.items.length <= limit);
    names.push(...body.items.map((i: any) => i.metadata.name));
    token = body.metadata.continue;
    if (!token) return names;
    if (page === 0) await between?.();
  }
  throw new Error('more than 100 pages');
}

test('paging with limit and continue is complete, in order, and stable while new decisions arrive', async () => {
  for (let i = 0; i < 57; i++) record({ tag: `p${i}`, subject: { user: i % 2 ? 'pager-odd' : 'pager-even' }, caller: 'pager' });
  await w.warden.deps.decisions!.flush();
  const all = (await list('user=pager-odd&limit=1000')).items.map((i: any) => i.metadata.name);
  assert.equal(all.length, 28);

  const paged = await walk('user=pager-odd', 5, async () => {
    for (let i = 0; i < 6; i++) record({ tag: `late${i}`, subject: { user: 'pager-odd' } });
    await w.warden.deps.decisions!.flush();
  });
  assert.deepEqual(paged, all, 'the pages are the list as it stood at the first page, each entry once');
  const ids = paged.map(BigInt);
  assert.ok(ids.every((id, i) => i === 0 || id < ids[i - 1]), 'newest first');

  const exact = await walk('user=pager-even', 29);
  assert.equal(exact.length, 29, 'a page that ends the list carries no continue token');
  const defaults = await list('user=pager-even');
  assert.equal(defaults.items.length, 29, 'the default page (100) holds them all');
  assert.equal(defaults.metadata.continue, undefined);
});

test('retention prunes entries older than the configured period and counts them', async () => {
  const now = Date.now();
  for (let i = 0; i < 4; i++) record({ tag: `old${i}`, subject: { user: 'retained' }, at: new Date(now - 8 * 86_400_000 - i) });
  for (let i = 0; i < 3; i++) record({ tag: `new${i}`, subject: { user: 'retained' }, at: new Date(now - 6 * 86_400_000 - i) });
  await w.warden.deps.decisions!.flush();
  const prunedBefore = w.warden.deps.decisions!.stats().pruned;
  assert.ok(await w.warden.deps.decisions!.prune() >= 4);
  assert.deepEqual(tags(await list('user=retained')), ['new2', 'new1', 'new0'], 'newest recorded first');
  assert.ok(w.warden.deps.decisions!.stats().pruned - prunedBefore >= 4);
  assert.equal(loadConfig({}).decisionLogRetentionMs, 7 * 86_400_000, 'the default retention is 7 days');
  assert.equal(loadConfig({ WARDEN_DECISION_LOG_RETENTION: '24h' }).decisionLogRetentionMs, 86_400_000);
  assert.throws(() => loadConfig({ WARDEN_DECISION_LOG_RETENTION: 'a week' }), (e: Error) => e instanceof ConfigError && /WARDEN_DECISION_LOG_RETENTION/.test(e.message));
  assert.throws(() => loadConfig({ WARDEN_DECISION_LOG_QUEUE: '0' }), (e: Error) => e instanceof ConfigError && /WARDEN_DECISION_LOG_QUEUE/.test(e.message));
});

const badQueries: [string, string, string][] = [
  // [path, query, the parameter the Status names]
  [base, 'allowed=yes', 'allowed'],
  [base, 'since=yesterday', 'since'],
  [base, 'since=2026-02-30T00:00:00Z', 'since'],
  [base, 'until=2026-13-01T00:00:00Z', 'until'],
  [base, 'until=2026-01-01', 'until'],
  [base, 'since=2026-01-02T00:00:00Z&until=2026-01-01T00:00:00Z', 'since'],
  [base, 'limit=0', 'limit'],
  [base, 'limit=1001', 'limit'],
  [base, 'limit=-1', 'limit'],
  [base, 'limit=ten', 'limit'],
  [base, 'continue=not-a-token', 'continue'],
  [base, `continue=${Buffer.from('{"id":"5"}').toString('base64url')}`, 'continue'],
  ['/apis/audit.warden.dev/v1/changes', 'since=2026-01-02T00:00:00Z&until=2026-01-01T23:59:59Z', 'since'],
  ['/apis/audit.warden.dev/v1/changes', 'limit=5000', 'limit'],
  ['/apis/audit.warden.dev/v1/changes', 'continue=%7B%7D', 'continue'],
];

test('query parameters decode as kube-apiserver decodes them: an unknown one is ignored, a repeated one counts by its first value', async () => {
  const byUser = await list('user=pager-odd');
  assert.ok(byUser.items.length > 0);
  assert.deepEqual(await list('user=pager-odd&colour=blue&actor=bob'), byUser);
  assert.deepEqual(await list('user=pager-odd&user=pager-even'), byUser);
});

test('every bad query is a 400 Status naming the parameter', async () => {
  for (const [path, query, param] of badQueries) {
    const body = assertStatus(await a.get(`${path}?${query}`), { code: 400, reason: 'BadRequest', message: [param] });
    assert.equal(body.details?.causes?.[0]?.field, param, `${path}?${query}: ${body.message}`);
  }
});

test('a continue token altered by hand, or used with other filters or on another list, is a 400', async () => {
  const first = await list('user=pager-odd&limit=3');
  const token: string = first.metadata.continue;
  const decoded = JSON.parse(Buffer.from(token, 'base64url').toString());
  const tampered = Buffer.from(JSON.stringify({ ...decoded, id: String(BigInt(decoded.id) + 1n) })).toString('base64url');
  const refusals = [
    `${base}?user=pager-odd&limit=3&continue=${tampered}`,
    `${base}?user=pager-even&limit=3&continue=${token}`,
    `${base}?user=pager-odd&allowed=false&limit=3&continue=${token}`,
    `/apis/audit.warden.dev/v1/changes?limit=3&continue=${token}`,
  ];
  for (const path of refusals) {
    const body = assertStatus(await a.get(path), { code: 400, reason: 'BadRequest', message: ['continue', 'not valid'] });
    assert.equal(body.details.causes[0].field, 'continue');
  }
  assert.equal((await list(`user=pager-odd&limit=10&continue=${token}`)).items.length, 10, 'the same filters with another limit continue');
});

test('the group is discoverable, and listing is authorized as list on decisions and changes', async () => {
  const resources = ok(await a.get('/apis/audit.warden.dev/v1')).resources;
  assert.deepEqual(resources.map((r: any) => [r.name, r.kind, r.namespaced, r.verbs]), [
    ['changes', 'Change', false, ['list']], ['decisions', 'Decision', false, ['list']],
  ]);
  assert.ok(ok(await a.get('/apis')).groups.some((g: any) => g.name === 'audit.warden.dev'));

  const eve = api(w, w.adminToken, { 'Impersonate-User': 'eve' });
  assertStatus(await eve.get(base), {
    code: 403, reason: 'Forbidden',
    message: ['decisions.audit.warden.dev is forbidden: User "eve" cannot list resource "decisions" in API group "audit.warden.dev" at the cluster scope'],
  });
  assertStatus(await eve.get('/metrics'), { code: 403, reason: 'Forbidden', message: ['User "eve" cannot get path "/metrics"'] });
  ok(await a.post(`${rbacBase}/clusterroles`, clusterRole('decision-reader', [{ apiGroups: ['audit.warden.dev'], resources: ['decisions'], verbs: ['list'] }])), 201);
  const bound = await a.post(`${rbacBase}/clusterrolebindings`, clusterRoleBinding('eve-reads-decisions', roleRef('ClusterRole', 'decision-reader'), [user('eve')]));
  ok(bound, 201);
  const eveNow = api(w, w.adminToken, { 'Impersonate-User': 'eve', 'X-Warden-Min-Revision': String(bound.headers['x-warden-revision']) });
  ok(await eveNow.get(base));
  assertStatus(await eveNow.get('/apis/audit.warden.dev/v1/changes'), { code: 403, reason: 'Forbidden', message: ['cannot list resource "changes"'] });
});

test('dropped entries are counted on /metrics and announced by a Warning on the list', async () => {
  const log = w.warden.deps.decisions!;
  await log.flush();
  for (let i = 0; i < 130; i++) record({ tag: `flood${i}`, subject: { user: 'flood' } });
  const stats = log.stats();
  assert.equal(stats.dropped.queue_full, 30, 'a queue of 100 keeps 100 of 130');
  await log.flush();

  const res = await a.get(`${base}?user=flood&limit=1`);
  ok(res);
  assert.match(String(res.headers.warning), /299 - "this server dropped 30 decision log entries since it started \(queue full: 30\); the log is incomplete"/);
  const metrics = await a.get('/metrics');
  assert.equal(metrics.status, 200);
  assert.match(metrics.headers['content-type'], /^text\/plain; version=0\.0\.4/);
  const value = (line: string) => Number(new RegExp(`^${line.replace(/[{}"=]/g, '\\$&')} (\\S+)$`, 'm').exec(metrics.text)?.[1]);
  assert.equal(value('warden_decision_log_dropped_total{reason="queue_full"}'), 30);
  assert.equal(value('warden_decision_log_dropped_total{reason="write_failed"}'), 0);
  assert.equal(value('warden_decision_log_written_total'), log.stats().written);
  assert.equal(value('warden_decision_log_queue_depth'), 0);
  assert.equal(value('warden_decision_log_queue_capacity'), 100);
  assert.ok(value('warden_decision_log_pruned_total') >= 4);
});
