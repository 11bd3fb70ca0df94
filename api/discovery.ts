/**
 * Discovery as kube-apiserver serves it, so kubectl and client libraries
 * find Warden's resources: /api, /api/v1, /apis, /apis/{group},
 * /apis/{group}/{version}, and /version.
 */
import type { Request, Response } from 'express';
import { send } from './respond.ts';
import { notFound } from './status.ts';
import { apiKinds, type ApiKind } from './resources/registry.ts';
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

function resourceEntry(k: ApiKind): APIResource {
  const entry: APIResource = { name: k.plural, singularName: k.singular, namespaced: k.namespaced, kind: k.kind, verbs: k.verbs };
  if (k.shortNames.length) entry.shortNames = [...k.shortNames];
  return entry;
}

/**
 * The discovery handlers over the stored kinds and `extraResources`, in
 * discovery order; composed once (api/composition.ts) and served by routes.
 */
export function discoveryHandlers(extraResources: readonly DiscoveryGroup[]) {
  function resourcesOf(group: string, version: string): APIResource[] | undefined {
    const own = apiKinds.filter((k) => k.group === group && k.version === version);
    const extra = extraResources.filter((e) => e.group === group && e.version === version);
    if (!own.length && !extra.length) return undefined;
    return [
      ...own.flatMap((k) => [resourceEntry(k), ...k.subresources.map((s) => ({ name: `${k.plural}/${s}`, singularName: '', namespaced: k.namespaced, kind: k.kind, verbs: ['get', 'patch', 'update'] }))]),
      ...extra.flatMap((e) => e.resources),
    ];
  }

  function groups(): string[] {
    const names = [...apiKinds.map((k) => k.group), ...extraResources.map((e) => e.group)].filter((g) => g !== '');
    return [...new Set(names)];
  }

  function groupOf(name: string): APIGroup {
    const versions = [...new Set([...apiKinds, ...extraResources].filter((x) => x.group === name).map((x) => x.version))];
    const list = versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
    return { kind: 'APIGroup', apiVersion: 'v1', name, versions: list, preferredVersion: list[0] };
  }

  return {
    coreVersions(req: Request, res: Response) {
      const body: APIVersions = { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: req.headers.host ?? '' }] };
      send(req, res, 200, body);
    },
    coreResources(req: Request, res: Response) {
      const body: APIResourceList = { kind: 'APIResourceList', groupVersion: 'v1', resources: resourcesOf('', 'v1') };
      send(req, res, 200, body);
    },
    apiGroups(req: Request, res: Response) {
      const body: APIGroupList = { kind: 'APIGroupList', apiVersion: 'v1', groups: groups().map(groupOf) };
      send(req, res, 200, body);
    },
    apiGroup(req: Request, res: Response) {
      const name = String(req.params.group);
      if (!groups().includes(name)) throw notFound({ resource: 'groups', name });
      send(req, res, 200, groupOf(name));
    },
    groupResources(req: Request, res: Response) {
      const group = String(req.params.group);
      const version = String(req.params.version);
      const resources = resourcesOf(group, version);
      if (!resources) throw notFound({ resource: 'groupversions', name: `${group}/${version}` });
      const body: APIResourceList = { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: `${group}/${version}`, resources };
      send(req, res, 200, body);
    },
  };
}

export function version(req: Request, res: Response) {
  send(req, res, 200, serverVersion);
}
