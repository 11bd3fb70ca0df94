/**
 * Text for people: the summary of a campaign (requests per identity and
 * status class, per operation class and identity, per kind of hostility)
 * and each finding as a reproduction: identity, method, raw path, headers,
 * body, status and the start of the answer, the server's log line, and the
 * case as JSON for `npm run fuzz -- --replay`.
 *
 * Promises: output is plain text, bodies and answers are cut to a few
 * hundred characters (huge and binary bodies are described, not printed),
 * and secrets are shown as placeholders.
 */
import type { RequestCase } from './cases.ts';
import type { CampaignResult, Finding } from './campaign.ts';
import { badTokenLabels } from './platform.ts';

const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, n)}… (${s.length} chars)` : s);
const printable = (s: string) => s.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`).replace(/[\ud800-\udfff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16)}`);

function authorization(c: RequestCase): string | undefined {
  switch (c.identity) {
    case 'admin': return 'Bearer <WARDEN_ADMIN_TOKEN>';
    case 'member': return 'Bearer <fz-member token>';
    case 'bad-token': return `Bearer <bad token #${c.badToken}: ${badTokenLabels[c.badToken] ?? '?'}>`;
    default: return undefined;
  }
}

export function formatCase(c: RequestCase): string {
  const lines = [`identity: ${c.identity}`, `request:  ${c.method} ${printable(cut(c.path, 300))}`];
  const auth = authorization(c);
  if (auth) lines.push(`          Authorization: ${auth}`);
  for (const [k, v] of c.headers) lines.push(`          ${k}: ${printable(cut(v, 200))}`);
  if (c.body) {
    const b = c.body.label ? `<${c.body.label}>` : c.body.base64 !== undefined ? `<base64 ${cut(c.body.base64, 120)}>` : printable(cut(c.body.text ?? '', 600));
    lines.push(`          body: ${b}`);
  }
  lines.push(`          (tags: ${c.tags.join(', ')})`);
  return lines.join('\n');
}

export function formatFinding(f: Finding, i: number): string {
  const out = [`#${i + 1} [${f.rule}] ${f.message}`];
  out.push(`   seen ${f.count}x${f.ops.size > 1 ? ` on ${f.ops.size} operations: ${[...f.ops].slice(0, 8).join(', ')}${f.ops.size > 8 ? ', …' : ''}` : ''}${f.case ? (f.shrunk ? '; shrunk' : '; not shrunk') : ''}`);
  if (f.case) out.push(formatCase(f.case).replace(/^/gm, '   '));
  if (f.response) {
    const r = f.response;
    out.push(`   status:   ${r.status || r.error}${r.error && r.status ? ` (${r.error})` : ''}`);
    if (r.body) out.push(`   answer:   ${printable(cut(r.body.replace(/\s+/g, ' '), 400))}`);
  }
  for (const e of f.serverErrors.slice(0, 2)) out.push(`   server log: ${cut(e, 300)}`);
  if (f.detail) out.push(`   detail:\n${f.detail.split('\n').slice(-15).map((l) => `     ${cut(l, 300)}`).join('\n')}`);
  if (f.case) out.push(`   replay: ${cut(JSON.stringify(f.case), 4000)}`);
  return out.join('\n');
}

function table(title: string, rows: Map<string, Map<string, number>>): string {
  const cols = [...new Set([...rows.values()].flatMap((m) => [...m.keys()]))].sort();
  const lines = [`${title.padEnd(18)}${cols.map((c) => c.padStart(11)).join('')}${'total'.padStart(9)}`];
  for (const [row, m] of [...rows].sort()) {
    const total = [...m.values()].reduce((a, b) => a + b, 0);
    lines.push(`${row.padEnd(18)}${cols.map((c) => String(m.get(c) ?? '').padStart(11)).join('')}${String(total).padStart(9)}`);
  }
  return lines.join('\n');
}

export function formatSummary(res: CampaignResult): string {
  const s = res.stats;
  const out = [
    `fuzz: seed ${res.seed}, ${res.runs} runs, ${res.backend}: ${s.sent} requests sent (${s.skipped} skipped as like a crash, ${s.notRefused} drawn for refused batches but allowed), ${s.shrinkSends} more while shrinking, `
      + `${s.digestChecks} refused batches compared by digest (${s.digestSkipped} not comparable), ${s.restarts} restarts, ${(s.ms / 1000).toFixed(1)} s (set-up ${(s.setupMs / 1000).toFixed(1)} s, waiting for answers ${(s.sendMs / 1000).toFixed(1)} s, digests and probes ${(s.housekeepingMs / 1000).toFixed(1)} s)`,
  ];
  if (s.closedEarly) out.push(`${s.closedEarly} requests with a body over 64 KiB had their connection closed before an answer was read (not a failure)`);
  if (s.stoppedEarly) out.push(`stopped early: ${s.stoppedEarly}`);
  out.push('', table('identity \\ answer', s.byIdentity), '', table('operation class', s.byClass), '', table('hostile in', s.byDimension), '');
  out.push(`hostility: ${[...s.byTag].sort((a, b) => b[1] - a[1]).map(([t, n]) => `${t} ${n}`).join(', ')}`);
  out.push('', res.findings.length ? `${res.findings.length} distinct failures:` : 'no failures');
  return out.join('\n');
}

export function formatFindings(res: CampaignResult): string {
  return res.findings.map((f, i) => formatFinding(f, i)).join('\n\n');
}
