/**
 * A protobuf writer for tests: hand-built byte sequences, and JSON objects
 * encoded by the same message descriptions the decoder reads (the inverse of
 * api/protobuf/decode.ts), wrapped in Kubernetes' `k8s\0` + runtime.Unknown
 * envelope as kubectl sends them.
 */
import { messages, protobufPrefix } from '../../api/protobuf/decode.ts';
import type { FieldDef } from '../../api/protobuf/schema.ts';

export type Json = Record<string, unknown>;

export class Writer {
  private readonly out: number[] = [];

  /** Any integer; a negative one is written as its 64-bit two's complement (10 bytes), as protobuf does. */
  varint(value: number | bigint): this {
    let v = BigInt.asUintN(64, BigInt(value));
    do {
      const low = Number(v & 0x7fn);
      v >>= 7n;
      this.out.push(v > 0n ? low | 0x80 : low);
    } while (v > 0n);
    return this;
  }

  tag(field: number, wireType: number): this {
    return this.varint(field * 8 + wireType);
  }

  raw(bytes: ArrayLike<number>): this {
    for (let i = 0; i < bytes.length; i++) this.out.push(bytes[i]);
    return this;
  }

  /** Length prefix and bytes. */
  bytes(bytes: ArrayLike<number>): this {
    return this.varint(bytes.length).raw(bytes);
  }

  string(text: string): this {
    return this.bytes(Buffer.from(text, 'utf8'));
  }

  fixed32(value: number): this {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(value >>> 0);
    return this.raw(b);
  }

  fixed64(value: bigint): this {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt.asUintN(64, value));
    return this.raw(b);
  }

  /** A length-delimited field holding `bytes`. */
  field(field: number, bytes: ArrayLike<number>): this {
    return this.tag(field, 2).bytes(bytes);
  }

  stringField(field: number, text: string): this {
    return this.tag(field, 2).string(text);
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.out);
  }
}

export interface EncodeOptions {
  /**
   * Write every plain scalar field, as Go's generated marshaller does: an
   * absent string as "", an absent number as 0, an absent bool as false.
   */
  goStyle?: boolean;
}

/** The inverse of the decoder's converters: a special message's JSON value back to its fields. */
const specials: Record<string, (value: unknown) => Json> = {
  Time: (v) => {
    const ms = Date.parse(v as string);
    return { seconds: Math.floor(ms / 1000), nanos: 0 };
  },
  IntOrString: (v) => (typeof v === 'string' ? { type: 1, strVal: v } : { type: 0, intVal: v }),
  Quantity: (v) => ({ string: v }),
  FieldsV1: (v) => ({ raw: v }),
  ExtraValue: (v) => ({ items: v }),
};

export function encodeMessage(value: unknown, message: string, opts: EncodeOptions = {}): Uint8Array {
  const def = messages.get(message);
  if (!def) throw new Error(`no message ${message}`);
  const fields = specials[message] ? specials[message](value) : (value as Json);
  const w = new Writer();
  for (const f of def.fields.values()) {
    const v = fields[f.name];
    if (v === undefined) {
      if (opts.goStyle && !f.message && !f.repeated && !f.map && !f.keepZero) writeValue(w, f, zeroOf(f.type), opts);
      continue;
    }
    if (f.map) {
      for (const [key, entry] of Object.entries(v as Json)) {
        const e = new Writer().stringField(1, key);
        writeValue(e, { ...f, number: 2 }, entry, opts);
        w.field(f.number, e.finish());
      }
    } else if (f.repeated) {
      for (const item of v as unknown[]) writeValue(w, f, item, opts);
    } else {
      writeValue(w, f, v, opts);
    }
  }
  return w.finish();
}

function zeroOf(type: string): unknown {
  return type === 'bool' ? false : type === 'int32' || type === 'int64' ? 0 : '';
}

function writeValue(w: Writer, f: FieldDef, v: unknown, opts: EncodeOptions): void {
  if (f.message) {
    w.field(f.number, encodeMessage(v, f.type, opts));
    return;
  }
  switch (f.type) {
    case 'string': w.stringField(f.number, v as string); return;
    case 'bytes': w.field(f.number, Buffer.from(v as string, 'base64')); return;
    case 'json': w.stringField(f.number, JSON.stringify(v)); return;
    case 'bool': w.tag(f.number, 0).varint(v ? 1 : 0); return;
    default: w.tag(f.number, 0).varint(v as number);
  }
}

/** A whole body: the `k8s\0` prefix and a runtime.Unknown carrying the object's message. */
export function encodeBody(object: Json, opts: EncodeOptions = {}): Uint8Array {
  const { apiVersion, kind, ...rest } = object;
  const typeMeta = new Writer().stringField(1, apiVersion as string).stringField(2, kind as string).finish();
  return envelope(typeMeta, encodeMessage(rest, kind as string, opts));
}

/** The envelope around already-encoded type meta and object bytes. */
export function envelope(typeMeta: Uint8Array, raw: Uint8Array): Uint8Array {
  const unknown = new Writer().field(1, typeMeta).field(2, raw).stringField(3, '').stringField(4, '').finish();
  return Uint8Array.from([...protobufPrefix, ...unknown]);
}

export const hex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex'));
