/**
 * Message descriptions as data. Each message maps a field number to a line
 * `jsonName type`, where type is
 *   string | bool | int32 | int64 | bytes | json | <MessageName>
 * optionally as `[]type` (repeated) or `map<type>` (a map with string keys),
 * and a trailing `!` when a zero value on the wire is kept in the JSON.
 *
 * Why `!`: Kubernetes' Go types are proto2 messages whose value fields are
 * always written, even when empty, while their JSON form drops empty ones
 * (`omitempty`). So by default a decoded "" / 0 / false is dropped, and the
 * decoded object equals what a JSON client would have sent. `!` marks the
 * fields where the zero value means something: Go pointers (present on the
 * wire only when set, e.g. `gracePeriodSeconds: 0`) and fields whose JSON
 * has no omitempty (e.g. `status.allowed: false`).
 *
 * `json` is a bytes field holding JSON text (FieldsV1), decoded as JSON.
 * Repeated fields here hold strings and messages only; a repeated number
 * would be read one value per tag, not packed.
 */

export type ScalarType = 'string' | 'bool' | 'int32' | 'int64' | 'bytes' | 'json';

export interface FieldDef {
  number: number;
  name: string;
  /** A scalar type, or the name of a message in the same table. */
  type: ScalarType | string;
  message: boolean;
  repeated: boolean;
  map: boolean;
  keepZero: boolean;
}

export interface MessageDef {
  name: string;
  fields: ReadonlyMap<number, FieldDef>;
}

/** How a message's decoded fields become its JSON value (Time to a string, and so on). */
export type Converter = (fields: Record<string, unknown>) => unknown;

export type MessageSource = Record<string, Record<number, string>>;

const scalars = new Set<string>(['string', 'bool', 'int32', 'int64', 'bytes', 'json']);

export function isScalar(type: string): type is ScalarType {
  return scalars.has(type);
}

const line = /^([A-Za-z][A-Za-z0-9]*) (\[\]|map<)?([A-Za-z][A-Za-z0-9]*)(>)?(!)?$/;

/** Parses one field line; throws on a malformed line (a programming error caught by the tests). */
export function parseField(number: number, text: string): FieldDef {
  const m = line.exec(text);
  if (!m || (m[2] === 'map<') !== (m[4] === '>')) throw new Error(`bad field description ${number}: "${text}"`);
  return {
    number,
    name: m[1],
    type: m[3],
    message: !isScalar(m[3]),
    repeated: m[2] === '[]',
    map: m[2] === 'map<',
    keepZero: m[5] === '!',
  };
}

/**
 * Compiles message sources into definitions, checking that every message a
 * field names exists. Throws on a dangling name or a malformed line.
 */
export function compileMessages(...sources: MessageSource[]): ReadonlyMap<string, MessageDef> {
  const out = new Map<string, MessageDef>();
  for (const source of sources) {
    for (const [name, fields] of Object.entries(source)) {
      if (out.has(name)) throw new Error(`message ${name} is described twice`);
      const parsed = new Map<number, FieldDef>();
      for (const [num, text] of Object.entries(fields)) parsed.set(Number(num), parseField(Number(num), text));
      out.set(name, { name, fields: parsed });
    }
  }
  for (const def of out.values()) {
    for (const f of def.fields.values()) {
      if (f.message && !out.has(f.type)) throw new Error(`${def.name}.${f.name} names unknown message ${f.type}`);
    }
  }
  return out;
}
