/**
 * Applying a patch document to an object: JSON merge patch (RFC 7386),
 * JSON patch (RFC 6902) and strategic merge patch (strategic-merge.ts, by
 * the merge keys openapi.yaml declares for the kind).
 */
import fastJsonPatch from 'fast-json-patch';
import { StatusError, badRequest, requestEntityTooLarge, unprocessable } from '../status.ts';
import { isPlainObject } from './decode.ts';
import { maxBodyDepth, nestsDeeperThan } from '../body.ts';
import { strategicMergePatch } from './strategic-merge.ts';

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return structuredClone(patch);
  const out: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** kube-apiserver's cap on the operations of one JSON patch (maxJSONPatchOperations). */
export const maxJSONPatchOperations = 10_000;

/**
 * RFC 6902 as kube-apiserver applies it: a body that is not a list of
 * operation objects is 400 (it does not decode), more than 10,000 operations
 * 413, and an operation that cannot be applied (a failed `test`, a missing
 * path, a move into its own child, a path through `__proto__`) 422 Invalid.
 * Every failure of the patch library is one of these, never a server error.
 */
export function jsonPatch(target: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw badRequest('a JSON patch must be a list of operations');
  const notObject = ops.findIndex((op) => !isPlainObject(op));
  if (notObject >= 0) throw badRequest(`JSON patch operation ${notObject} is not an object`);
  if (ops.length > maxJSONPatchOperations) throw requestEntityTooLarge(`The allowed maximum operations in a JSON patch is ${maxJSONPatchOperations}, got ${ops.length}`);
  let doc = structuredClone(target);
  ops.forEach((op, i) => {
    // RFC 6902 4.4: a value cannot be moved into one of its own children (from "" moves the whole document).
    if (op.op === 'move' && typeof op.from === 'string' && typeof op.path === 'string' && op.path !== op.from && (op.from === '' || op.path.startsWith(`${op.from}/`))) {
      throw notApplicable(`JSON patch operation ${i} (${describeOp(op)}) cannot be applied: a value cannot be moved into one of its own children`);
    }
    try {
      doc = fastJsonPatch.applyOperation(doc, op as fastJsonPatch.Operation, true, true, true, i).newDocument;
    } catch (err) {
      throw notApplicable(`JSON patch operation ${i} (${describeOp(op)}) cannot be applied: ${failureOf(err)}`);
    }
  });
  if (nestsDeeperThan(doc, maxBodyDepth)) throw notApplicable(`the patched object nests objects and lists more than ${maxBodyDepth} levels deep`);
  return doc;
}

function describeOp(op: Record<string, unknown>): string {
  const text = (v: unknown) => JSON.stringify(typeof v === 'string' ? v.slice(0, 200) : v ?? null);
  return `${text(op.op)}${op.from !== undefined ? ` from ${text(op.from)}` : ''} at ${text(op.path)}`;
}

/** The patch library's own words where it names the failure; a plain sentence where its error is an internal one. */
function failureOf(err: unknown): string {
  const e = err as { name?: string; message?: string };
  if (e?.name === 'TEST_OPERATION_FAILED') return 'the test failed';
  if (e?.name === 'OPERATION_PATH_UNRESOLVABLE' || e?.name === 'OPERATION_FROM_UNRESOLVABLE') return 'the path does not exist in the object';
  if (typeof e?.message === 'string' && /__proto__|prototype/.test(e.message)) return 'a path may not go through "__proto__" or "constructor/prototype"';
  if (typeof e?.name === 'string' && /^OPERATION_|^SEQUENCE_/.test(e.name)) return firstLine(e.message ?? e.name);
  return 'the path does not exist in the object';
}

const firstLine = (text: string) => String(text).split('\n')[0];

/** kube's answer to a patch that decodes but does not apply: 422 with its generic text, then what failed. */
function notApplicable(detail: string): StatusError {
  return unprocessable(`the server rejected our request due to an error in our request: ${detail}`);
}

/**
 * `current`, an object of the kind whose component schema in openapi.yaml
 * is `schemaName`, with the patch document applied as its media type says;
 * the result must still be an object (a patch replacing the whole document
 * with anything else is 422).
 */
export function patchObject(type: string, current: unknown, doc: unknown, schemaName: string): Record<string, unknown> {
  const patched = type === 'application/json-patch+json' ? jsonPatch(current, doc)
    : type === 'application/strategic-merge-patch+json' ? strategicMergePatch(current, doc, schemaName)
    : mergePatch(current, doc);
  if (!isPlainObject(patched)) throw notApplicable('the patched object is not an object');
  return patched;
}
