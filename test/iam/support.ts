/**
 * Builders and helpers the identity suites share: Users, Tokens and
 * TokenRequests as the API takes them, issuing a token through the API,
 * and granting a subject one rule through a ClusterRole and binding.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Api } from '../api/client.ts';
import { ok } from '../api/client.ts';
import type { Obj } from '../api/builders.ts';
import { clusterRole, clusterRoleBinding, rbacBase, roleRef, rule } from '../api/builders.ts';

export const iamBase = '/apis/iam.warden.dev/v1';
export const usersPath = `${iamBase}/users`;
export const tokensPath = `${iamBase}/tokens`;
export const iamGroup = 'iam.warden.dev';

export const userObject = (name: string, groups?: string[], extra: Obj = {}): Obj =>
  ({ apiVersion: 'iam.warden.dev/v1', kind: 'User', metadata: { name }, ...(groups ? { spec: { groups } } : {}), ...extra });

export const tokenObject = (name: string, spec: Obj, metadata: Obj = {}): Obj =>
  ({ apiVersion: 'iam.warden.dev/v1', kind: 'Token', metadata: { name, ...metadata }, spec });

export const tokenRequest = (spec: Obj = {}, metadata: Obj = {}): Obj =>
  ({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', metadata, spec });

export const tokenRequestPath = (namespace: string, name: string) => `/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`;

export const uniqueName = (prefix: string) => `${prefix}-${randomBytes(3).toString('hex')}`;

/** A whole-second RFC 3339 time `seconds` (or more, up to one) from now. */
export function secondsFromNow(seconds: number): string {
  return new Date(Math.ceil(Date.now() / 1000) * 1000 + seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Issues a token through the API as `as`; returns the response body (with status.token). */
export async function issue(as: Api, name: string, spec: Obj): Promise<Obj> {
  return ok(await as.post(tokensPath, tokenObject(name, spec)), 201);
}

/** Creates User `name` with `groups` and issues it a token as the admin; returns the secret. */
export async function userWithToken(admin: Api, name: string, groups: string[] = [], spec: Obj = {}): Promise<string> {
  ok(await admin.post(usersPath, userObject(name, groups)), 201);
  const body = await issue(admin, uniqueName(name.replace(/[^a-z0-9]/g, '')), { user: name, ...spec });
  assert.match(body.status.token, /^wdn_[A-Za-z0-9_-]{43}$/);
  return body.status.token as string;
}

export type Subject = { kind: 'User' | 'Group'; name: string } | { kind: 'ServiceAccount'; name: string; namespace: string };

/** Grants `subject` one cluster-wide rule through a new ClusterRole and ClusterRoleBinding; returns the binding's path. */
export async function grant(admin: Api, subject: Subject, verbs: string[], resources: string[], apiGroups: string[] = ['']): Promise<string> {
  const name = uniqueName('grant');
  ok(await admin.post(`${rbacBase}/clusterroles`, clusterRole(name, [rule(verbs, resources, apiGroups)])), 201);
  const s = subject.kind === 'ServiceAccount' ? subject : { ...subject, apiGroup: 'rbac.authorization.k8s.io' };
  ok(await admin.post(`${rbacBase}/clusterrolebindings`, clusterRoleBinding(name, roleRef('ClusterRole', name), [s])), 201);
  return `${rbacBase}/clusterrolebindings/${name}`;
}
