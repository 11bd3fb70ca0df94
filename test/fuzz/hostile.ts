/**
 * Hostile inputs, as data and as fast-check arbitraries: strings, path
 * segments (bad percent-encoding among them), query strings, media types,
 * headers and bodies (malformed JSON and YAML, hostile JSON and merge
 * patches, deep, huge and compressed bodies, protobuf garbage).
 *
 * Promises: every value is deterministic (no clock, no Math.random), and
 * everything meant for the request line or a header is already in the form
 * node's http client sends as is (only bytes 0x21-0xff in paths, no CR/LF
 * in header values), so that a case is sent exactly as printed.
 */
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';

/** Strings that break parsers, lookups and prototype-keyed maps. */
export const hostileStrings: readonly string[] = [
  '', ' ', '.', '..', '/', '//', '\\', '%', '%ZZ', '%00', '%2F', '%2e%2e', '\u0000', 'a\u0000b', '\n', '\r\n', '\t',
  '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '__defineGetter__', 'valueOf',
  '*', '**', '?', '#', '&', '=', ';', ':', '@', '~', '`', '"', "'", '<script>alert(1)</script>', "' OR '1'='1", '${jndi:x}', '{{7*7}}',
  'system:masters', 'system:anonymous', 'system:serviceaccount:', 'system:serviceaccount::', 'system:serviceaccount:a:b:c',
  '-', '-a', 'a-', 'A', 'UPPER', 'a'.repeat(63), 'a'.repeat(64), 'a'.repeat(253), 'a'.repeat(254), 'x'.repeat(5000), 'y'.repeat(70_000),
  'Ω', 'é', 'e\u0301', 'ﬁ', 'İ', 'ß', '名前', '🙂', '👩‍👩‍👧', '\u202Eevil', '\uFEFF', '\u200B', '\uFFFF', '\uD800', '\uDFFF', 'a\uD83D', '\uDE00b',
  '0', '-1', '1e309', 'NaN', 'Infinity', 'true', 'null', 'undefined', '[]', '{}', '0x10', '010', '9'.repeat(40),
  '1m', '1Gi', '-1Gi', '1e3', '0.000001', '1Ki2', 'count/', 'count/pods', 'requests.cpu', 'limits.memory',
];

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...hostileStrings), weight: 4 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 16 }), weight: 1 },
  { arbitrary: fc.string({ unit: 'binary-ascii', maxLength: 16 }), weight: 1 },
  { arbitrary: fc.tuple(fc.string({ maxLength: 4 }), fc.integer({ min: 0xd800, max: 0xdfff })).map(([s, u]) => s + String.fromCharCode(u)), weight: 1 },
);

/** Percent-encodes every byte of the UTF-8 (WTF-8 for lone surrogates) form of `s` that is not unreserved. */
export function encodeSegment(s: string, all = false): string {
  let out = '';
  for (const b of wtf8(s)) {
    const c = String.fromCharCode(b);
    out += !all && /[A-Za-z0-9\-._~]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** UTF-8 bytes of `s`, encoding lone surrogates as their three-byte forms (WTF-8), as a careless client would. */
export function wtf8(s: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      }
    }
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return out;
}

/** A path segment as sent (`raw`) and what a correct server decodes it to (undefined: it does not decode). */
export interface Segment {
  raw: string;
  decoded: string | undefined;
  /** Not one of the names the fuzzer knows (hostile, or over-encoded). */
  hostile?: boolean;
}

/** Decodes a raw segment as kube-apiserver does, or undefined when it is not valid percent-encoded UTF-8. */
export function decodeRaw(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}

/** Segments that are not valid percent-encoded UTF-8: a server must refuse them, never crash on them. */
const undecodableSegments: readonly string[] = [
  '%ZZ', '%', '%0', '%G0', '%%', 'x%2', 'a-dev%', '%E2%82', '%FF', '%FE%FF', '%C0%AF', '%C0%80', '%ED%A0%80', '%ED%BF%BF', '%F4%90%80%80', '%80',
];

export const undecodableSegment: fc.Arbitrary<Segment> = fc.constantFrom(...undecodableSegments).map((raw) => ({ raw, decoded: decodeRaw(raw), hostile: true }));

/** Segments that decode, to something odd. */
const oddSegments: readonly string[] = [
  '%00', '%2F', '%2f', '%5C', '%2e', '%2e%2e', '..', '.', '...', '__proto__', 'constructor', 'prototype', '%5F%5Fproto%5F%5F', '*', '%2A', '~', ';',
  ';x=1', ':', '@', '$', '!', "'", '(', ')', '+', ',', '=', '&', 'a%20b', '%20', '%09', '%0A', '%0D%0A', '%22', '%3C%3E', '%7B%7D', '%25', '%2525', '%252F',
  'a'.repeat(300), 'b'.repeat(10_000), '%F0%9F%99%82', '%E5%90%8D', 'A-DEV', 'a-dev.', 'a-dev%2Fserviceaccounts', 'a-dev%00', '%61-dev',
  '\u00e9', '\u00ff', 'system:masters', 'system%3Amasters', 'x\u00a0',
];

/** Hostile path segments, raw; the empty segment makes a double slash. */
export const hostileSegment: fc.Arbitrary<Segment> = fc.oneof(
  { arbitrary: fc.constantFrom(...undecodableSegments), weight: 4 },
  { arbitrary: fc.constantFrom(...oddSegments, ''), weight: 3 },
  { arbitrary: fc.constantFrom(...hostileStrings).map((s) => encodeSegment(s)), weight: 2 },
  { arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 8 }).map((s) => encodeSegment(s)), weight: 1 },
).map((raw) => ({ raw, decoded: decodeRaw(raw), hostile: true }));

/**
 * Encodes a query key or value for the request line: bytes that cannot be
 * sent raw, and `#`, `&`, `+` and `=`, become %XX; a `%` is always kept, so
 * `%ZZ` and a lone `%` reach the server as they are.
 */
export function encodeQueryPart(s: string): string {
  let out = '';
  for (const b of wtf8(s)) {
    const c = String.fromCharCode(b);
    out += b <= 0x20 || b >= 0x7f || c === '#' || c === '&' || c === '+' || c === '=' ? `%${b.toString(16).toUpperCase().padStart(2, '0')}` : c;
  }
  return out;
}

const pairs = (...kv: [string, string][]): [string, string][] => kv.map(([k, v]) => [encodeQueryPart(k), encodeQueryPart(v)]);

/** Query parameters, raw, that break parsers (added to whatever else the query holds). */
export const hostileQuery: fc.Arbitrary<[string, string][]> = fc.oneof(
  fc.constantFrom<[string, string][]>(
    pairs(['%ZZ', '1']), pairs(['limit', '%ZZ']), pairs(['labelSelector', '%']), pairs(['__proto__', '1']), pairs(['__proto__[x]', '1']),
    pairs(['constructor[prototype][x]', '1']), pairs(['labelSelector[]', 'a']), pairs(['labelSelector[a]', 'b']), pairs(['watch[]', 'true']),
    pairs(['', '']), pairs(['', 'x']), [['=', '=']], [['a', '=']], pairs(['limit', '']), pairs(['limit', '-1']), pairs(['limit', '1e400']),
    pairs(['limit', '99999999999999999999']), pairs(['limit', '0x10']), pairs(['limit', 'NaN']), pairs(['timeoutSeconds', '-1']),
    pairs(['timeoutSeconds', '99999999999']), pairs(['continue', '%00%00']), pairs(['continue', 'eyJ4Ijp7fX0']), pairs(['continue', 'x'.repeat(4000)]),
    pairs(['resourceVersion', '-1']), pairs(['resourceVersion', '99999999999999999999999']), pairs(['resourceVersionMatch', 'Exact']),
    pairs(['resourceVersion', '0'], ['resourceVersionMatch', 'NotOlderThan']), pairs(['labelSelector', 'a in (b']), pairs(['labelSelector', 'a!=']),
    pairs(['labelSelector', '!!a']), pairs(['labelSelector', 'a,,b']), pairs(['labelSelector', '=b']), pairs(['labelSelector', 'a notin ()']),
    pairs(['labelSelector', `${'k'.repeat(400)}=v`]), pairs(['labelSelector', '\u00ff=\uD800']), pairs(['fieldSelector', 'metadata.name']),
    pairs(['fieldSelector', 'metadata.name==']), pairs(['fieldSelector', 'spec.x=1']), pairs(['fieldSelector', 'metadata.name=b-dev']),
    pairs(['fieldSelector', 'metadata.namespace=b-dev']), pairs(['fieldSelector', 'metadata.name=a,metadata.name=b']),
    pairs(['fieldSelector', 'metadata.name!=x']), pairs(['fieldSelector', 'metadata.name=%ZZ']), pairs(['watch', 't']), pairs(['watch', 'TRUE']),
    pairs(['watch', 'yes']), pairs(['watch', '2']), pairs(['dryRun', 'bogus']), pairs(['dryRun', 'All'], ['dryRun', 'All']),
    pairs(['fieldValidation', 'bogus']), pairs(['fieldValidation', 'Strict']), pairs(['propagationPolicy', 'bogus']),
    pairs(['gracePeriodSeconds', '-5']), pairs(['force', 'maybe']), pairs(['fieldManager', 'm'.repeat(200)]), pairs(['pretty', '\u00ff']),
    pairs(['hash', '%FF']), pairs(['timeout', '-1s']), pairs(['sendInitialEvents', 'true']), pairs(['allowWatchBookmarks', 'true']),
    pairs(['watch', 'true'], ['sendInitialEvents', 'true'], ['resourceVersionMatch', 'NotOlderThan'], ['timeoutSeconds', '1']),
  ),
  fc.tuple(fc.constantFrom('limit', 'labelSelector', 'watch', 'fieldSelector', 'pretty', 'dryRun', 'fieldManager', 'colour'), fc.integer({ min: 2, max: 4 }))
    .map(([k, n]) => Array.from({ length: n }, (_v, i) => [k, i % 2 ? 'true' : '1'] as [string, string])),
  fc.tuple(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 })).map(([k, v]) => pairs([k, v])),
  // Past node's 16 KiB header limit the request never reaches Warden (431); under it, it does.
  fc.tuple(fc.constantFrom('labelSelector', 'fieldSelector', 'continue', 'colour'), fc.constantFrom(12_000, 200_000)).map(([k, n]) => [[k, 'v'.repeat(n)]] as [string, string][]),
);

export const patchMediaTypes = ['application/merge-patch+json', 'application/json-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml'] as const;

export const hostileMediaTypes: readonly string[] = [
  ...patchMediaTypes, 'application/json', 'application/yaml', 'text/yaml', 'application/x-yaml', 'text/plain', 'text/html',
  'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/vnd.kubernetes.protobuf', 'application/octet-stream',
  'application/json; charset=utf-16', 'application/json; charset=bogus', 'APPLICATION/JSON', 'application/json;;;', 'application/json; a="b',
  'application/*', '*/*', 'json', ';', 'application/json-patch+json; charset=utf-8', 'application/merge-patch+json, application/json',
  'application/jsonx', 'application/apply-patch+json', 'application/apply-patch+yaml; charset=latin1',
];

/** JSON patches (RFC 6902), by what they try. */
export const hostileJsonPatchClasses: Record<string, readonly unknown[]> = {
  prototypes: [
    [{ op: 'add', path: '/__proto__/x', value: 1 }],
    [{ op: 'add', path: '/__proto__', value: { polluted: true } }],
    [{ op: 'add', path: '/constructor/prototype/x', value: 1 }],
    [{ op: 'add', path: '/metadata/__proto__/x', value: 1 }],
    [{ op: 'replace', path: '/metadata/labels/__proto__', value: { a: 'b' } }],
    [{ op: 'copy', from: '/metadata', path: '/__proto__' }],
  ],
  'self-reference': [
    [{ op: 'move', from: '/metadata', path: '/metadata/x' }],
    [{ op: 'move', from: '/metadata/name', path: '/metadata/name' }],
    [{ op: 'move', from: '/rules', path: '/rules/0' }],
    [{ op: 'move', from: '/subjects', path: '/subjects/0/x' }],
    [{ op: 'copy', from: '/metadata/labels', path: '/metadata/labels/self' }],
    [{ op: 'copy', from: '/metadata', path: '/metadata/labels/x' }],
    [{ op: 'move', from: '/spec', path: '/spec/hard' }],
  ],
  root: [
    [{ op: 'copy', from: '/', path: '/x' }], [{ op: 'copy', from: '', path: '/metadata/x' }], [{ op: 'remove', path: '' }], [{ op: 'remove', path: '/' }],
    [{ op: 'replace', path: '', value: null }], [{ op: 'replace', path: '', value: [] }], [{ op: 'replace', path: '', value: 'str' }],
    [{ op: 'add', path: '', value: { kind: 'ClusterRole' } }], [{ op: 'move', from: '', path: '/x' }],
  ],
  pointers: [
    [{ op: 'add', path: '/metadata/name/x', value: 1 }], [{ op: 'add', path: '/metadata/labels/~2', value: 'x' }], [{ op: 'add', path: '/metadata/~', value: 1 }],
    [{ op: 'add', path: '/metadata/labels/a~1b', value: 'x' }], [{ op: 'add', path: 'metadata/labels/x', value: 'x' }], [{ op: 'add', path: '/rules/999999', value: {} }],
    [{ op: 'add', path: '/rules/-1', value: {} }], [{ op: 'add', path: '/rules/01', value: {} }], [{ op: 'remove', path: '/metadata/annotations/none' }],
    [{ op: 'add', path: '/subjects/0/name', value: null }], [{ op: 'test', path: '/nope', value: 1 }],
  ],
  'object changes': [
    [{ op: 'remove', path: '/metadata' }], [{ op: 'remove', path: '/metadata/name' }], [{ op: 'add', path: '/metadata', value: 'str' }],
    [{ op: 'replace', path: '/metadata/resourceVersion', value: 123 }], [{ op: 'replace', path: '/metadata/resourceVersion', value: '1' }],
    [{ op: 'replace', path: '/kind', value: 'ClusterRole' }], [{ op: 'replace', path: '/apiVersion', value: 'v2' }],
    [{ op: 'replace', path: '/metadata/namespace', value: 'b-dev' }], [{ op: 'replace', path: '/metadata/name', value: 'renamed' }],
    [{ op: 'add', path: '/metadata/labels', value: { 'tenancy.warden.dev/tenant': 'b' } }], [{ op: 'replace', path: '/spec/hard', value: { pods: '-1' } }],
    [{ op: 'add', path: '/spec/hard/pods', value: { nested: true } }], [{ op: 'add', path: '/rules/-', value: { apiGroups: ['*'], resources: ['*'], verbs: ['*'] } }],
    [{ op: 'test', path: '/metadata/name', value: 'not-it' }], [{ op: 'test', path: '/rules/0/verbs/0', value: 'delete' }],
  ],
  'malformed operations': [
    [{ op: 'bogus', path: '/x' }], [{ op: 'add' }], [{ op: 'add', path: 5, value: 1 }], [{ op: 'move', path: '/x' }], [{ op: 'ADD', path: '/x', value: 1 }],
    [{ op: '__proto__', path: '/x' }], [{ op: 'add', path: '/x', value: 1, extra: '__proto__' }], [{ op: 'add', path: '/metadata/labels/a', value: 'b' }, null],
  ],
  'not a list of operations': [[], {}, [1], [null], ['add'], [[]], null, 1, 'str', true],
  huge: [
    Array.from({ length: 10_001 }, () => ({ op: 'test', path: '/kind', value: 'x' })),
    Array.from({ length: 2000 }, (_v, i) => ({ op: 'add', path: `/metadata/labels/k${i}`, value: 'v' })),
    Array.from({ length: 60 }, () => ({ op: 'copy', from: '/metadata', path: '/metadata/annotations' })),
  ],
};

/** Paths through prototypes, into their own children and at the root break JSON patch libraries most often: twice the weight. */
const heavyPatchClasses = new Set(['prototypes', 'self-reference', 'root']);
export const hostileJsonPatch: fc.Arbitrary<unknown> = fc.oneof(
  ...Object.entries(hostileJsonPatchClasses).map(([name, c]) => ({ arbitrary: fc.constantFrom(...c), weight: heavyPatchClasses.has(name) ? 2 : 1 })),
);


/** Merge patches (RFC 7386) and strategic merge patches that try renames, moves across tenants and odd types. */
export const hostileMergePatches: readonly unknown[] = [
  { metadata: { name: 'renamed' } }, { metadata: { namespace: 'b-dev' } }, { metadata: null }, { metadata: 'str' }, { metadata: [] },
  { metadata: { labels: { 'tenancy.warden.dev/tenant': 'b' } } }, { metadata: { labels: { 'tenancy.warden.dev/tenant': null } } },
  { metadata: { resourceVersion: 1 } }, { metadata: { resourceVersion: 'x' } }, { metadata: { uid: 'other' } }, { kind: 'ClusterRole' },
  { apiVersion: null }, { kind: null }, { spec: null }, { rules: null }, { rules: [null] }, { subjects: [{}] }, { roleRef: null },
  { roleRef: { kind: 'ClusterRole', name: 'cluster-admin', apiGroup: 'rbac.authorization.k8s.io' } },
  { spec: { hard: { pods: '1e400' } } }, { spec: { hard: { 'requests.cpu': '-1' } } }, { spec: { owners: [] } }, { spec: { groups: ['system:masters'] } },
  { status: { used: { pods: '999' } } }, { status: { token: 'x' } }, { $patch: 'replace' }, { $patch: 'delete' }, { metadata: { $patch: 'delete' } },
  { $retainKeys: ['x'] }, { 'rules': { $patch: 'replace' } }, { $setElementOrder: { rules: [] } },
  null, [], 1, 'str', true, {},
];

/** YAML documents that are malformed or try aliases, tags and merge keys. */
export const hostileYaml: readonly string[] = [
  ': : :', 'a: [', '{', '- a\nb: c', 'a: b\n a: c', 'a: b\na: c', '\t- x', '---\n---\n---\n', '...', '%YAML 9.9\n---\na: 1',
  'a: !!binary ZZZ', 'a: !!js/function "function(){}"', 'a: !<tag:yaml.org,2002:python/object> {}', '!!set {a, b}', 'a: !!timestamp nope',
  `a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\nh: [*g,*g,*g,*g,*g,*g,*g,*g,*g]`,
  'a: &x {b: *x}', '*undefined', '<<: {apiVersion: v1}\nkind: Namespace', 'base: &b {kind: Role}\n<<: *b', '__proto__: {x: 1}', 'constructor: {prototype: {x: 1}}',
  'apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: y}', '? [a, b]\n: c', '? {a: 1}\n: c',
  'a: 0x1F\nb: 0o17\nc: .inf\nd: .nan\ne: ~', 'a: "\\ud800"', `a: ${'['.repeat(500)}${']'.repeat(500)}`, 'a: |\n  x\n b', '\uFEFFa: 1',
];

/** Bodies that are not JSON, or not quite. */
export const malformedJson: readonly string[] = [
  '{', '}', '[', '{"a":}', '{"a" 1}', '{"a":1,}', '[1,]', 'nul', 'tru', '"unterminated', "{'a':1}", '{a:1}', '// c\n{}', '/* c */{}', '{"a":1} x',
  '{}{}', 'NaN', '-Infinity', '{"a":NaN}', '{"a":01}', '{"a":.5}', '{"a":1e999}', '{"a":-0}', `{"a":${'9'.repeat(400)}}`, '{"a":"\\u"}', '{"a":"\\ud800"}',
  '{"a":"\\x41"}', '{"a":"\t"}', '{"kind":"A","kind":"B"}', '{"metadata":{"name":"x","name":"y"}}', '{"__proto__":{"polluted":1}}',
  '{"constructor":{"prototype":{"polluted":1}}}', '\uFEFF{}', '\u0000', ' ', '\n', '0', '""', 'null', '[]', '1', 'true', '[null]', '"str"',
];

/** `[[[...]]]` or `{"a":{"a":...}}` nested `depth` deep. */
export function deepJson(depth: number, kind: 'array' | 'object'): string {
  return kind === 'array' ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

/** A valid JSON object of about `bytes` bytes. */
export function hugeJson(bytes: number): string {
  return `{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"huge","annotations":{"a":"${'x'.repeat(bytes)}"}}}`;
}

/** A raw request body: text (sent as UTF-8, WTF-8 for lone surrogates) or base64 bytes, optionally gzipped. */
export interface Body {
  text?: string;
  base64?: string;
  /** What the body is, for reports of huge or binary bodies. */
  label?: string;
}

export function bodyBytes(b: Body): Buffer {
  if (b.base64 !== undefined) return Buffer.from(b.base64, 'base64');
  const text = b.text ?? '';
  return text.isWellFormed() ? Buffer.from(text, 'utf8') : Buffer.from(wtf8(text));
}

const zeros = `[${'0,'.repeat(8 * 1024 * 1024)}0]`;
const gzipBomb = gzipSync(zeros).toString('base64');
const gzipSmall = gzipSync('{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"gz"}}').toString('base64');

/** Bodies with a Content-Encoding, as [encoding, body]. */
export const encodedBodies: readonly [string, Body][] = [
  ['gzip', { base64: gzipBomb, label: `gzip of ${zeros.length} bytes of JSON` }],
  ['gzip', { base64: gzipSmall, label: 'gzip of a small Namespace' }],
  ['gzip', { text: 'not gzip at all' }],
  ['gzip', { base64: gzipSmall.slice(0, 20), label: 'truncated gzip' }],
  ['deflate', { base64: gzipSmall, label: 'gzip bytes sent as deflate' }],
  ['br', { text: '{}' }],
  ['identity', { text: '{}' }],
  ['gzip, gzip', { base64: gzipSmall, label: 'gzip once, declared twice' }],
  ['bogus', { text: '{}' }],
];

/** Hostile bodies for any operation: [media type, body]. */
export const hostileBody: fc.Arbitrary<[string, Body]> = fc.oneof(
  fc.tuple(fc.constantFrom('application/json', 'application/merge-patch+json', 'application/strategic-merge-patch+json'), fc.constantFrom(...malformedJson)).map(([t, s]) => [t, { text: s }] as [string, Body]),
  fc.tuple(fc.constantFrom('application/yaml', 'application/apply-patch+yaml'), fc.constantFrom(...hostileYaml)).map(([t, s]) => [t, { text: s }] as [string, Body]),
  hostileJsonPatch.map((p) => ['application/json-patch+json', { text: JSON.stringify(p) }] as [string, Body]),
  fc.tuple(fc.constantFrom('application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/json'), fc.constantFrom(...hostileMergePatches))
    .map(([t, p]) => [t, { text: JSON.stringify(p) }] as [string, Body]),
  fc.tuple(fc.constantFrom('application/json', 'application/yaml', 'application/merge-patch+json'), fc.constantFrom(40, 63, 64, 65, 200, 5000, 100_000), fc.constantFrom('array', 'object') as fc.Arbitrary<'array' | 'object'>)
    .map(([t, d, k]) => [t, { text: deepJson(d, k), label: `${k}s nested ${d} deep` }] as [string, Body]),
  fc.tuple(fc.constantFrom('application/json', 'application/yaml'), fc.constantFrom(1024 * 1024 - 200, 1024 * 1024 + 10, 3 * 1024 * 1024))
    .map(([t, n]) => [t, { text: hugeJson(n), label: `a Namespace with a ${n}-byte annotation` }] as [string, Body]),
  fc.tuple(fc.constantFrom(...hostileMediaTypes), fc.constantFrom('{}', '[]', 'a=b&c=d', '--x\r\n\r\n--x--', 'x', '')).map(([t, s]) => [t, { text: s }] as [string, Body]),
  fc.tuple(fc.constantFrom('application/vnd.kubernetes.protobuf', 'application/octet-stream', 'application/json'), fc.uint8Array({ maxLength: 64 }), fc.boolean())
    .map(([t, bytes, magic]) => [t, { base64: Buffer.concat([Buffer.from(magic ? 'k8s\u0000' : ''), Buffer.from(bytes)]).toString('base64'), label: `${magic ? 'k8s magic + ' : ''}${bytes.length} random bytes` }] as [string, Body]),
  fc.tuple(fc.constantFrom('application/json', 'application/yaml'), fc.uint8Array({ minLength: 1, maxLength: 16 }))
    .map(([t, bytes]) => [t, { base64: Buffer.concat([Buffer.from('{"a":"'), Buffer.from(bytes.map((b) => b | 0x80)), Buffer.from('"}')]).toString('base64'), label: 'a JSON string of invalid UTF-8 bytes' }] as [string, Body]),
);
