/**
 * Checks of traffic and reachability review specs beyond the schema's types,
 * as kube field errors: every problem, with its field path. A non-empty list
 * becomes one 422 Invalid Status.
 *
 * Namespaces are checked against the stored ones: a pod's namespace labels
 * decide namespaceSelector peers, and Warden knows them only for namespaces
 * it stores, so a pod in an unknown namespace is refused rather than
 * answered with labels from nothing.
 */
import { validateNetworkPolicy } from '../../engine/network/validation.ts';
import type { NetworkPolicy } from '../../engine/network/types.ts';
import {
  child, duplicate, forbidden, index, invalid, notSupported, required, tooMany, type FieldError,
} from '../../engine/validation/field-error.ts';
import { validateLabels } from '../../engine/validation/labels.ts';
import { isValidIP, isValidPortName, isValidPortNum, nameIsDNSSubdomain } from '../../engine/validation/names.ts';
import type { Schemas } from '../schema-types.ts';

export type EndpointBody = Schemas['TrafficEndpoint'];
export type WhatIfBody = Schemas['NetworkPolicyWhatIf'];

/** What the checks consult: the stored namespaces and policies, at the revision being answered. */
export interface ReviewScope {
  hasNamespace(name: string): boolean;
  hasPolicy(namespace: string, name: string): boolean;
}

export const protocols = ['TCP', 'UDP', 'SCTP'];
/** Largest reachability matrix served in one answer (three n×n boolean tables). */
export const maxEndpoints = 500;

const notFound = (field: string, value: unknown, detail: string): FieldError => ({ type: 'FieldValueNotFound', field, value, detail });

const isPodForm = (e: EndpointBody): boolean => e.namespace !== undefined;

function validatePorts(ports: NonNullable<EndpointBody['ports']>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  ports.forEach((p, i) => {
    const at = index(path, i);
    if (p.containerPort === undefined) errs.push(required(child(at, 'containerPort')));
    else for (const msg of isValidPortNum(p.containerPort)) errs.push(invalid(child(at, 'containerPort'), p.containerPort, msg));
    if (p.name !== undefined && p.name !== '') {
      for (const msg of isValidPortName(p.name)) errs.push(invalid(child(at, 'name'), p.name, msg));
      if (names.has(p.name)) errs.push(duplicate(child(at, 'name'), p.name));
      names.add(p.name);
    }
    if (p.protocol !== undefined && !protocols.includes(p.protocol)) errs.push(notSupported(child(at, 'protocol'), p.protocol, protocols));
  });
  return errs;
}

/**
 * An endpoint is a pod (it names its namespace, a stored one) or an outside
 * address (ip alone): labels, name and ports belong to pods only.
 */
export function validateEndpoint(e: EndpointBody | undefined, path: string, scope: ReviewScope): FieldError[] {
  if (e === undefined) return [required(path, 'a pod ({namespace, labels, ...}) or an outside address ({ip})')];
  const errs: FieldError[] = [];
  if (isPodForm(e)) {
    const ns = e.namespace!;
    if (ns === '') errs.push(required(child(path, 'namespace')));
    else if (!scope.hasNamespace(ns)) errs.push(notFound(child(path, 'namespace'), ns, 'no namespace of that name is stored, so its labels are unknown'));
    errs.push(...validateLabels(e.labels, child(path, 'labels')));
    if (e.name !== undefined) for (const msg of nameIsDNSSubdomain(e.name)) errs.push(invalid(child(path, 'name'), e.name, msg));
    if (e.ip !== undefined) for (const msg of isValidIP(e.ip)) errs.push(invalid(child(path, 'ip'), e.ip, msg));
    errs.push(...validatePorts(e.ports ?? [], child(path, 'ports')));
    return errs;
  }
  if (e.ip === undefined || e.ip === '') errs.push(required(child(path, 'ip'), 'an outside address needs ip; a pod needs namespace'));
  else for (const msg of isValidIP(e.ip)) errs.push(invalid(child(path, 'ip'), e.ip, msg));
  for (const field of ['labels', 'name', 'ports'] as const) {
    if (e[field] !== undefined) errs.push(forbidden(child(path, field), 'may only be set on a pod, which names its namespace; an outside address has ip alone'));
  }
  return errs;
}

/** `port`: a number in 1-65535 or a container port name (IANA_SVC_NAME); `protocol`: TCP, UDP or SCTP when given. */
export function validatePortAndProtocol(port: number | string | undefined, protocol: string | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const portPath = child(path, 'port');
  if (port === undefined || port === '') errs.push(required(portPath, 'a port number or the name of a container port'));
  else if (typeof port === 'number') for (const msg of isValidPortNum(port)) errs.push(invalid(portPath, port, msg));
  else for (const msg of isValidPortName(port)) errs.push(invalid(portPath, port, msg));
  if (protocol !== undefined && !protocols.includes(protocol)) errs.push(notSupported(child(path, 'protocol'), protocol, protocols));
  return errs;
}

/** True when the endpoint is a pod with a container port `name` (of `protocol`, when given). */
export function exposesNamedPort(e: EndpointBody | undefined, name: string, protocol: string | undefined): boolean {
  if (!e || !isPodForm(e)) return false;
  return (e.ports ?? []).some((p) => p.name === name && (protocol === undefined || (p.protocol ?? 'TCP') === protocol));
}

/**
 * A named port of a traffic review must be a container port of the
 * destination pod, and a given protocol must be that port's.
 */
export function validateNamedPort(destination: EndpointBody | undefined, name: string, protocol: string | undefined, path: string): FieldError[] {
  if (!destination) return [];
  const portPath = child(path, 'port');
  if (!isPodForm(destination)) {
    return [invalid(portPath, name, `a named port needs a pod destination with a container port of that name; ${child(path, 'destination')} is an outside address`)];
  }
  const named = (destination.ports ?? []).find((p) => p.name === name);
  if (!named) return [notFound(portPath, name, `${child(path, 'destination')}.ports has no container port of that name`)];
  const namedProtocol = named.protocol ?? 'TCP';
  if (protocol !== undefined && protocol !== namedProtocol) {
    return [invalid(child(path, 'protocol'), protocol, `container port "${name}" of ${child(path, 'destination')} is ${namedProtocol}`)];
  }
  return [];
}

/** Prefixes the field of each error: `spec.podSelector` -> `spec.whatIf.addPolicies[0].spec.podSelector`. */
function under(prefix: string, errs: FieldError[]): FieldError[] {
  return errs.map((e) => ({ ...e, field: `${prefix}.${e.field}` }));
}

/**
 * Added policies are validated as NetworkPolicy objects (kube's rules, paths
 * under `<path>.addPolicies[i].`), must live in stored namespaces and be
 * named once; removed policies must be stored ones.
 */
export function validateWhatIf(w: WhatIfBody | undefined, path: string, scope: ReviewScope): FieldError[] {
  if (!w) return [];
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  (w.addPolicies ?? []).forEach((np, i) => {
    const at = index(child(path, 'addPolicies'), i);
    if (np.apiVersion !== undefined && np.apiVersion !== 'networking.k8s.io/v1') {
      errs.push(notSupported(child(at, 'apiVersion'), np.apiVersion, ['networking.k8s.io/v1']));
    }
    if (np.kind !== undefined && np.kind !== 'NetworkPolicy') errs.push(notSupported(child(at, 'kind'), np.kind, ['NetworkPolicy']));
    const own = under(at, validateNetworkPolicy(np as unknown as NetworkPolicy));
    errs.push(...own);
    const ns = np.metadata?.namespace;
    const name = np.metadata?.name;
    if (ns && !own.some((e) => e.field === child(at, 'metadata.namespace')) && !scope.hasNamespace(ns)) {
      errs.push(notFound(child(at, 'metadata.namespace'), ns, 'no namespace of that name is stored'));
    }
    if (ns && name) {
      if (seen.has(`${ns}/${name}`)) errs.push(duplicate(child(at, 'metadata.name'), name));
      seen.add(`${ns}/${name}`);
    }
  });
  (w.removePolicies ?? []).forEach((ref, i) => {
    const at = index(child(path, 'removePolicies'), i);
    if (!ref.namespace) errs.push(required(child(at, 'namespace')));
    if (!ref.name) errs.push(required(child(at, 'name')));
    if (ref.namespace && ref.name && !scope.hasPolicy(ref.namespace, ref.name)) {
      errs.push(notFound(child(at, 'name'), ref.name, `no NetworkPolicy of that name is stored in namespace "${ref.namespace}"`));
    }
  });
  return errs;
}

/** Every problem of a TrafficReview spec. */
export function validateTrafficReviewSpec(spec: Schemas['TrafficReviewSpec'] | undefined, scope: ReviewScope): FieldError[] {
  if (!spec) return [required('spec')];
  const errs = [
    ...validateEndpoint(spec.source, 'spec.source', scope),
    ...validateEndpoint(spec.destination, 'spec.destination', scope),
  ];
  const portErrs = validatePortAndProtocol(spec.port, spec.protocol, 'spec');
  errs.push(...portErrs);
  if (typeof spec.port === 'string' && portErrs.length === 0) errs.push(...validateNamedPort(spec.destination, spec.port, spec.protocol, 'spec'));
  errs.push(...validateWhatIf(spec.whatIf, 'spec.whatIf', scope));
  return errs;
}

/** Every problem of a ReachabilityReview spec; a named port must be exposed by at least one endpoint. */
export function validateReachabilityReviewSpec(spec: Schemas['ReachabilityReviewSpec'] | undefined, scope: ReviewScope): FieldError[] {
  if (!spec) return [required('spec')];
  const errs: FieldError[] = [];
  const endpoints = spec.endpoints ?? [];
  if (endpoints.length === 0) errs.push(required('spec.endpoints', 'at least one pod or outside address'));
  else if (endpoints.length > maxEndpoints) errs.push(tooMany('spec.endpoints', endpoints.length, maxEndpoints));
  else endpoints.forEach((e, i) => errs.push(...validateEndpoint(e, index('spec.endpoints', i), scope)));
  const portErrs = validatePortAndProtocol(spec.port, spec.protocol, 'spec');
  errs.push(...portErrs);
  if (typeof spec.port === 'string' && portErrs.length === 0 && endpoints.length > 0 &&
    !endpoints.some((e) => exposesNamedPort(e, spec.port as string, spec.protocol))) {
    errs.push(notFound('spec.port', spec.port, 'no pod in spec.endpoints has a container port of that name' +
      (spec.protocol ? ` and protocol ${spec.protocol}` : '')));
  }
  errs.push(...validateWhatIf(spec.whatIf, 'spec.whatIf', scope));
  return errs;
}
