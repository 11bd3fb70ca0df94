/**
 * The pod evaluator (pkg/quota/v1/evaluator/core/pods.go).
 *
 * - Handles CREATE, and UPDATE of the `resize` subresource; nothing else.
 * - Measures `pods`, `count/pods`, cpu/memory/ephemeral-storage requests and
 *   limits (with the `cpu`/`memory`/`ephemeral-storage` aliases of requests),
 *   hugepages, and extended resources as `requests.<name>`.
 * - A pod in a terminal phase, or deleted beyond its grace period, is charged
 *   `count/pods` only.
 * - The object is read after applying the one pod default the API server
 *   applies before admission and the engine must repeat: a container limit
 *   without a request becomes the request.
 */
import type { Labels } from '../meta.ts';
import { forbidden, required, type FieldError } from '../validation/field-error.ts';
import { ObjectReader, type JSONObject, type ReadQuantity } from './object-reader.ts';
import { podLimits, podRequests, computeUsage, type PodContainer, type PodContainerStatus, type PodResourcesView } from './pod-resources.ts';
import { compareQuantities, newQuantity, type Quantity } from './quantity.ts';
import { addLists, sortNames, type ResourceList } from './resource-list.ts';
import { hugePagesPrefix, isNativeResource, requestsHugePagesPrefix, requestsPrefix } from './resource-names.ts';
import {
  scopeBestEffort, scopeCrossNamespacePodAffinity, scopeNotBestEffort, scopeNotTerminating, scopePriorityClass,
  scopeRequirementMatches, scopeTerminating, type ScopeMatch,
} from './scopes.ts';
import {
  readMeta, readResult, type Evaluator, type ObjectMetaFields, type Operation, type QuotaItem, type ReadResult, type UsageOptions,
} from './evaluator.ts';

interface Pod extends PodResourcesView {
  meta: ObjectMetaFields;
  activeDeadlineSeconds?: number;
  priorityClassName: string;
  crossNamespaceAffinity: boolean;
  phase: string;
  qosClass: string;
}

const podResources: ReadonlySet<string> = new Set([
  'count/pods', 'cpu', 'memory', 'ephemeral-storage', 'requests.cpu', 'requests.memory', 'requests.ephemeral-storage',
  'limits.cpu', 'limits.memory', 'limits.ephemeral-storage', 'pods',
]);

/** Resources a pod must declare on every container once a quota tracks them (a kept historical mistake). */
const mustSpecify: ReadonlySet<string> = new Set(['cpu', 'memory', 'requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory']);

interface ReadContainer extends PodContainer {
  image: string;
  path: string;
}

function readContainer(r: ObjectReader, raw: unknown, path: string): ReadContainer | undefined {
  const c = r.element(raw, path);
  if (!c) return undefined;
  const resources = r.field(c, 'resources', path, r.object);
  const rp = `${path}.resources`;
  const requests = r.field(resources, 'requests', rp, r.resourceList) ?? new Map();
  const limits = r.field(resources, 'limits', rp, r.resourceList) ?? new Map();
  // SetDefaults_Pod: a limit without a request becomes the request.
  for (const [k, v] of limits) if (!requests.has(k)) requests.set(k, v);
  return {
    name: r.field(c, 'name', path, r.string) ?? '',
    image: r.field(c, 'image', path, r.string) ?? '',
    path,
    requests,
    limits,
    restartPolicy: r.field(c, 'restartPolicy', path, r.string),
  };
}

function readContainers(r: ObjectReader, spec: JSONObject | undefined, name: string, path: string): ReadContainer[] {
  const list = r.field(spec, name, path, r.array) ?? [];
  const out: ReadContainer[] = [];
  list.forEach((raw, i) => {
    const c = readContainer(r, raw, `${path}.${name}[${i}]`);
    if (c) out.push(c);
  });
  return out;
}

function readStatuses(r: ObjectReader, status: JSONObject | undefined, name: string, path: string): Map<string, PodContainerStatus> {
  const out = new Map<string, PodContainerStatus>();
  (r.field(status, name, path, r.array) ?? []).forEach((raw, i) => {
    const p = `${path}.${name}[${i}]`;
    const cs = r.element(raw, p);
    const resources = r.field(cs, 'resources', p, r.object);
    const allocated = r.field(cs, 'allocatedResources', p, r.resourceList) ?? new Map();
    if (!cs || !resources) return;
    out.set(r.field(cs, 'name', p, r.string) ?? '', {
      requests: r.field(resources, 'requests', `${p}.resources`, r.resourceList) ?? new Map(),
      limits: r.field(resources, 'limits', `${p}.resources`, r.resourceList) ?? new Map(),
      allocated,
    });
  });
  return out;
}

/** A pod affinity term reaches other namespaces when it lists namespaces or has a namespace selector. */
function readCrossNamespace(r: ObjectReader, spec: JSONObject | undefined, path: string): boolean {
  const affinity = r.field(spec, 'affinity', path, r.object);
  let cross = false;
  for (const kind of ['podAffinity', 'podAntiAffinity']) {
    const kp = `${path}.affinity.${kind}`;
    const a = r.field(affinity, kind, `${path}.affinity`, r.object);
    const term = (t: JSONObject | undefined, p: string): void => {
      const namespaces = r.field(t, 'namespaces', p, r.strings) ?? [];
      const nsSelector = r.field(t, 'namespaceSelector', p, r.object);
      if (namespaces.length > 0 || nsSelector !== undefined) cross = true;
    };
    (r.field(a, 'requiredDuringSchedulingIgnoredDuringExecution', kp, r.array) ?? []).forEach((t, i) => {
      const p = `${kp}.requiredDuringSchedulingIgnoredDuringExecution[${i}]`;
      term(r.element(t, p), p);
    });
    (r.field(a, 'preferredDuringSchedulingIgnoredDuringExecution', kp, r.array) ?? []).forEach((t, i) => {
      const p = `${kp}.preferredDuringSchedulingIgnoredDuringExecution[${i}]`;
      term(r.field(r.element(t, p), 'podAffinityTerm', p, r.object), `${p}.podAffinityTerm`);
    });
  }
  return cross;
}

function readResizeInfeasible(r: ObjectReader, status: JSONObject | undefined, path: string): boolean {
  if (r.field(status, 'resize', path, r.string) === 'Infeasible') return true;
  return (r.field(status, 'conditions', path, r.array) ?? []).some((c, i) => {
    const cond = r.element(c, `${path}.conditions[${i}]`);
    return cond?.type === 'PodResizePending' && cond?.reason === 'Infeasible';
  });
}

/**
 * What kube-apiserver's pod validation refuses among the fields that decide
 * a pod's charge: no containers (`spec.containers: Required value`), a
 * container (or a null one, which decodes empty) without a name or image,
 * and ephemeral containers on create, which only their own subresource may
 * add (ValidatePodCreate).
 */
function validatePod(
  containers: ReadContainer[], initContainers: ReadContainer[], ephemeral: ReadContainer[], sp: string, operation: Operation,
): FieldError[] {
  const errs: FieldError[] = [];
  if (containers.length === 0) errs.push(required(`${sp}.containers`));
  for (const c of [...containers, ...initContainers, ...ephemeral]) {
    if (c.name === '') errs.push(required(`${c.path}.name`));
    if (c.image === '') errs.push(required(`${c.path}.image`));
  }
  if (operation === 'CREATE' && ephemeral.length > 0) errs.push(forbidden(`${sp}.ephemeralContainers`, 'cannot be set on create'));
  return errs;
}

function readPod(raw: unknown, path: string, validate?: Operation, readQuantity?: ReadQuantity): { pod: Pod; r: ObjectReader } {
  const r = new ObjectReader(readQuantity);
  const obj = r.object(raw, path || 'object');
  const sp = path ? `${path}.spec` : 'spec';
  const stp = path ? `${path}.status` : 'status';
  const meta = readMeta(r, obj, path);
  const spec = r.field(obj, 'spec', path, r.object);
  const status = r.field(obj, 'status', path, r.object);
  const podResourcesField = r.field(spec, 'resources', sp, r.object);
  const podRequests = r.field(podResourcesField, 'requests', `${sp}.resources`, r.resourceList) ?? new Map();
  const podLimits = r.field(podResourcesField, 'limits', `${sp}.resources`, r.resourceList) ?? new Map();
  const containers = readContainers(r, spec, 'containers', sp);
  const initContainers = readContainers(r, spec, 'initContainers', sp);
  const ephemeralContainers = readContainers(r, spec, 'ephemeralContainers', sp);
  // Pod-level defaulting: a pod-level limit with no pod-level request, and no container request, is the request.
  for (const [k, v] of podLimits) {
    const containerSets = [...containers, ...initContainers].some((c) => c.requests.has(k));
    if (!podRequests.has(k) && !containerSets) podRequests.set(k, v);
  }
  const pod: Pod = {
    meta,
    containers,
    initContainers,
    containerStatuses: readStatuses(r, status, 'containerStatuses', stp),
    initContainerStatuses: readStatuses(r, status, 'initContainerStatuses', stp),
    resizeInfeasible: readResizeInfeasible(r, status, stp),
    podRequests,
    podLimits,
    overhead: r.field(spec, 'overhead', sp, r.resourceList) ?? new Map(),
    activeDeadlineSeconds: r.field(spec, 'activeDeadlineSeconds', sp, r.integer),
    priorityClassName: r.field(spec, 'priorityClassName', sp, r.string) ?? '',
    crossNamespaceAffinity: readCrossNamespace(r, spec, sp),
    phase: r.field(status, 'phase', stp, r.string) ?? '',
    qosClass: r.field(status, 'qosClass', stp, r.string) ?? '',
  };
  if (obj === undefined && r.errors.length === 0) r.errors.push({ type: 'FieldValueRequired', field: path || 'object', detail: 'a Pod is required' });
  if (obj !== undefined && validate !== undefined && r.errors.length === 0) {
    r.errors.push(...validatePod(containers, initContainers, ephemeralContainers, sp, validate));
  }
  return { pod, r };
}

const zero = newQuantity(0);
const positive = (q: Quantity | undefined): boolean => q !== undefined && compareQuantities(q, zero) > 0;

/** QoS BestEffort: no positive cpu or memory request or limit anywhere (pod level when set). */
function isBestEffort(pod: Pod): boolean {
  if (pod.qosClass !== '') return pod.qosClass === 'BestEffort';
  const lists: ResourceList[] = pod.podRequests.size > 0 || pod.podLimits.size > 0
    ? [pod.podRequests, pod.podLimits]
    : [...pod.containers, ...pod.initContainers].flatMap((c) => [c.requests, c.limits]);
  return !lists.some((l) => positive(l.get('cpu')) || positive(l.get('memory')));
}

const isTerminating = (pod: Pod): boolean => pod.activeDeadlineSeconds !== undefined && pod.activeDeadlineSeconds >= 0;

/** QuotaV1Pod: terminal pods and pods deleted beyond their grace period are no longer charged. */
function isCharged(pod: Pod, now: number | undefined): boolean {
  if (pod.phase === 'Failed' || pod.phase === 'Succeeded') return false;
  const { deletionTimestamp, deletionGracePeriodSeconds } = pod.meta;
  if (now !== undefined && deletionTimestamp !== undefined && deletionGracePeriodSeconds !== undefined) {
    const at = Date.parse(deletionTimestamp);
    if (!Number.isNaN(at) && now > at + deletionGracePeriodSeconds * 1000) return false;
  }
  return true;
}

function podItem(pod: Pod): QuotaItem {
  // Computed once per item: every quota asks the same questions.
  let bestEffort: boolean | undefined;
  let declared: { name: string; names: Set<string> }[] | undefined;
  const isBestEffortOnce = (): boolean => (bestEffort ??= isBestEffort(pod));
  const declaredOnce = () => (declared ??= [...pod.containers, ...pod.initContainers]
    .map((c) => ({ name: c.name, names: new Set(computeUsage(c.requests, c.limits).keys()) })));
  return {
    meta: pod.meta,
    usage(options: UsageOptions): ResourceList {
      const count: ResourceList = new Map([['count/pods', newQuantity(1)]]);
      if (!options.asAdmitted && !isCharged(pod, options.now)) return count;
      return addLists(count, computeUsage(podRequests(pod), podLimits(pod)));
    },
    matchesScope(req): ScopeMatch {
      switch (req.scopeName) {
        case scopeTerminating: return { ok: true, match: isTerminating(pod) };
        case scopeNotTerminating: return { ok: true, match: !isTerminating(pod) };
        case scopeBestEffort: return { ok: true, match: isBestEffortOnce() };
        case scopeNotBestEffort: return { ok: true, match: !isBestEffortOnce() };
        case scopeCrossNamespacePodAffinity: return { ok: true, match: pod.crossNamespaceAffinity };
        case scopePriorityClass: {
          if (req.operator === 'Exists') return { ok: true, match: pod.priorityClassName !== '' };
          const labels: Labels | undefined = pod.priorityClassName ? { [scopePriorityClass]: pod.priorityClassName } : undefined;
          return scopeRequirementMatches(req, labels);
        }
        default: return { ok: true, match: false };
      }
    },
    constraints(required): string | undefined {
      const requiredSet = required.filter((r) => mustSpecify.has(r));
      if (requiredSet.length === 0) return undefined;
      const missing = new Map<string, Set<string>>();
      for (const c of declaredOnce()) {
        for (const r of requiredSet) {
          if (c.names.has(r)) continue;
          if (!missing.has(r)) missing.set(r, new Set());
          missing.get(r)!.add(c.name);
        }
      }
      if (missing.size === 0) return undefined;
      const parts = sortNames(missing.keys()).map((r) => `${r} for: ${sortNames(missing.get(r)!).join(',')}`);
      return `must specify ${parts.join('; ')}`;
    },
  };
}

export const podEvaluator: Evaluator = {
  groupResource: { group: '', resource: 'pods' },
  handles(operation, subResource) {
    if (subResource !== '' && subResource !== 'resize') return false;
    return operation === 'CREATE' || (subResource === 'resize' && operation === 'UPDATE');
  },
  matchingResources(names) {
    const out = names.filter((n) => podResources.has(n));
    for (const n of names) {
      if (n.startsWith(hugePagesPrefix) || n.startsWith(requestsHugePagesPrefix)) out.push(n);
      if (n.startsWith(requestsPrefix) && !isNativeResource(n)) out.push(n);
    }
    return out;
  },
  read(raw, path, validate, readQuantity): ReadResult {
    const { pod, r } = readPod(raw, path, validate, readQuantity);
    return readResult(r, podItem(pod));
  },
};
