/**
 * iam.warden.dev Tokens: a bearer token bound to a User, with an optional
 * expiry. The secret exists only in the response that issues it (the store
 * keeps its SHA-256 hash in a column no object shows). What a token acts as
 * is fixed at issue: its user, its audiences, its expiry and its binding
 * never change; an update may change labels, annotations and the
 * description only.
 */
import type { KubeObject } from '../../engine/meta.ts';
import { forbidden, invalid, required, tooLong, type FieldError } from '../../engine/validation/field-error.ts';
import { FIELD_IMMUTABLE } from '../../engine/validation/object-meta.ts';
import { validateUserName } from './user-strategy.ts';

export interface TokenSpec {
  user?: unknown;
  groups?: unknown;
  audiences?: unknown;
  description?: unknown;
  expirationTimestamp?: unknown;
}

/** The longest lifetime a Token may be issued with. */
export const maxTokenLifetimeSeconds = 365 * 24 * 3600;
export const maxDescriptionLength = 1024;

const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

export const specOf = (o: KubeObject | null | undefined): TokenSpec =>
  (o?.spec && typeof o.spec === 'object' && !Array.isArray(o.spec) ? o.spec : {}) as TokenSpec;

/** A metav1.Time: RFC 3339 in UTC to the second (kube drops fractions). */
export function formatTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Epoch ms of an RFC 3339 date-time, or undefined when `v` is not one. */
export function parseTime(v: unknown): number | undefined {
  if (typeof v !== 'string' || !rfc3339.test(v)) return undefined;
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Server-set shape: no status (the secret is never stored), the expiry in canonical form; an update keeps the binding. */
export function prepareToken(o: KubeObject, prev?: KubeObject): KubeObject {
  const { status: _status, ...rest } = o;
  const spec = { ...specOf(o) };
  const at = parseTime(spec.expirationTimestamp);
  if (at !== undefined) spec.expirationTimestamp = formatTime(at);
  const metadata = { ...o.metadata };
  // Owner references bind the token; they are the server's, as status is.
  if (prev) metadata.ownerReferences = prev.metadata.ownerReferences;
  if (!metadata.ownerReferences) delete metadata.ownerReferences;
  return { ...rest, metadata, spec };
}

/** `spec.audiences`: optional; each a non-empty string (a token naming audiences is good for those alone). */
function validateAudiences(v: unknown): FieldError[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) return [invalid('spec.audiences', v, 'must be a list of strings')];
  const errs: FieldError[] = [];
  v.forEach((a, i) => {
    if (typeof a !== 'string' || a === '') errs.push(invalid(`spec.audiences[${i}]`, a, 'must be a non-empty string'));
  });
  return errs;
}

function validateDescription(v: unknown): FieldError[] {
  if (v === undefined) return [];
  if (typeof v !== 'string') return [invalid('spec.description', v, 'must be a string')];
  return v.length > maxDescriptionLength ? [tooLong('spec.description', maxDescriptionLength)] : [];
}

/** `spec.expirationTimestamp` of a new token: a date-time after `now`, at most a year later. */
export function validateExpiration(v: unknown, now: number): FieldError[] {
  if (v === undefined) return [];
  const path = 'spec.expirationTimestamp';
  const at = parseTime(v);
  if (at === undefined) return [invalid(path, v, 'must be an RFC 3339 date-time, e.g. 2030-01-02T15:04:05Z')];
  if (at <= now) return [invalid(path, v, 'must be in the future')];
  if (at - now > maxTokenLifetimeSeconds * 1000) return [invalid(path, v, `must be at most ${maxTokenLifetimeSeconds} seconds (365 days) from now`)];
  return [];
}

/**
 * A token issued through the API: its user a valid User name, no groups
 * (a token acts with its user's stored groups), optional audiences, an
 * optional description and expiry. Whether the user exists is checked by the issuer.
 */
export function validateToken(o: KubeObject, now = Date.now()): FieldError[] {
  if (o.spec === undefined) return [required('spec.user', 'the user the token is issued for')];
  if (o.spec === null || typeof o.spec !== 'object' || Array.isArray(o.spec)) return [invalid('spec', o.spec, 'must be an object')];
  const spec = specOf(o);
  const errs: FieldError[] = [];
  if (spec.user === undefined || spec.user === '') errs.push(required('spec.user', 'the user the token is issued for'));
  else if (typeof spec.user !== 'string') errs.push(invalid('spec.user', spec.user, 'must be a string'));
  else for (const msg of validateUserName(spec.user)) errs.push(invalid('spec.user', spec.user, msg));
  if (Array.isArray(spec.groups) ? spec.groups.length > 0 : spec.groups !== undefined) {
    errs.push(forbidden('spec.groups', 'may not be set: a token acts with the groups stored on its user'));
  }
  errs.push(...validateAudiences(spec.audiences));
  errs.push(...validateDescription(spec.description));
  errs.push(...validateExpiration(spec.expirationTimestamp, now));
  return errs;
}

const sameList = (a: unknown, b: unknown) =>
  JSON.stringify(Array.isArray(a) ? a : []) === JSON.stringify(Array.isArray(b) ? b : []);

/** An update keeps what the token acts as: user, groups, audiences and expiry are immutable; the description may change. */
export function validateTokenUpdate(next: KubeObject, prev: KubeObject): FieldError[] {
  if (next.spec === null || typeof next.spec !== 'object' || Array.isArray(next.spec)) return [invalid('spec', next.spec, 'must be an object')];
  const a = specOf(next);
  const b = specOf(prev);
  const errs: FieldError[] = [];
  if ((a.user ?? '') !== (b.user ?? '')) errs.push(invalid('spec.user', a.user ?? '', FIELD_IMMUTABLE));
  if (!sameList(a.groups, b.groups)) errs.push(invalid('spec.groups', a.groups ?? [], FIELD_IMMUTABLE));
  if (!sameList(a.audiences, b.audiences)) errs.push(invalid('spec.audiences', a.audiences ?? [], FIELD_IMMUTABLE));
  if ((a.expirationTimestamp ?? '') !== (b.expirationTimestamp ?? '')) errs.push(invalid('spec.expirationTimestamp', a.expirationTimestamp ?? '', FIELD_IMMUTABLE));
  errs.push(...validateDescription(a.description));
  return errs;
}
