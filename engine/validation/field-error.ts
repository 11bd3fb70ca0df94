/**
 * Field errors as k8s.io/apimachinery/pkg/util/validation/field writes them.
 * A validator returns a list of these; the API turns a non-empty list into a
 * 422 Invalid Status whose `details.causes` are one entry per error.
 */
import { goQuote } from './go-quote.ts';

export type FieldErrorType =
  | 'FieldValueNotFound'
  | 'FieldValueRequired'
  | 'FieldValueDuplicate'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'FieldValueTypeInvalid'
  | 'InternalError';

export interface FieldError {
  type: FieldErrorType;
  /** Path in kube notation: `metadata.name`, `rules[0].verbs`, `metadata.labels[a/b]`. */
  field: string;
  /** The offending value; omitted for Required, Forbidden and TooMany. */
  value?: unknown;
  detail?: string;
  /** Set when `value` must not be printed (TooLong, TooMany print differently). */
  omitValue?: boolean;
  /** How `value` prints when Go prints it through its String method (a time), not as JSON would. */
  printed?: string;
}

const typeWords: Record<FieldErrorType, string> = {
  FieldValueNotFound: 'Not found',
  FieldValueRequired: 'Required value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueInvalid: 'Invalid value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueForbidden: 'Forbidden',
  FieldValueTooLong: 'Too long',
  FieldValueTooMany: 'Too many',
  FieldValueTypeInvalid: 'Invalid value',
  InternalError: 'Internal error',
};

/** Quotes a value the way field.Error does: strings as Go's %q, the rest as Go prints them. */
function printValue(value: unknown): string {
  if (typeof value === 'string') return goQuote(value);
  if (value === null || value === undefined) return '"null"';
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
}

/** The error without its field: what a Status cause's `message` holds. */
export function errorBody(e: FieldError): string {
  const words = typeWords[e.type];
  const silent = e.omitValue || e.type === 'FieldValueRequired' || e.type === 'FieldValueForbidden' ||
    e.type === 'FieldValueTooMany' || e.type === 'InternalError' || e.value === undefined;
  let s = silent ? words : `${words}: ${e.printed ?? printValue(e.value)}`;
  if (e.detail) s += `: ${e.detail}`;
  return s;
}

/** `field: body`, as field.Error.Error() prints it. */
export function errorString(e: FieldError): string {
  return `${e.field}: ${errorBody(e)}`;
}

/** The message of an aggregate of errors: one error alone, or `[a, b, c]`. */
export function aggregateMessage(errors: FieldError[]): string {
  if (errors.length === 1) return errorString(errors[0]);
  return `[${errors.map(errorString).join(', ')}]`;
}

export const required = (field: string, detail?: string): FieldError =>
  ({ type: 'FieldValueRequired', field, detail });
export const invalid = (field: string, value: unknown, detail?: string): FieldError =>
  ({ type: 'FieldValueInvalid', field, value, detail });
export const forbidden = (field: string, detail: string): FieldError =>
  ({ type: 'FieldValueForbidden', field, detail });
export const duplicate = (field: string, value: unknown): FieldError =>
  ({ type: 'FieldValueDuplicate', field, value });
export const notFound = (field: string, value: unknown): FieldError =>
  ({ type: 'FieldValueNotFound', field, value });
export const notSupported = (field: string, value: unknown, valid: string[]): FieldError => ({
  type: 'FieldValueNotSupported',
  field,
  value,
  detail: valid.length ? `supported values: ${valid.map(goQuote).join(', ')}` : undefined,
});
export const tooLong = (field: string, max: number): FieldError =>
  ({ type: 'FieldValueTooLong', field, omitValue: true, detail: `may not be more than ${max} bytes` });
export const tooMany = (field: string, actual: number, max: number): FieldError =>
  ({ type: 'FieldValueTooMany', field, detail: `has ${actual} items, must have at most ${max} items` });

/** Joins path segments as kube's field.Path does: `a.b`, `a[0]`, `a[key]`. */
export function child(path: string, name: string): string {
  return path ? `${path}.${name}` : name;
}
export function index(path: string, i: number): string {
  return `${path}[${i}]`;
}
export function key(path: string, k: string): string {
  return `${path}[${k}]`;
}
