/**
 * Two replicas on one private PostgreSQL; one is SIGKILLed in the middle of
 * a burst of concurrent writes through both, then started again. Every write
 * that was answered 2xx is there afterwards, read through either replica,
 * and a bulk apply is all there or all absent, whatever happened to its reply.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { WardenProcess } from '../support/process.ts';
import { clusterUnavailable, createCluster, type Cluster } from './cluster.ts';
import { send, show, tally, type Outcome } from './http.ts';
import {
  adminToken, applyPath, exited, kill9, namespace, rbacBase, role, roleBinding, startReplica, stopAll,
} from './replicas.ts';

const skip = clusterUnavailable();

let cluster: Cluster | undefined;
let a: WardenProcess;
let b: WardenProcess;
let bAgain: WardenProcess | undefined;

before(async () => {
  if (skip) return;
  cluster = await createCluster('kill');
  a = await startReplica(cluster.url);
  b = await startReplica(cluster.url);
}, { timeout: 180_000 });

after(async () => {
  await stopAll([a, b, bAgain]);
  await cluster?.drop();
});

/** One object a unit writes: where it is read back, and the write that made it (absent for a bulk apply's items). */
interface Written { path: string; outcome?: Outcome }

/**
 * A unit of the burst: `apply` writes a namespace, a Role and a RoleBinding
 * in one bulk apply; `chain` writes the same three by three POSTs in order,
 * stopping at the first that is not 2xx.
 */
interface Unit { kind: 'apply' | 'chain'; ns: string; replica: 'a' | 'b'; objects: Written[]; apply?: Outcome }

const units = 240;
const workers = 12;
/** B is killed once it has answered this many writes of the burst. */
const killAfter = 45;

test('a replica SIGKILLed during a write burst loses no acknowledged write and leaves no bulk apply half-applied', { skip, timeout: 120_000 }, async (t) => {
  const plan: Unit[] = Array.from({ length: units }, (_, i) => {
    const ns = `burst-${i}`;
    return {
      kind: i % 3 === 0 ? 'chain' : 'apply', ns, replica: i % 2 === 0 ? 'a' : 'b',
      objects: [
        { path: `/api/v1/namespaces/${ns}` },
        { path: `${rbacBase}/namespaces/${ns}/roles/reader` },
        { path: `${rbacBase}/namespaces/${ns}/rolebindings/readers` },
      ],
    };
  });
  const objectsOf = (ns: string) => [namespace(ns), role('reader', ns), roleBinding('readers', ns, 'reader', `user-${ns}`)];

  let answeredByB = 0;
  let inFlightOnB = 0;
  let inFlightAtKill = -1;
  let killedAt = 0;
  let killed: Promise<void> | undefined;
  const all: Outcome[] = [];

  const write = async (u: Unit, path: string, body: unknown): Promise<Outcome> => {
    const target = u.replica === 'a' ? a : b;
    if (u.replica === 'b') inFlightOnB++;
    const o = await send(target.url, 'POST', path, { token: adminToken, body });
    all.push(o);
    if (u.replica === 'b') {
      inFlightOnB--;
      if (o.ok) answeredByB++;
      if (!killed && answeredByB >= killAfter) {
        inFlightAtKill = inFlightOnB;
        killedAt = Date.now();
        killed = kill9(b);
      }
    }
    return o;
  };

  const runUnit = async (u: Unit) => {
    const [ns, r, rb] = objectsOf(u.ns);
    if (u.kind === 'apply') {
      u.apply = await write(u, applyPath, { apiVersion: 'v1', kind: 'List', items: [ns, r, rb] });
      return;
    }
    const posts: [string, unknown][] = [
      ['/api/v1/namespaces', ns], [`${rbacBase}/namespaces/${u.ns}/roles`, r], [`${rbacBase}/namespaces/${u.ns}/rolebindings`, rb],
    ];
    for (const [i, [path, body]] of posts.entries()) {
      const o = await write(u, path, body);
      u.objects[i].outcome = o;
      if (!o.ok || o.status >= 300) return;
    }
  };

  const started = Date.now();
  let next = 0;
  await Promise.all(Array.from({ length: workers }, async () => {
    while (next < plan.length) await runUnit(plan[next++]);
  }));
  const burstMs = Date.now() - started;
  assert.ok(killed, `B was killed during the burst (it answered ${answeredByB} writes)`);
  await killed;
  assert.equal(b.child.signalCode, 'SIGKILL');
  assert.ok(!exited(a), `replica A kept running: ${a.output()}`);

  // Every reply is a success or a connection failure caused by the kill: no write is refused for another reason.
  for (const o of all) {
    if (o.ok) assert.ok(o.status === 200 || o.status === 201, `a write in the burst answered ${show(o)}`);
    else assert.match(o.error, /^(ECONNRESET|ECONNREFUSED|EPIPE|aborted)$/, `a write in the burst failed with ${o.error}`);
  }
  const afterKill = all.filter((o) => o.ok && o.sentAt > killedAt);
  assert.ok(afterKill.length > 0, 'replica A kept accepting writes after B was killed');

  bAgain = await startReplica(cluster!.url);
  const replicas = [a, bAgain];

  const verifyStarted = Date.now();
  // What each replica holds: the names of every namespace, Role and RoleBinding, as `path`s of the plan.
  const lists = ['/api/v1/namespaces', `${rbacBase}/roles`, `${rbacBase}/rolebindings`];
  const held = await Promise.all(replicas.map(async (r) => {
    const paths = new Set<string>();
    for (const list of lists) {
      const o = await send(r.url, 'GET', list, { token: adminToken });
      assert.ok(o.ok && o.status === 200, `GET ${list}: ${show(o)}`);
      for (const item of o.body.items as { kind?: string; metadata: { name: string; namespace?: string } }[]) {
        const m = item.metadata;
        paths.add(m.namespace ? `${rbacBase}/namespaces/${m.namespace}/${list.endsWith('roles') ? 'roles' : 'rolebindings'}/${m.name}` : `/api/v1/namespaces/${m.name}`);
      }
    }
    return paths;
  }));
  assert.deepEqual([...held[1]].sort(), [...held[0]].sort(), 'both replicas hold the same objects');
  const exists = (path: string) => held[0].has(path);

  let present = 0;
  const applies = { present: 0, ambiguousPresent: 0, ambiguousAbsent: 0 };
  for (const u of plan) {
    const found = u.objects.map((obj) => exists(obj.path));
    for (const [i, obj] of u.objects.entries()) {
      if (found[i]) present++;
      const acked = obj.outcome ?? u.apply;
      if (acked?.ok && acked.status < 300) assert.ok(found[i], `${obj.path} was acknowledged (${acked.status}) by replica ${u.replica.toUpperCase()} but is missing`);
    }
    if (u.kind === 'apply') {
      const whole = found.every(Boolean);
      assert.ok(whole || found.every((f) => !f), `bulk apply of ${u.ns} is half-applied: ${found.join(', ')} (reply: ${u.apply ? show(u.apply) : 'none'})`);
      if (u.apply?.ok) applies.present++;
      else applies[whole ? 'ambiguousPresent' : 'ambiguousAbsent']++;
    }
  }
  // A sample read one by one through each replica agrees with the lists.
  for (const u of plan.filter((_, i) => i % 10 === 0)) {
    for (const [i, r] of replicas.entries()) {
      const o = await send(r.url, 'GET', u.objects[2].path, { token: adminToken });
      assert.ok(o.ok && o.status === (exists(u.objects[2].path) ? 200 : 404), `GET ${u.objects[2].path} through ${i ? 'B' : 'A'}: ${show(o)}`);
    }
  }
  const killedInFlight = all.filter((o) => !o.ok && o.error !== 'ECONNREFUSED').length;
  t.diagnostic(`burst: ${all.length} writes in ${burstMs} ms over ${workers} connections (${tally(all)}); B SIGKILLed after answering ${answeredByB} with ${inFlightAtKill} of its writes in flight (${killedInFlight} cut off mid-request); ${afterKill.length} writes answered by A afterwards`);
  t.diagnostic(`after restart (checked in ${Date.now() - verifyStarted} ms through both replicas): ${present} of the ${plan.length * 3} objects present; bulk applies: ${applies.present} acknowledged and whole, ${applies.ambiguousPresent} unacknowledged but whole, ${applies.ambiguousAbsent} unacknowledged and absent`);
});
