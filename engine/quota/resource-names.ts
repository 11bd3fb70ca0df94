/**
 * Resource names as the quota system knows them (pkg/apis/core/helper and
 * k8s.io/apimachinery/pkg/util/validation): standard names, extended and
 * hugepages names, object-count names, storage-class qualified names, and the
 * qualified-name format with kube's exact messages.
 */
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName } from '../validation/names.ts';

export const hugePagesPrefix = 'hugepages-';
export const requestsPrefix = 'requests.';
export const requestsHugePagesPrefix = 'requests.hugepages-';
export const defaultNamespacePrefix = 'kubernetes.io/';
/** `<class>.storageclass.storage.k8s.io/<resource>` charges PVCs of one storage class. */
export const storageClassSuffix = '.storageclass.storage.k8s.io/';

const standardQuotaResources: ReadonlySet<string> = new Set([
  'cpu', 'memory', 'ephemeral-storage',
  'requests.cpu', 'requests.memory', 'requests.storage', 'requests.ephemeral-storage',
  'limits.cpu', 'limits.memory', 'limits.ephemeral-storage',
  'pods', 'resourcequotas', 'services', 'replicationcontrollers', 'secrets',
  'persistentvolumeclaims', 'configmaps', 'services.nodeports', 'services.loadbalancers',
]);

const standardResources: ReadonlySet<string> = new Set([...standardQuotaResources, 'storage']);

const integerResources: ReadonlySet<string> = new Set([
  'pods', 'resourcequotas', 'services', 'replicationcontrollers', 'secrets', 'configmaps',
  'persistentvolumeclaims', 'services.nodeports', 'services.loadbalancers',
]);

/** `hugepages-<size>` and `requests.hugepages-<size>` are quota names. */
export function isQuotaHugePageResourceName(name: string): boolean {
  return name.startsWith(hugePagesPrefix) || name.startsWith(requestsHugePagesPrefix);
}

export function isStandardQuotaResourceName(name: string): boolean {
  return standardQuotaResources.has(name) || isQuotaHugePageResourceName(name);
}

export function isStandardResourceName(name: string): boolean {
  return standardResources.has(name) || isQuotaHugePageResourceName(name);
}

/** Unprefixed names and `*kubernetes.io/` names are native. */
export function isNativeResource(name: string): boolean {
  return !name.includes('/') || name.includes(defaultNamespacePrefix);
}

/**
 * A name a container may request outside kubernetes.io (`example.com/gpu`);
 * not `requests.`-prefixed, and `requests.<name>` must be a qualified name.
 */
export function isExtendedResourceName(name: string): boolean {
  if (isNativeResource(name) || name.startsWith(requestsPrefix)) return false;
  return isQualifiedName(requestsPrefix + name).length === 0;
}

/** Resources counted in whole units: object counts and extended resources. */
export function isIntegerResourceName(name: string): boolean {
  return integerResources.has(name) || isExtendedResourceName(name);
}

/** `count/<resource>` for the core group, `count/<resource>.<group>` otherwise. */
export function objectCountName(group: string, resource: string): string {
  return group === '' ? `count/${resource}` : `count/${resource}.${group}`;
}

/** The group resource an object-count name counts (`count/deployments.apps`), or undefined. */
export function parseObjectCountName(name: string): { group: string; resource: string } | undefined {
  if (!name.startsWith('count/')) return undefined;
  const gr = name.slice('count/'.length);
  if (gr === '') return undefined;
  const dot = gr.indexOf('.');
  return dot < 0 ? { group: '', resource: gr } : { group: gr.slice(dot + 1), resource: gr.slice(0, dot) };
}

// Qualified names and DNS names are validated as everywhere else in Warden.
export { isDNS1123Label, isDNS1123Subdomain, isQualifiedName };
