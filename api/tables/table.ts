/**
 * Server-side printing: an object or a list turned into a meta.k8s.io
 * `Table` (or `PartialObjectMetadata`/`PartialObjectMetadataList`) as
 * kube-apiserver's response transformation does (k8s.io/apiserver
 * endpoints/handlers/response.go, pkg/printers/tablegenerator.go):
 *
 * - every column is sent, wide-only ones at priority 1 (the server prints
 *   wide; the client hides them);
 * - list metadata (resourceVersion, continue, remainingItemCount) is kept;
 *   a single object's Table carries its resourceVersion;
 * - `includeObject` (query) says what each row carries: `Metadata` (the
 *   default) a PartialObjectMetadata, `Object` the whole object, `None`
 *   nothing; another value is 400 before anything is converted;
 * - a Status passes through unconverted.
 */
import type { KubeObject } from '../../engine/meta.ts';
import { goQuote } from '../../engine/validation/go-quote.ts';
import { badRequest, notAcceptable } from '../status.ts';
import { defaultPrinter, printerFor, type Cell, type TableColumnDefinition } from './printers.ts';

export type MetaVersion = 'v1' | 'v1beta1';
export type Conversion = 'Table' | 'PartialObjectMetadata' | 'PartialObjectMetadataList';
export type IncludeObject = 'None' | 'Metadata' | 'Object';

export interface TableRow {
  cells: Cell[];
  object: unknown;
}

export interface Table {
  kind: 'Table';
  apiVersion: string;
  metadata: ListMeta;
  columnDefinitions: readonly TableColumnDefinition[];
  /** null for an empty default table, as kube's default convertor leaves it. */
  rows: TableRow[] | null;
}

interface ListMeta { resourceVersion?: string; continue?: string; remainingItemCount?: number }

interface ObjectList { apiVersion?: string; kind: string; metadata?: ListMeta; items: KubeObject[] }

const isList = (body: unknown): body is ObjectList =>
  typeof (body as ObjectList)?.kind === 'string' && (body as ObjectList).kind.endsWith('List') && Array.isArray((body as ObjectList).items);

/** What a converted list keeps of the list's metadata. */
function listMetaOf(list: ObjectList): ListMeta {
  const m: ListMeta = {};
  if (list.metadata?.resourceVersion) m.resourceVersion = list.metadata.resourceVersion;
  if (list.metadata?.continue) m.continue = list.metadata.continue;
  if (list.metadata?.remainingItemCount !== undefined) m.remainingItemCount = list.metadata.remainingItemCount;
  return m;
}

/**
 * TableOptions from the request's query as kube decodes them (the first
 * `includeObject` given), validated (ValidateTableOptions): a value other
 * than None, Metadata, Object or empty is 400.
 */
export function tableOptionsOf(search: string): { includeObject: IncludeObject } {
  const value = new URLSearchParams(search).get('includeObject') ?? '';
  if (value === '') return { includeObject: 'Metadata' };
  if (value === 'None' || value === 'Metadata' || value === 'Object') return { includeObject: value };
  throw badRequest(`Unable to convert to Table as requested: includeObject: Invalid value: ${goQuote(value)}: must be 'Metadata', 'Object', 'None', or empty`);
}

/** The object with its type set, as the versioned object kube puts in a row for includeObject=Object. */
function typed(o: KubeObject, list?: ObjectList): KubeObject {
  const { kind, apiVersion, ...rest } = o;
  return { kind: kind ?? list?.kind.slice(0, -'List'.length), apiVersion: apiVersion ?? list?.apiVersion ?? '', ...rest } as KubeObject;
}

function partialObjectMetadata(o: KubeObject, version: MetaVersion) {
  return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${version}`, metadata: o.metadata ?? {} };
}

function rowObject(o: KubeObject, include: IncludeObject, version: MetaVersion, list?: ObjectList): unknown {
  if (include === 'None') return null;
  if (include === 'Object') return typed(o, list);
  return partialObjectMetadata(o, version);
}

/**
 * The Table of a stored object or list. `now` is the time ages are counted
 * to. Items are printed in the order given.
 */
export function asTable(body: KubeObject | ObjectList, version: MetaVersion, include: IncludeObject, now: number): Table {
  const list = isList(body) ? body : undefined;
  const kind = list ? list.kind.slice(0, -'List'.length) : (body as KubeObject).kind;
  const printer = printerFor(kind);
  const items = list ? list.items : [body as KubeObject];
  const rows = items.map((o) => ({ cells: printer.cells(o, now), object: rowObject(o, include, version, list) }));
  const resourceVersion = (body as KubeObject).metadata?.resourceVersion;
  const metadata: ListMeta = list ? listMetaOf(list) : resourceVersion ? { resourceVersion } : {};
  // kube's printers build rows as an empty list; its default convertor leaves none at all.
  return {
    kind: 'Table',
    apiVersion: `meta.k8s.io/${version}`,
    metadata,
    columnDefinitions: printer.columns,
    rows: rows.length === 0 && printer === defaultPrinter ? null : rows,
  };
}

/** Go's `%T` of the internal type kube names in a refusal (`*rbac.RoleBinding`, `*core.NamespaceList`). */
function goTypeName(body: { apiVersion?: string; kind?: string }): string {
  const group = (body.apiVersion ?? '').includes('/') ? body.apiVersion!.split('/')[0] : '';
  return `*${group ? group.split('.')[0] : 'core'}.${body.kind ?? ''}`;
}

/** The 406 of a metadata conversion asked of the wrong shape (a list as one object, or one object as a list), else undefined. */
export function refusedShape(target: 'PartialObjectMetadata' | 'PartialObjectMetadataList', body: { apiVersion?: string; kind?: string }, list: boolean) {
  if (target === 'PartialObjectMetadata' && list) return notAcceptable(`you requested PartialObjectMetadata, but the requested object is a list (${goTypeName(body)})`);
  if (target === 'PartialObjectMetadataList' && !list) return notAcceptable(`you requested PartialObjectMetadataList, but the requested object is not a list (${goTypeName(body)})`);
  return undefined;
}

/** asPartialObjectMetadata / asPartialObjectMetadataList: the metadata alone; asked of the wrong shape, 406. */
export function asPartialObjectMetadata(body: KubeObject | ObjectList, target: 'PartialObjectMetadata' | 'PartialObjectMetadataList', version: MetaVersion) {
  const list = isList(body) ? body : undefined;
  const refusal = refusedShape(target, body as { apiVersion?: string; kind?: string }, list !== undefined);
  if (refusal) throw refusal;
  if (!list) return partialObjectMetadata(body as KubeObject, version);
  // Like the Table's rows, the items of an empty list are null, as kube encodes them.
  const items = list.items.length ? list.items.map((o) => partialObjectMetadata(o, version)) : null;
  return { kind: 'PartialObjectMetadataList', apiVersion: `meta.k8s.io/${version}`, metadata: listMetaOf(list), items };
}

/**
 * A response body in the representation negotiated for it (doTransformObject):
 * Status objects unchanged, anything else converted. `search` is the
 * request's query string, read for TableOptions when a Table is asked.
 */
export function transformBody(body: unknown, conversion: Conversion, version: MetaVersion, search: string, now: number): unknown {
  if (conversion === 'Table') {
    const { includeObject } = tableOptionsOf(search);
    if ((body as { kind?: unknown })?.kind === 'Status') return body;
    return asTable(body as KubeObject | ObjectList, version, includeObject, now);
  }
  if ((body as { kind?: unknown })?.kind === 'Status') return body;
  return asPartialObjectMetadata(body as KubeObject | ObjectList, conversion, version);
}
