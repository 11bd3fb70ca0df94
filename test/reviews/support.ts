/**
 * What the access-review suites share: a Warden per file, callers acting as
 * any identity (impersonated by the admin, or holding their own token),
 * review bodies, and RBAC objects applied in one request.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import { hashToken } from '../../api/authn.ts';
import { writeBatch } from '../../prisma/store/write.ts';
import { api, ok, type Api } from '../api/client.ts';
import { namespace, type Obj } from '../api/builders.ts';
import type { TestWarden } from '../support/warden.ts';

export * from '../api/builders.ts';
export { api, assertStatus, ok, revision, type Api } from '../api/client.ts';

export const authzV1 = 'authorization.k8s.io/v1';
export const wardenAuthzV1 = 'authorization.warden.dev/v1';
export const paths = {
  sar: `/apis/${authzV1}/subjectaccessreviews`,
  lsar: (ns: string) => `/apis/${authzV1}/namespaces/${ns}/localsubjectaccessreviews`,
  ssar: `/apis/${authzV1}/selfsubjectaccessreviews`,
  ssrr: `/apis/${authzV1}/selfsubjectrulesreviews`,
  batch: `/apis/${wardenAuthzV1}/subjectaccessreviewbatches`,
  srr: `/apis/${wardenAuthzV1}/subjectrulesreviews`,
  whoCan: `/apis/${wardenAuthzV1}/resourceaccessreviews`,
  whatIf: `/apis/${wardenAuthzV1}/rbacchangereviews`,
  webhook: '/webhooks/authorization',
};

/** Acts as `user` in `groups`, impersonated by the admin (who is in system:masters). */
export function as(w: TestWarden, user: string, groups: string[] = []): Api {
  return api(w, w.adminToken, { 'Impersonate-User': user, ...(groups.length ? { 'Impersonate-Group': groups.join(',') } : {}) });
}

/** Stores a bearer token for `user` (its hash only, as Warden keeps tokens) and returns the secret once the snapshot knows it. */
export async function issueToken(w: TestWarden, user: string): Promise<string> {
  const secret = `review-${randomBytes(16).toString('hex')}`;
  const object = {
    apiVersion: 'iam.warden.dev/v1', kind: 'Token',
    metadata: { name: `${user.replace(/[^a-z0-9-]/g, '-')}-${randomBytes(3).toString('hex')}`, uid: randomUUID(), creationTimestamp: new Date().toISOString() },
    spec: { user },
  };
  await writeBatch(w.warden.deps.db.prisma, [{ op: 'create', object, columns: { hash: hashToken(secret) } }], 'test');
  await w.warden.deps.snapshots.refresh();
  return secret;
}

/**
 * Applies `objects` (and a Namespace for every namespace they name) in one
 * server-side apply as the admin; returns the revision they landed at.
 */
export async function applyAll(admin: Api, objects: Obj[]): Promise<number> {
  const namespaces = [...new Set(objects.map((o) => o.metadata?.namespace).filter(Boolean))].map((n) => namespace(n));
  const res = await admin.post('/apis/warden.dev/v1/apply?fieldManager=review-tests&force=true', { apiVersion: 'v1', kind: 'List', items: [...namespaces, ...objects] });
  ok(res);
  return Number(res.headers['x-warden-revision'] ?? 0);
}

/** An object of one of the review kinds around `spec`. */
export const reviewOf = (kind: string, spec: unknown, apiVersion = kind.endsWith('SubjectAccessReview') || kind === 'SelfSubjectRulesReview' ? authzV1 : wardenAuthzV1): Obj =>
  ({ apiVersion, kind, spec });

export interface ResourceQuestion { verb: string; resource?: string; group?: string; namespace?: string; subresource?: string; name?: string; version?: string }

/** `spec.resourceAttributes` without the empty fields (as kube clients omit them). */
export const res = (verb: string, resource: string, more: Omit<ResourceQuestion, 'verb' | 'resource'> = {}): { resourceAttributes: ResourceQuestion } =>
  ({ resourceAttributes: { verb, resource, ...more } });
export const url = (verb: string, path: string) => ({ nonResourceAttributes: { verb, path } });

export interface AccessStatus { allowed: boolean; denied?: boolean; reason?: string; evaluationError?: string }

/** Posts a SubjectAccessReview as the admin; asserts 201 and returns its status. */
export async function sar(admin: Api, spec: Obj): Promise<AccessStatus> {
  const body = ok(await admin.post(paths.sar, reviewOf('SubjectAccessReview', spec)), 201);
  return body.status as AccessStatus;
}

/** Asserts a 2xx whose X-Warden-Revision header is a positive integer, and returns it. */
export function revisionOf(r: Response): number {
  const header = r.headers['x-warden-revision'];
  assert.match(String(header), /^\d+$/, `X-Warden-Revision ${JSON.stringify(header)}`);
  return Number(header);
}
