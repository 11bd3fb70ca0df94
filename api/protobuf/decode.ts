/**
 * Kubernetes protobuf bodies to the JSON objects a JSON client would send.
 *
 * A body is the 4-byte prefix `k8s\0` and a runtime.Unknown message:
 * typeMeta (1: apiVersion, kind), raw (2: the object's own message),
 * contentEncoding (3), contentType (4). The object's message is found by
 * apiVersion and kind and decoded by its description (schema.ts): unknown
 * field numbers are skipped, zero values of omitempty fields dropped, and
 * apiVersion and kind set from the envelope. Every malformed body is a
 * ProtobufError naming the problem (and the field, when inside one).
 */
import { apiConverters, apiMessages, messageForKind } from './api-messages.ts';
import { metaConverters, metaMessages } from './meta-messages.ts';
import { compileMessages, type Converter, type FieldDef, type MessageDef, type ScalarType } from './schema.ts';
import { ProtobufError, WireReader, WireType, wireTypeName } from './wire.ts';

export const protobufMediaType = 'application/vnd.kubernetes.protobuf';

/** The prefix of every Kubernetes protobuf body: "k8s" and a zero byte. */
export const protobufPrefix = Uint8Array.of(0x6b, 0x38, 0x73, 0x00);

export const messages: ReadonlyMap<string, MessageDef> = compileMessages(metaMessages, ...apiMessages);
const converters: Record<string, Converter> = { ...metaConverters, ...apiConverters };

export type JsonObject = Record<string, unknown>;

/**
 * Decodes a whole body (prefix and envelope) to a JSON object with
 * apiVersion and kind first. Throws ProtobufError on a bad prefix, a
 * malformed message, a missing kind, or a kind no message is described for.
 */
export function decodeKubernetesProtobuf(body: Uint8Array): JsonObject {
  if (body.length < protobufPrefix.length || protobufPrefix.some((b, i) => body[i] !== b)) {
    throw new ProtobufError('the body does not start with the Kubernetes protobuf prefix "k8s\\x00"');
  }
  const r = new WireReader(body, protobufPrefix.length);
  let apiVersion = '';
  let kind = '';
  let raw: WireReader | undefined;
  let contentEncoding = '';
  while (!r.done) {
    const { field, wireType } = r.tag();
    if (field > 4) {
      r.skip(wireType, field);
      continue;
    }
    const name = ['typeMeta', 'raw', 'contentEncoding', 'contentType'][field - 1];
    expectWireType(wireType, WireType.lengthDelimited, name);
    if (field === 1) {
      const meta = r.sub();
      while (!meta.done) {
        const t = meta.tag();
        if (t.field === 1 || t.field === 2) {
          expectWireType(t.wireType, WireType.lengthDelimited, t.field === 1 ? 'typeMeta.apiVersion' : 'typeMeta.kind');
          if (t.field === 1) apiVersion = meta.string();
          else kind = meta.string();
        } else meta.skip(t.wireType, t.field);
      }
    } else if (field === 2) raw = r.sub();
    else if (field === 3) contentEncoding = r.string();
    else r.bytes();
  }
  if (contentEncoding !== '') throw new ProtobufError(`content encoding "${contentEncoding}" is not supported`);
  if (kind === '') throw new ProtobufError("Object 'Kind' is missing in the protobuf body");
  const message = messageForKind(apiVersion, kind);
  if (!message) throw new ProtobufError(`no kind "${kind}" is registered for version "${apiVersion}" in protobuf`);
  const object = raw ? (decodeFrom(raw, messageDef(message), '') as JsonObject) : {};
  return { apiVersion, kind, ...object };
}

/** Decodes one message's bytes (no prefix, no envelope) to its JSON value. */
export function decodeMessage(bytes: Uint8Array, message: string): unknown {
  return decodeFrom(new WireReader(bytes), messageDef(message), '');
}

function messageDef(name: string): MessageDef {
  const def = messages.get(name);
  if (!def) throw new Error(`no protobuf description for message ${name}`);
  return def;
}

const expectedWireType: Record<ScalarType, WireType> = {
  string: WireType.lengthDelimited,
  bytes: WireType.lengthDelimited,
  json: WireType.lengthDelimited,
  bool: WireType.varint,
  int32: WireType.varint,
  int64: WireType.varint,
};

function expectWireType(got: WireType, want: WireType, field: string): void {
  if (got !== want) throw new ProtobufError(`wire type ${wireTypeName(got)}, expected ${wireTypeName(want)}`, field);
}

function join(path: string, name: string): string {
  return path ? `${path}.${name}` : name;
}

/** Decodes a message at `path`; a reader error with no deeper field is placed at the message itself. */
function decodeFrom(r: WireReader, def: MessageDef, path: string): unknown {
  try {
    return decodeFields(r, def, path);
  } catch (err) {
    throw err instanceof ProtobufError && path ? err.at(path) : err;
  }
}

function decodeFields(r: WireReader, def: MessageDef, path: string): unknown {
  const values = new Map<FieldDef, unknown>();
  // A singular message field may occur several times; protobuf merges the occurrences,
  // which is what decoding their concatenated bytes does.
  const parts = new Map<FieldDef, WireReader[]>();
  while (!r.done) {
    const { field, wireType } = r.tag();
    const f = def.fields.get(field);
    if (!f) {
      r.skip(wireType, field);
      continue;
    }
    const at = join(path, f.name);
    try {
      if (f.map) {
        expectWireType(wireType, WireType.lengthDelimited, at);
        const entries = (values.get(f) as JsonObject | undefined) ?? {};
        const [key, value] = mapEntry(r.sub(), f, at);
        entries[key] = value;
        values.set(f, entries);
      } else if (f.repeated) {
        const list = (values.get(f) as unknown[] | undefined) ?? [];
        list.push(value(r, wireType, f, `${at}[${list.length}]`));
        values.set(f, list);
      } else if (f.message) {
        expectWireType(wireType, WireType.lengthDelimited, at);
        parts.set(f, [...(parts.get(f) ?? []), r.sub()]);
      } else {
        values.set(f, value(r, wireType, f, at));
      }
    } catch (err) {
      throw err instanceof ProtobufError ? err.at(at) : err;
    }
  }
  for (const [f, readers] of parts) {
    const reader = readers.length === 1 ? readers[0] : new WireReader(Buffer.concat(readers.map((x) => x.remaining())));
    values.set(f, decodeFrom(reader, messageDef(f.type), join(path, f.name)));
  }
  const out: JsonObject = {};
  for (const f of def.fields.values()) {
    const v = values.get(f);
    if (v === undefined) continue;
    if (!f.keepZero && !f.message && !f.repeated && !f.map && (v === '' || v === 0 || v === false)) continue;
    out[f.name] = v;
  }
  const convert = converters[def.name];
  return convert ? convert(out) : out;
}

function value(r: WireReader, wireType: WireType, f: FieldDef, at: string): unknown {
  if (f.message) {
    expectWireType(wireType, WireType.lengthDelimited, at);
    return decodeFrom(r.sub(), messageDef(f.type), at);
  }
  expectWireType(wireType, expectedWireType[f.type as ScalarType], at);
  return scalar(r, f.type as ScalarType);
}

function scalar(r: WireReader, type: ScalarType): unknown {
  switch (type) {
    case 'string': return r.string();
    case 'bool': return r.bool();
    case 'int32': return r.int32();
    case 'int64': return r.int64();
    case 'bytes': return Buffer.from(r.bytes()).toString('base64');
    case 'json': {
      const text = r.string();
      try {
        return JSON.parse(text);
      } catch (err) {
        throw new ProtobufError(`not JSON: ${(err as Error).message}`);
      }
    }
  }
}

/** A map entry is a message of key (1, a string here) and value (2); either may be absent and is then its zero value. */
function mapEntry(r: WireReader, f: FieldDef, at: string): [string, unknown] {
  let key = '';
  let entry: unknown;
  while (!r.done) {
    const { field, wireType } = r.tag();
    if (field === 1) {
      expectWireType(wireType, WireType.lengthDelimited, `${at} key`);
      key = r.string();
    } else if (field === 2) {
      entry = value(r, wireType, f, `${at}[${JSON.stringify(key)}]`);
    } else r.skip(wireType, field);
  }
  if (entry === undefined) entry = f.message ? decodeFrom(new WireReader(new Uint8Array(0)), messageDef(f.type), at) : zeroOf(f.type as ScalarType);
  return [key, entry];
}

function zeroOf(type: ScalarType): unknown {
  return type === 'bool' ? false : type === 'int32' || type === 'int64' ? 0 : type === 'json' ? null : '';
}
