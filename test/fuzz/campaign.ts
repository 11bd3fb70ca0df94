/**
 * A fuzzing campaign: batches of generated requests sent one at a time to
 * a Warden process, with the assertions of checks.ts on every answer and,
 * after every batch, the process still running, /livez 200 and /readyz 200
 * without detail. Every third batch holds only requests that must be
 * refused (refused-batch cases of cases.ts); the admin's digest of every
 * kind before and after it must be equal whenever no request in it
 * succeeded. A difference is traced to its request by replaying the batch
 * one request at a time.
 *
 * Promises: the same seed and run count send the same requests in the same
 * order (up to what the server's answers change: restarts after a crash,
 * and the shrinking of new failures); each distinct failure (by signature)
 * is reported once, shrunk by fast-check to a smaller request that fails
 * the same way while the shrink budget lasts; a crash is reported with the
 * request in flight and the process's last output, the process is started
 * again on a fresh database, and requests like the crashing one (same
 * operation, same kinds of hostility) are skipped for the rest of the run.
 */
import fc from 'fast-check';
import { CaseSpace, CellOrder, cells, mustBeRefused, type RequestCase } from './cases.ts';
import { checkResponse, normalize, type Rule, type Violation } from './checks.ts';
import { bodyBytes } from './hostile.ts';
import { diffDigests, digest, replenish } from './platform.ts';
import { send, type RawResponse } from './raw-http.ts';
import { loadDocument, operations } from './spec.ts';
import { Target } from './target.ts';

export interface CampaignOptions {
  seed: number;
  /** Requests to generate (not counting shrinking, digests and probes). */
  runs: number;
  batchSize: number;
  /** Requests the shrinking of all failures together may send. */
  shrinkBudget: number;
  /** Milliseconds the shrinking of one failure may take. */
  shrinkMsPerFinding: number;
  /** Crashes after which the campaign stops. */
  maxRestarts: number;
  /** Stop starting batches after this many milliseconds (a guard; runs normally ends the campaign first). */
  timeLimitMs: number;
  log: (line: string) => void;
  /** Log every request with its status. */
  verbose?: boolean;
}

export interface Finding {
  rule: Rule;
  signature: string;
  message: string;
  case?: RequestCase;
  response?: RawResponse;
  serverErrors: string[];
  /** Extra evidence: the process's last output after a crash, the digest difference, ... */
  detail?: string;
  count: number;
  ops: Set<string>;
  tagSets: Set<string>;
  shrunk: boolean;
}

export interface Stats {
  sent: number;
  skipped: number;
  /** Cases drawn for a refused batch that the member may make (or that are public): not sent. */
  notRefused: number;
  /** Requests with a large body whose connection the server closed before the client read an answer. */
  closedEarly: number;
  byIdentity: Map<string, Map<string, number>>;
  byClass: Map<string, Map<string, number>>;
  byDimension: Map<string, Map<string, number>>;
  byTag: Map<string, number>;
  shrinkSends: number;
  /** Milliseconds spent waiting for answers (the rest is generation, set-up and checks). */
  sendMs: number;
  /** Milliseconds to start and seed Warden (the first time). */
  setupMs: number;
  /** Milliseconds spent on digests, probes and replenishing scratch objects. */
  housekeepingMs: number;
  digestChecks: number;
  digestSkipped: number;
  restarts: number;
  ms: number;
  stoppedEarly?: string;
}

export interface CampaignResult {
  findings: Finding[];
  stats: Stats;
  seed: number;
  runs: number;
  backend: string;
}

const bump = (m: Map<string, Map<string, number>>, a: string, b: string) => {
  const inner = m.get(a) ?? new Map<string, number>();
  inner.set(b, (inner.get(b) ?? 0) + 1);
  m.set(a, inner);
};

function statusClass(r: RawResponse): string {
  if (r.status <= 0) return r.error?.startsWith('timeout') ? 'timeout' : 'no answer';
  return `${Math.floor(r.status / 100)}xx`;
}

/** A cut-down case's tags: without those of the parts cut away. */
function retag(c: RequestCase): RequestCase {
  const headerNames = new Set(c.headers.map(([k]) => k.toLowerCase()));
  const tags = c.tags.filter((t) => !(t.startsWith('body:') && !c.body) && !(t.startsWith('query:') && !c.path.includes('?'))
    && !(t === 'header:impersonate' ? ![...headerNames].some((h) => h.startsWith('impersonate-')) : t.startsWith('header:') && !headerNames.has(t.slice(7))));
  return { ...c, tags: tags.length ? tags : ['valid'] };
}

/** Skips requests like one that crashed the process: same operation, same kinds of path and body hostility. */
function quarantineKey(c: RequestCase): string {
  return `${c.op}|${c.tags.filter((t) => t.endsWith('-segment') || t.startsWith('body:')).sort().join(',')}`;
}

export async function runCampaign(opts: CampaignOptions): Promise<CampaignResult> {
  const started = Date.now();
  const doc = loadDocument();
  const ops = operations(doc);
  const target = await Target.start();
  opts.log(`warden on ${target.backend} at ${target.base.href} (started and seeded in ${Date.now() - started} ms)`);
  const space = new CaseSpace(doc, target.secrets.bad.length);
  const order = new CellOrder(cells(ops), opts.seed);
  const stats: Stats = {
    sent: 0, skipped: 0, notRefused: 0, closedEarly: 0, byIdentity: new Map(), byClass: new Map(), byDimension: new Map(), byTag: new Map(), shrinkSends: 0, sendMs: 0, setupMs: Date.now() - started, housekeepingMs: 0, digestChecks: 0, digestSkipped: 0, restarts: 0, ms: 0,
  };
  const findings = new Map<string, Finding>();
  const quarantine = new Set<string>();

  const record = (v: Violation, c: RequestCase | undefined, r: RawResponse | undefined, serverErrors: string[], detail?: string): boolean => {
    const known = findings.get(v.signature);
    if (known) {
      known.count++;
      if (c) known.ops.add(c.op);
      if (c) known.tagSets.add(c.tags.join(','));
      return false;
    }
    findings.set(v.signature, {
      rule: v.rule, signature: v.signature, message: v.message, case: c, response: r, serverErrors, detail, count: 1,
      ops: new Set(c ? [c.op] : []), tagSets: new Set(c ? [c.tags.join(',')] : []), shrunk: false,
    });
    opts.log(`found: ${v.message}`);
    return true;
  };

  /** Sends a case as its identity; on a transport failure, tells a crash from a reset and restarts a dead process. */
  const exec = async (c: RequestCase): Promise<{ r: RawResponse; violations: Violation[]; serverErrors: string[]; crashed: boolean }> => {
    const s = target.secrets;
    const headers: [string, string][] = [];
    if (c.identity === 'admin') headers.push(['Authorization', `Bearer ${s.admin}`]);
    else if (c.identity === 'member') headers.push(['Authorization', `Bearer ${s.member}`]);
    else if (c.identity === 'bad-token') headers.push(['Authorization', `Bearer ${s.bad[c.badToken % s.bad.length]}`]);
    headers.push(...c.headers);
    const body = c.body ? bodyBytes(c.body) : undefined;
    const r = await send(target.base, { method: c.method, path: c.path, headers, body });
    stats.sendMs += r.ms;
    if (r.status === -1) return { r, violations: [], serverErrors: [], crashed: false };
    if (r.status === 0 || (r.error && r.error !== 'timeout (body)')) {
      await new Promise((res) => setTimeout(res, 200));
      if (!target.alive()) {
        const tail = target.tail();
        const cause = /^(\w*Error[^\n]*)$/m.exec(tail)?.[1] ?? target.exited ?? 'exited';
        const v: Violation = { rule: 'crash', signature: `crash|${c.op}|${normalize(cause)}`, message: `the process exited (${target.exited}) on ${c.op}: ${cause}` };
        return { r, violations: [v], serverErrors: [], crashed: true };
      }
      // A server may answer before it reads a large body (a refusal, a body past its limit) and close the
      // connection while the client is still writing: the client then sees EPIPE or a reset instead of the answer.
      const size = body?.length ?? 0;
      if (size > 64 * 1024 && r.error !== undefined && !r.error.startsWith('timeout')) {
        stats.closedEarly++;
        return { r, violations: [], serverErrors: [], crashed: false };
      }
      const rule: Rule = 'transport';
      return { r, violations: [{ rule, signature: `transport|${r.error}|${c.op}`, message: `${r.error} on ${c.op} while the process kept running` }], serverErrors: [], crashed: false };
    }
    const serverErrors = r.status >= 500 ? await target.errorsFor(r.headers['x-request-id'] as string | undefined) : [];
    return { r, violations: checkResponse(c, r, { secrets: [s.admin, s.member], serverErrors }), serverErrors, crashed: false };
  };

  const restartAfterCrash = async () => {
    stats.restarts++;
    opts.log(`restarting warden after a crash (${stats.restarts})`);
    await target.restart();
  };

  let shrinkLeft = opts.shrinkBudget;
  /** Replays a failing run and lets fast-check shrink it while it keeps failing with the same signature. */
  const shrink = async (arb: fc.Arbitrary<RequestCase>, seed: number, path: string, finding: Finding) => {
    if (shrinkLeft <= 0) return;
    const perFinding = Math.min(shrinkLeft, 150);
    // A failure whose request is slow (a wait, a timeout) shrinks for a few seconds at most.
    const until = Date.now() + opts.shrinkMsPerFinding;
    let used = 0;
    let smallest: { c: RequestCase; r: RawResponse; errors: string[]; message: string } | undefined;
    await fc.check(fc.asyncProperty(arb, async (c) => {
      if (used >= perFinding || Date.now() > until || quarantine.has(quarantineKey(c))) return true;
      used++;
      const { r, violations, serverErrors, crashed } = await exec(c);
      if (crashed) {
        await restartAfterCrash();
        return true;
      }
      const same = violations.find((v) => v.signature === finding.signature);
      if (same) smallest = { c, r, errors: serverErrors, message: same.message };
      return !same;
    }), { seed, path, endOnFailure: false });
    shrinkLeft -= used;
    stats.shrinkSends += used;
    if (smallest) {
      finding.case = smallest.c;
      finding.response = smallest.r;
      finding.serverErrors = smallest.errors;
      finding.message = smallest.message;
      finding.shrunk = true;
    }
    await simplify(finding);
  };

  /**
   * What fast-check's shrinking cannot take away (a whole query, a body, a
   * header), taken away by hand: each cut is kept if the request still fails
   * the same way.
   */
  const simplify = async (finding: Finding) => {
    const cuts: ((c: RequestCase) => RequestCase)[] = [
      (c) => ({ ...c, path: c.path.split('?')[0] }),
      (c) => ({ ...c, body: undefined, headers: c.headers.filter(([k]) => !/^content-/i.test(k)) }),
      (c) => (c.body ? { ...c, body: { text: '{}' } } : c),
      (c) => ({ ...c, headers: c.headers.filter(([k]) => /^content-type$/i.test(k)) }),
      (c) => ({ ...c, headers: c.headers.filter(([k]) => !/^accept$/i.test(k)) }),
    ];
    for (const cut of cuts) {
      if (!finding.case || shrinkLeft <= 0) return;
      const smaller = retag(cut(finding.case));
      if (JSON.stringify(smaller) === JSON.stringify(finding.case)) continue;
      shrinkLeft--;
      stats.shrinkSends++;
      const { r, violations, serverErrors, crashed } = await exec(smaller);
      if (crashed) {
        await restartAfterCrash();
        return;
      }
      const same = violations.find((v) => v.signature === finding.signature);
      if (same) Object.assign(finding, { case: smaller, response: r, serverErrors, message: same.message, shrunk: true });
    }
  };

  /**
   * A crash is replayed on the fresh process: first the request cut down to
   * method, path and Content-Type (with `{}` for a body), then as it was; the
   * first that crashes again is the reproduction.
   */
  const reproduceCrash = async (c: RequestCase, finding: Finding) => {
    const type = c.headers.find(([k]) => k.toLowerCase() === 'content-type');
    const bare: RequestCase = { ...c, path: c.path.split('?')[0], headers: type ? [type] : [], body: c.body ? { text: '{}' } : undefined };
    for (const v of JSON.stringify(bare) === JSON.stringify(c) ? [c] : [bare, c]) {
      const { crashed } = await exec(v);
      if (!crashed) continue;
      finding.case = v;
      finding.detail = target.tail();
      finding.shrunk = v === bare;
      finding.message += '; crashes a fresh process again';
      stats.restarts++;
      await target.restart();
      return;
    }
    finding.message += '; did not crash a fresh process again (depends on what came before)';
  };

  const probe = async () => {
    if (!target.alive()) return;
    const live = await send(target.base, { method: 'GET', path: '/livez', headers: [] });
    if (live.status !== 200) record({ rule: 'livez', signature: `livez|${live.status}|${live.error ?? ''}`, message: `/livez answered ${live.status || live.error} after a batch` }, undefined, live, []);
    const ready = await send(target.base, { method: 'GET', path: '/readyz', headers: [] });
    let extra: string[] = [];
    try {
      const b = JSON.parse(ready.body);
      extra = Object.keys(b).filter((k) => !['status', 'revision', 'checks'].includes(k));
      if (b.checks && Object.values(b.checks).some((v) => v !== 'ok' && v !== 'failed')) extra.push('checks');
    } catch { extra = ['(not JSON)']; }
    if (ready.status !== 200 || extra.length) {
      record({ rule: 'readyz', signature: `readyz|${ready.status}|${extra.join(',')}`, message: `/readyz answered ${ready.status || ready.error}${extra.length ? ` with ${extra.join(', ')}` : ''} after a batch` }, undefined, ready, [], target.tail(10));
    }
  };

  /** The admin's digest; a list that fails is itself a finding (and no comparison is made). */
  const digestOrRecord = async () => {
    try {
      return await digest(target.admin);
    } catch (err) {
      record({ rule: 'no-5xx', signature: `digest|${normalize((err as Error).message)}`, message: `the admin could not list every kind: ${(err as Error).message.slice(0, 300)}` }, undefined, undefined, []);
      return undefined;
    }
  };

  let batch = 0;
  try {
    while (stats.sent < opts.runs) {
      if (Date.now() - started > opts.timeLimitMs) {
        stats.stoppedEarly = `time limit of ${opts.timeLimitMs} ms reached after ${stats.sent} requests`;
        break;
      }
      if (stats.restarts > opts.maxRestarts) {
        stats.stoppedEarly = `${stats.restarts} crashes (more than ${opts.maxRestarts})`;
        break;
      }
      const refusedBatch = batch % 3 === 2;
      const housekeeping = Date.now();
      if (batch % 3 === 0) await replenish(target.admin);
      const before = refusedBatch ? await digestOrRecord() : undefined;
      stats.housekeepingMs += Date.now() - housekeeping;
      const startsBefore = target.starts;
      const sentCases: RequestCase[] = [];
      let anySuccess = false;
      const size = Math.min(opts.batchSize, opts.runs - stats.sent);
      for (let i = 0; i < size && stats.restarts <= opts.maxRestarts; i++) {
        const cell = order.next();
        const arb = refusedBatch ? space.refused(cell) : space.mixed(cell);
        const seed = (opts.seed * 1_000_003 + stats.sent * 7919 + i) >>> 0;
        let fresh: Finding | undefined;
        const details = await fc.check(fc.asyncProperty(arb, async (c) => {
          if (quarantine.has(quarantineKey(c))) {
            stats.skipped++;
            return true;
          }
          if (refusedBatch && !mustBeRefused(c)) {
            stats.notRefused++;
            return true;
          }
          const { r, violations, serverErrors, crashed } = await exec(c);
          stats.sent++;
          if (opts.verbose) opts.log(`${r.status || r.error} ${r.ms}ms ${c.identity} ${c.method} ${c.path.slice(0, 160)} [${c.tags.join(',')}]`);
          bump(stats.byIdentity, c.identity, statusClass(r));
          bump(stats.byClass, c.opClass, c.identity);
          bump(stats.byDimension, cell.dimension, statusClass(r));
          for (const t of c.tags) stats.byTag.set(t, (stats.byTag.get(t) ?? 0) + 1);
          sentCases.push(c);
          if (r.status >= 200 && r.status < 300) anySuccess = true;
          let isNew = false;
          for (const v of violations) {
            const detail = v.rule === 'crash' ? target.tail() : undefined;
            if (record(v, c, r, serverErrors, detail) && !crashed && v.rule !== 'transport') {
              isNew = true;
              fresh ??= findings.get(v.signature);
            }
          }
          if (crashed) {
            quarantine.add(quarantineKey(c));
            const known = violations.length ? findings.get(violations[0].signature) : undefined;
            await restartAfterCrash();
            if (known && known.count === 1) await reproduceCrash(c, known);
          }
          return !isNew;
        }), { seed, numRuns: 1, endOnFailure: true });
        if (details.failed && fresh && details.counterexamplePath) await shrink(arb, seed, details.counterexamplePath, fresh);
      }
      const after = Date.now();
      await probe();
      if (before) {
        if (anySuccess || target.starts !== startsBefore) {
          stats.digestSkipped++;
        } else {
          stats.digestChecks++;
          const later = await digestOrRecord();
          const diff = later ? diffDigests(before, later) : [];
          if (diff.length) await attribute(sentCases, diff);
        }
      }
      stats.housekeepingMs += Date.now() - after;
      batch++;
    }
  } finally {
    stats.ms = Date.now() - started;
    await target.stop();
  }

  /** Replays a refused batch one request at a time with a digest around each, to name the request that wrote. */
  async function attribute(cases: RequestCase[], batchDiff: string[]): Promise<void> {
    for (const c of cases) {
      const d0 = await digestOrRecord();
      const { r } = await exec(c);
      const d1 = await digestOrRecord();
      if (!d0 || !d1) break;
      const diff = diffDigests(d0, d1);
      if (diff.length && (r.status < 200 || r.status >= 300)) {
        record({ rule: 'refused-changed-state', signature: `refused-changed-state|${c.op}|${r.status}`, message: `a refused request (${r.status} ${c.identity} ${c.op}) changed what is stored` }, c, r, [], diff.join('\n'));
        return;
      }
    }
    record({ rule: 'refused-changed-state', signature: 'refused-changed-state|unattributed', message: 'what is stored changed during a batch of refused requests; no single request does it on replay' }, undefined, undefined, [], batchDiff.join('\n'));
  }

  return { findings: [...findings.values()], stats, seed: opts.seed, runs: opts.runs, backend: target.backend };
}
