/**
 * A pod's effective requests and limits (component-helpers resource.PodRequests
 * and PodLimits) and its quota usage per container
 * (podComputeUsageHelper), over an already-read pod.
 *
 * Containers are summed; each init container's need is its own plus that of
 * the restartable (sidecar, `restartPolicy: Always`) init containers before
 * it, and the pod needs the maximum of the container sum and every init need;
 * sidecars also add to the container sum. Pod-level cpu/memory, when set,
 * replace the aggregate. Overhead adds to every request, and to a limit only
 * where a limit exists.
 */
import { addQuantities, compareQuantities, newQuantity } from './quantity.ts';
import { maxLists, type ResourceList } from './resource-list.ts';
import {
  hugePagesPrefix, isExtendedResourceName, requestsPrefix,
} from './resource-names.ts';

export interface PodContainer {
  name: string;
  requests: ResourceList;
  limits: ResourceList;
  restartPolicy?: string;
}

/** The resources a container status reports as applied (in-place resize). */
export interface PodContainerStatus {
  requests: ResourceList;
  limits: ResourceList;
  allocated: ResourceList;
}

export interface PodResourcesView {
  containers: PodContainer[];
  initContainers: PodContainer[];
  /** Statuses that carry `resources`, by container name. */
  containerStatuses: Map<string, PodContainerStatus>;
  initContainerStatuses: Map<string, PodContainerStatus>;
  resizeInfeasible: boolean;
  podRequests: ResourceList;
  podLimits: ResourceList;
  overhead: ResourceList;
}

const podLevelResources: ReadonlySet<string> = new Set(['cpu', 'memory']);

function addInto(list: ResourceList, add: ResourceList): void {
  for (const [k, v] of add) {
    const cur = list.get(k);
    list.set(k, cur === undefined ? v : addQuantities(cur, v));
  }
}

function maxInto(list: ResourceList, other: ResourceList): void {
  for (const [k, v] of other) {
    const cur = list.get(k);
    if (cur === undefined || compareQuantities(v, cur) > 0) list.set(k, v);
  }
}

/** Spec requests, raised to what the kubelet reports as applied unless the resize is infeasible. */
function containerRequests(pod: PodResourcesView, c: PodContainer, statuses: Map<string, PodContainerStatus>): ResourceList {
  const cs = statuses.get(c.name);
  if (!cs) return c.requests;
  if (pod.resizeInfeasible) return maxLists(cs.requests, cs.allocated);
  return maxLists(maxLists(c.requests, cs.requests), cs.allocated);
}

function containerLimits(pod: PodResourcesView, c: PodContainer, statuses: Map<string, PodContainerStatus>): ResourceList {
  const cs = statuses.get(c.name);
  if (!cs) return c.limits;
  if (pod.resizeInfeasible) return cs.limits;
  return maxLists(c.limits, cs.limits);
}

type Pick = (pod: PodResourcesView, c: PodContainer, statuses: Map<string, PodContainerStatus>) => ResourceList;

function aggregate(pod: PodResourcesView, pick: Pick): ResourceList {
  const total: ResourceList = new Map();
  for (const c of pod.containers) addInto(total, pick(pod, c, pod.containerStatuses));
  const restartable: ResourceList = new Map();
  const initNeed: ResourceList = new Map();
  for (const c of pod.initContainers) {
    const own = pick(pod, c, pod.initContainerStatuses);
    let need: ResourceList;
    if (c.restartPolicy === 'Always') {
      addInto(total, own);
      addInto(restartable, own);
      need = restartable;
    } else {
      need = new Map();
      addInto(need, own);
      addInto(need, restartable);
    }
    maxInto(initNeed, need);
  }
  maxInto(total, initNeed);
  return total;
}

function applyPodLevel(list: ResourceList, podLevel: ResourceList): void {
  for (const [k, v] of podLevel) if (podLevelResources.has(k)) list.set(k, v);
}

export function podRequests(pod: PodResourcesView): ResourceList {
  const reqs = aggregate(pod, containerRequests);
  applyPodLevel(reqs, pod.podRequests);
  addInto(reqs, pod.overhead);
  return reqs;
}

export function podLimits(pod: PodResourcesView): ResourceList {
  const limits = aggregate(pod, containerLimits);
  applyPodLevel(limits, pod.podLimits);
  for (const [k, v] of pod.overhead) {
    const cur = limits.get(k);
    if (cur !== undefined) limits.set(k, addQuantities(cur, v));
  }
  return limits;
}

const one = newQuantity(1);

/**
 * Quota names charged for the given requests and limits: `pods`, the
 * `cpu`/`memory`/`ephemeral-storage` aliases of their requests, `requests.*`,
 * `limits.*`, hugepages under both names, and extended resources only as
 * `requests.<name>`.
 */
export function computeUsage(requests: ResourceList, limits: ResourceList): ResourceList {
  const out: ResourceList = new Map([['pods', one]]);
  for (const r of ['cpu', 'memory', 'ephemeral-storage']) {
    const req = requests.get(r);
    if (req !== undefined) {
      out.set(r, req);
      out.set(`requests.${r}`, req);
    }
    const lim = limits.get(r);
    if (lim !== undefined) out.set(`limits.${r}`, lim);
  }
  for (const [name, req] of requests) {
    if (name.startsWith(hugePagesPrefix)) {
      out.set(name, req);
      out.set(requestsPrefix + name, req);
    }
    if (isExtendedResourceName(name)) out.set(requestsPrefix + name, req);
  }
  return out;
}
