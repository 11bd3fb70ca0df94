/**
 * Tiny builders for quota tests: objects, quotas and admission requests.
 */
import type { QuotaRequest } from '../../../engine/quota/index.ts';

type List = Record<string, string>;

export const ns = 'team-a';

export interface ContainerSpec {
  name: string;
  requests?: List;
  limits?: List;
  restartPolicy?: string;
}

export function container(name: string, requests?: List, limits?: List): ContainerSpec {
  return { name, ...(requests ? { requests } : {}), ...(limits ? { limits } : {}) };
}

export function sidecar(name: string, requests?: List, limits?: List): ContainerSpec {
  return { ...container(name, requests, limits), restartPolicy: 'Always' };
}

const toContainer = (c: ContainerSpec) => ({
  name: c.name,
  image: 'example.com/app:1',
  ...(c.restartPolicy ? { restartPolicy: c.restartPolicy } : {}),
  resources: { ...(c.requests ? { requests: c.requests } : {}), ...(c.limits ? { limits: c.limits } : {}) },
});

export function pod(
  name: string,
  containers: ContainerSpec[],
  extra: { init?: ContainerSpec[]; spec?: Record<string, unknown>; status?: Record<string, unknown>; meta?: Record<string, unknown> } = {},
) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, ...extra.meta },
    spec: {
      containers: containers.map(toContainer),
      ...(extra.init ? { initContainers: extra.init.map(toContainer) } : {}),
      ...extra.spec,
    },
    ...(extra.status ? { status: extra.status } : {}),
  };
}

export function service(name: string, type: string, ports: { port: number; nodePort?: number }[], spec: Record<string, unknown> = {}) {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns }, spec: { type, ports, ...spec } };
}

export function pvc(name: string, storage: string | undefined, extra: { className?: string | null; annotations?: List; status?: Record<string, unknown>; meta?: Record<string, unknown> } = {}) {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, namespace: ns, ...(extra.annotations ? { annotations: extra.annotations } : {}), ...extra.meta },
    spec: {
      accessModes: ['ReadWriteOnce'],
      resources: storage === undefined ? {} : { requests: { storage } },
      ...(extra.className !== undefined ? { storageClassName: extra.className } : {}),
    },
    ...(extra.status ? { status: extra.status } : {}),
  };
}

export function object(apiVersion: string, kind: string, name: string) {
  return { apiVersion, kind, metadata: { name, namespace: ns } };
}

export interface QuotaOptions {
  scopes?: string[];
  selector?: { scopeName: string; operator: string; values?: string[] }[];
  namespace?: string;
}

/** A synced quota: status.hard = spec.hard, status.used as given. */
export function quota(name: string, hard: List, used: List, opts: QuotaOptions = {}) {
  return {
    apiVersion: 'v1',
    kind: 'ResourceQuota',
    metadata: { name, namespace: opts.namespace ?? ns },
    spec: {
      hard,
      ...(opts.scopes ? { scopes: opts.scopes } : {}),
      ...(opts.selector ? { scopeSelector: { matchExpressions: opts.selector } } : {}),
    },
    status: { hard, used },
  };
}

const resources: Record<string, { group: string; resource: string }> = {
  Pod: { group: '', resource: 'pods' },
  Service: { group: '', resource: 'services' },
  PersistentVolumeClaim: { group: '', resource: 'persistentvolumeclaims' },
  ConfigMap: { group: '', resource: 'configmaps' },
  Secret: { group: '', resource: 'secrets' },
  Deployment: { group: 'apps', resource: 'deployments' },
  Job: { group: 'batch', resource: 'jobs' },
  Namespace: { group: '', resource: 'namespaces' },
};

type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } };

function request(operation: QuotaRequest['operation'], obj: Obj, extra: Partial<QuotaRequest> = {}): QuotaRequest {
  const [group, version] = obj.apiVersion.includes('/') ? obj.apiVersion.split('/') : ['', obj.apiVersion];
  const gr = resources[obj.kind];
  return {
    operation,
    kind: { group, version, kind: obj.kind },
    resource: { ...gr, version },
    namespace: obj.metadata.namespace ?? ns,
    name: obj.metadata.name,
    ...extra,
  };
}

export const create = (obj: Obj, extra: Partial<QuotaRequest> = {}) => request('CREATE', obj, { object: obj, ...extra });
export const update = (obj: Obj, old: Obj, extra: Partial<QuotaRequest> = {}) =>
  request('UPDATE', obj, { object: obj, oldObject: old, ...extra });
export const remove = (obj: Obj) => request('DELETE', obj, { oldObject: obj });

/** The object with metadata.resourceVersion set, as a stored object has. */
export function stored<T extends { metadata: Record<string, unknown> }>(obj: T, resourceVersion = '7'): T {
  return { ...obj, metadata: { ...obj.metadata, resourceVersion } };
}
