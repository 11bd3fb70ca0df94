/**
 * The per-response assertions, as values: each answer is checked against
 *
 *   1. no status >= 500, for any identity (the one exception the design
 *      names: 503 with Retry-After for an X-Warden-Min-Revision not reached);
 *   3. anonymous and bad-token requests get 401, but on the public paths
 *      (/livez, /readyz, /version) and but a bad token's 503 while waiting
 *      for an X-Warden-Min-Revision (the token may exist at that revision);
 *   4. the member gets only 401, 403 or 404 where it is not authorized
 *      (member-rights.ts), never a 2xx nor a 400/409/422 that shows
 *      validation ran before authorization; a list it may make shows only
 *      its own namespace;
 *   and no answer carries internal detail (stack frames, file paths, SQL or
 *   Prisma errors) or a secret the request did not carry.
 *
 * Promises: `checkResponse` never throws and returns one Violation per
 * broken rule, each with a signature that names the rule and what the
 * answer was, without the parts that vary from run to run; the fuzzer
 * reports each signature once, with its smallest reproduction.
 */
import type { RequestCase } from './cases.ts';
import { isPublic, memberVerdict } from './member-rights.ts';
import { names } from './platform.ts';
import type { RawResponse } from './raw-http.ts';
import { root } from '../support/process.ts';

export type Rule = 'no-5xx' | 'unauthenticated-401' | 'case-altered-path-served' | 'member-refused' | 'member-sees-other-namespaces' | 'internal-detail' | 'secret-leak'
  | 'crash' | 'transport' | 'livez' | 'readyz' | 'refused-changed-state';

export interface Violation {
  rule: Rule;
  signature: string;
  message: string;
}

export interface CheckContext {
  /** Secrets that must never appear in an answer (admin and member tokens). */
  secrets: string[];
  /** The error lines the server logged for this request. */
  serverErrors: string[];
}

/** A Status body's reason, or the first word of a non-Status body. */
export function reasonOf(r: RawResponse): string {
  try {
    const b = JSON.parse(r.body);
    if (b && typeof b === 'object' && typeof b.reason === 'string') return b.reason;
  } catch { /* not JSON */ }
  return r.body ? 'non-Status body' : 'empty body';
}

/** An error text with names, numbers and quoted values replaced, so that one cause gives one signature. */
export function normalize(text: string): string {
  return text.replace(/"[^"]*"/g, '"…"').replace(/'[^']*'/g, "'…'").replace(/\b[0-9a-f]{8,}\b/gi, 'N').replace(/\d+/g, 'N').slice(0, 120);
}

const internalPatterns: [RegExp, string][] = [
  [/\n\s+at [^\n]*:\d+:\d+/, 'a stack trace'],
  [/node_modules\//, 'a node_modules path'],
  [new RegExp(root.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), 'the server\'s source path'],
  [/PrismaClient|prisma\.\w+\.\w+\(|Invalid `prisma/i, 'a Prisma error'],
  [/SQLSTATE|duplicate key value violates|violates (foreign key|check|not-null) constraint|syntax error at or near|relation "[^"]+" does not exist/i, 'an SQL error'],
  [/\b(TypeError|ReferenceError|RangeError|SyntaxError): /, 'a JavaScript error'],
  [/Cannot read properties of (undefined|null)|is not a function|Maximum call stack size exceeded/, 'a JavaScript error'],
];

function requestText(c: RequestCase): string {
  return `${c.path}\n${c.headers.map(([k, v]) => `${k}: ${v}`).join('\n')}\n${c.body?.text ?? ''}`;
}

export function checkResponse(c: RequestCase, r: RawResponse, ctx: CheckContext): Violation[] {
  const out: Violation[] = [];
  const reason = reasonOf(r);
  // Node's own HTTP parser refuses some requests before Warden sees them (no X-Request-Id): not Warden's answer.
  const fromWarden = r.headers['x-request-id'] !== undefined;
  const minRevisionWait = r.status === 503 && r.headers['retry-after'] !== undefined && c.headers.some(([k]) => k.toLowerCase() === 'x-warden-min-revision');

  if (r.status >= 500 && !minRevisionWait) {
    const cause = ctx.serverErrors[0] ?? messageOf(r);
    // With a server log line, the line names the cause (one cause, many operations); without, the operation does.
    out.push({ rule: 'no-5xx', signature: `no-5xx|${r.status}|${ctx.serverErrors.length ? '' : c.op}|${normalize(String(cause))}`, message: `${r.status} ${reason} on ${c.op}${ctx.serverErrors.length ? ` (server log: ${ctx.serverErrors[0]})` : ''}` });
  }

  const success = r.status >= 200 && r.status < 300;
  // Refusals group by what they say (one cause, many operations); successes by operation (each one a hole of its own).
  // An answer without a body (HEAD) says nothing: the kinds of hostile headers it carried stand in for its message.
  const said = r.body ? normalize(messageOf(r)) : `(no body; ${c.tags.filter((t) => t.startsWith('header:')).join(',')})`;
  const refusalKey = success ? `2xx|${c.op}` : `${r.status}|${said}`;
  // A bad token may name a token created at a revision this replica has not reached: waiting for the requested
  // revision before authenticating (and 503 when it does not come) is the design's read-your-writes. A request
  // without a token has nothing to wait for.
  const mayWait = c.identity === 'bad-token' && minRevisionWait;
  if ((c.identity === 'anonymous' || c.identity === 'bad-token') && !isPublic(c.intent) && r.status !== 401 && !mayWait && (fromWarden || r.status >= 500)) {
    out.push({
      rule: 'unauthenticated-401', signature: `unauthenticated-401|${refusalKey}`,
      message: `${c.identity} request got ${r.status} ${reason}, not 401${success ? '' : `: ${messageOf(r).slice(0, 160)}`}`,
    });
  }

  // Kubernetes paths are case-sensitive: /API/v1/... names nothing kube-apiserver serves (404). Serving it lets
  // routing and authorization disagree about what the request is.
  if (success && c.intent.pathAltered === 'case' && !isPublic(c.intent)) {
    out.push({
      rule: 'case-altered-path-served', signature: `case-altered-path-served|${c.identity}`,
      message: `${c.identity} got ${r.status} for ${c.method} ${c.path.split('?')[0].slice(0, 100)}, a case-altered spelling of ${c.intent.template} (kube-apiserver: 404)`,
    });
  }

  if (c.identity === 'member' && fromWarden) {
    const verdict = memberVerdict(c.intent);
    // A path that does not decode, or impersonation headers that do not parse, name no attributes to authorize: 400 is fair.
    const unparsable = c.intent.impersonation === 'malformed' || Object.values(c.intent.params).some((v) => v === undefined);
    const allowedStatuses = unparsable ? [400, 401, 403, 404] : [401, 403, 404];
    // A case-altered path served 2xx is reported once, by the rule above.
    if (verdict === 'forbidden' && !allowedStatuses.includes(r.status) && r.status < 500 && !(success && c.intent.pathAltered === 'case')) {
      // A case-altered path that reaches a handler (kube-apiserver: 404) is one cause, whatever the handler said.
      const key = c.intent.pathAltered === 'case' && !c.tags.some((t) => t.startsWith('header:')) ? `case-altered path|${r.status}` : `${refusalKey}${success ? `|${c.intent.pathAltered}|${c.intent.impersonation}` : ''}`;
      out.push({
        rule: 'member-refused', signature: `member-refused|${key}`,
        message: `the member is not authorized for ${c.method} ${c.intent.template} (${describeIntent(c)}) yet got ${r.status} ${reason}${success ? '' : `: ${messageOf(r).slice(0, 160)}`}`,
      });
    }
    if (r.status >= 200 && r.status < 300) {
      const strays = foreignItems(r.body);
      if (strays.length) {
        out.push({
          rule: 'member-sees-other-namespaces', signature: `member-sees-other-namespaces|${c.op}`,
          message: `the member's ${c.op} answer holds objects outside ${names.memberNamespace}: ${strays.slice(0, 5).join(', ')}`,
        });
      }
    }
  }

  const sent = requestText(c);
  for (const [re, what] of internalPatterns) {
    const m = re.exec(r.body);
    if (m && !sent.includes(m[0].trim())) {
      out.push({ rule: 'internal-detail', signature: `internal-detail|${what}|${normalize(m[0])}`, message: `the answer (${r.status}) shows ${what}: ${JSON.stringify(m[0].slice(0, 120))}` });
      break;
    }
  }
  for (const s of ctx.secrets) {
    if (s && r.body.includes(s) && !sent.includes(s)) {
      out.push({ rule: 'secret-leak', signature: `secret-leak|${c.op}`, message: `the answer (${r.status}) holds a bearer token the request did not carry` });
    }
  }
  return out;
}

/** A Status body's message, or the start of any other body. */
export function messageOf(r: RawResponse): string {
  try {
    const b = JSON.parse(r.body);
    if (b && typeof b.message === 'string') return b.message;
  } catch { /* not JSON */ }
  return r.body.slice(0, 80);
}

function describeIntent(c: RequestCase): string {
  const params = Object.entries(c.intent.params).map(([k, v]) => `${k}=${v === undefined ? '(undecodable)' : JSON.stringify(v)}`).join(', ');
  const extra = [c.intent.pathAltered !== 'none' ? `path ${c.intent.pathAltered}-altered` : '', c.intent.impersonation !== 'none' ? `impersonation: ${c.intent.impersonation}` : ''].filter(Boolean);
  return [params || 'no parameters', ...extra].join('; ');
}

/** Items of a list answer (or of a watch stream's events) that belong to another namespace than the member's. */
function foreignItems(body: string): string[] {
  const objects: any[] = [];
  try {
    const b = JSON.parse(body);
    if (Array.isArray(b?.items)) objects.push(...b.items);
  } catch {
    for (const line of body.split('\n')) {
      try {
        const e = JSON.parse(line);
        if (e?.object) objects.push(e.object);
      } catch { /* partial line */ }
    }
  }
  const out: string[] = [];
  for (const o of objects) {
    const meta = o?.metadata ?? {};
    if (o?.kind === 'Namespace' ? meta.name !== names.memberNamespace : meta.namespace !== undefined && meta.namespace !== names.memberNamespace) {
      out.push(`${o?.kind ?? '?'} ${meta.namespace ? `${meta.namespace}/` : ''}${meta.name}`);
    }
  }
  return out;
}
