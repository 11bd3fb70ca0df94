/**
 * The OpenAPI-driven fuzzer as a test: a fixed seed and run count (about a
 * minute on a two-core machine), against a Warden process on PGlite in
 * memory, or on a fresh PostgreSQL database when WARDEN_TEST_DATABASE_URL
 * is set. It passes only if no request, from any identity, gets a 5xx or
 * crashes the process; /livez and /readyz answer 200 after every batch;
 * anonymous and bad-token requests get 401 (but the probes and /version);
 * the member gets 401, 403 or 404 wherever it is not authorized, and lists
 * only its own namespace; no answer shows internal detail; case-altered
 * paths are not served; and batches of refused requests change nothing
 * stored. It prints how many requests it sent per identity, operation class
 * and dimension, and each failure as a reproduction. `npm run fuzz` runs
 * longer campaigns with any seed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCampaign } from './campaign.ts';
import { formatFindings, formatSummary } from './report.ts';

const seed = 20_261_207;
const runs = 3000;

test(`${runs} generated requests (seed ${seed}) find no 5xx, crash, unauthenticated or unauthorized success, leak, or change made by a refused request`, { timeout: 600_000 }, async () => {
  const result = await runCampaign({
    seed, runs,
    batchSize: 60,
    shrinkBudget: 600,
    shrinkMsPerFinding: 5_000,
    maxRestarts: 3,
    timeLimitMs: 300_000,
    log: (line) => console.log(`  ${line}`),
  });
  console.log(formatSummary(result));
  assert.ok(!result.stats.stoppedEarly || result.findings.length, `the campaign stopped early: ${result.stats.stoppedEarly}`);
  assert.equal(result.findings.length, 0, `\n${formatFindings(result)}\n(replay one with: npm run fuzz -- --replay '<the replay JSON>')`);
});
