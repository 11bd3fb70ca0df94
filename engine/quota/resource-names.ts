/**
 * Resource names as the quota system knows them (pkg/apis/core/helper and
 * k8s.io/apimachinery/pkg/util/validation): standard names, extended and
 * hugepages names, object-count names, storage-class qualified names, and the
 * qualified-name format with kube's exact messages.
 */

export const resourcePods = 'pods';
export const resourceServices = 'services';
export const resourceNodePorts = 'services.nodeports';
export const resourceLoadBalancers = 'services.loadbalancers';
export const resourcePVCs = 'persistentvolumeclaims';
export const resourceRequestsStorage = 'requests.storage';
export const resourceStorage = 'storage';
export const hugePagesPrefix = 'hugepages-';
export const requestsPrefix = 'requests.';
export const requestsHugePagesPrefix = 'requests.hugepages-';
export const defaultNamespacePrefix = 'kubernetes.io/';
/** `<class>.storageclass.storage.k8s.io/<resource>` charges PVCs of one storage class. */
export const storageClassSuffix = '.storageclass.storage.k8s.io/';

const standardQuotaResources = new Set([
  'cpu', 'memory', 'ephemeral-storage',
  'requests.cpu', 'requests.memory', 'requests.storage', 'requests.ephemeral-storage',
  'limits.cpu', 'limits.memory', 'limits.ephemeral-storage',
  'pods', 'resourcequotas', 'services', 'replicationcontrollers', 'secrets',
  'persistentvolumeclaims', 'configmaps', 'services.nodeports', 'services.loadbalancers',
]);

const standardResources = new Set([...standardQuotaResources, 'storage']);

const integerResources = new Set([
  'pods', 'resourcequotas', 'services', 'replicationcontrollers', 'secrets', 'configmaps',
  'persistentvolumeclaims', 'services.nodeports', 'services.loadbalancers',
]);

export function isHugePageResourceName(name: string): boolean {
  return name.startsWith(hugePagesPrefix);
}

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

// ---- qualified names (k8s.io/apimachinery/pkg/util/validation) ----

const qualifiedNameFmt = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const qualifiedNameRe = new RegExp(`^${qualifiedNameFmt}$`);
const qualifiedNameErrMsg =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const dns1123LabelFmt = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const dns1123SubdomainFmt = `${dns1123LabelFmt}(\\.${dns1123LabelFmt})*`;
const dns1123SubdomainRe = new RegExp(`^${dns1123SubdomainFmt}$`);
const dns1123LabelRe = new RegExp(`^${dns1123LabelFmt}$`);
const labelValueRe = new RegExp(`^(${qualifiedNameFmt})?$`);

/** validation.RegexError: the message, examples and the regex, punctuated exactly as kube. */
export function regexError(msg: string, fmt: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${fmt}')`;
  let s = `${msg} (e.g. `;
  examples.forEach((e, i) => {
    if (i > 0) s += ' or ';
    s += `'${e}', `;
  });
  return `${s}regex used for validation is '${fmt}')`;
}

const maxLenError = (n: number): string => `must be no more than ${n} characters`;

export function isDNS1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 253) errs.push(maxLenError(253));
  if (!dns1123SubdomainRe.test(value)) {
    errs.push(regexError(
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
      dns1123SubdomainFmt, 'example.com'));
  }
  return errs;
}

export function isDNS1123Label(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push(maxLenError(63));
  if (!dns1123LabelRe.test(value)) {
    errs.push(regexError(
      "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
      dns1123LabelFmt, 'my-name', '123-abc'));
  }
  return errs;
}

/** Messages for a value that is not a qualified name (`[prefix/]name`); empty when valid. */
export function isQualifiedName(value: string): string[] {
  const errs: string[] = [];
  const parts = value.split('/');
  let name: string;
  if (parts.length === 1) {
    name = parts[0];
  } else if (parts.length === 2) {
    const prefix = parts[0];
    name = parts[1];
    if (prefix.length === 0) errs.push('prefix part must be non-empty');
    else for (const m of isDNS1123Subdomain(prefix)) errs.push(`prefix part ${m}`);
  } else {
    return [`a qualified name ${regexError(qualifiedNameErrMsg, qualifiedNameFmt, 'MyName', 'my.name', '123-abc')} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`];
  }
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (name.length > 63) errs.push(`name part ${maxLenError(63)}`);
  if (!qualifiedNameRe.test(name)) {
    errs.push(`name part ${regexError(qualifiedNameErrMsg, qualifiedNameFmt, 'MyName', 'my.name', '123-abc')}`);
  }
  return errs;
}

/** True when the value may be a label value (empty, or at most 63 qualified-name characters). */
export function isValidLabelValue(value: string): boolean {
  return value.length <= 63 && labelValueRe.test(value);
}
