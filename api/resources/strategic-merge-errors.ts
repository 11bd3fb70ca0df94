/**
 * The errors of strategic merge patch, with the messages
 * k8s.io/apimachinery's strategicpatch and mergepatch give them (Go's `%v`
 * of decoded JSON included), each a 400 naming the field of the patch it
 * concerns. kube-apiserver answers some of these with a 500; Warden answers
 * every misuse of a patch as the client's error.
 */
import { StatusError, badRequest } from '../status.ts';
import { isPlainObject } from './decode.ts';

type Obj = Record<string, unknown>;

export const errBadPatchFormatForPrimitiveList = 'invalid patch format of primitive list';
export const errBadPatchFormatForRetainKeys = 'invalid patch format of retainKeys';
export const errBadPatchFormatForSetElementOrderList = 'invalid patch format of setElementOrder list';

/** 400 with upstream's message, naming the field of the patch it concerns as the cause. */
export function fail(message: string, field: string): StatusError {
  return badRequest(message, field ? [{ reason: 'FieldValueInvalid', message, field }] : undefined);
}

/** Go's `%v` of a decoded JSON value, as upstream's messages print maps and lists. */
export function goText(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goText).join(' ')}]`;
  if (isPlainObject(v)) return `map[${Object.keys(v).sort().map((k) => `${k}:${goText(v[k])}`).join(' ')}]`;
  return String(v);
}

/** Go's reflect type name of a decoded JSON value, for "expected a …, but received a …". */
function goType(v: unknown): string {
  if (v === null || v === undefined) return '%!s(<nil>)';
  if (Array.isArray(v)) return '[]interface {}';
  if (isPlainObject(v)) return 'map[string]interface {}';
  return typeof v === 'number' ? (Number.isInteger(v) ? 'int64' : 'float64') : typeof v === 'boolean' ? 'bool' : 'string';
}

export const badArgType = (expected: 'map' | 'slice', actual: unknown, field: string) =>
  fail(`expected a ${expected === 'map' ? 'map[string]interface {}' : '[]interface {}'}, but received a ${goType(actual)}`, field);

export const noMergeKey = (m: Obj, key: string, field: string) => fail(`map: ${goText(m)} does not contain declared merge key: ${key}`, field);
export const badPatchType = (t: unknown, m: Obj, field: string) => fail(`unknown patch type: ${goText(t)} in map: ${goText(m)}`, field);
export const cannotMergeWithoutKey = (field: string) => fail(`cannot merge lists without merge key for ${field}`, field);
