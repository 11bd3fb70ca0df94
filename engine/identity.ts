/**
 * Bearer-token identities held in the snapshot, so authenticating a request
 * never reads the database. Only token hashes are known here.
 */
import { isDNS1123Label, isDNS1123Subdomain } from './validation/names.ts';

export interface TokenIdentity {
  /** The Token object's name (its handle for listing and revoking). */
  tokenName: string;
  user: string;
  /** Groups fixed on the token itself (the bootstrap admin's); a user's stored groups are added at authentication. */
  groups: string[];
  /** Epoch milliseconds; undefined = never expires. */
  expiresAt?: number;
  /**
   * The object the token is bound to (its owner reference): the token works
   * only while that object exists with this uid, so deleting the User or
   * ServiceAccount (or its namespace) revokes every token bound to it, and
   * recreating one under the same name does not revive them. Unbound tokens
   * (the bootstrap admin's) need no stored object.
   */
  boundTo?: { kind: 'User' | 'ServiceAccount'; uid: string };
  /**
   * The audiences the token was issued for (a TokenRequest's): it is good
   * for those alone. Undefined: audience-agnostic (see checkAudiences).
   */
  audiences?: string[];
}

export interface UserRecord {
  name: string;
  groups: string[];
  uid?: string;
}

export interface Authenticated {
  name: string;
  uid?: string;
  groups: string[];
}

/** What authentication reads from the snapshot. */
export interface IdentityState {
  /** Token secret hash -> identity. */
  readonly tokens: ReadonlyMap<string, TokenIdentity>;
  readonly users: ReadonlyMap<string, UserRecord>;
  /** `namespace/name` -> uid of every stored ServiceAccount. */
  readonly serviceAccounts: ReadonlyMap<string, string>;
}

export type AuthenticationResult =
  | { ok: true; user: Authenticated; tokenName: string; audiences?: string[] }
  | { ok: false; reason: 'unknown' | 'expired' | 'unbound' };

export const serviceAccountUserPrefix = 'system:serviceaccount:';

/**
 * `system:serviceaccount:<ns>:<name>` split into its parts, as kube's
 * serviceaccount.SplitUsername does: exactly two parts after the prefix, a
 * namespace that is a DNS label and a name that is a DNS subdomain.
 * Undefined for any other user name, which is then a plain user name (so
 * impersonating it needs `impersonate` on users, not on serviceaccounts).
 */
export function serviceAccountOf(user: string): { namespace: string; name: string } | undefined {
  if (!user.startsWith(serviceAccountUserPrefix)) return undefined;
  const parts = user.slice(serviceAccountUserPrefix.length).split(':');
  if (parts.length !== 2) return undefined;
  const [namespace, name] = parts;
  if (isDNS1123Label(namespace).length || isDNS1123Subdomain(name).length) return undefined;
  return { namespace, name };
}

/** The groups kube-apiserver gives a service account: all service accounts, and those of its namespace. */
export function serviceAccountGroups(namespace: string): string[] {
  return ['system:serviceaccounts', `system:serviceaccounts:${namespace}`];
}

/**
 * Resolves a token hash at time `now` (epoch ms). A token bound to a
 * ServiceAccount acts as `system:serviceaccount:<ns>:<name>` with that
 * account's uid and groups; any other token acts as its user with the
 * user's stored groups, the token's own groups, and system:authenticated,
 * each once, in that order. A bound token whose object is gone (or was
 * recreated with another uid) is refused as `unbound`.
 */
export function authenticateToken(state: IdentityState, hash: string, now: number): AuthenticationResult {
  const t = state.tokens.get(hash);
  if (!t) return { ok: false, reason: 'unknown' };
  if (t.expiresAt !== undefined && t.expiresAt <= now) return { ok: false, reason: 'expired' };
  if (t.boundTo?.kind === 'ServiceAccount') {
    const sa = serviceAccountOf(t.user);
    if (!sa || state.serviceAccounts.get(`${sa.namespace}/${sa.name}`) !== t.boundTo.uid) return { ok: false, reason: 'unbound' };
    const groups = [...serviceAccountGroups(sa.namespace), 'system:authenticated'];
    return withAudiences({ ok: true, tokenName: t.tokenName, user: { name: t.user, uid: t.boundTo.uid, groups } }, t);
  }
  const user = state.users.get(t.user);
  if (t.boundTo && user?.uid !== t.boundTo.uid) return { ok: false, reason: 'unbound' };
  const groups = [...(user?.groups ?? []), ...t.groups, 'system:authenticated'];
  return withAudiences({ ok: true, tokenName: t.tokenName, user: { name: t.user, groups: [...new Set(groups)] } }, t);
}

function withAudiences(result: AuthenticationResult & { ok: true }, t: TokenIdentity): AuthenticationResult {
  if (t.audiences?.length) result.audiences = [...t.audiences];
  return result;
}

/**
 * Warden's own audiences: what a token must be good for to authenticate a
 * request to Warden, and what a TokenReview naming no audiences asks for
 * (kube-apiserver's --api-audiences). A TokenRequest naming none is issued
 * for them.
 */
export const apiAudiences: readonly string[] = Object.freeze(['warden']);

export type AudienceCheck = { ok: true; audiences: string[] } | { ok: false; error?: string };

/** The entries of `a` that `b` holds, in `a`'s order (k8s.io/apiserver authenticator.Audiences.Intersect). */
function intersect(a: readonly string[], b: readonly string[]): string[] {
  const wanted = new Set(b);
  return a.filter((x) => wanted.has(x));
}

/** Go's %q of a []string: `["a" "b"]`. */
const goQuoted = (list: readonly string[]) => `[${list.map((s) => JSON.stringify(s)).join(' ')}]`;

/**
 * Which audiences an authenticated token is good for, by kube's rules
 * (k8s.io/apiserver pkg/authentication/authenticator/audiences.go and the
 * service-account token authenticator). The audiences asked for are
 * `requested`, or `apiAudiences` when it is empty.
 *
 * - A token issued for audiences (`tokenAudiences`) is good for those of
 *   them asked for, in the token's order; none is a refusal with the
 *   service-account authenticator's message.
 * - An audience-agnostic token is good for the `implicit` audiences asked
 *   for, in `implicit`'s order; none is a refusal without a message, as
 *   kube's audience-agnostic wrapper refuses. `implicit` undefined is the
 *   audience-unaware answer kube's token webhook contract provides for:
 *   good for whatever is asked, naming no audiences, so that the API server
 *   takes it as valid for its own.
 */
export function checkAudiences(
  tokenAudiences: readonly string[] | undefined, requested: readonly string[], implicit: readonly string[] | undefined,
): AudienceCheck {
  const asked = requested.length ? requested : apiAudiences;
  if (tokenAudiences?.length) {
    const audiences = intersect(tokenAudiences, asked);
    if (audiences.length) return { ok: true, audiences };
    return { ok: false, error: `token audiences ${goQuoted(tokenAudiences)} is invalid for the target audiences ${goQuoted(asked)}` };
  }
  if (implicit === undefined) return { ok: true, audiences: [] };
  const audiences = intersect(implicit, asked);
  return audiences.length ? { ok: true, audiences } : { ok: false };
}
