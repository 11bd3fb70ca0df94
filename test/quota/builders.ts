/**
 * Tiny builders for admission-webhook tests: AdmissionReviews as a
 * kube-apiserver sends them, the objects they carry, and quotas set up
 * through the API with a given usage.
 */
import assert from 'node:assert/strict';
import type { Response } from 'supertest';
import type { Obj } from '../api/builders.ts';
import { ok, type Api } from '../api/client.ts';

export type Resources = Record<string, string>;

export const webhookPath = '/webhooks/admission';

interface Target { group: string; version: string; kind: string; resource: string }

export const targets = {
  pod: { group: '', version: 'v1', kind: 'Pod', resource: 'pods' },
  pvc: { group: '', version: 'v1', kind: 'PersistentVolumeClaim', resource: 'persistentvolumeclaims' },
  configMap: { group: '', version: 'v1', kind: 'ConfigMap', resource: 'configmaps' },
  networkPolicy: { group: 'networking.k8s.io', version: 'v1', kind: 'NetworkPolicy', resource: 'networkpolicies' },
  role: { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'Role', resource: 'roles' },
} satisfies Record<string, Target>;

let serial = 0;

export interface ReviewOptions {
  uid?: string;
  object?: Obj | null;
  oldObject?: Obj | null;
  dryRun?: boolean;
  subResource?: string;
}

/** An AdmissionReview v1 for `operation` on an object of `target`, named and namespaced from the object. */
export function review(operation: string, target: Target, opts: ReviewOptions = {}): Obj {
  const obj = opts.object ?? opts.oldObject ?? undefined;
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: opts.uid ?? `uid-${++serial}`,
      kind: { group: target.group, version: target.version, kind: target.kind },
      resource: { group: target.group, version: target.version, resource: target.resource },
      ...(opts.subResource ? { subResource: opts.subResource } : {}),
      name: obj?.metadata?.name ?? '',
      namespace: obj?.metadata?.namespace ?? '',
      operation,
      userInfo: { username: 'alice', groups: ['system:authenticated'] },
      object: opts.object ?? null,
      oldObject: opts.oldObject ?? null,
      dryRun: opts.dryRun ?? false,
    },
  };
}

export const create = (target: Target, object: Obj, opts: ReviewOptions = {}) => review('CREATE', target, { ...opts, object });
export const remove = (target: Target, oldObject: Obj, opts: ReviewOptions = {}) => review('DELETE', target, { ...opts, oldObject });

export function pod(namespace: string, name: string, requests: Resources = {}, limits?: Resources): Obj {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, resourceVersion: '7' },
    spec: { containers: [{ name: 'app', image: 'example.com/app:1', resources: { requests, ...(limits ? { limits } : {}) } }] },
  };
}

export function claim(namespace: string, name: string, storage: string, resourceVersion?: string): Obj {
  return {
    apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace, ...(resourceVersion ? { resourceVersion } : {}) },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage } } },
  };
}

export const configMap = (namespace: string, name: string): Obj => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data: { k: 'v' } });

export const namespaceObject = (name: string): Obj => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });

const quotaPath = (namespace: string, name = '') => `/api/v1/namespaces/${namespace}/resourcequotas${name ? `/${name}` : ''}`;

/** Creates a namespace (if needed) and a quota in it with `hard`, then sets `used` through the status subresource. */
export async function quota(a: Api, namespace: string, name: string, hard: Resources, used?: Resources, spec: Obj = {}): Promise<Obj> {
  const ns = await a.post('/api/v1/namespaces', namespaceObject(namespace));
  assert.ok(ns.status === 201 || ns.status === 409, `namespace ${namespace}: ${ns.status}`);
  const created = ok(await a.post(quotaPath(namespace), { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name }, spec: { hard, ...spec } }), 201);
  if (!used) return created;
  return ok(await a.put(`${quotaPath(namespace, name)}/status`, { ...created, status: { used } }));
}

/** The stored `status.used` of a quota. */
export async function usedOf(a: Api, namespace: string, name: string): Promise<Resources> {
  return ok(await a.get(quotaPath(namespace, name))).status.used;
}

/** Posts a review; asserts a 200 AdmissionReview answering it, and returns its response. */
export async function admit(a: Api, body: Obj): Promise<Obj> {
  const res = await a.post(webhookPath, body);
  return responseOf(res, body.request.uid);
}

export function responseOf(res: Response, uid: string): Obj {
  assert.equal(res.status, 200, `HTTP ${res.status}: ${JSON.stringify(res.body)}`);
  assert.equal(res.body.apiVersion, 'admission.k8s.io/v1');
  assert.equal(res.body.kind, 'AdmissionReview');
  assert.equal(res.body.response.uid, uid, 'the response echoes the request uid');
  return res.body.response;
}
