/**
 * quota/quantities.json through HTTP, where the API can show an entry:
 *
 * - parses: a ResourceQuota with the input as `spec.hard[requests.cpu]`,
 *   created with `dryRun=All`. A valid non-negative input is 201 and
 *   `status.hard` prints the canonical form; a valid negative one is 422
 *   naming the canonical form ("must be greater than or equal to 0"); an
 *   invalid one is 422 with any other reason.
 * - comparisons: a quota whose hard is one operand, and a dry-run
 *   AdmissionReview of a pod requesting the other: admitted exactly when
 *   the request is at most the hard value; both directions give the order.
 * - additions: a quota whose `status.used` is `a` (set through `/status`)
 *   admits a pod requesting `b`; the stored usage prints `a + b`.
 *
 * Two kinds of entries cannot be shown through HTTP, so they are checked
 * against the engine and counted apart: a comparison with a negative
 * operand (no quota holds a negative hard value, and a negative request is
 * refused before any comparison), and a parse of input with surrounding
 * whitespace (JSON decoding trims it before parsing, as Kubernetes'
 * Quantity.UnmarshalJSON does, so the API accepts what ParseQuantity alone
 * refuses).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { addQuantities, compareQuantities, formatQuantity, parseQuantity, type Quantity } from '../../engine/quota/index.ts';
import type { Suite, SuiteResult, WardenClient } from './client.ts';
import { reviewFor } from './quota-cases.ts';

type Entry =
  | { input: string; valid: boolean; canonical?: string }
  | { a: string; b: string; cmp: -1 | 0 | 1 }
  | { a: string; b: string; add: string };

const resource = 'requests.cpu';
const ns = 'quantities';
const quotaUrl = `/api/v1/namespaces/${ns}/resourcequotas`;

const quota = (hard: Record<string, string>) => ({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', namespace: ns }, spec: { hard } });
const pod = (name: string, cpu: string) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns },
  spec: { containers: [{ name: 'app', image: 'example.com/app:1', resources: { requests: { cpu } } }] },
});

async function checkParse(client: WardenClient, e: { input: string; valid: boolean; canonical?: string }): Promise<string | undefined | 'engine'> {
  if (e.input.trim() !== e.input) return 'engine';
  const r = await client.post(`${quotaUrl}?dryRun=All`, quota({ [resource]: e.input }));
  if (r.status === 201) {
    const printed = r.body?.status?.hard?.[resource];
    if (!e.valid) return `accepted (printed ${JSON.stringify(printed)}), want invalid`;
    return printed === e.canonical ? undefined : `printed ${JSON.stringify(printed)}, want ${JSON.stringify(e.canonical)}`;
  }
  if (r.status !== 422) return `HTTP ${r.status}: ${r.body?.message}`;
  const cause = (r.body?.details?.causes ?? []).find((c: { field?: string }) => c.field === `spec.hard[${resource}]`);
  const negative = /^Invalid value: "(.*)": must be greater than or equal to 0$/.exec(cause?.message ?? '');
  if (!e.valid) return cause && !negative ? undefined : `refused as ${JSON.stringify(cause?.message ?? r.body?.message)}, want a parse error`;
  if (!negative) return `refused as ${JSON.stringify(cause?.message ?? r.body?.message)}, want valid`;
  return negative[1] === e.canonical ? undefined : `negative value printed ${JSON.stringify(negative[1])}, want ${JSON.stringify(e.canonical)}`;
}

/** Sets the quota's hard value; false when the API refuses it as a hard value (a negative quantity). */
async function setHard(client: WardenClient, hard: string): Promise<boolean> {
  const current = await client.get(`${quotaUrl}/q`);
  const r = await client.put(`${quotaUrl}/q`, { ...current.body, spec: { hard: { [resource]: hard } } });
  if (r.status === 422) return false;
  if (r.status !== 200) throw new Error(`quota update: ${r.status} ${r.body?.message}`);
  return true;
}

/** Whether a pod requesting `cpu` fits under hard `hard` (used 0), asked as a dry run. */
async function fits(client: WardenClient, hard: string, cpu: string, uid: string): Promise<boolean> {
  if (!(await setHard(client, hard))) throw new Error(`hard ${hard} refused`);
  const r = await client.post('/webhooks/admission', reviewFor(uid, { operation: 'CREATE', object: pod('p', cpu) }, true));
  if (r.status !== 200) throw new Error(`review: ${r.status} ${r.body?.message}`);
  return r.body.response.allowed === true;
}

async function checkCmp(client: WardenClient, e: { a: string; b: string; cmp: number }, i: number): Promise<string | undefined | 'engine'> {
  if (!(await setHard(client, e.a)) || !(await setHard(client, e.b))) return 'engine';
  const aFitsUnderB = await fits(client, e.b, e.a, `cmp-${i}-a`);
  const bFitsUnderA = await fits(client, e.a, e.b, `cmp-${i}-b`);
  const got = aFitsUnderB && bFitsUnderA ? 0 : aFitsUnderB ? -1 : bFitsUnderA ? 1 : NaN;
  return got === e.cmp ? undefined : `compared ${got}, want ${e.cmp}`;
}

async function checkAdd(client: WardenClient, e: { a: string; b: string; add: string }, i: number): Promise<string | undefined> {
  if (!(await setHard(client, '1e30'))) throw new Error('hard 1e30 refused');
  const current = (await client.get(`${quotaUrl}/q`)).body;
  const s = await client.put(`${quotaUrl}/q/status`, { ...current, status: { used: { [resource]: e.a } } });
  if (s.status !== 200) return `status with used ${e.a}: ${s.status} ${s.body?.message}`;
  const r = await client.post('/webhooks/admission', reviewFor(`add-${i}`, { operation: 'CREATE', object: pod(`p${i}`, e.b) }));
  if (r.body?.response?.allowed !== true) return `not admitted: ${r.body?.response?.status?.message ?? r.body?.message}`;
  const used = (await client.get(`${quotaUrl}/q`)).body?.status?.used?.[resource];
  return used === e.add ? undefined : `used ${JSON.stringify(used)}, want ${JSON.stringify(e.add)}`;
}

function parsed(s: string): Quantity {
  const r = parseQuantity(s);
  if (!r.ok) throw new Error(`${s} does not parse`);
  return r.quantity;
}

function checkOnEngine(e: Entry): string | undefined {
  if ('cmp' in e) {
    const got = compareQuantities(parsed(e.a), parsed(e.b));
    return got === e.cmp ? undefined : `compared ${got}, want ${e.cmp}`;
  }
  if ('add' in e) {
    const got = formatQuantity(addQuantities(parsed(e.a), parsed(e.b)));
    return got === e.add ? undefined : `added to ${got}, want ${e.add}`;
  }
  const r = parseQuantity(e.input);
  if (r.ok !== e.valid) return r.ok ? `parsed as ${formatQuantity(r.quantity)}, want invalid` : `refused (${r.error}), want valid`;
  return r.ok && formatQuantity(r.quantity) !== e.canonical ? `printed ${formatQuantity(r.quantity)}, want ${e.canonical}` : undefined;
}

const label = (e: Entry) => ('input' in e ? `parse ${JSON.stringify(e.input)}` : 'cmp' in e ? `cmp ${e.a} ${e.b}` : `add ${e.a} ${e.b}`);

export const quotaQuantitiesSuite: Suite = {
  file: 'quota/quantities.json',
  async run(client: WardenClient, corpusDir: string): Promise<SuiteResult[]> {
    const entries = JSON.parse(readFileSync(path.join(corpusDir, this.file), 'utf8')) as Entry[];
    await client.reset();
    const nsBody = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } };
    if ((await client.post('/api/v1/namespaces', nsBody)).status !== 201) throw new Error(`namespace ${ns} could not be created`);
    if ((await client.post(quotaUrl, quota({ [resource]: '1' }))).status !== 201) throw new Error('quota could not be created');
    const http = { total: 0, failures: [] as string[] };
    const engine = { total: 0, failures: [] as string[] };
    try {
      for (const [i, e] of entries.entries()) {
        let problem: string | undefined | 'engine';
        try {
          problem = 'input' in e ? await checkParse(client, e) : 'cmp' in e ? await checkCmp(client, e, i) : await checkAdd(client, e, i);
        } catch (err) {
          problem = (err as Error).message;
        }
        if (problem === 'engine') {
          engine.total++;
          const p = checkOnEngine(e);
          if (p) engine.failures.push(`${label(e)}: ${p}`);
          continue;
        }
        http.total++;
        if (problem) http.failures.push(`${label(e)}: ${problem}`);
      }
    } finally {
      await client.delete(`/api/v1/namespaces/${ns}`);
    }
    const results: SuiteResult[] = [{
      file: this.file, unit: 'entries through HTTP', total: http.total, passed: http.total - http.failures.length, failures: http.failures,
    }];
    if (engine.total) {
      results.push({
        file: this.file, unit: 'entries not expressible through HTTP (negative comparison operand, whitespace-padded input), checked on the engine',
        total: engine.total, passed: engine.total - engine.failures.length, failures: engine.failures,
      });
    }
    return results;
  },
};
