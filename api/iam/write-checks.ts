/**
 * Checks every write of Users and Tokens passes, whatever path it takes
 * (create, update, patch, apply, bulk apply):
 * - a group added to a User flows into every token of that user, so adding
 *   it takes the right to act as that group: `impersonate` on
 *   `groups/<group>`, as kube-apiserver asks of an Impersonate-Group header,
 *   unless the writer is in the group itself (as for issuing a token);
 * - a User whose groups include system:masters is written only by a member
 *   of system:masters;
 * - a Token is created only by issuance (POST to the collection), the one
 *   path that mints a secret and shows it once. PUT and apply cannot create
 *   one: they would store a token nobody holds the secret of.
 */
import type { KubeObject } from '../../engine/meta.ts';
import type { Attributes } from '../../engine/rbac/types.ts';
import type { WriteCheck } from '../resources/admission.ts';
import { forbidden, methodNotAllowed } from '../status.ts';
import { privilegedGroup as mastersGroup } from '../../engine/rbac/decision.ts';
import { groupsOf } from './user-strategy.ts';

const issuing = new WeakSet<KubeObject>();

/** Marks `token` as being issued with a fresh secret, so its creation passes. */
export function markIssuing(token: KubeObject): void {
  issuing.add(token);
}

/** Only a member of system:masters gives a user that group. */
export const mastersGroupCheck: WriteCheck = (_deps, ctx, k, next, _prev) => {
  if (k.kind !== 'User' || !next) return;
  if (groupsOf(next).includes(mastersGroup) && !ctx.user.groups.includes(mastersGroup)) {
    throw forbidden(
      { resource: k.plural, group: k.group, name: next.metadata.name },
      `user "${ctx.user.name}" is not in group "${mastersGroup}" and may not give a user that group`,
    );
  }
};

/** A group added to a user takes the right to act as it. */
export const userGroupsCheck: WriteCheck = (deps, ctx, k, next, prev) => {
  if (k.kind !== 'User' || !next) return;
  const before = new Set(groupsOf(prev));
  for (const group of groupsOf(next)) {
    if (before.has(group) || ctx.user.groups.includes(group)) continue;
    const attrs: Attributes = {
      user: ctx.user, verb: 'impersonate', isResourceRequest: true, namespace: '', apiGroup: '', apiVersion: '',
      resource: 'groups', subresource: '', name: group, path: '',
    };
    const d = deps.authorizer.authorize(attrs);
    if (!d.allowed) {
      throw forbidden(
        { resource: k.plural, group: k.group, name: next.metadata.name },
        `adding group "${group}" to a user lets it act as that group: User "${ctx.user.name}" cannot impersonate resource "groups" in API group "" at the cluster scope`,
      );
    }
  }
};

/** Tokens are created by issuance only. */
export const tokenIssuanceCheck: WriteCheck = (_deps, _ctx, k, next, prev) => {
  if (k.kind !== 'Token' || !next || prev || issuing.has(next)) return;
  throw methodNotAllowed(
    `tokens.${k.group} "${next.metadata.name}" does not exist: a Token is created only by POST to /apis/${k.group}/${k.version}/tokens, which shows its secret once`,
  );
};
