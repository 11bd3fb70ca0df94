/**
 * The API as discovery lists it: every group version with its resources in
 * kube-apiserver's legacy shape (`APIResource`, subresources as
 * `parent/sub`). Assembled from four sources, in this order of precedence:
 * the kinds Warden stores (api/resources/registry.ts) with the subresources
 * it serves, the resources that are not stored kinds (reviews, `token`;
 * api/composition.ts), the rest of the Kubernetes 1.32 API
 * (engine/catalogue.ts), and the established CustomResourceDefinitions. A
 * name already listed in a group version is not listed again, so a custom
 * resource cannot shadow a built-in one.
 *
 * Group order is kube's: the core group, the Kubernetes groups by their
 * priority, then every other group (Warden's own, custom resources') by
 * name, as kube-aggregator orders groups of equal priority. Versions are
 * in order of preference: kube's for its groups, kube's version priority
 * (GA, beta, alpha; higher first) for custom resources' groups.
 */
import { kubernetesGroups, storedKindSubresources, type CatalogueResource } from '../engine/catalogue.ts';
import { compareVersionPriority, customResourceEntries } from '../engine/custom-resources.ts';
import type { KubeObject } from '../engine/meta.ts';
import type { DiscoveryGroup } from './discovery.ts';
import { apiKinds } from './resources/registry.ts';
import type { APIResource } from './schema-types.ts';

export interface IndexedVersion { version: string; resources: APIResource[] }
export interface IndexedGroup { name: string; versions: IndexedVersion[] }

/** Every group, the core group ('') first; versions in order of preference, resources by name. */
export interface DiscoveryIndex {
  groups: IndexedGroup[];
  /** The resources of one group version, undefined when it is not served. */
  resourcesOf(group: string, version: string): APIResource[] | undefined;
}

const subresourceVerbs = ['get', 'patch', 'update'];

/** A resource and its subresources as the legacy discovery lists them. */
export function legacyEntries(r: CatalogueResource): APIResource[] {
  const main: APIResource = { name: r.name, singularName: r.singular ?? r.kind.toLowerCase(), namespaced: r.namespaced, kind: r.kind, verbs: [...r.verbs] };
  if (r.shortNames?.length) main.shortNames = [...r.shortNames];
  if (r.categories?.length) main.categories = [...r.categories];
  const subs = (r.subresources ?? []).map((s): APIResource => ({
    name: `${r.name}/${s.name}`, singularName: '', namespaced: r.namespaced,
    ...(s.group !== undefined ? { group: s.group, version: s.version } : {}),
    kind: s.kind ?? r.kind, verbs: [...s.verbs],
  }));
  return [main, ...subs];
}

/** The stored kinds as catalogue resources, with what they serve and kube's subresources they do not. */
function storedResources(): { group: string; version: string; resource: CatalogueResource }[] {
  return apiKinds.map((k) => {
    const unserved = storedKindSubresources.find((s) => s.group === k.group && s.version === k.version && s.resource === k.plural)?.subresources ?? [];
    const served = k.subresources.map((name) => ({ name, verbs: subresourceVerbs }));
    const subresources = [...served, ...unserved.filter((s) => !k.subresources.includes(s.name))];
    return {
      group: k.group, version: k.version,
      resource: { name: k.plural, kind: k.kind, singular: k.singular, namespaced: k.namespaced, verbs: k.verbs, shortNames: k.shortNames, categories: k.categories, subresources },
    };
  });
}

const kubeGroupOrder = new Map(kubernetesGroups.map((g, i) => [g.name, i]));

/** Builds the index; pure in its inputs, so it can be kept per set of registrations. */
export function buildDiscoveryIndex(extra: readonly DiscoveryGroup[], customResourceDefinitions: Iterable<KubeObject>): DiscoveryIndex {
  const groups = new Map<string, Map<string, Map<string, APIResource>>>();
  const versionsOf = (group: string) => {
    let g = groups.get(group);
    if (!g) groups.set(group, (g = new Map()));
    return g;
  };
  const add = (group: string, version: string, entries: APIResource[]) => {
    const g = versionsOf(group);
    let v = g.get(version);
    if (!v) g.set(version, (v = new Map()));
    for (const e of entries) if (e.name && !v.has(e.name)) v.set(e.name, e);
  };
  // Versions of the Kubernetes groups first, so they keep kube's order of preference.
  for (const g of kubernetesGroups) for (const v of g.versions) versionsOf(g.name).set(v.version, new Map());
  for (const s of storedResources()) add(s.group, s.version, legacyEntries(s.resource));
  for (const e of extra) add(e.group, e.version, e.resources);
  for (const g of kubernetesGroups) for (const v of g.versions) for (const r of v.resources) add(g.name, v.version, legacyEntries(r));
  const custom = [...customResourceDefinitions].sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : 1));
  const customGroups = new Set<string>();
  for (const crd of custom) {
    for (const e of customResourceEntries(crd)) {
      if (!groups.has(e.group)) customGroups.add(e.group);
      add(e.group, e.version, legacyEntries(e.resource));
    }
  }

  const out: IndexedGroup[] = [];
  for (const [name, versions] of groups) {
    let list = [...versions].filter(([, v]) => v.size > 0).map(([version, v]) => ({
      version,
      resources: [...v.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, r]) => r),
    }));
    if (customGroups.has(name)) list = list.sort((a, b) => compareVersionPriority(a.version, b.version));
    if (list.length) out.push({ name, versions: list });
  }
  const rank = (g: IndexedGroup) => kubeGroupOrder.get(g.name) ?? Number.MAX_SAFE_INTEGER;
  out.sort((a, b) => rank(a) - rank(b) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const byGroupVersion = new Map(out.flatMap((g) => g.versions.map((v) => [`${g.name}/${v.version}`, v.resources] as const)));
  return { groups: out, resourcesOf: (group, version) => byGroupVersion.get(`${group}/${version}`) };
}

/**
 * What a resource path names in the index: the resource and, for a
 * subresource, its entry. Undefined when discovery does not list it.
 */
export function lookupResource(index: DiscoveryIndex, group: string, version: string, resource: string, subresource: string): APIResource | undefined {
  const list = index.resourcesOf(group, version);
  if (!list) return undefined;
  return list.find((r) => r.name === (subresource ? `${resource}/${subresource}` : resource));
}
