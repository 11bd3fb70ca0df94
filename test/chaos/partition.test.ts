/**
 * A replica cut off from its database fails closed. Replica A reaches
 * PostgreSQL directly, replica B through a TCP proxy. A user holds a token
 * and cluster-admin; B allows her. Then B's proxy is cut, and through A the
 * token and the binding are deleted. Once WARDEN_MAX_STALENESS has passed, B
 * must neither accept the deleted token nor allow her anything: it cannot
 * know what changed, so it refuses to decide (503, or no opinion with an
 * evaluationError from the authorization webhook). When the proxy carries
 * again, B catches up: the token is 401 and she is denied.
 *
 * The scenario runs once, recording B's answers; each test checks one part.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { WardenProcess } from '../support/process.ts';
import { clusterUnavailable, createCluster, type Cluster } from './cluster.ts';
import { assertEvery, ok2xx, send, show, tally, unavailable, type Answer, type Outcome } from './http.ts';
import { startProxy, type Proxy } from './proxy.ts';
import {
  adminToken, clusterRoleBinding, rbacBase, sar, sarPath, sleep, startReplica, stopAll, token, tokensPath, until, user, usersPath,
} from './replicas.ts';

const skip = clusterUnavailable();

const maxStalenessMs = 2000;
/** Probes of B from this long after the cut: the snapshot is then older than WARDEN_MAX_STALENESS by a poll interval and some slack. */
const staleAfterMs = maxStalenessMs + 700;
const probeForMs = 1000;
const catchUpLimitMs = 5000;

type Probe = 'token' | 'sar' | 'webhook';
interface Sample { probe: Probe; o: Outcome }

let cluster: Cluster | undefined;
let proxy: Proxy | undefined;
let a: WardenProcess;
let b: WardenProcess;
let secret = '';
const beforeCut: Sample[] = [];
const whileCut: Sample[] = [];
const deletes: Outcome[] = [];
let cutAt = 0;
let caughtUp: { ms: number; sar: Outcome; token: Outcome; webhook: Outcome } | { error: unknown } | undefined;

function probe(p: Probe): Promise<Outcome> {
  switch (p) {
    case 'token': return send(b.url, 'GET', '/apis', { token: secret });
    case 'sar': return send(b.url, 'POST', sarPath, { token: adminToken, body: sar('eve', 'prod', 'delete') });
    case 'webhook': return send(b.url, 'POST', '/webhooks/authorization', { token: adminToken, body: sar('eve', 'prod', 'delete') });
  }
}
const probeAll = async () => Promise.all((['token', 'sar', 'webhook'] as const).map(async (p) => ({ probe: p, o: await probe(p) })));

before(async () => {
  if (skip) return;
  cluster = await createCluster('cutoff');
  proxy = await startProxy(cluster.port);
  const env = { WARDEN_MAX_STALENESS: `${maxStalenessMs / 1000}s` };
  a = await startReplica(cluster.url, env);
  b = await startReplica(cluster.urlOnPort(proxy.port), env);

  for (const [path, body] of [[usersPath, user('eve')], [`${rbacBase}/clusterrolebindings`, clusterRoleBinding('eve-admin', 'cluster-admin', 'eve')]] as const) {
    const o = await send(a.url, 'POST', path, { token: adminToken, body });
    assert.ok(o.ok && o.status === 201, `POST ${path}: ${show(o)}`);
  }
  const issued = await send(a.url, 'POST', tokensPath, { token: adminToken, body: token('eve-cli', 'eve') });
  assert.ok(ok2xx(issued), `issuing a token: ${show(issued)}`);
  secret = issued.body.status.token;
  await until('B accepts the token and allows eve', async () => {
    const round = await probeAll();
    if (!round.every((s) => ok2xx(s.o) && (s.probe === 'token' || s.o.body.status.allowed === true))) return false;
    beforeCut.push(...round);
    return true;
  }, 10_000);

  cutAt = Date.now();
  proxy.cut();
  deletes.push(await send(a.url, 'DELETE', `${tokensPath}/eve-cli`, { token: adminToken }));
  deletes.push(await send(a.url, 'DELETE', `${rbacBase}/clusterrolebindings/eve-admin`, { token: adminToken }));
  while (Date.now() < cutAt + staleAfterMs + probeForMs) {
    const round = await probeAll();
    whileCut.push(...round);
    await sleep(100);
  }

  proxy.restore();
  const restoredAt = Date.now();
  try {
    let last: { sar: Outcome; token: Outcome; webhook: Outcome } | undefined;
    await until('B catches up', async () => {
      const [sarO, tokenO, webhookO] = await Promise.all([probe('sar'), probe('token'), probe('webhook')]);
      last = { sar: sarO, token: tokenO, webhook: webhookO };
      const decided = (o: Outcome) => ok2xx(o) && o.body.status.allowed === false && !o.body.status.evaluationError;
      return decided(sarO) && decided(webhookO) && tokenO.ok && tokenO.status === 401;
    }, catchUpLimitMs + 10_000, 100);
    caughtUp = { ms: Date.now() - restoredAt, ...last! };
  } catch (error) {
    caughtUp = { error };
  }
}, { timeout: 180_000 });

after(async () => {
  await stopAll([a, b]);
  await proxy?.close();
  await cluster?.drop();
});

const stale = (p: Probe) => whileCut.filter((s) => s.probe === p && s.o.sentAt >= cutAt + staleAfterMs);

const every = (t: { diagnostic(message: string): void }, what: string, list: Sample[], check: (o: Outcome) => string | undefined) =>
  assertEvery(t, what, list, (s) => check(s.o), (s) => `${s.probe} sent ${s.o.sentAt - cutAt} ms after the cut`);

test('before the cut, B accepts the token and allows the user; through A the token and the binding are deleted', { skip }, (t) => {
  t.diagnostic(`before the cut: ${tally(beforeCut.map((s) => s.o))}; the proxy carried ${proxy!.stats.carried} connections and reset ${proxy!.stats.reset} while cut`);
  assert.ok(beforeCut.length >= 3);
  for (const d of deletes) assert.ok(d.ok && d.status === 200, `delete through A: ${show(d)}`);
  const early = whileCut.filter((s) => s.o.sentAt < cutAt + staleAfterMs);
  const granted = (s: Sample) => ok2xx(s.o) && (s.probe === 'token' || s.o.body?.status?.allowed === true);
  const lastGrant = Math.max(-1, ...whileCut.filter(granted).map((s) => s.o.sentAt - cutAt));
  t.diagnostic(`within ${staleAfterMs} ms of the cut B answered ${early.length} probes (${tally(early.map((s) => s.o))}), ${early.filter(granted).length} of them granting from its last snapshot; the last grant was sent ${lastGrant} ms after the cut`);
});

test('once stale, B does not accept the deleted token', { skip }, (t) => {
  every(t, 'the deleted token on B', stale('token'), (o) => (!o.ok ? `transport error ${o.error}` : o.status < 300 ? `accepted: ${show(o)}` : undefined));
  every(t, 'the deleted token on B: 503 with Retry-After', stale('token'), (o) => unavailable(o, { status: false }));
});

test('once stale, B answers SubjectAccessReviews for the user 503 with Retry-After, never allowed', { skip }, (t) => {
  every(t, 'SubjectAccessReviews on B', stale('sar'), (o) => unavailable(o, { status: false }));
});

test('once stale, B\'s authorization webhook answers no opinion with an evaluationError', { skip }, (t) => {
  every(t, 'authorization webhook on B', stale('webhook'), (o) => {
    if (!o.ok || o.status !== 200) return show(o);
    const st = o.body?.status ?? {};
    if (st.allowed !== false) return `allowed is ${JSON.stringify(st.allowed)}`;
    if (st.denied !== undefined && st.denied !== false) return `denied is ${JSON.stringify(st.denied)}`;
    return typeof st.evaluationError === 'string' && st.evaluationError !== '' ? undefined : `no evaluationError: ${o.text}`;
  });
});

test('once the proxy carries again, B catches up: the user is denied and the token is 401', { skip }, (t) => {
  assert.ok(caughtUp);
  if ('error' in caughtUp) throw caughtUp.error;
  t.diagnostic(`B caught up ${caughtUp.ms} ms after the proxy was restored: SubjectAccessReview and webhook allowed=false, token ${(caughtUp.token as Answer).status}`);
  assert.ok(caughtUp.ms <= catchUpLimitMs, `caught up in ${caughtUp.ms} ms, more than ${catchUpLimitMs} ms`);
});
