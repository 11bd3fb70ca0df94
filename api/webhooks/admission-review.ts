/**
 * AdmissionReview `admission.k8s.io/v1` as a kube-apiserver sends it to a
 * validating webhook, and the review it expects back. A body that is not a
 * v1 AdmissionReview carrying a request with a uid, a kind, a resource and
 * an operation cannot be answered (the answer must echo the uid), so it is
 * refused with one 400 Status listing every problem by field.
 */
import {
  aggregateMessage, errorBody, invalid, notSupported, required, type FieldError,
} from '../../engine/validation/field-error.ts';
import type { GroupVersionKind, GroupVersionResource, Operation } from '../../engine/quota/index.ts';
import { badRequest } from '../status.ts';

export const admissionApiVersion = 'admission.k8s.io/v1';
const operations: Operation[] = ['CREATE', 'UPDATE', 'DELETE', 'CONNECT'];

export interface AdmissionUserInfo {
  username?: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

/** admission/v1 AdmissionRequest: the fields Warden reads. */
export interface AdmissionRequest {
  uid: string;
  kind: GroupVersionKind;
  resource: GroupVersionResource;
  subResource: string;
  name: string;
  namespace: string;
  operation: Operation;
  userInfo: AdmissionUserInfo;
  /** The object as it would be stored; absent on DELETE. */
  object?: Record<string, unknown>;
  /** The stored object, on UPDATE and DELETE. */
  oldObject?: Record<string, unknown>;
  /** The request will not be persisted: decide, but change nothing. */
  dryRun: boolean;
}

/** metav1.Status as an AdmissionResponse carries it. */
export interface ResponseStatus {
  code: number;
  reason: string;
  message: string;
  metadata: Record<string, never>;
}

/** What one admission step concludes; `status` explains a denial; `patch` (JSON patch operations) only from the mutating endpoint. */
export interface AdmissionVerdict {
  allowed: boolean;
  status?: Omit<ResponseStatus, 'metadata'>;
  warnings?: string[];
  patch?: { op: 'add' | 'replace'; path: string; value: unknown }[];
}

export interface AdmissionReviewResponse {
  apiVersion: typeof admissionApiVersion;
  kind: 'AdmissionReview';
  response: { uid: string; allowed: boolean; status?: ResponseStatus; warnings?: string[]; patchType?: 'JSONPatch'; patch?: string };
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function stringField(errs: FieldError[], obj: Record<string, unknown>, name: string, path: string, need: boolean): string {
  const v = obj[name];
  if (v === undefined || v === null || v === '') {
    if (need) errs.push(required(`${path}.${name}`));
    return '';
  }
  if (typeof v !== 'string') {
    errs.push(invalid(`${path}.${name}`, v, 'must be a string'));
    return '';
  }
  return v;
}

function objectField(errs: FieldError[], obj: Record<string, unknown>, name: string, path: string): Record<string, unknown> | undefined {
  const v = obj[name];
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) {
    errs.push(invalid(`${path}.${name}`, typeof v === 'string' ? v : JSON.stringify(v), 'must be an object'));
    return undefined;
  }
  return v;
}

/** `request.kind` or `request.resource`: an object, its version and name required, its group optional (core is ""). */
function groupVersionOf(errs: FieldError[], req: Record<string, unknown>, name: 'kind' | 'resource') {
  const path = `request.${name}`;
  const o = objectField(errs, req, name, 'request');
  if (!o && (req[name] === undefined || req[name] === null)) errs.push(required(path));
  if (!o) return { group: '', version: '', name: '' };
  return { group: stringField(errs, o, 'group', path, false), version: stringField(errs, o, 'version', path, true), name: stringField(errs, o, name, path, true) };
}

/** The request of a v1 AdmissionReview; throws a 400 Status naming every bad field. */
export function parseAdmissionReview(body: unknown): AdmissionRequest {
  if (!isObject(body)) throw badRequest('the request body must be a JSON object: an AdmissionReview');
  const errs: FieldError[] = [];
  if (body.apiVersion !== admissionApiVersion) {
    errs.push(body.apiVersion === undefined ? required('apiVersion') : notSupported('apiVersion', body.apiVersion, [admissionApiVersion]));
  }
  if (body.kind !== 'AdmissionReview') {
    errs.push(body.kind === undefined ? required('kind') : notSupported('kind', body.kind, ['AdmissionReview']));
  }
  const req = objectField(errs, body, 'request', '');
  if (!req) {
    if (body.request === undefined || body.request === null) errs.push(required('request'));
    throw refusal(errs);
  }
  const uid = stringField(errs, req, 'uid', 'request', true);
  const gvk = groupVersionOf(errs, req, 'kind');
  const gvr = groupVersionOf(errs, req, 'resource');
  const operation = stringField(errs, req, 'operation', 'request', true);
  if (operation && !operations.includes(operation as Operation)) errs.push(notSupported('request.operation', operation, operations));
  const subResource = stringField(errs, req, 'subResource', 'request', false);
  const name = stringField(errs, req, 'name', 'request', false);
  const namespace = stringField(errs, req, 'namespace', 'request', false);
  const object = objectField(errs, req, 'object', 'request');
  const oldObject = objectField(errs, req, 'oldObject', 'request');
  const userInfo = objectField(errs, req, 'userInfo', 'request') ?? {};
  validateUserInfo(errs, userInfo);
  if (req.dryRun !== undefined && req.dryRun !== null && typeof req.dryRun !== 'boolean') {
    errs.push(invalid('request.dryRun', req.dryRun, 'must be a boolean'));
  }
  if (errs.length) throw refusal(errs);
  const kind: GroupVersionKind = { group: gvk.group, version: gvk.version, kind: gvk.name };
  const resource: GroupVersionResource = { group: gvr.group, version: gvr.version, resource: gvr.name };
  return {
    uid, kind, resource, subResource, name, namespace, operation: operation as Operation,
    userInfo: userInfo as AdmissionUserInfo, object, oldObject, dryRun: req.dryRun === true,
  };
}

/** authenticationv1.UserInfo: a string username and uid, groups a list of strings, extra a map of string lists. */
function validateUserInfo(errs: FieldError[], u: Record<string, unknown>): void {
  const path = 'request.userInfo';
  for (const name of ['username', 'uid']) if (u[name] !== undefined && u[name] !== null && typeof u[name] !== 'string') errs.push(invalid(`${path}.${name}`, u[name], 'must be a string'));
  const strings = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === 'string');
  if (u.groups !== undefined && u.groups !== null && !strings(u.groups)) errs.push(invalid(`${path}.groups`, JSON.stringify(u.groups), 'must be a list of strings'));
  if (u.extra !== undefined && u.extra !== null) {
    if (!isObject(u.extra)) errs.push(invalid(`${path}.extra`, JSON.stringify(u.extra), 'must map keys to lists of strings'));
    else for (const [k, v] of Object.entries(u.extra)) if (!strings(v)) errs.push(invalid(`${path}.extra[${k}]`, JSON.stringify(v), 'must be a list of strings'));
  }
}

function refusal(errs: FieldError[]) {
  return badRequest(
    `the request body is not a valid AdmissionReview: ${aggregateMessage(errs)}`,
    errs.map((e) => ({ reason: e.type, message: errorBody(e), field: e.field })),
  );
}

/** The AdmissionReview that answers request `uid` with `verdict`. */
export function reviewResponse(uid: string, verdict: AdmissionVerdict): AdmissionReviewResponse {
  const response: AdmissionReviewResponse['response'] = { uid, allowed: verdict.allowed };
  if (!verdict.allowed && verdict.status) response.status = { ...verdict.status, metadata: {} };
  if (verdict.warnings?.length) response.warnings = verdict.warnings;
  if (verdict.allowed && verdict.patch?.length) {
    response.patchType = 'JSONPatch';
    response.patch = Buffer.from(JSON.stringify(verdict.patch)).toString('base64');
  }
  return { apiVersion: admissionApiVersion, kind: 'AdmissionReview', response };
}
