/**
 * Applying a patch document to an object: JSON merge patch (RFC 7386),
 * JSON patch (RFC 6902) and strategic merge patch. Every list of the kinds
 * Warden serves is atomic, so a strategic merge patch is a merge patch; its
 * list-ordering directives are dropped and any other directive is refused.
 */
import fastJsonPatch from 'fast-json-patch';
import { badRequest } from '../status.ts';
import { isPlainObject } from './decode.ts';

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return structuredClone(patch);
  const out: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

function stripOrderDirectives(patch: unknown, path: string): unknown {
  if (Array.isArray(patch)) return patch.map((v, i) => stripOrderDirectives(v, `${path}[${i}]`));
  if (!isPlainObject(patch)) return patch;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$setElementOrder/')) continue;
    if (k.startsWith('$')) throw badRequest(`strategic merge patch directive "${k}" at ${path || 'the top level'} is not supported for this kind; send a JSON merge patch`);
    out[k] = stripOrderDirectives(v, path ? `${path}.${k}` : k);
  }
  return out;
}

export function strategicMergePatch(target: unknown, patch: unknown): unknown {
  return mergePatch(target, stripOrderDirectives(patch, ''));
}

export function jsonPatch(target: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw badRequest('a JSON patch must be a list of operations');
  const invalidOp = fastJsonPatch.validate(ops as fastJsonPatch.Operation[], structuredClone(target));
  if (invalidOp) throw badRequest(`JSON patch operation ${invalidOp.index ?? ''} is invalid: ${invalidOp.message.split('\n')[0]}`);
  try {
    return fastJsonPatch.applyPatch(structuredClone(target), ops as fastJsonPatch.Operation[], true, false).newDocument;
  } catch (err) {
    throw badRequest(`the JSON patch could not be applied: ${(err as Error).message.split('\n')[0]}`);
  }
}
