/**
 * Bearer-token identities held in the snapshot, so authenticating a request
 * never reads the database. Only token hashes are known here.
 */
export interface TokenIdentity {
  /** The Token object's name (its handle for listing and revoking). */
  tokenName: string;
  user: string;
  /** Groups fixed on the token itself (the bootstrap admin's); a user's stored groups are added at authentication. */
  groups: string[];
  /** Epoch milliseconds; undefined = never expires. */
  expiresAt?: number;
}

export interface UserRecord {
  name: string;
  groups: string[];
}

export interface Authenticated {
  name: string;
  uid?: string;
  groups: string[];
}

export type AuthenticationResult =
  | { ok: true; user: Authenticated; tokenName: string }
  | { ok: false; reason: 'unknown' | 'expired' };

/**
 * Resolves a token hash at time `now` (epoch ms): the token's user with the
 * user's stored groups, the token's own groups, and system:authenticated,
 * each once, in that order.
 */
export function authenticateToken(
  tokens: ReadonlyMap<string, TokenIdentity>,
  users: ReadonlyMap<string, UserRecord>,
  hash: string,
  now: number,
): AuthenticationResult {
  const t = tokens.get(hash);
  if (!t) return { ok: false, reason: 'unknown' };
  if (t.expiresAt !== undefined && t.expiresAt <= now) return { ok: false, reason: 'expired' };
  const groups = [...(users.get(t.user)?.groups ?? []), ...t.groups, 'system:authenticated'];
  return { ok: true, tokenName: t.tokenName, user: { name: t.user, groups: [...new Set(groups)] } };
}
