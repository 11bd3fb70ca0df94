/**
 * Checks every write of Users and Tokens passes, whatever path it takes
 * (create, update, patch, apply, bulk apply):
 * - a User whose groups include system:masters is written only by a member
 *   of system:masters, because a user's groups flow into every token of it;
 * - a Token is created only by issuance (POST to the collection), the one
 *   path that mints a secret and shows it once. PUT and apply cannot create
 *   one: they would store a token nobody holds the secret of.
 */
import type { KubeObject } from '../../engine/meta.ts';
import { registerWriteCheck } from '../resources/admission.ts';
import { forbidden, methodNotAllowed } from '../status.ts';
import { groupsOf, mastersGroup } from './user-strategy.ts';

const issuing = new WeakSet<KubeObject>();

/** Marks `token` as being issued with a fresh secret, so its creation passes. */
export function markIssuing(token: KubeObject): void {
  issuing.add(token);
}

registerWriteCheck((_deps, ctx, k, next, _prev) => {
  if (k.kind !== 'User' || !next) return;
  if (groupsOf(next).includes(mastersGroup) && !ctx.user.groups.includes(mastersGroup)) {
    throw forbidden(
      { resource: k.plural, group: k.group, name: next.metadata.name },
      `user "${ctx.user.name}" is not in group "${mastersGroup}" and may not give a user that group`,
    );
  }
});

registerWriteCheck((_deps, _ctx, k, next, prev) => {
  if (k.kind !== 'Token' || !next || prev || issuing.has(next)) return;
  throw methodNotAllowed(
    `tokens.${k.group} "${next.metadata.name}" does not exist: a Token is created only by POST to /apis/${k.group}/${k.version}/tokens, which shows its secret once`,
  );
});
