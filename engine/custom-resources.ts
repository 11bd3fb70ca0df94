/**
 * Custom resources registered with apiextensions.k8s.io/v1
 * CustomResourceDefinitions: the shape Warden reads from one, the defaults
 * kube-apiserver sets on it, and the resources it adds to discovery. Warden
 * stores no custom objects; a registration makes the names resolve
 * (`kubectl auth can-i create widgets`, short names, categories) and its
 * requests are authorized like any other.
 */
import type { KubeObject } from './meta.ts';
import type { CatalogueResource, CatalogueSubresource } from './catalogue.ts';

export interface CustomResourceDefinitionNames {
  plural?: string;
  singular?: string;
  kind?: string;
  listKind?: string;
  shortNames?: string[];
  categories?: string[];
}

export interface CustomResourceDefinitionVersion {
  name?: string;
  served?: boolean;
  storage?: boolean;
  schema?: { openAPIV3Schema?: unknown };
  subresources?: { status?: unknown; scale?: unknown };
}

export interface CustomResourceDefinitionSpec {
  group?: string;
  names?: CustomResourceDefinitionNames;
  scope?: string;
  versions?: CustomResourceDefinitionVersion[];
  conversion?: { strategy?: string };
  preserveUnknownFields?: boolean;
}

export const namespaceScoped = 'Namespaced';
export const clusterScoped = 'Cluster';

/** kube-apiserver lists a custom resource's verbs in this order, not sorted. */
export const customResourceVerbs: readonly string[] = ['delete', 'deletecollection', 'get', 'list', 'patch', 'create', 'update', 'watch'];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The spec as far as it has the documented shape; anything else reads as absent. */
export function specOf(o: KubeObject): CustomResourceDefinitionSpec {
  return isObject(o.spec) ? (o.spec as CustomResourceDefinitionSpec) : {};
}

export function namesOf(spec: CustomResourceDefinitionSpec): CustomResourceDefinitionNames {
  return isObject(spec.names) ? spec.names : {};
}

export function versionsOf(spec: CustomResourceDefinitionSpec): CustomResourceDefinitionVersion[] {
  return Array.isArray(spec.versions) ? spec.versions.map((v) => (isObject(v) ? v : {})) : [];
}

/**
 * apiextensions/v1 defaulting (SetDefaults_CustomResourceDefinitionSpec):
 * the singular name is the kind in lower case, the list kind is the kind
 * with `List`, and conversion is `None`. Returns a new object.
 */
export function defaultCustomResourceDefinition(o: KubeObject): KubeObject {
  if (!isObject(o.spec)) return o;
  const spec = { ...(o.spec as CustomResourceDefinitionSpec) };
  if (isObject(spec.names)) {
    const names = { ...spec.names };
    if (!names.singular && typeof names.kind === 'string') names.singular = names.kind.toLowerCase();
    if (!names.listKind && typeof names.kind === 'string' && names.kind) names.listKind = `${names.kind}List`;
    spec.names = names;
  }
  if (spec.conversion === undefined || spec.conversion === null) spec.conversion = { strategy: 'None' };
  return { ...o, spec };
}

type VersionClass = { major: number; stage: number; minor: number };
const kubeVersionRe = /^v(\d+)(?:(alpha|beta)(\d+))?$/;

function classOf(v: string): VersionClass | undefined {
  const m = kubeVersionRe.exec(v);
  if (!m) return undefined;
  return { major: Number(m[1]), stage: m[2] === 'alpha' ? 0 : m[2] === 'beta' ? 1 : 2, minor: m[3] ? Number(m[3]) : 0 };
}

/**
 * apimachinery's CompareKubeAwareVersionStrings, as a sort comparator:
 * negative when `a` comes first. GA before beta before alpha, then higher
 * major, then higher minor (v2, v1, v1beta2, v1beta1, v1alpha1); versions
 * not shaped like these come after them, alphabetically.
 */
export function compareVersionPriority(a: string, b: string): number {
  if (a === b) return 0;
  const ca = classOf(a);
  const cb = classOf(b);
  if (!ca && !cb) return a < b ? -1 : 1;
  if (!ca) return 1;
  if (!cb) return -1;
  if (ca.stage !== cb.stage) return cb.stage - ca.stage;
  if (ca.major !== cb.major) return cb.major - ca.major;
  return cb.minor - ca.minor;
}

/** A custom resource in one served version, as discovery lists it. */
export interface CustomResourceEntry { group: string; version: string; resource: CatalogueResource }

/**
 * What one CustomResourceDefinition adds to discovery: its resource, under
 * its accepted names, in each served version, with the `status` and `scale`
 * subresources that version enables (kube's customresource discovery
 * controller). Nothing until it is Established.
 */
export function customResourceEntries(crd: KubeObject): CustomResourceEntry[] {
  const spec = specOf(crd);
  const names = statusOf(crd).acceptedNames ?? {};
  if (!isEstablished(crd) || typeof spec.group !== 'string' || !spec.group || !names.plural || !names.kind) return [];
  const out: CustomResourceEntry[] = [];
  for (const v of versionsOf(spec)) {
    if (v.served !== true || typeof v.name !== 'string') continue;
    const subresources: CatalogueSubresource[] = [];
    const sub = isObject(v.subresources) ? v.subresources : {};
    if (sub.status !== undefined && sub.status !== null) subresources.push({ name: 'status', verbs: ['get', 'patch', 'update'] });
    if (sub.scale !== undefined && sub.scale !== null) subresources.push({ name: 'scale', kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: ['get', 'patch', 'update'] });
    const resource: CatalogueResource = {
      name: names.plural,
      kind: names.kind,
      ...(names.singular ? { singular: names.singular } : {}),
      namespaced: spec.scope === namespaceScoped,
      verbs: customResourceVerbs,
      ...(names.shortNames?.length ? { shortNames: names.shortNames } : {}),
      ...(names.categories?.length ? { categories: names.categories } : {}),
      ...(subresources.length ? { subresources } : {}),
    };
    out.push({ group: spec.group, version: v.name, resource });
  }
  return out;
}

export interface CustomResourceDefinitionCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface CustomResourceDefinitionStatus {
  acceptedNames?: CustomResourceDefinitionNames;
  conditions?: CustomResourceDefinitionCondition[];
  storedVersions?: string[];
}

export const namesAccepted = 'NamesAccepted';
export const established = 'Established';

function statusOf(o: KubeObject | undefined): CustomResourceDefinitionStatus {
  return o && isObject(o.status) ? (o.status as CustomResourceDefinitionStatus) : {};
}

/** The storage version's name, when exactly one version is marked as storage. */
function storageVersionOf(spec: CustomResourceDefinitionSpec): string | undefined {
  const marked = versionsOf(spec).filter((v) => v.storage === true && typeof v.name === 'string');
  return marked.length === 1 ? marked[0].name : undefined;
}

/**
 * kube's CRD strategy (PrepareForCreate, PrepareForUpdate) after defaulting:
 * the status is the server's, not the writer's (a create starts from none,
 * an update keeps the stored one); `status.storedVersions` gains the storage
 * version; `metadata.generation` is 1 on create and grows when the spec
 * changes. Returns a new object.
 */
export function prepareCustomResourceDefinition(o: KubeObject, prev?: KubeObject): KubeObject {
  const next = defaultCustomResourceDefinition(o);
  const spec = specOf(next);
  const status: CustomResourceDefinitionStatus = prev ? { ...statusOf(prev) } : {};
  const storage = storageVersionOf(spec);
  const stored = [...(status.storedVersions ?? [])];
  if (storage && !stored.includes(storage)) stored.push(storage);
  if (stored.length) status.storedVersions = stored;
  let generation = 1;
  if (prev) {
    const before = prev.metadata.generation ?? 1;
    generation = JSON.stringify(prev.spec ?? {}) === JSON.stringify(next.spec ?? {}) ? before : before + 1;
  }
  return { ...next, metadata: { ...next.metadata, generation }, status };
}

/** Sets a condition as apiextensions' SetCRDCondition: its transition time changes only when its status does. */
function setCondition(list: CustomResourceDefinitionCondition[], c: CustomResourceDefinitionCondition, now: string): CustomResourceDefinitionCondition[] {
  const i = list.findIndex((x) => x.type === c.type);
  if (i < 0) return [...list, { ...c, lastTransitionTime: now }];
  const old = list[i];
  const lastTransitionTime = old.status === c.status && old.lastTransitionTime ? old.lastTransitionTime : now;
  return list.map((x, j) => (j === i ? { type: c.type, status: c.status, lastTransitionTime, reason: c.reason, message: c.message } : x));
}

const conditionOf = (s: CustomResourceDefinitionStatus, type: string) => (s.conditions ?? []).find((c) => c.type === type);

/** equalToAcceptedOrFresh: a name may be taken when it is already ours or nobody else uses it. */
function takenBy(requested: string | undefined, accepted: string | undefined, used: ReadonlySet<string>): string | undefined {
  if (requested === accepted || requested === undefined || !used.has(requested)) return undefined;
  return `"${requested}" is already in use`;
}

/**
 * What apiextensions' naming and establishing controllers write to a
 * CustomResourceDefinition's status, done at once: each requested name is
 * accepted unless another registration of the same group has already
 * accepted it (its plural, singular and short names share one space, its
 * kind and list kind another); a conflict sets NamesAccepted False with
 * the controller's reason and message and keeps the name accepted before.
 * Once every name is accepted the resource is Established (kube
 * establishes it a moment later; Warden stores no custom objects, so
 * nothing has to be installed first). `others` are the other stored
 * registrations; `now` stamps condition transitions.
 */
export function acceptNames(crd: KubeObject, others: Iterable<KubeObject>, now: string): KubeObject {
  const spec = specOf(crd);
  const requested = namesOf(spec);
  const status = statusOf(crd);
  const accepted: CustomResourceDefinitionNames = { ...(status.acceptedNames ?? {}) };
  const resources = new Set<string>();
  const kinds = new Set<string>();
  for (const other of others) {
    if (other.metadata.name === crd.metadata.name || specOf(other).group !== spec.group) continue;
    const names = statusOf(other).acceptedNames ?? {};
    for (const n of [names.plural, names.singular, ...(names.shortNames ?? [])]) if (n) resources.add(n);
    for (const n of [names.kind, names.listKind]) if (n) kinds.add(n);
  }
  const next: CustomResourceDefinitionNames = { ...accepted };
  let condition: CustomResourceDefinitionCondition = { type: namesAccepted, status: 'Unknown' };
  const refuse = (reason: string, message: string) => { condition = { type: namesAccepted, status: 'False', reason, message }; };

  const plural = takenBy(requested.plural, accepted.plural, resources);
  if (plural) refuse('PluralConflict', plural); else next.plural = requested.plural;
  const singular = takenBy(requested.singular, accepted.singular, resources);
  if (singular) refuse('SingularConflict', singular); else next.singular = requested.singular;
  if (JSON.stringify(requested.shortNames ?? []) !== JSON.stringify(accepted.shortNames ?? [])) {
    const ours = new Set(accepted.shortNames ?? []);
    const clashes = (requested.shortNames ?? []).filter((s) => !ours.has(s)).map((s) => takenBy(s, '', resources)).filter((e): e is string => !!e);
    if (clashes.length) refuse('ShortNamesConflict', clashes.length === 1 ? clashes[0] : `[${clashes.join(', ')}]`);
    else next.shortNames = requested.shortNames;
  }
  const kind = takenBy(requested.kind, accepted.kind, kinds);
  if (kind) refuse('KindConflict', kind); else next.kind = requested.kind;
  const listKind = takenBy(requested.listKind, accepted.listKind, kinds);
  if (listKind) refuse('ListKindConflict', listKind); else next.listKind = requested.listKind;
  next.categories = requested.categories;
  for (const k of Object.keys(next) as (keyof CustomResourceDefinitionNames)[]) {
    const v = next[k];
    if (v === undefined || (Array.isArray(v) && v.length === 0)) delete next[k];
  }

  if (condition.status === 'Unknown') condition = { type: namesAccepted, status: 'True', reason: 'NoConflicts', message: 'no conflicts found' };
  let conditions = setCondition(status.conditions ?? [], condition, now);
  const wasEstablished = conditionOf(status, established)?.status === 'True';
  if (condition.status === 'True') {
    if (!wasEstablished) conditions = setCondition(conditions, { type: established, status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' }, now);
  } else if (!conditionOf(status, established)) {
    conditions = setCondition(conditions, { type: established, status: 'False', reason: 'NotAccepted', message: 'not all names are accepted' }, now);
  }
  return { ...crd, status: { ...status, acceptedNames: next, conditions } };
}

/** Whether a registration is served: Established, under the names it was accepted with. */
export function isEstablished(crd: KubeObject): boolean {
  return conditionOf(statusOf(crd), established)?.status === 'True';
}
