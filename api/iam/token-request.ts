/**
 * POST /api/v1/namespaces/{namespace}/serviceaccounts/{name}/token: kube's
 * TokenRequest subresource (authentication.k8s.io/v1). Authorized as kube
 * authorizes it, `create` on `serviceaccounts/token` in the namespace,
 * before the handler runs.
 *
 * The token is stored as a Token (only its hash; `spec.user` the service
 * account's user name) bound to the ServiceAccount by an owner reference
 * carrying its uid: it authenticates as
 * `system:serviceaccount:<ns>:<name>` in groups `system:serviceaccounts`,
 * `system:serviceaccounts:<ns>` and `system:authenticated`, and stops working
 * once the account (or its namespace) is deleted, even if one of the same
 * name is created again. Listing tokens shows it; deleting it revokes it.
 * It is good for its audiences alone (Warden's own, `warden`, when the
 * request names none): one issued for other audiences does not
 * authenticate requests to Warden, and TokenReviews check them as kube's.
 * The Token is the subresource's own record, authorized by the request's
 * `create serviceaccounts/token`; it is not admitted as a Token write.
 */
import { randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import type { KubeObject } from '../../engine/meta.ts';
import { apiAudiences, serviceAccountUserPrefix } from '../../engine/identity.ts';
import { invalid as invalidField, type FieldError } from '../../engine/validation/field-error.ts';
import { hashToken } from '../authn.ts';
import { newTokenSecret } from '../bootstrap.ts';
import { decodeDocument, requireMediaType } from '../body.ts';
import { contextOf, type AppDeps, type RequestContext } from '../context.ts';
import { send } from '../respond.ts';
import { badRequest, invalid, notFound } from '../status.ts';
import { pruneUnknownFields } from '../unknown-fields.ts';
import { commit, stampNew } from '../resources/commit.ts';
import { dropNulls, fieldValidationOf, isDryRun, isPlainObject, param, type FieldValidation } from '../resources/decode.ts';
import { kindOf } from '../resources/registry.ts';
import { formatTime } from './token-strategy.ts';

export const tokenRequestApiVersion = 'authentication.k8s.io/v1';
const group = 'authentication.k8s.io';

/** kube's defaults and limits (pkg/apis/authentication): an hour by default, at least 10 minutes, at most 2^32 seconds. */
export const defaultExpirationSeconds = 3600;
export const minExpirationSeconds = 600;
const maxRequestableSeconds = 2 ** 32;
/** Longer requests are cut to this, as kube-apiserver's --service-account-max-token-expiration does. */
export const maxExpirationSeconds = 7 * 24 * 3600;
/** The audiences a request that names none gets: Warden's own. */
export const defaultAudiences: readonly string[] = apiAudiences;
export const serviceAccountNamespaceLabel = 'iam.warden.dev/service-account-namespace';

interface TokenRequestSpec {
  audiences?: string[];
  expirationSeconds?: number;
  boundObjectRef?: { kind?: string; apiVersion?: string; name?: string; uid?: string };
}

function checkTypeMeta(doc: unknown): asserts doc is KubeObject {
  if (!isPlainObject(doc)) throw badRequest('the request body must be a JSON or YAML object');
  if (doc.apiVersion === undefined || doc.apiVersion === '') throw badRequest(`Object 'apiVersion' is missing in the request body; expected "${tokenRequestApiVersion}"`);
  if (doc.kind === undefined || doc.kind === '') throw badRequest(`Object 'Kind' is missing in the request body; expected "TokenRequest"`);
  if (doc.apiVersion !== tokenRequestApiVersion) {
    throw badRequest(`the API version in the data (${String(doc.apiVersion)}) does not match the expected API version (${tokenRequestApiVersion})`);
  }
  if (doc.kind !== 'TokenRequest') throw badRequest(`the kind in the data (${String(doc.kind)}) does not match the expected kind (TokenRequest)`);
  if (doc.metadata !== undefined && !isPlainObject(doc.metadata)) throw badRequest('metadata: must be an object');
}

function pruned(doc: KubeObject, mode: FieldValidation, ctx: RequestContext): KubeObject {
  const { value, unknown } = pruneUnknownFields('TokenRequest', dropNulls(doc));
  if (unknown.length && mode === 'Strict') {
    throw badRequest(`strict decoding error: ${unknown.map((f) => `unknown field "${f}"`).join(', ')}`,
      unknown.map((f) => ({ reason: 'FieldValueInvalid', message: `unknown field "${f}"`, field: f })));
  }
  if (mode === 'Warn') for (const f of unknown) ctx.warnings.push(`unknown field "${f}"`);
  return value as KubeObject;
}

/** kube's TokenRequest validation, plus the URL agreement its REST handler checks. */
export function validateTokenRequest(req: KubeObject, url: { namespace: string; name: string }): FieldError[] {
  const errs: FieldError[] = [];
  const { name, namespace } = req.metadata ?? {};
  if (name && name !== url.name) errs.push(invalidField('metadata.name', name, 'must match the service account name if specified'));
  if (namespace && namespace !== url.namespace) errs.push(invalidField('metadata.namespace', namespace, 'must match the service account namespace if specified'));
  const seconds = (req.spec as TokenRequestSpec).expirationSeconds!;
  if (seconds < minExpirationSeconds) errs.push(invalidField('spec.expirationSeconds', seconds, 'may not specify a duration less than 10 minutes'));
  if (seconds > maxRequestableSeconds) errs.push(invalidField('spec.expirationSeconds', seconds, 'may not specify a duration larger than 2^32 seconds'));
  return errs;
}

/** A Token name unique across namespaces: `sa-<namespace>-<account>` (cut to fit) and a random suffix. */
function tokenName(namespace: string, name: string): string {
  const stem = `sa-${namespace}-${name}`.slice(0, 240).replace(/[-.]+$/, '');
  return `${stem}-${randomBytes(5).toString('hex')}`;
}

export function tokenRequest(deps: AppDeps) {
  const tokenKind = kindOf('iam.warden.dev/v1', 'Token')!;
  return async (req: Request, res: Response) => {
    const ctx = contextOf(res);
    const query = req.query as Record<string, unknown>;
    const mode = fieldValidationOf(query);
    const dryRun = isDryRun(query);
    const namespace = param(req, 'namespace')!;
    const name = param(req, 'name')!;
    const doc = decodeDocument(req, requireMediaType(req, ['application/json', 'application/yaml']));
    checkTypeMeta(doc);
    const body = pruned(doc, mode, ctx);
    const given = (isPlainObject(body.spec) ? body.spec : {}) as TokenRequestSpec;
    const spec: TokenRequestSpec = {
      ...given,
      audiences: given.audiences?.length ? given.audiences : [...defaultAudiences],
      expirationSeconds: given.expirationSeconds ?? defaultExpirationSeconds,
    };
    const request: KubeObject = { ...body, metadata: { ...(body.metadata ?? {}) }, spec };
    const errors = validateTokenRequest(request, { namespace, name });
    if (errors.length) throw invalid('TokenRequest', group, name, errors);
    if (spec.boundObjectRef) {
      const ref = spec.boundObjectRef;
      throw badRequest(`cannot bind token to object of type ${ref.apiVersion ?? ''}, Kind=${ref.kind ?? ''}: Warden binds service account tokens to the service account itself`);
    }
    const account = await deps.store.getObject('ServiceAccount', namespace, name);
    if (!account) throw notFound({ resource: 'serviceaccounts', name });
    spec.expirationSeconds = Math.min(spec.expirationSeconds!, maxExpirationSeconds);

    const now = new Date();
    const expirationTimestamp = formatTime(now.getTime() + spec.expirationSeconds * 1000);
    const out = (token: string) => ({
      apiVersion: tokenRequestApiVersion, kind: 'TokenRequest',
      metadata: { ...request.metadata, name, namespace },
      spec,
      status: { token, expirationTimestamp },
    });
    if (dryRun) {
      send(req, res, 201, out(''));
      return;
    }
    const token = stampNew(tokenKind, {
      apiVersion: 'iam.warden.dev/v1', kind: 'Token',
      metadata: {
        name: tokenName(namespace, name),
        labels: { [serviceAccountNamespaceLabel]: namespace },
        ownerReferences: [{ apiVersion: 'v1', kind: 'ServiceAccount', name, uid: account.metadata.uid! }],
      },
      spec: {
        user: `${serviceAccountUserPrefix}${namespace}:${name}`,
        // The token is good for these audiences alone (checkAudiences in engine/identity.ts).
        audiences: spec.audiences,
        description: `TokenRequest for service account ${namespace}/${name}`,
        expirationTimestamp,
      },
    }, now);
    const secret = newTokenSecret();
    const result = await commit(deps, ctx, [{ op: 'create', object: token, columns: { hash: hashToken(secret) } }]);
    send(req, res, 201, out(secret), result.revision);
  };
}
