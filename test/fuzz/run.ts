/**
 * `npm run fuzz`: a longer campaign than the test's, from the command line.
 *
 *   npm run fuzz -- [--seed N] [--runs N] [--batch N] [--shrink N] [--minutes N] [--verbose]
 *   npm run fuzz -- --replay '<case JSON from a report>'
 *
 * FUZZ_SEED and FUZZ_RUNS set the seed and the run count when the flags do
 * not (defaults: a seed from the clock, printed, and 5000 runs). Promises:
 * prints the summary and every distinct failure with its reproduction, and
 * exits 1 when there is one, 0 otherwise; --replay sends one case to a fresh
 * Warden and prints the answer and the checks it breaks.
 */
import { parseArgs } from 'node:util';
import { runCampaign } from './campaign.ts';
import type { RequestCase } from './cases.ts';
import { checkResponse } from './checks.ts';
import { bodyBytes } from './hostile.ts';
import { send } from './raw-http.ts';
import { formatCase, formatFindings, formatSummary } from './report.ts';
import { Target } from './target.ts';

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    runs: { type: 'string' },
    batch: { type: 'string' },
    shrink: { type: 'string' },
    minutes: { type: 'string' },
    replay: { type: 'string' },
    verbose: { type: 'boolean' },
  },
});

function int(v: string | undefined, fallback: number, name: string): number {
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) {
    console.error(`fuzz: ${name} must be a non-negative integer, not ${JSON.stringify(v)}`);
    process.exit(2);
  }
  return n;
}

async function replay(json: string): Promise<number> {
  const c = JSON.parse(json) as RequestCase;
  const target = await Target.start();
  try {
    const s = target.secrets;
    const auth = c.identity === 'admin' ? s.admin : c.identity === 'member' ? s.member : c.identity === 'bad-token' ? s.bad[c.badToken] : undefined;
    const headers: [string, string][] = auth ? [['Authorization', `Bearer ${auth}`], ...c.headers] : c.headers;
    console.log(formatCase(c));
    const r = await send(target.base, { method: c.method, path: c.path, headers, body: c.body ? bodyBytes(c.body) : undefined });
    await new Promise((res) => setTimeout(res, 300));
    console.log(`status: ${r.status} ${r.error ?? ''}\nanswer: ${r.body.slice(0, 2000)}`);
    if (!target.alive()) console.log(`the process exited (${target.exited}):\n${target.tail()}`);
    const serverErrors = await target.errorsFor(r.headers['x-request-id'] as string | undefined);
    const violations = r.status > 0 ? checkResponse(c, r, { secrets: [s.admin, s.member], serverErrors }) : [];
    for (const v of violations) console.log(`breaks ${v.rule}: ${v.message}`);
    return violations.length || !target.alive() ? 1 : 0;
  } finally {
    await target.stop();
  }
}

async function main(): Promise<number> {
  if (values.replay) return replay(values.replay);
  const seed = int(values.seed ?? process.env.FUZZ_SEED, Date.now() % 2 ** 31, 'seed');
  const runs = int(values.runs ?? process.env.FUZZ_RUNS, 5000, 'runs');
  console.log(`fuzz: seed ${seed}, ${runs} runs (repeat with --seed ${seed} --runs ${runs})`);
  const result = await runCampaign({
    seed, runs,
    batchSize: int(values.batch, 60, 'batch'),
    shrinkBudget: int(values.shrink, 3000, 'shrink'),
    shrinkMsPerFinding: 20_000,
    maxRestarts: 20,
    timeLimitMs: int(values.minutes, 60, 'minutes') * 60_000,
    log: (line) => console.log(`  ${line}`),
    verbose: values.verbose,
  });
  console.log(`\n${formatSummary(result)}`);
  if (result.findings.length) console.log(`\n${formatFindings(result)}`);
  return result.findings.length ? 1 : 0;
}

main().then((code) => process.exit(code), (err) => {
  console.error(err);
  process.exit(2);
});
