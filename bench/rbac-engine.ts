/**
 * RBAC engine benchmark at platform scale (bench/platform.ts defaults:
 * 1,000 namespaces, 10,000 Roles+ClusterRoles, 100,000 bindings, plus the
 * bootstrap ClusterRoles). Prints, in one run:
 *
 * - full build time and RSS after build;
 * - check latency p50/p99: first ask (decision not memoized) on a just-built
 *   engine (once the checking code is optimized, as in a replica that
 *   rebuilds its snapshot, and by the process's very first checks), after
 *   other requests warmed the per-role answer memo, and with that memo off;
 *   repeated (memoized decision);
 * - the same checks through one plain Casbin enforcer holding every line
 *   (fewer samples), and the speed-up;
 * - incremental apply of one binding change and of ClusterRole changes;
 * - the machine's floor for the tail of a first ask, with no engine code:
 *   latency of 200 dependent-free random reads over a 256 MiB buffer (a
 *   first ask reads a few hundred cold places of a heap this size);
 * - the machine's stalls: a loop that only reads the clock for 2 s, and the
 *   gaps between its reads. A check that lasts d µs is stretched past
 *   100 µs whenever a gap longer than 100 - d µs falls inside it, so the
 *   rate of such gaps times d estimates the share of first asks that no
 *   engine code can keep under 100 µs.
 *
 * Run: node --import tsx bench/rbac-engine.ts [--requests N] [--plain N]
 */
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { newPlainEnforcer, plainEnforcerAllows } from '../engine/casbin/enforcer.ts';
import { projectPolicy } from '../engine/casbin/projection.ts';
import { authorize } from '../engine/rbac/authorizer.ts';
import { loadBootstrapClusterRoles } from '../engine/rbac/bootstrap.ts';
import { decisionKey } from '../engine/rbac/decision-memo.ts';
import { RbacState, type RbacChange } from '../engine/rbac/state.ts';
import type { Attributes, ClusterRole, RoleBinding } from '../engine/rbac/types.ts';
import { generatePlatform, generateRequests } from './platform.ts';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const requestCount = arg('requests', 20_000);
const plainSamples = arg('plain', 12);

const root = new URL('..', import.meta.url);
const casbinModel = readFileSync(new URL('policies/rbac-model.conf', root), 'utf8');
const bootstrap = loadBootstrapClusterRoles(
  parseAllDocuments(readFileSync(new URL('policies/bootstrap-cluster-roles.yaml', root), 'utf8')).map((d) => d.toJS()),
);

const ms = (ns: bigint | number): string => (Number(ns) / 1e6).toFixed(1);
const us = (ns: number): string => (ns / 1e3).toFixed(1);
const quantile = (sorted: readonly number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(0);

function time<T>(fn: () => T): [T, number] {
  const t0 = process.hrtime.bigint();
  const out = fn();
  return [out, Number(process.hrtime.bigint() - t0)];
}

interface Latencies { p50: number; p99: number; mean: number; allowed: number; samples: number[] }

function summary(samples: number[], allowed = 0): Latencies {
  const sorted = [...samples].sort((x, y) => x - y);
  return { p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), mean: samples.reduce((s, x) => s + x, 0) / samples.length, allowed, samples };
}

function latencies(state: RbacState, requests: readonly Attributes[]): Latencies {
  const samples: number[] = [];
  let allowed = 0;
  for (const a of requests) {
    const [d, ns] = time(() => authorize(state, a));
    samples.push(ns);
    if (d.allowed) allowed++;
  }
  return summary(samples, allowed);
}

/** How many of the slowest 1% of `a` are also among the slowest 1% of `b`. */
function slowOverlap(a: readonly number[], b: readonly number[]): number {
  const slowest = (xs: readonly number[]) => new Set(xs.map((x, i) => [x, i] as const).sort((p, q) => q[0] - p[0]).slice(0, Math.ceil(xs.length / 100)).map(([, i]) => i));
  const sb = slowest(b);
  return [...slowest(a)].filter((i) => sb.has(i)).length;
}

// Platform and requests (not measured).
const [platform, genNs] = time(() => generatePlatform({ extraClusterRoles: bootstrap }));
const o = platform.objects;
console.log(`platform: ${platform.namespaces.length} namespaces, ${o.roles.length} Roles + ${o.clusterRoles.length} ClusterRoles, ` +
  `${o.roleBindings.length} RoleBindings + ${o.clusterRoleBindings.length} ClusterRoleBindings (generated in ${ms(genNs)} ms)`);
const seen = new Set<string>();
const requests = generateRequests(platform, requestCount * 2).filter((a) => {
  const k = decisionKey(a);
  if (a.user.groups?.includes('system:masters') || seen.has(k)) return false;
  seen.add(k);
  return true;
}).slice(0, requestCount);

// Build. Engines: one asked by the process's very first checks, one just built asked once the checking code is
// optimized (by checks on another engine), two identical ones warmed by other requests first, one without the role-answer memo.
const [state, buildNs] = time(() => RbacState.build(o, { casbinModel }));
const rss = process.memoryUsage();
console.log(`full build: ${ms(buildNs)} ms; RSS after build ${mib(rss.rss)} MiB (heap used ${mib(rss.heapUsed)} MiB)`);
const [steadyBase, rebuildNs] = time(() => RbacState.build(o, { casbinModel }));
const [twinBase, rebuild2Ns] = time(() => RbacState.build(o, { casbinModel }));
const [uncached, rebuild3Ns] = time(() => RbacState.build(o, { casbinModel, roleAnswerLimit: 0 }));
const [justBuilt, rebuild4Ns] = time(() => RbacState.build(o, { casbinModel }));
console.log(`full build, later runs: ${ms(rebuildNs)} ms, ${ms(rebuild2Ns)} ms, ${ms(rebuild3Ns)} ms, ${ms(rebuild4Ns)} ms`);

// Checks. `measured` requests are never asked before their first-ask measurement on an engine.
const half = Math.floor(requests.length / 2);
const warmup = requests.slice(0, half);
const measured = requests.slice(half);
const noop: RbacChange[] = [{ kind: 'ClusterRoleBinding', name: 'bench-noop', object: null }];
const processFirst = latencies(state, measured);
const repeated = latencies(state, measured);
latencies(steadyBase, warmup);
// A replica's new snapshot is asked by code that has been running: measure a just-built engine that way.
const cold = latencies(justBuilt, measured);
const fresh = steadyBase.apply(noop);
const steady = latencies(fresh, measured);
latencies(twinBase, warmup);
const twin = latencies(twinBase.apply(noop), measured);
const twinMin = summary(steady.samples.map((x, i) => Math.min(x, twin.samples[i])));
const direct = latencies(uncached, measured);
console.log(`checks: ${measured.length} distinct requests measured (${warmup.length} others for warm-up), ${processFirst.allowed} allowed`);
console.log(`  first ask, engine just built:              p50 ${us(cold.p50)} µs, p99 ${us(cold.p99)} µs, mean ${us(cold.mean)} µs ` +
  `(checking code already optimized by checks on another engine)`);
console.log(`  first ask, engine just built, the process's first checks (code not yet optimized): ` +
  `p50 ${us(processFirst.p50)} µs, p99 ${us(processFirst.p99)} µs, mean ${us(processFirst.mean)} µs`);
console.log(`  first ask, after ${warmup.length} other requests:   p50 ${us(steady.p50)} µs, p99 ${us(steady.p99)} µs, mean ${us(steady.mean)} µs`);
console.log(`  first ask, no role-answer memo (Casbin asked for every role with candidate lines): ` +
  `p50 ${us(direct.p50)} µs, p99 ${us(direct.p99)} µs, mean ${us(direct.mean)} µs`);
console.log(`  repeated (memoized decision):              p50 ${us(repeated.p50)} µs, p99 ${us(repeated.p99)} µs, mean ${us(repeated.mean)} µs`);
console.log(`  first ask on an identical second engine:   p50 ${us(twin.p50)} µs, p99 ${us(twin.p99)} µs; ` +
  `${slowOverlap(steady.samples, twin.samples)} of the slowest ${Math.ceil(measured.length / 100)} requests are slowest on both; ` +
  `per-request min of the two first asks: p50 ${us(twinMin.p50)} µs, p99 ${us(twinMin.p99)} µs`);

// Plain enforcer.
const [lines, projectNs] = time(() => projectPolicy(state));
const t0 = process.hrtime.bigint();
const plain = await newPlainEnforcer(casbinModel, lines);
const plainBuildNs = process.hrtime.bigint() - t0;
console.log(`plain enforcer: ${lines.p.length} p lines, ${lines.g.length} g lines; projection ${ms(projectNs)} ms, enforcer load ${ms(plainBuildNs)} ms`);
let plainTotal = 0;
let agree = 0;
const sample = measured.filter((_, i) => i % Math.max(1, Math.floor(measured.length / plainSamples)) === 0).slice(0, plainSamples);
for (const a of sample) {
  const [allowed, ns] = time(() => plainEnforcerAllows(plain, a));
  plainTotal += ns;
  if (allowed === authorize(fresh, a).allowed) agree++;
}
const plainMean = plainTotal / sample.length;
console.log(`  per check: mean ${ms(plainMean)} ms over ${sample.length} checks (agree with fast path: ${agree}/${sample.length})`);
console.log(`  speed-up (mean per check): vs first ask on a just-built engine ${Math.round(plainMean / cold.mean)}x, ` +
  `without role-answer memo ${Math.round(plainMean / direct.mean)}x, vs repeated ${Math.round(plainMean / repeated.mean)}x`);

// Incremental apply.
function applyTimes(changes: RbacChange[][]): { p50: number; max: number } {
  const samples = changes.map((c) => time(() => fresh.apply(c))[1]).sort((x, y) => x - y);
  return { p50: quantile(samples, 0.5), max: samples[samples.length - 1] };
}
const rbChanges = o.roleBindings.filter((_, i) => i % 997 === 0).slice(0, 100).map((rb): RbacChange[] => {
  const object: RoleBinding = { ...rb, subjects: [...(rb.subjects ?? []), { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'new-user' }] };
  return [{ kind: 'RoleBinding', namespace: rb.metadata.namespace!, name: rb.metadata.name!, object }];
});
const feeding = (cr: ClusterRole): boolean => Object.keys(cr.metadata.labels ?? {}).some((k) => k.startsWith('platform.warden.dev/aggregate-to-'));
const crChange = (cr: ClusterRole): RbacChange[] => [{
  kind: 'ClusterRole', name: cr.metadata.name!, object: { ...cr, rules: [...(cr.rules ?? []), { verbs: ['get'], apiGroups: [''], resources: ['bench'] }] },
}];
const leaves = o.clusterRoles.filter((cr) => !cr.aggregationRule);
const rb = applyTimes(rbChanges);
const crFeeding = applyTimes(leaves.filter(feeding).slice(0, 30).map(crChange));
const crPlain = applyTimes(leaves.filter((cr) => !feeding(cr)).slice(0, 30).map(crChange));
console.log(`incremental apply: one RoleBinding change p50 ${us(rb.p50)} µs (max ${us(rb.max)} µs over ${rbChanges.length}); ` +
  `one ClusterRole change p50 ${us(crPlain.p50)} µs; one ClusterRole change feeding aggregation p50 ${ms(crFeeding.p50)} ms (max ${ms(crFeeding.max)} ms)`);

// The machine's floor: random reads over a buffer the size of the engine's heap, timed as the checks are.
{
  const words = (256 * 2 ** 20) / 8;
  const buffer = new Float64Array(words);
  for (let i = 0; i < words; i += 512) buffer[i] = i;
  let sink = 0;
  const samples: number[] = [];
  for (let r = 0; r < 20_000; r++) {
    const [, ns] = time(() => {
      for (let k = 0; k < 200; k++) sink += buffer[Math.floor(Math.random() * words)];
    });
    if (r >= 10_000) samples.push(ns);
  }
  const floor = summary(samples);
  console.log(`machine floor (no engine code): 200 random reads over 256 MiB p50 ${us(floor.p50)} µs, p99 ${us(floor.p99)} µs`);
}
{
  const seconds = 2;
  // performance.now() allocates nothing, so the loop itself never makes the collector run.
  const gaps: number[] = [];
  const end = performance.now() + seconds * 1e3;
  for (let prev = performance.now(); ;) {
    const now = performance.now();
    if (now - prev > 0.02) gaps.push((now - prev) * 1e6);
    prev = now;
    if (now > end) break;
  }
  const perSecond = (ns: number) => gaps.filter((g) => g > ns).length / seconds;
  const lost = gaps.reduce((sum, g) => sum + g, 0) / (seconds * 1e9);
  const d = cold.mean;
  const stretched = perSecond(100_000 - d) * (d / 1e9);
  console.log(`machine stalls (no engine code): a loop reading the clock for ${seconds} s lost ${(lost * 100).toFixed(1)}% of its time in ` +
    `${Math.round(perSecond(20_000))} gaps/s over 20 µs (${Math.round(perSecond(100_000))}/s over 100 µs); ` +
    `at the first ask's mean of ${us(d)} µs, about ${(stretched * 100).toFixed(1)}% of first asks meet a gap that takes them past 100 µs`);
}
