/**
 * Request bodies: read raw up to the configured limit (413 beyond it), then
 * decoded by media type. JSON and YAML (one document or several) are the
 * encodings; the patch media types name how the body is applied. Kubernetes
 * protobuf bodies are turned into JSON bodies as they are read.
 */
import type { Request } from 'express';
import YAML from 'yaml';
import { decodeKubernetesProtobuf, protobufMediaType } from './protobuf/decode.ts';
import { badRequest, unsupportedMediaType } from './status.ts';

export type MediaType =
  | 'application/json'
  | 'application/yaml'
  | 'application/merge-patch+json'
  | 'application/json-patch+json'
  | 'application/strategic-merge-patch+json'
  | 'application/apply-patch+yaml';

const known = new Set<string>([
  'application/json', 'application/yaml', 'application/merge-patch+json', 'application/json-patch+json',
  'application/strategic-merge-patch+json', 'application/apply-patch+yaml',
]);

export function mediaTypeOf(req: Request): string {
  return (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}

/** The request's media type if it is one of `accepted`; otherwise a 415 Status. */
export function requireMediaType(req: Request, accepted: readonly MediaType[]): MediaType {
  const t = mediaTypeOf(req);
  const alias = t === 'text/yaml' || t === 'application/x-yaml' ? 'application/yaml' : t;
  if (!known.has(alias) || !accepted.includes(alias as MediaType)) {
    throw unsupportedMediaType(t || '(none)');
  }
  return alias as MediaType;
}

/** The raw body as read from the wire (set by `readBody`). */
export function rawBody(req: Request): Buffer | undefined {
  return (req as Request & { rawBody?: Buffer }).rawBody;
}

function rawText(req: Request): string {
  return rawBody(req)?.toString('utf8') ?? '';
}

/**
 * After express.raw: keeps the bytes as `req.rawBody` and puts the decoded
 * document in `req.body` for request validation (a YAML stream of several
 * documents decodes to a list). Undecodable bodies are 400 here.
 */
export function readBody(req: Request, _res: unknown, next: (err?: unknown) => void): void {
  let raw = Buffer.isBuffer(req.body) ? req.body : undefined;
  req.body = undefined;
  if (raw && raw.length && mediaTypeOf(req) === protobufMediaType && req.method !== 'PATCH') raw = protobufAsJson(req, raw);
  (req as Request & { rawBody?: Buffer }).rawBody = raw;
  if (raw && raw.length) {
    const t = mediaTypeOf(req);
    if (t.endsWith('json')) {
      req.body = decodeDocument(req, 'application/json');
    } else if (t.endsWith('yaml')) {
      const docs = decodeYamlDocuments(raw.toString('utf8'));
      req.body = docs.length === 1 ? docs[0] : docs;
    }
    if (nestsDeeperThan(req.body, maxBodyDepth)) throw badRequest(`the request body nests objects and lists more than ${maxBodyDepth} levels deep`);
    const proto = protoKeyPath(req.body);
    if (proto !== undefined) throw badRequest(`the request body has a field named "__proto__" (at ${proto || 'the top level'}), which no object takes`, [{ reason: 'FieldValueInvalid', message: 'field not allowed', field: proto ? `${proto}.__proto__` : '__proto__' }]);
  }
  next();
}

/**
 * No object Warden takes nests more than a few levels; a body nested
 * thousands deep would only exhaust the stack of whatever walks it.
 */
export const maxBodyDepth = 64;

/**
 * Whether `value` nests objects or arrays more than `max` levels deep. The
 * walk never goes below level `max + 1`, so its own recursion stays shallow
 * whatever the body; it allocates nothing (it runs on every request body).
 */
export function nestsDeeperThan(value: unknown, max: number, depth = 1): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (depth > max) return true;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (nestsDeeperThan(value[i], max, depth + 1)) return true;
  } else {
    for (const key in value) {
      if (Object.hasOwn(value, key) && nestsDeeperThan((value as Record<string, unknown>)[key], max, depth + 1)) return true;
    }
  }
  return false;
}

/**
 * Where `value` has a key `__proto__`, as a field path ('' at the top), or
 * undefined. Decoders keep such a key as a plain property, but any code that
 * later copies it by assignment (a merge patch, defaulting) would set the
 * copy's prototype instead, so fields could be seen by checks and never
 * stored: bodies carrying it are refused whole. No Kubernetes field, label
 * or annotation key can be named so. Called on bodies already checked for
 * depth, so its recursion is bounded.
 */
export function protoKeyPath(value: unknown, path = ''): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = protoKeyPath(value[i], `${path}[${i}]`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    if (key === '__proto__') return path;
    const v = (value as Record<string, unknown>)[key];
    if (v !== null && typeof v === 'object') {
      const found = protoKeyPath(v, path ? `${path}.${key}` : key);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/**
 * A Kubernetes protobuf body (what kubectl's typed clients send) decoded into
 * the object a JSON body would carry; from here on the request reads as that
 * JSON body: its text becomes the raw body and its content type
 * application/json, so handlers and the openapi validation see JSON only.
 * Patches have no protobuf form, in kube-apiserver as here: they keep their 415.
 * A malformed body is 400 BadRequest naming the problem.
 */
function protobufAsJson(req: Request, raw: Buffer): Buffer {
  let doc: unknown;
  try {
    doc = decodeKubernetesProtobuf(raw);
  } catch (err) {
    throw badRequest(`error decoding protobuf request body: ${(err as Error).message}`);
  }
  req.headers['content-type'] = 'application/json';
  return Buffer.from(JSON.stringify(doc));
}

/**
 * Strings as kube-apiserver's decoder leaves them and as PostgreSQL can
 * hold them, in place: an unpaired UTF-16 surrogate becomes U+FFFD (as Go's
 * JSON decoder does), and a NUL character, which no stored text may hold,
 * is 400 naming its field. Iterative, so a body of any depth is walked
 * without deep recursion (depth is refused later), and each object once, so
 * YAML aliases that share or cycle back to an anchor end the walk (a cycle
 * is refused later as too deep).
 */
export function normalizeStrings(root: unknown): unknown {
  const fix = (s: string) => (s.isWellFormed() ? s : s.toWellFormed());
  const refuseNul = (field: string) => {
    throw badRequest(`the request body has a NUL character in ${field || 'a string'}, which no field may hold`, [{ reason: 'FieldValueInvalid', message: 'must not contain NUL characters', field }]);
  };
  if (typeof root === 'string') {
    if (root.includes('\u0000')) refuseNul('');
    return fix(root);
  }
  const stack: { value: unknown; path: string }[] = [{ value: root, path: '' }];
  const seen = new Set<object>();
  while (stack.length) {
    const { value, path } = stack.pop()!;
    if (value === null || typeof value !== 'object' || seen.has(value)) continue;
    seen.add(value);
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const v = value[i];
        if (typeof v === 'string') {
          if (v.includes('\u0000')) refuseNul(`${path}[${i}]`);
          value[i] = fix(v);
        } else if (v !== null && typeof v === 'object') stack.push({ value: v, path: `${path}[${i}]` });
      }
      continue;
    }
    const o = value as Record<string, unknown>;
    for (const key of Object.keys(o)) {
      const at = path ? `${path}.${key}` : key;
      if (key.includes('\u0000')) refuseNul(at);
      const v = o[key];
      if (!key.isWellFormed()) {
        delete o[key];
        o[key.toWellFormed()] = v;
      }
      if (typeof v === 'string') {
        if (v.includes('\u0000')) refuseNul(at);
        o[key.isWellFormed() ? key : key.toWellFormed()] = fix(v);
      } else if (v !== null && typeof v === 'object') stack.push({ value: v, path: at });
    }
  }
  return root;
}

/** Decodes one document; an empty body or a syntax error is 400 BadRequest. */
export function decodeDocument(req: Request, type: MediaType): unknown {
  const text = rawText(req);
  if (text.trim() === '') throw badRequest('the request body is empty');
  if (type.endsWith('json')) {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (err) {
      throw badRequest(`error decoding JSON request body: ${(err as Error).message}`);
    }
    return normalizeStrings(doc);
  }
  const docs = decodeYamlDocuments(text);
  if (docs.length !== 1) throw badRequest(`expected one YAML document in the request body, found ${docs.length}`);
  return docs[0];
}

/** Every non-empty document of a YAML stream; a syntax error is 400 BadRequest naming its line. */
export function decodeYamlDocuments(text: string): unknown[] {
  let docs: ReturnType<typeof YAML.parseAllDocuments>;
  try {
    docs = YAML.parseAllDocuments(text, { uniqueKeys: true });
  } catch (err) {
    // The parser recurses per level of nesting; a body nested thousands deep exhausts the stack.
    if (err instanceof RangeError) throw badRequest(`the request body nests objects and lists more than ${maxBodyDepth} levels deep`);
    throw err;
  }
  const out: unknown[] = [];
  for (const d of Array.isArray(docs) ? docs : [docs]) {
    if (d.errors.length) {
      const e = d.errors[0];
      // The parser recurses per level of nesting and reports an exhausted stack as a document error.
      if (/Maximum call stack size exceeded/.test(e.message)) throw badRequest(`the request body nests objects and lists more than ${maxBodyDepth} levels deep`);
      const line = e.linePos?.[0]?.line;
      throw badRequest(`error decoding YAML request body${line ? ` (line ${line})` : ''}: ${e.message.split('\n')[0]}`);
    }
    let value: unknown;
    try {
      value = d.toJS({ maxAliasCount: 100 });
    } catch (err) {
      if (err instanceof RangeError) throw badRequest(`the request body nests objects and lists more than ${maxBodyDepth} levels deep`);
      throw badRequest(`error decoding YAML request body: ${(err as Error).message.split('\n')[0]}`);
    }
    if (value !== null && value !== undefined) out.push(normalizeStrings(value));
  }
  return out;
}

export function decodeBody(req: Request, type: MediaType): unknown[] {
  if (type === 'application/yaml') {
    const docs = decodeYamlDocuments(rawText(req));
    if (!docs.length) throw badRequest('the request body is empty');
    return docs;
  }
  return [decodeDocument(req, type)];
}
