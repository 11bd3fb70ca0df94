/**
 * Two replicas (WARDEN_MAX_STALENESS=2s) under mixed load while their
 * PostgreSQL is stopped for five seconds and started again.
 *
 * The contract: no process exits and nothing answers 500. While the database
 * is down, /readyz is 503 with a body of generic words only, and reads and
 * writes are 503 `ServiceUnavailable` with Retry-After. Once the snapshot is
 * older than WARDEN_MAX_STALENESS, decisions are refused rather than made
 * from it: SubjectAccessReviews are 503 with Retry-After, the authorization
 * webhook answers no opinion with an evaluationError, the admission webhook
 * disallows with code 503, and a token issued through the database is refused
 * (503 with Retry-After) while WARDEN_ADMIN_TOKEN still authenticates. Once
 * the database is back, both replicas recover by themselves within seconds.
 *
 * The scenario runs once, recording every request; each test below checks
 * one part of the contract against the record.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { WardenProcess } from '../support/process.ts';
import { clusterUnavailable, createCluster, type Cluster } from './cluster.ts';
import { assertEvery, ok2xx, send, show, tally, unavailable, type Outcome } from './http.ts';
import {
  adminToken, exited, namespace, podAdmission, rbacBase, role, sar, sarPath, sleep, startReplica, stopAll, token, tokensPath, until, user,
  usersPath, viewBinding,
} from './replicas.ts';

const skip = clusterUnavailable();

const maxStalenessMs = 2000;
const outageMs = 5000;
/** How long after the database is back both replicas must be serving normally again. */
const recoveryLimitMs = 5000;

type Kind = 'sar' | 'webhook' | 'admission' | 'read' | 'write' | 'userToken' | 'adminToken' | 'readyz';
interface Sample { kind: Kind; replica: 'A' | 'B'; o: Outcome }

let cluster: Cluster | undefined;
let a: WardenProcess;
let b: WardenProcess;
let userSecret = '';
const samples: Sample[] = [];
const exits: string[] = [];
/** Milestones, in ms since the epoch. */
const at = { stopping: 0, stopped: 0, starting: 0, accepting: 0, started: 0, recovered: 0, loadEnd: 0 };
let recoveryError: unknown;

before(async () => {
  if (skip) return;
  cluster = await createCluster('outage');
  const env = { WARDEN_MAX_STALENESS: `${maxStalenessMs / 1000}s` };
  a = await startReplica(cluster.url, env);
  b = await startReplica(cluster.url, env);
  for (const [name, p] of [['A', a], ['B', b]] as const) {
    p.child.once('exit', (code, signal) => { if (!at.loadEnd) exits.push(`${name} exited (${code ?? signal})`); });
  }

  const admin = (path: string, body: unknown) => send(a.url, 'POST', path, { token: adminToken, body });
  for (const [path, body] of [
    ['/api/v1/namespaces', namespace('shop')], [usersPath, user('ada')], [`${rbacBase}/namespaces/shop/rolebindings`, viewBinding('ada-view', 'shop', 'ada')],
  ] as const) {
    const o = await admin(path, body);
    assert.ok(o.ok && o.status === 201, `POST ${path}: ${show(o)}`);
  }
  const issued = await admin(tokensPath, token('ada-cli', 'ada'));
  assert.ok(ok2xx(issued), `issuing a token: ${show(issued)}`);
  userSecret = issued.body.status.token;
  await until('B allows ada and accepts her token', async () => {
    const r = await send(b.url, 'POST', sarPath, { token: adminToken, body: sar('ada', 'shop') });
    const t = await send(b.url, 'GET', '/apis', { token: userSecret });
    return ok2xx(r) && r.body.status.allowed === true && ok2xx(t);
  }, 10_000);

  let n = 0;
  const request = (kind: Kind, base: string): Promise<Outcome> => {
    n++;
    switch (kind) {
      case 'sar': return send(base, 'POST', sarPath, { token: adminToken, body: sar('ada', 'shop') });
      case 'webhook': return send(base, 'POST', '/webhooks/authorization', { token: adminToken, body: sar('ada', 'shop') });
      case 'admission': return send(base, 'POST', '/webhooks/admission', { token: adminToken, body: podAdmission(`pod-${n}`, 'shop', 'ada') });
      case 'read': return send(base, 'GET', '/api/v1/namespaces/shop', { token: adminToken });
      case 'write': return send(base, 'POST', `${rbacBase}/namespaces/shop/roles`, { token: adminToken, body: role(`load-${n}`, 'shop') });
      case 'userToken': return send(base, 'GET', '/apis', { token: userSecret });
      case 'adminToken': return send(base, 'GET', '/apis', { token: adminToken });
      case 'readyz': return send(base, 'GET', '/readyz');
    }
  };
  let loadRunning = true;
  const kinds: Kind[] = ['sar', 'webhook', 'admission', 'read', 'write', 'userToken', 'adminToken', 'readyz'];
  const loops = kinds.flatMap((kind) => (['A', 'B'] as const).map(async (replica) => {
    const base = replica === 'A' ? a.url : b.url;
    while (loadRunning) {
      samples.push({ kind, replica, o: await request(kind, base) });
      await sleep(60);
    }
  }));

  try {
    const flowing = () => kinds.every((kind) => (['A', 'B'] as const).every((replica) =>
      samples.filter((s) => s.kind === kind && s.replica === replica && ok2xx(s.o)).length >= 3));
    await Promise.all([sleep(700), until('every kind of request is answered by both replicas', async () => flowing(), 30_000)]);
    at.stopping = Date.now();
    await cluster.stop('fast');
    at.stopped = Date.now();
    await sleep(outageMs);
    at.starting = Date.now();
    const started = cluster.start().then(() => { at.started = Date.now(); });
    started.catch(() => {});
    await until('the database takes connections again', () => cluster!.accepting(), 30_000, 50);
    at.accepting = Date.now();
    try {
      await until('both replicas serve normally again', async () => {
        for (const p of [a, b]) {
          const ready = await send(p.url, 'GET', '/readyz');
          const review = await send(p.url, 'POST', sarPath, { token: adminToken, body: sar('ada', 'shop') });
          if (!ready.ok || ready.status !== 200 || !ok2xx(review) || review.body.status.allowed !== true) return false;
        }
        return true;
      }, recoveryLimitMs + 10_000, 100);
      const written = await send(a.url, 'POST', `${rbacBase}/namespaces/shop/rolebindings`, { token: adminToken, body: viewBinding('after-outage', 'shop', 'bea') });
      assert.ok(ok2xx(written), `a write through A after the outage: ${show(written)}`);
      await until('B allows what the write through A granted', async () => {
        const r = await send(b.url, 'POST', sarPath, { token: adminToken, body: sar('bea', 'shop') });
        return ok2xx(r) && r.body.status.allowed === true;
      }, recoveryLimitMs + 10_000, 100);
      at.recovered = Date.now();
    } catch (err) {
      recoveryError = err;
    }
    await Promise.all([started, sleep(700)]);
  } finally {
    loadRunning = false;
    await Promise.all(loops);
    at.loadEnd = Date.now();
  }
}, { timeout: 180_000 });

after(async () => {
  await stopAll([a, b]);
  await cluster?.drop();
});

/** Samples of these kinds sent at or after `from` and answered by `to`. */
const within = (kinds: Kind[], from: number, to: number) =>
  samples.filter((s) => kinds.includes(s.kind) && s.o.sentAt >= from && s.o.doneAt <= to);

/** The database is known to be down from shortly after the stop until the start begins. */
const outage = (kinds: Kind[]) => within(kinds, at.stopped + 300, at.starting);
/** The snapshot is older than WARDEN_MAX_STALENESS (plus a poll interval and some slack) and the database still down. */
const stale = (kinds: Kind[]) => within(kinds, at.stopped + maxStalenessMs + 500, at.starting);

const every = (t: { diagnostic(message: string): void }, what: string, list: Sample[], check: (s: Sample) => string | undefined) =>
  assertEvery(t, what, list, check, (s) => `${s.kind} on ${s.replica} sent ${s.o.sentAt - at.stopped} ms after the stop`);

test('the scenario ran: load before, during and after a five-second stop of the database', { skip }, (t) => {
  const beforeStop = samples.filter((s) => s.o.doneAt < at.stopping);
  t.diagnostic(`${samples.length} requests in all (${tally(samples.map((s) => s.o))}); the stop took ${at.stopped - at.stopping} ms, the database was down ${at.starting - at.stopped} ms, then took connections ${at.accepting - at.starting} ms into the start`);
  every(t, 'before the stop every kind answers 2xx', beforeStop, (s) => (ok2xx(s.o) ? undefined : show(s.o)));
  assert.equal(new Set(beforeStop.map((s) => s.kind)).size, 8, 'every kind of request was sent before the stop');
});

test('no replica exits, and no request gets a 500 or a dropped connection', { skip }, (t) => {
  assert.deepEqual(exits, []);
  assert.ok(!exited(a) && !exited(b));
  every(t, 'every request of the run', samples, (s) => (!s.o.ok ? `transport error ${s.o.error}` : s.o.status >= 500 && s.o.status !== 503 ? show(s.o) : undefined));
});

test('during the outage /readyz is 503 and says nothing but generic words', { skip }, (t) => {
  const leaks = [String(cluster!.port), '127.0.0.1', 'localhost'];
  every(t, '/readyz while the database is down', within(['readyz'], at.stopped + 1000, at.starting), (s) => {
    if (!s.o.ok || s.o.status !== 503) return show(s.o);
    const words: string[] = [];
    const walk = (v: unknown): void => {
      if (typeof v === 'string') words.push(v);
      else if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') Object.values(v).forEach(walk);
    };
    walk(s.o.body);
    const notGeneric = words.find((w) => !/^[A-Za-z][A-Za-z ]*$/.test(w) || /econn|refused|prisma|postgres|exception|stack|terminat/i.test(w));
    if (notGeneric !== undefined) return `not generic: ${JSON.stringify(notGeneric)} in ${s.o.text}`;
    const leak = leaks.find((l) => s.o.ok && s.o.text.includes(l));
    return leak ? `names ${leak}: ${s.o.text}` : undefined;
  });
});

test('during the outage reads and writes answer 503 ServiceUnavailable with Retry-After', { skip }, (t) => {
  every(t, 'reads and writes while the database is down', outage(['read', 'write']), (s) => unavailable(s.o));
});

test('once the snapshot is older than WARDEN_MAX_STALENESS, SubjectAccessReviews answer 503 with Retry-After', { skip }, (t) => {
  every(t, 'SubjectAccessReviews on a stale snapshot', stale(['sar']), (s) => unavailable(s.o, { status: false }));
});

test('once stale, the authorization webhook answers no opinion with an evaluationError', { skip }, (t) => {
  every(t, 'authorization webhook on a stale snapshot', stale(['webhook']), (s) => {
    if (!s.o.ok || s.o.status !== 200) return show(s.o);
    const st = s.o.body?.status ?? {};
    if (st.allowed !== false) return `allowed is ${JSON.stringify(st.allowed)}: ${s.o.text}`;
    if (st.denied !== undefined && st.denied !== false) return `denied is ${JSON.stringify(st.denied)}`;
    return typeof st.evaluationError === 'string' && st.evaluationError !== '' ? undefined : `no evaluationError: ${s.o.text}`;
  });
});

test('once stale, the admission webhook disallows with code 503', { skip }, (t) => {
  every(t, 'admission webhook on a stale snapshot', stale(['admission']), (s) => {
    if (!s.o.ok || s.o.status !== 200) return show(s.o);
    const r = s.o.body?.response ?? {};
    if (s.o.body?.kind !== 'AdmissionReview') return `not an AdmissionReview: ${s.o.text}`;
    return r.allowed === false && r.status?.code === 503 ? undefined : `response ${JSON.stringify(r)}`;
  });
});

test('once stale, a token issued through the database is refused while WARDEN_ADMIN_TOKEN still authenticates', { skip }, (t) => {
  every(t, 'GET /apis with a database-issued token on a stale snapshot', stale(['userToken']), (s) => unavailable(s.o, { status: false }));
  every(t, 'GET /apis with WARDEN_ADMIN_TOKEN on a stale snapshot', stale(['adminToken']), (s) => (s.o.ok && s.o.status === 200 ? undefined : show(s.o)));
});

test('after the database is back, both replicas recover without a restart within seconds', { skip }, (t) => {
  if (recoveryError) throw recoveryError;
  const took = at.recovered - at.accepting;
  t.diagnostic(`both replicas ready, deciding, and a write through A seen by B ${took} ms after the database took connections again (${at.accepting - at.starting} ms after the start began)`);
  assert.ok(took <= recoveryLimitMs, `recovered in ${took} ms, more than ${recoveryLimitMs} ms`);
  every(t, 'requests sent once recovered', within(['sar', 'webhook', 'admission', 'read', 'write', 'userToken', 'adminToken', 'readyz'], at.recovered, at.loadEnd),
    (s) => (ok2xx(s.o) ? undefined : show(s.o)));
});
