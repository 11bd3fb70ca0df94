/**
 * A Swagger 2.0 document written as gnostic's `openapi.v2.Document`
 * protobuf message (github.com/google/gnostic-models openapiv2/OpenAPIv2.proto),
 * the form client-go's OpenAPISchema() reads from /openapi/v2. Field numbers
 * are the proto file's; vendor extensions and free values (`default`,
 * `enum`, `example`) are `Any` messages holding their YAML text, as
 * kube-openapi writes them and reads them back. Proto3 leaves out empty
 * scalars; a sub-message that is set is written even when empty (kubectl
 * tells an object with no properties from a map by it).
 */
import YAML from 'yaml';

type Doc = Record<string, unknown>;

/** Bytes of one message under construction. */
class Message {
  private readonly parts: Uint8Array[] = [];

  private varint(n: number): void {
    const out: number[] = [];
    let v = n;
    while (v >= 0x80) {
      out.push((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    out.push(v);
    this.parts.push(Uint8Array.from(out));
  }

  private key(field: number, wireType: number): void {
    this.varint(field * 8 + wireType);
  }

  bytes(field: number, b: Uint8Array): this {
    this.key(field, 2);
    this.varint(b.length);
    this.parts.push(b);
    return this;
  }

  string(field: number, s: unknown): this {
    if (typeof s === 'string' && s !== '') this.bytes(field, Buffer.from(s, 'utf8'));
    return this;
  }

  strings(field: number, list: unknown): this {
    if (Array.isArray(list)) for (const s of list) if (typeof s === 'string') this.bytes(field, Buffer.from(s, 'utf8'));
    return this;
  }

  bool(field: number, b: unknown): this {
    if (b === true) {
      this.key(field, 0);
      this.varint(1);
    }
    return this;
  }

  /** A bool written whatever its value (a oneof member, which has presence). */
  flag(field: number, b: boolean): this {
    this.key(field, 0);
    this.varint(b ? 1 : 0);
    return this;
  }

  int64(field: number, n: unknown): this {
    if (typeof n === 'number' && Number.isInteger(n) && n > 0) {
      this.key(field, 0);
      this.varint(n);
    }
    return this;
  }

  double(field: number, n: unknown): this {
    if (typeof n === 'number' && n !== 0) {
      this.key(field, 1);
      const b = Buffer.alloc(8);
      b.writeDoubleLE(n);
      this.parts.push(b);
    }
    return this;
  }

  message(field: number, m: Message | undefined): this {
    if (m) this.bytes(field, m.finish());
    return this;
  }

  finish(): Uint8Array {
    return Buffer.concat(this.parts);
  }
}

const isDoc = (v: unknown): v is Doc => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `Any { yaml = 2 }` holding a value as YAML. */
const any = (v: unknown) => new Message().string(2, YAML.stringify(v));

/** `repeated NamedAny vendor_extension` entries of a map's `x-` keys. */
function extensions(m: Message, field: number, o: Doc): void {
  for (const [k, v] of Object.entries(o)) if (k.startsWith('x-')) m.message(field, new Message().string(1, k).message(2, any(v)));
}

function schema(s: Doc): Message {
  const m = new Message()
    .string(1, s.$ref).string(2, s.format).string(3, s.title).string(4, s.description);
  if (s.default !== undefined) m.message(5, any(s.default));
  m.double(7, s.maximum).double(9, s.minimum)
    .int64(11, s.maxLength).int64(12, s.minLength).string(13, s.pattern)
    .int64(14, s.maxItems).int64(15, s.minItems).bool(16, s.uniqueItems)
    .strings(19, s.required);
  if (Array.isArray(s.enum)) for (const v of s.enum) m.message(20, any(v));
  if (isDoc(s.additionalProperties)) m.message(21, new Message().message(1, schema(s.additionalProperties)));
  // oneof { Schema schema = 1; bool boolean = 2; }: a member of a oneof is written even when false.
  else if (typeof s.additionalProperties === 'boolean') m.message(21, new Message().flag(2, s.additionalProperties));
  if (typeof s.type === 'string') m.message(22, new Message().strings(1, [s.type]));
  if (isDoc(s.items)) m.message(23, new Message().message(1, schema(s.items)));
  if (isDoc(s.properties)) {
    const props = new Message();
    for (const [name, p] of Object.entries(s.properties)) if (isDoc(p)) props.message(1, new Message().string(1, name).message(2, schema(p)));
    m.message(25, props);
  }
  m.bool(27, s.readOnly);
  if (s.example !== undefined) m.message(30, any(s.example));
  extensions(m, 31, s);
  return m;
}

/** A non-body parameter's sub-schema: query and header/path number their fields differently. */
function nonBody(p: Doc): Message {
  const m = new Message().bool(1, p.required).string(2, p.in).string(3, p.description).string(4, p.name);
  const base = p.in === 'query' ? 6 : 5;
  m.string(base, p.type).string(base + 1, p.format);
  if (isDoc(p.items)) m.message(base + 2, new Message().string(1, p.items.type).string(2, p.items.format));
  m.string(base + 3, p.collectionFormat);
  if (Array.isArray(p.enum)) for (const v of p.enum) m.message(base + 15, any(v));
  return m;
}

const nonBodyField: Record<string, number> = { header: 1, query: 3, path: 4 };

function parameter(p: Doc): Message | undefined {
  let inner: Message;
  if (p.in === 'body') {
    inner = new Message().message(1, new Message().string(1, p.description).string(2, p.name).string(3, 'body').bool(4, p.required)
      .message(5, isDoc(p.schema) ? schema(p.schema) : undefined));
  } else if (nonBodyField[String(p.in)]) {
    inner = new Message().message(2, new Message().message(nonBodyField[String(p.in)], nonBody(p)));
  } else return undefined;
  return new Message().message(1, inner);
}

function operation(op: Doc): Message {
  const m = new Message().strings(1, op.tags).string(2, op.summary).string(3, op.description).string(5, op.operationId)
    .strings(6, op.produces).strings(7, op.consumes);
  if (Array.isArray(op.parameters)) for (const p of op.parameters) if (isDoc(p)) m.message(8, parameter(p));
  const responses = new Message();
  for (const [code, r] of Object.entries(isDoc(op.responses) ? op.responses : {})) {
    if (!isDoc(r)) continue;
    const response = new Message().string(1, r.description);
    if (isDoc(r.schema)) response.message(2, new Message().message(1, schema(r.schema)));
    responses.message(1, new Message().string(1, code).message(2, new Message().message(1, response)));
  }
  m.message(9, responses).bool(11, op.deprecated);
  extensions(m, 13, op);
  return m;
}

const pathItemField: Record<string, number> = { get: 2, put: 3, post: 4, delete: 5, options: 6, head: 7, patch: 8 };

/** The document (as openapi-v2.ts builds it) in gnostic's protobuf form. */
export function encodeOpenAPIv2(doc: Doc): Uint8Array {
  const info = isDoc(doc.info) ? doc.info : {};
  const paths = new Message();
  for (const [path, item] of Object.entries(isDoc(doc.paths) ? doc.paths : {})) {
    if (!isDoc(item)) continue;
    const pi = new Message();
    for (const [method, field] of Object.entries(pathItemField)) if (isDoc(item[method])) pi.message(field, operation(item[method] as Doc));
    extensions(pi, 10, item);
    paths.message(2, new Message().string(1, path).message(2, pi));
  }
  const definitions = new Message();
  for (const [name, s] of Object.entries(isDoc(doc.definitions) ? doc.definitions : {})) {
    if (isDoc(s)) definitions.message(1, new Message().string(1, name).message(2, schema(s)));
  }
  const m = new Message()
    .string(1, doc.swagger)
    .message(2, new Message().string(1, info.title).string(2, info.version).string(3, info.description))
    .message(8, paths)
    .message(9, definitions);
  extensions(m, 16, doc);
  return m.finish();
}
