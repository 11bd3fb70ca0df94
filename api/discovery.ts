/**
 * Discovery as kube-apiserver serves it, so kubectl and client libraries
 * resolve every resource of the API (`deployments.apps`, `deploy`,
 * `pods/exec`, a registered custom resource) to its group and resource:
 * /api, /api/v1, /apis, /apis/{group}, /apis/{group}/{version}, and
 * /version. /api and /apis answer in the aggregated form
 * (`application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList`,
 * or v2beta1) when the Accept header prefers it, as kubectl's does.
 * What is listed is api/discovery-index.ts's; it is rebuilt only when the
 * registered CustomResourceDefinitions change.
 */
import type { Request, Response } from 'express';
import type { KubeObject } from '../engine/meta.ts';
import { buildDiscoveryIndex, type DiscoveryIndex, type IndexedGroup } from './discovery-index.ts';
import { parseAccept } from './negotiation.ts';
import { send } from './respond.ts';
import { notFound } from './status.ts';
import type { APIGroup, APIGroupList, APIResource, APIResourceList, APIVersions, VersionInfo } from './schema-types.ts';

export const serverVersion: VersionInfo = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0-warden.0.1.0',
  gitCommit: '',
  gitTreeState: 'clean',
  buildDate: '2026-11-29T00:00:00Z',
  goVersion: `node${process.versions.node}`,
  compiler: 'tsx',
  platform: `${process.platform}/${process.arch}`,
};

/** Resources of a group version that are not stored kinds (reviews, subresources), listed in discovery. */
export interface DiscoveryGroup { group: string; version: string; resources: APIResource[] }

const aggregatedGroup = 'apidiscovery.k8s.io';
const aggregatedAs = 'APIGroupDiscoveryList';

/**
 * The aggregated discovery version the Accept header prefers, or undefined
 * when it prefers the legacy documents: clauses in goautoneg's order, the
 * first that is either an aggregated `application/json` (v2 or v2beta1) or
 * a plain JSON/YAML/wildcard type decides, as kube's discovery handler
 * negotiates between the two.
 */
export function aggregatedVersionOf(accept: string | undefined): 'v2' | 'v2beta1' | undefined {
  if (!accept) return undefined;
  for (const c of parseAccept(accept)) {
    const g = c.params.get('g');
    const v = c.params.get('v');
    const as = c.params.get('as');
    const json = c.type === 'application' && c.subType === 'json';
    if (g === aggregatedGroup && as === aggregatedAs && json && (v === 'v2' || v === 'v2beta1')) return v;
    if (g === undefined && v === undefined && as === undefined) {
      if ((c.type === 'application' && ['json', 'yaml', 'vnd.kubernetes.protobuf', '*'].includes(c.subType)) || (c.type === '*' && c.subType === '*')) return undefined;
    }
  }
  return undefined;
}

interface ResponseKind { group: string; version: string; kind: string }
interface SubresourceDiscovery { subresource: string; responseKind: ResponseKind; verbs: string[] }
interface ResourceDiscovery {
  resource: string;
  responseKind?: ResponseKind;
  scope: 'Namespaced' | 'Cluster';
  singularResource: string;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
  subresources?: SubresourceDiscovery[];
}

/** One group version's legacy list in the aggregated shape: subresources folded into their resource. */
function aggregatedResources(list: APIResource[]): ResourceDiscovery[] {
  const out = new Map<string, ResourceDiscovery>();
  const kindOf = (r: APIResource): ResponseKind => ({ group: r.group ?? '', version: r.version ?? '', kind: r.kind ?? '' });
  for (const r of list) {
    const [name, sub] = (r.name ?? '').split('/', 2);
    let entry = out.get(name);
    if (!sub) {
      const main: ResourceDiscovery = {
        resource: name, responseKind: kindOf(r), scope: r.namespaced ? 'Namespaced' : 'Cluster', singularResource: r.singularName ?? '', verbs: [...(r.verbs ?? [])],
      };
      if (r.shortNames?.length) main.shortNames = [...r.shortNames];
      if (r.categories?.length) main.categories = [...r.categories];
      if (entry?.subresources) main.subresources = entry.subresources;
      out.set(name, main);
      continue;
    }
    if (!entry) out.set(name, (entry = { resource: name, scope: r.namespaced ? 'Namespaced' : 'Cluster', singularResource: '', verbs: [] }));
    (entry.subresources ??= []).push({ subresource: sub, responseKind: kindOf(r), verbs: [...(r.verbs ?? [])] });
  }
  return [...out.values()];
}

function aggregatedGroupOf(g: IndexedGroup) {
  return {
    metadata: { ...(g.name ? { name: g.name } : {}), creationTimestamp: null },
    versions: g.versions.map((v) => ({ version: v.version, resources: aggregatedResources(v.resources), freshness: 'Current' })),
  };
}

function sendAggregated(req: Request, res: Response, version: 'v2' | 'v2beta1', groups: IndexedGroup[]): void {
  const body = { kind: aggregatedAs, apiVersion: `${aggregatedGroup}/${version}`, metadata: {}, items: groups.map(aggregatedGroupOf) };
  const text = JSON.stringify(body);
  res.statusCode = 200;
  res.setHeader('Content-Type', `application/json;g=${aggregatedGroup};v=${version};as=${aggregatedAs}`);
  res.setHeader('Vary', 'Accept');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(req.method === 'HEAD' ? undefined : text);
}

function groupOf(g: IndexedGroup): APIGroup {
  const list = g.versions.map((v) => ({ groupVersion: `${g.name}/${v.version}`, version: v.version }));
  return { kind: 'APIGroup', apiVersion: 'v1', name: g.name, versions: list, preferredVersion: list[0] };
}

/**
 * The discovery index for the registrations in force: rebuilt when the
 * snapshot's map of CustomResourceDefinitions is a new one (it is kept
 * across snapshots that do not change it).
 */
export function discoveryIndexSource(extraResources: readonly DiscoveryGroup[], registrations: () => ReadonlyMap<string, KubeObject>): () => DiscoveryIndex {
  let key: ReadonlyMap<string, KubeObject> | undefined;
  let index: DiscoveryIndex | undefined;
  return () => {
    const current = registrations();
    if (!index || key !== current) {
      index = buildDiscoveryIndex(extraResources, current.values());
      key = current;
    }
    return index;
  };
}

const noRegistrations: ReadonlyMap<string, KubeObject> = new Map();

/** The CustomResourceDefinitions of the snapshot held; discovery is no decision, so a stale snapshot serves it. */
export const registrationsOf = (snapshots: { readonly held: { customResourceDefinitions: ReadonlyMap<string, KubeObject> } | undefined }) =>
  () => snapshots.held?.customResourceDefinitions ?? noRegistrations;

/** The discovery handlers over the index in force; composed once (api/routes.ts). */
export function discoveryHandlers(indexOf: () => DiscoveryIndex) {
  const named = () => indexOf().groups.filter((g) => g.name !== '');
  return {
    coreVersions(req: Request, res: Response) {
      const aggregated = aggregatedVersionOf(req.headers.accept);
      if (aggregated) return sendAggregated(req, res, aggregated, indexOf().groups.filter((g) => g.name === ''));
      const body: APIVersions = { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: req.headers.host ?? '' }] };
      send(req, res, 200, body);
    },
    coreResources(req: Request, res: Response) {
      const body: APIResourceList = { kind: 'APIResourceList', groupVersion: 'v1', resources: indexOf().resourcesOf('', 'v1') };
      send(req, res, 200, body);
    },
    apiGroups(req: Request, res: Response) {
      const aggregated = aggregatedVersionOf(req.headers.accept);
      if (aggregated) return sendAggregated(req, res, aggregated, named());
      const body: APIGroupList = { kind: 'APIGroupList', apiVersion: 'v1', groups: named().map(groupOf) };
      send(req, res, 200, body);
    },
    apiGroup(req: Request, res: Response) {
      const name = String(req.params.group);
      const group = named().find((g) => g.name === name);
      if (!group) throw notFound({ resource: 'groups', name });
      send(req, res, 200, groupOf(group));
    },
    groupResources(req: Request, res: Response) {
      const group = String(req.params.group);
      const version = String(req.params.version);
      const resources = group === '' ? undefined : indexOf().resourcesOf(group, version);
      if (!resources) throw notFound({ resource: 'groupversions', name: `${group}/${version}` });
      const body: APIResourceList = { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: `${group}/${version}`, resources };
      send(req, res, 200, body);
    },
  };
}

export function version(req: Request, res: Response) {
  send(req, res, 200, serverVersion);
}
