/**
 * iam.warden.dev Users: a name tokens are issued for, and the groups every
 * token of that user carries. Kubernetes stores no users; the name rule here
 * is Warden's own: what an identity provider commonly issues (plain names,
 * e-mail addresses, `provider:subject`), usable as one URL path segment and
 * in impersonation headers, with the `system:` prefix left to Kubernetes'
 * own identities (service accounts, nodes, control-plane components).
 */
import type { KubeObject } from '../../engine/meta.ts';
import { duplicate, invalid, required, type FieldError } from '../../engine/validation/field-error.ts';
import { maxLenError, regexError } from '../../engine/validation/names.ts';

export const userApiVersion = 'iam.warden.dev/v1';
export const reservedUserPrefix = 'system:';

const maxUserNameLength = 253;
const userNameFmt = '[A-Za-z0-9]([-A-Za-z0-9._@:+]*[A-Za-z0-9])?';
const userNameRe = new RegExp(`^${userNameFmt}$`);
const userNamePrefixRe = /^[A-Za-z0-9][-A-Za-z0-9._@:+]*$/;
const userNameMsg = "a user name must consist of alphanumeric characters, '-', '.', '_', '@', ':' or '+', and must start and end with an alphanumeric character";

/**
 * The name rule of a User (a NameValidator): at most 253 characters of
 * `[-A-Za-z0-9._@:+]`, alphanumeric at both ends (a generateName prefix may
 * end with any of them), not starting with `system:`. Returns details.
 */
export function validateUserName(name: string, prefix = false): string[] {
  const errs: string[] = [];
  if (name.length > maxUserNameLength) errs.push(maxLenError(maxUserNameLength));
  if (!(prefix ? userNamePrefixRe : userNameRe).test(name)) errs.push(regexError(userNameMsg, userNameFmt, 'alice', 'alice@example.com', 'oidc:alice'));
  if (name.startsWith(reservedUserPrefix)) errs.push(`may not start with "${reservedUserPrefix}": the prefix is reserved for Kubernetes identities`);
  return errs;
}

/** A User's groups, from a stored or candidate object (absent: none). */
export function groupsOf(o: KubeObject | null | undefined): string[] {
  const groups = (o?.spec as { groups?: unknown } | undefined)?.groups;
  return Array.isArray(groups) ? groups.filter((g): g is string => typeof g === 'string') : [];
}

/** `spec.groups`: a list of non-empty strings without blanks at either end, each once. */
export function validateUserGroups(groups: unknown, path = 'spec.groups'): FieldError[] {
  if (groups === undefined) return [];
  if (!Array.isArray(groups)) return [invalid(path, groups, 'must be a list of group names')];
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  groups.forEach((g, i) => {
    const at = `${path}[${i}]`;
    if (typeof g !== 'string' || g === '') errs.push(required(at, 'a group name must be non-empty'));
    else if (g.trim() !== g) errs.push(invalid(at, g, 'must not begin or end with whitespace'));
    else if (seen.has(g)) errs.push(duplicate(at, g));
    else seen.add(g);
  });
  return errs;
}

export function validateUser(o: KubeObject): FieldError[] {
  const spec = o.spec as unknown;
  if (spec !== undefined && (spec === null || typeof spec !== 'object' || Array.isArray(spec))) return [invalid('spec', spec, 'must be an object')];
  return validateUserGroups((spec as { groups?: unknown } | undefined)?.groups);
}

/** A user's groups may change at any time: each token of the user carries the new ones at its next request. */
export function validateUserUpdate(next: KubeObject): FieldError[] {
  return validateUser(next);
}

/** Server-set shape: `spec.groups` always a list; no status. */
export function prepareUser(o: KubeObject): KubeObject {
  const { status: _status, ...rest } = o;
  const spec = (o.spec && typeof o.spec === 'object' ? o.spec : {}) as Record<string, unknown>;
  return { ...rest, spec: { ...spec, groups: spec.groups ?? [] } };
}
