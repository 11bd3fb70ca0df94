/**
 * How the fields of a kind merge, as openapi.yaml declares it with
 * Kubernetes' extensions — the one place this is written down:
 * `x-kubernetes-patch-strategy` (`merge`, `replace`, `retainKeys`, or two of
 * them joined by a comma) and `x-kubernetes-patch-merge-key` for strategic
 * merge patch, `x-kubernetes-list-type` (`atomic`, `set`, `map`) and
 * `x-kubernetes-list-map-keys` for server-side apply. The served OpenAPI
 * documents carry the same extensions, so kubectl's client-side apply
 * computes its patches from them too.
 *
 * A cursor walks a kind's schema field by field as strategicpatch's
 * PatchMetaFromOpenAPIV3 does: a field's metadata is read from the property
 * schema itself, then `allOf[0]` and `$ref` are followed to the field's type.
 * A field the schema does not know has no metadata (its lists are replaced
 * whole); the values of a map (`additionalProperties`) have none either.
 */
import { loadSpec, resolveSchema, type Schema } from '../openapi.ts';

export interface FieldMeta {
  /** `x-kubernetes-patch-strategy`, split on commas; empty when the field has none. */
  strategies: string[];
  /** `x-kubernetes-patch-merge-key`; empty when the field has none. */
  mergeKey: string;
  /** `x-kubernetes-list-type`; undefined when the schema does not say (atomic, for kube). */
  listType?: 'atomic' | 'set' | 'map';
  /** `x-kubernetes-list-map-keys` of a `map` list. */
  listMapKeys?: string[];
}

const noMeta: FieldMeta = Object.freeze({ strategies: [], mergeKey: '' }) as FieldMeta;

/** The metadata a property schema states (before its `$ref` is followed). */
export function fieldMetaOf(s: Schema | undefined): FieldMeta {
  if (!s) return noMeta;
  const strategy = s['x-kubernetes-patch-strategy'];
  const mergeKey = s['x-kubernetes-patch-merge-key'];
  const listType = s['x-kubernetes-list-type'];
  const mapKeys = s['x-kubernetes-list-map-keys'];
  if (strategy === undefined && mergeKey === undefined && listType === undefined) return noMeta;
  return {
    strategies: typeof strategy === 'string' && strategy !== '' ? strategy.split(',') : [],
    mergeKey: typeof mergeKey === 'string' ? mergeKey : '',
    listType: listType === 'atomic' || listType === 'set' || listType === 'map' ? listType : undefined,
    listMapKeys: Array.isArray(mapKeys) ? mapKeys.filter((k): k is string => typeof k === 'string') : undefined,
  };
}

/** A schema's type: `allOf[0]` (kube writes a described `$ref` as a one-element allOf) and `$ref` followed. */
function typeOf(s: Schema | undefined): Schema | undefined {
  const first = Array.isArray(s?.allOf) && s.allOf.length ? (s.allOf[0] as Schema) : s;
  return resolveSchema(first);
}

export interface FieldLookup {
  meta: FieldMeta;
  /** The field's type (for a list: the type of its items). */
  next: SchemaCursor;
}

/** A position in a kind's schema; `undefined` schema where the schema says nothing. */
export class SchemaCursor {
  constructor(readonly schema: Schema | undefined) {}

  private property(key: string): Schema | undefined {
    const s = this.schema;
    if (!s) return undefined;
    if (s.properties && Object.hasOwn(s.properties, key)) return s.properties[key];
    if (!s.properties && s.additionalProperties && typeof s.additionalProperties === 'object') return s.additionalProperties;
    return undefined;
  }

  /** A field holding a map (kube's LookupPatchMetadataForStruct). */
  field(key: string): FieldLookup {
    const prop = this.property(key);
    return { meta: fieldMetaOf(prop), next: new SchemaCursor(typeOf(prop)) };
  }

  /**
   * A field holding a list: its metadata, and a cursor at its items
   * (LookupPatchMetadataForSlice); a field whose type is no array (an
   * object schema holding a list in the data) is its own item type.
   */
  listField(key: string): FieldLookup {
    const prop = this.property(key);
    const list = typeOf(prop);
    return { meta: fieldMetaOf(prop), next: new SchemaCursor(list?.items ? typeOf(list.items) : list) };
  }
}

/** A cursor at the root of a component schema of openapi.yaml (a kind's name). */
export function schemaCursor(schemaName: string): SchemaCursor {
  const schemas = loadSpec().components.schemas;
  return new SchemaCursor(Object.hasOwn(schemas, schemaName) ? schemas[schemaName] : undefined);
}
