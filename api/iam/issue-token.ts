/**
 * POST /apis/iam.warden.dev/v1/tokens: issues a token. The response is the
 * stored Token plus `status.token`, the secret, shown this once; the store
 * keeps only its SHA-256 hash. The token is bound to its User by an owner
 * reference (deleting the user revokes it).
 *
 * Who may issue: `create tokens` (checked before the handler runs) for a
 * token of one's own user. A token for another user also needs what acting
 * as that user takes under kube's impersonation rules: `impersonate` on
 * `users/<name>`, and on `groups/<group>` for each of the user's stored
 * groups the caller is not in, since the token will carry them.
 */
import type { Request, Response } from 'express';
import type { KubeObject } from '../../engine/meta.ts';
import type { Attributes } from '../../engine/rbac/types.ts';
import { notFound as fieldNotFound } from '../../engine/validation/field-error.ts';
import { hashToken } from '../authn.ts';
import { forbiddenFor } from '../authz.ts';
import { newTokenSecret } from '../bootstrap.ts';
import { decodeDocument, requireMediaType } from '../body.ts';
import { contextOf, type AppDeps, type RequestContext } from '../context.ts';
import { send } from '../respond.ts';
import { badRequest, invalid } from '../status.ts';
import { admit } from '../resources/admission.ts';
import { commit, stampNew } from '../resources/commit.ts';
import { fieldValidationOf, isDryRun, objectFromBody } from '../resources/decode.ts';
import { recordUpdate } from '../resources/managed-fields.ts';
import { managerOf } from '../resources/manager.ts';
import { apiVersionOf, validateForCreate, type ApiKind } from '../resources/registry.ts';
import { specOf } from './token-strategy.ts';
import { groupsOf, userApiVersion } from './user-strategy.ts';
import { markIssuing } from './write-checks.ts';

function impersonation(ctx: RequestContext, resource: 'users' | 'groups', name: string): Attributes {
  return {
    user: ctx.user, verb: 'impersonate', isResourceRequest: true, namespace: '', apiGroup: '', apiVersion: '',
    resource, subresource: '', name, path: '',
  };
}

function requireAllowed(deps: AppDeps, attrs: Attributes): void {
  const d = deps.authorizer.authorize(attrs);
  if (!d.allowed) throw forbiddenFor(attrs, d.reason);
}

/**
 * The stored User a token is issued for, once the caller is shown to be
 * allowed to act as it (403 otherwise, in kube's forbidden wording). The impersonation of
 * the user is checked before the lookup, so a caller without it cannot learn
 * whether the user exists.
 */
export async function userToIssueFor(deps: AppDeps, ctx: RequestContext, k: ApiKind, object: KubeObject): Promise<KubeObject> {
  const name = specOf(object).user as string;
  if (name !== ctx.user.name) requireAllowed(deps, impersonation(ctx, 'users', name));
  const user = await deps.store.getObject('User', undefined, name);
  if (!user) throw invalid(k.kind, k.group, object.metadata.name, [fieldNotFound('spec.user', name)]);
  for (const g of groupsOf(user)) if (!ctx.user.groups.includes(g)) requireAllowed(deps, impersonation(ctx, 'groups', g));
  return user;
}

export function issueToken(deps: AppDeps, k: ApiKind) {
  return async (req: Request, res: Response) => {
    const ctx = contextOf(res);
    const query = req.query as Record<string, unknown>;
    const mode = fieldValidationOf(query);
    const dryRun = isDryRun(query);
    const doc = decodeDocument(req, requireMediaType(req, ['application/json', 'application/yaml']));
    const body = objectFromBody(k, doc, {}, mode, ctx);
    if (body.metadata.resourceVersion) throw badRequest('resourceVersion should not be set on objects to be created');
    const now = new Date();
    const object = stampNew(k, body, now);
    const errors = validateForCreate(k, object);
    if (errors.length) throw invalid(k.kind, k.group, object.metadata.name, errors);
    const user = await userToIssueFor(deps, ctx, k, object);
    // The client owns what it sent; the binding is the server's.
    const managed = recordUpdate(null, object, managerOf(req), apiVersionOf(k), now);
    if (managed.length) object.metadata.managedFields = managed;
    object.metadata.ownerReferences = [{ apiVersion: userApiVersion, kind: 'User', name: user.metadata.name!, uid: user.metadata.uid! }];
    markIssuing(object);
    await admit(deps, ctx, k, object, null);
    if (dryRun) {
      send(req, res, 201, object);
      return;
    }
    const secret = newTokenSecret();
    const result = await commit(deps, ctx, [{ op: 'create', object, columns: { hash: hashToken(secret) } }]);
    send(req, res, 201, { ...result.objects[0], status: { token: secret } }, result.revision);
  };
}
