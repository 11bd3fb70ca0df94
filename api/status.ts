/**
 * metav1.Status errors as kube-apiserver writes them. Handlers throw
 * StatusError; the one error handler writes it. Messages follow
 * k8s.io/apimachinery/pkg/api/errors.
 */
import { aggregateMessage, errorBody, type FieldError } from '../engine/validation/field-error.ts';

export interface StatusCause { reason?: string; message?: string; field?: string }
export interface StatusDetails { name?: string; group?: string; kind?: string; uid?: string; causes?: StatusCause[]; retryAfterSeconds?: number }
export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

export class StatusError extends Error {
  constructor(readonly status: Status, readonly headers: Record<string, string> = {}) {
    super(status.message);
  }
}

/** What an error names: the resource (plural, with group) and the object's name. */
export interface Target { resource: string; group?: string; kind?: string; name?: string }

const qualified = (t: Target) => (t.group ? `${t.resource}.${t.group}` : t.resource);

function failure(code: number, reason: string, message: string, details?: StatusDetails): StatusError {
  const status: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
  if (details && Object.keys(details).length) status.details = details;
  return new StatusError(status);
}

function detailsOf(t: Target): StatusDetails {
  const d: StatusDetails = {};
  if (t.name !== undefined) d.name = t.name;
  if (t.group) d.group = t.group;
  d.kind = t.resource;
  return d;
}

export const notFound = (t: Target) =>
  failure(404, 'NotFound', `${qualified(t)} "${t.name}" not found`, detailsOf(t));

export const alreadyExists = (t: Target) =>
  failure(409, 'AlreadyExists', `${qualified(t)} "${t.name}" already exists`, detailsOf(t));

export const conflict = (t: Target, why: string) =>
  failure(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(t)} "${t.name}": ${why}`, detailsOf(t));

/** 422: `Kind.group "name" is invalid: <errors>` with one cause per field error. */
export function invalid(kind: string, group: string | undefined, name: string | undefined, errors: FieldError[]): StatusError {
  const qualifiedKind = group ? `${kind}.${group}` : kind;
  const details: StatusDetails = { name, group, kind, causes: errors.map((e) => ({ reason: e.type, message: errorBody(e), field: e.field })) };
  if (!group) delete details.group;
  if (name === undefined) delete details.name;
  return failure(422, 'Invalid', `${qualifiedKind} "${name ?? ''}" is invalid: ${aggregateMessage(errors)}`, details);
}

export const forbidden = (t: Target, why: string) =>
  failure(403, 'Forbidden', `${qualified(t)}${t.name !== undefined && t.name !== '' ? ` "${t.name}"` : ''} is forbidden: ${why}`, detailsOf(t));

/** 403 written by the authorizer: `forbidden: User "u" cannot get path "/x"` style messages come pre-built. */
export const forbiddenMessage = (message: string, details?: StatusDetails) => failure(403, 'Forbidden', message, details);

/** 404 whose message comes pre-built (an RBAC lister's `clusterrole.rbac.authorization.k8s.io "x" not found`). */
export const notFoundMessage = (message: string, details?: StatusDetails) => failure(404, 'NotFound', message, details);

export const unauthorized = (message = 'Unauthorized') => failure(401, 'Unauthorized', message);

export const badRequest = (message: string, causes?: StatusCause[]) =>
  failure(400, 'BadRequest', message, causes ? { causes } : undefined);

export const methodNotAllowed = (message = 'the server does not allow this method on the requested resource') =>
  failure(405, 'MethodNotAllowed', message);

export const unsupportedMediaType = (contentType: string) =>
  failure(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml`, { causes: [{ reason: 'UnsupportedMediaType', message: contentType }] });

/** 406: no representation the request accepts can be produced (Accept negotiation, or a conversion of the wrong shape). */
export const notAcceptable = (message: string) => failure(406, 'NotAcceptable', message);

export const requestEntityTooLarge = (message: string) => failure(413, 'RequestEntityTooLarge', message);

export const tooLarge = (limitBytes: number) => requestEntityTooLarge(`Request entity too large: limit is ${limitBytes}`);

/** 422 without field causes: a request that decodes but cannot be carried out as asked (a JSON patch that does not apply). */
export const unprocessable = (message: string) => failure(422, 'Invalid', message);

/** 410: a resourceVersion (or continue token) this server no longer has, or never had; clients relist after it. */
export const expired = (message: string, causes?: StatusCause[]) => failure(410, 'Expired', message, causes ? { causes } : undefined);

export const pathNotFound = () => failure(404, 'NotFound', 'the server could not find the requested resource');

export const serviceUnavailable = (message: string, retryAfterSeconds?: number) =>
  failure(503, 'ServiceUnavailable', message, retryAfterSeconds ? { retryAfterSeconds } : undefined);

/** 503 that tells the client when to come back, in the Status and in `Retry-After`. */
export function retryLater(message: string, retryAfterSeconds = 1): StatusError {
  const err = serviceUnavailable(message, retryAfterSeconds);
  err.headers['Retry-After'] = String(retryAfterSeconds);
  return err;
}

/** 429 with `Retry-After`: a limit on open requests (watches) was reached. */
export function tooManyRequests(message: string, retryAfterSeconds = 1): StatusError {
  const err = failure(429, 'TooManyRequests', message, { retryAfterSeconds });
  err.headers['Retry-After'] = String(retryAfterSeconds);
  return err;
}

/** The database could not be reached or stopped answering; what failed is in the server log only. */
export const databaseUnavailable = () =>
  retryLater('the database is unavailable; the request was not carried out, retry later');

/** The snapshot decisions come from could not be confirmed against the database recently enough. */
export const staleSnapshot = (detail: string) =>
  retryLater(`this replica cannot decide now: ${detail}; retry later, or ask another replica`);

export const internalError = (message = 'Internal error occurred: the request could not be completed; see the server log for the request id') =>
  failure(500, 'InternalError', message);

export const successStatus = (details?: StatusDetails): Status => ({
  kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', ...(details ? { details } : {}), code: 200,
});
