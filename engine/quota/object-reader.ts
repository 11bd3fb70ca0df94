/**
 * Reads untyped JSON (an AdmissionReview object, a stored quota) field by
 * field, with the meaning kube-apiserver's JSON decoding gives null: a
 * missing or null field reads as undefined (unset); a null element of a list
 * of objects is an empty object, of a list of strings `""`; a null map value
 * is the zero value (`""`, or a zero quantity in a resource list). A field of
 * the wrong type or an unparseable quantity reads as undefined and records a
 * field error with its kube path, so a malformed object becomes a
 * validation-style value instead of an exception.
 */
import type { FieldError } from '../validation/field-error.ts';
import { child, invalid, key } from '../validation/field-error.ts';
import { parseQuantityJSON, type ParseQuantityResult, type Quantity } from './quantity.ts';
import type { ResourceList } from './resource-list.ts';

export type JSONObject = Record<string, unknown>;

const zeroQuantity: Quantity = { coef: 0n, exp: 0, format: 'DecimalSI' };

const typeInvalid = (field: string, value: unknown, detail: string): FieldError =>
  ({ type: 'FieldValueTypeInvalid', field, value, detail });

const describe = (v: unknown): unknown => (typeof v === 'object' && v !== null ? (Array.isArray(v) ? 'array' : 'object') : v);

export function isObject(v: unknown): v is JSONObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** How a reader turns a JSON quantity into a value: parseQuantityJSON, or a QuantityParser's memo of it. */
export type ReadQuantity = (raw: unknown) => ParseQuantityResult;

export class ObjectReader {
  readonly errors: FieldError[] = [];

  constructor(private readonly readQuantity: ReadQuantity = parseQuantityJSON) {}

  object(v: unknown, path: string): JSONObject | undefined {
    if (v === undefined || v === null) return undefined;
    if (isObject(v)) return v;
    this.errors.push(typeInvalid(path, describe(v), 'must be an object'));
    return undefined;
  }

  /** An element of a list of objects: null decodes as the zero (empty) object. */
  element(v: unknown, path: string): JSONObject | undefined {
    return v === null ? {} : this.object(v, path);
  }

  array(v: unknown, path: string): unknown[] | undefined {
    if (v === undefined || v === null) return undefined;
    if (Array.isArray(v)) return v;
    this.errors.push(typeInvalid(path, describe(v), 'must be an array'));
    return undefined;
  }

  string(v: unknown, path: string): string | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'string') return v;
    this.errors.push(typeInvalid(path, describe(v), 'must be a string'));
    return undefined;
  }

  integer(v: unknown, path: string): number | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
    this.errors.push(typeInvalid(path, describe(v), 'must be an integer'));
    return undefined;
  }

  boolean(v: unknown, path: string): boolean | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'boolean') return v;
    this.errors.push(typeInvalid(path, describe(v), 'must be a boolean'));
    return undefined;
  }

  /** An array of strings; wrong elements are reported and skipped. */
  strings(v: unknown, path: string): string[] | undefined {
    const arr = this.array(v, path);
    if (!arr) return undefined;
    const out: string[] = [];
    arr.forEach((s, i) => {
      const str = s === null ? '' : this.string(s, `${path}[${i}]`);
      if (str !== undefined) out.push(str);
    });
    return out;
  }

  /** A string map; wrong values are reported and skipped. */
  stringMap(v: unknown, path: string): Record<string, string> | undefined {
    const obj = this.object(v, path);
    if (!obj) return undefined;
    const out: Record<string, string> = {};
    for (const [k, s] of Object.entries(obj)) {
      const str = s === null ? '' : this.string(s, key(path, k));
      if (str !== undefined) out[k] = str;
    }
    return out;
  }

  quantity(v: unknown, path: string): Quantity | undefined {
    if (v === undefined || v === null) return undefined;
    const r = this.readQuantity(v);
    if (r.ok) return r.quantity;
    this.errors.push(invalid(path, typeof v === 'string' || typeof v === 'number' ? v : describe(v), r.error));
    return undefined;
  }

  /**
   * A ResourceList; entries that do not parse are reported and left out. A
   * null entry is a zero quantity (Quantity.UnmarshalJSON of `null`).
   */
  resourceList(v: unknown, path: string): ResourceList | undefined {
    const obj = this.object(v, path);
    if (!obj) return undefined;
    const out: ResourceList = new Map();
    for (const [k, raw] of Object.entries(obj)) {
      const q = raw === null ? zeroQuantity : this.quantity(raw, key(path, k));
      if (q !== undefined) out.set(k, q);
    }
    return out;
  }

  /** Reads `obj.name` with `read`, extending the path. */
  field<T>(obj: JSONObject | undefined, name: string, path: string, read: (v: unknown, p: string) => T): T {
    return read.call(this, obj?.[name], child(path, name));
  }
}
