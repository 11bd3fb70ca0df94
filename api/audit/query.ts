/**
 * Query parameters of the audit lists: string filters, `allowed`, the time
 * range `since` (inclusive) .. `until` (exclusive) in RFC 3339, `limit`
 * (1..1000, default 100) and `continue`. Every bad parameter is a 400 Status
 * naming it. openapi.yaml refuses most of these before a handler runs; the
 * checks here keep the handlers safe on their own and word the errors.
 *
 * A continue token is opaque: the id of the last row served (pages are
 * keyset-paged on the row id, newest first, so rows recorded meanwhile never
 * shift a page) and a digest binding it to that id, the list and its filters.
 * A token altered by hand, or replayed against another list or other
 * filters, is refused rather than silently serving a different sequence.
 */
import { createHash } from 'node:crypto';
import { badRequest } from '../status.ts';

export const defaultLimit = 100;
export const maxLimit = 1000;

/** Parameters every audit list accepts besides its filters (kubectl adds `timeout`). */
const common = ['limit', 'continue', 'pretty', 'timeout'];

export function invalidParam(name: string, value: unknown, why: string) {
  const message = `${name}: Invalid value: ${JSON.stringify(value)}: ${why}`;
  return badRequest(message, [{ reason: 'FieldValueInvalid', message, field: name }]);
}

/** The query with every value a single string; unknown names and repeated values are refused. */
export function queryOf(raw: Record<string, unknown>, filters: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, v] of Object.entries(raw)) {
    if (!filters.includes(name) && !common.includes(name)) {
      const message = `${name}: Unsupported value: unknown query parameter; supported: ${[...filters, 'limit', 'continue'].join(', ')}`;
      throw badRequest(message, [{ reason: 'FieldValueNotSupported', message, field: name }]);
    }
    if (Array.isArray(v)) throw invalidParam(name, v, 'must be given at most once');
    if (v !== undefined) out[name] = String(v);
  }
  return out;
}

const rfc3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** An RFC 3339 date-time (`2026-11-29T13:00:00Z`, offsets and fractions allowed), or a 400 naming `name`. */
export function parseTime(name: string, text: string): Date {
  const m = rfc3339.exec(text);
  const [y, mo, d, h, mi, s] = (m ?? []).slice(1, 7).map(Number);
  const daysInMonth = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  const t = m ? Date.parse(text) : NaN;
  if (!m || Number.isNaN(t) || mo < 1 || mo > 12 || d < 1 || d > daysInMonth || h > 23 || mi > 59 || s > 60) {
    throw invalidParam(name, text, 'must be an RFC 3339 date-time such as 2026-11-29T13:00:00Z');
  }
  return new Date(t);
}

/** `since` and `until`, when given; `since` after `until` is a 400. */
export function timeRange(q: Record<string, string>): { since?: Date; until?: Date } {
  const since = q.since !== undefined ? parseTime('since', q.since) : undefined;
  const until = q.until !== undefined ? parseTime('until', q.until) : undefined;
  if (since && until && since.getTime() > until.getTime()) throw invalidParam('since', q.since, `must not be after until (${q.until})`);
  return { since, until };
}

export function parseLimit(text: string | undefined): number {
  if (text === undefined) return defaultLimit;
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < 1 || n > maxLimit) {
    throw invalidParam('limit', text, `must be an integer from 1 to ${maxLimit}`);
  }
  return n;
}

export function parseBoolean(name: string, text: string | undefined): boolean | undefined {
  if (text === undefined) return undefined;
  if (text === 'true') return true;
  if (text === 'false') return false;
  throw invalidParam(name, text, 'must be true or false');
}

/** The filters a token is bound to, in a fixed order, dates as instants. */
function fingerprint(list: string, filters: Record<string, unknown>): string {
  const canonical = Object.keys(filters).sort()
    .filter((k) => filters[k] !== undefined)
    .map((k) => [k, filters[k] instanceof Date ? (filters[k] as Date).toISOString() : filters[k]]);
  return JSON.stringify([list, canonical]);
}

const digest = (list: string, filters: Record<string, unknown>, id: bigint) =>
  createHash('sha256').update(`${fingerprint(list, filters)}\n${id}`).digest('base64url').slice(0, 22);

export function encodeContinue(list: string, filters: Record<string, unknown>, id: bigint): string {
  return Buffer.from(JSON.stringify({ id: id.toString(), d: digest(list, filters, id) })).toString('base64url');
}

/** The row id a token continues below, or a 400 naming `continue` when it is not one this list issued for these filters. */
export function decodeContinue(list: string, filters: Record<string, unknown>, token: string | undefined): bigint | undefined {
  if (token === undefined) return undefined;
  const refuse = () => invalidParam('continue', token, 'the continue token is not valid: it must come from a previous page of the same list with the same filters');
  let parsed: { id?: unknown; d?: unknown };
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(token)) throw refuse();
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw refuse();
  }
  if (typeof parsed?.id !== 'string' || !/^[1-9]\d{0,18}$/.test(parsed.id) || typeof parsed.d !== 'string') throw refuse();
  const id = BigInt(parsed.id);
  if (parsed.d !== digest(list, filters, id)) throw refuse();
  return id;
}
