/**
 * Kubernetes protobuf bodies decode to the JSON object a JSON client would
 * have sent: every kind round-trips, kubectl's own bytes decode to what
 * kubectl prints for --dry-run=client -o json, unknown fields are skipped,
 * and malformed bodies fail with a ProtobufError naming the problem.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeKubernetesProtobuf, decodeMessage, messages } from '../../api/protobuf/decode.ts';
import { messageForKind, protobufKinds } from '../../api/protobuf/api-messages.ts';
import { compileMessages, parseField } from '../../api/protobuf/schema.ts';
import { ProtobufError } from '../../api/protobuf/wire.ts';
import { encodeBody, encodeMessage, envelope, hex, Writer, type Json } from './encoder.ts';
import { kubectlBodies } from './kubectl-bodies.ts';
import { samples } from './objects.ts';

test('every kind round-trips from its JSON object through protobuf', () => {
  for (const object of samples) {
    assert.deepEqual(decodeKubernetesProtobuf(encodeBody(object)), object, `${object.kind}`);
  }
});

test('the empty values Go writes for unset fields are dropped, as omitempty drops them from JSON', () => {
  for (const object of samples) {
    assert.deepEqual(decodeKubernetesProtobuf(encodeBody(object, { goStyle: true })), object, `${object.kind}`);
  }
});

test('the samples cover every kind a protobuf body may carry', () => {
  const covered = new Set(samples.map((s) => s.kind));
  for (const kinds of Object.values(protobufKinds)) for (const kind of kinds) assert.ok(covered.has(kind), kind);
  assert.ok(covered.has('DeleteOptions'));
});

test('the bytes kubectl 1.32 sends decode to the object kubectl prints with --dry-run=client -o json', () => {
  for (const { command, body, json } of kubectlBodies) {
    assert.deepEqual(decodeKubernetesProtobuf(hex(body)), json, command);
  }
});

test('a zero value survives where Kubernetes\' JSON keeps it, and is dropped where it is omitempty', () => {
  const cases: [string, Json, Json][] = [
    ['DeleteOptions', { gracePeriodSeconds: 0, orphanDependents: false }, { gracePeriodSeconds: 0, orphanDependents: false }],
    ['SubjectAccessReviewStatus', { allowed: false, denied: false, reason: '' }, { allowed: false }],
    ['SubjectRulesReviewStatus', { incomplete: false, evaluationError: '' }, { incomplete: false }],
    ['Subject', { kind: '', apiGroup: '', name: 'alice', namespace: '' }, { kind: '', name: 'alice' }],
    ['ObjectMeta', { name: '', generation: 0, deletionGracePeriodSeconds: 0 }, { deletionGracePeriodSeconds: 0 }],
    ['NetworkPolicyPort', { protocol: '', endPort: 0 }, { protocol: '', endPort: 0 }],
    ['ServiceAccount', { automountServiceAccountToken: false }, { automountServiceAccountToken: false }],
    ['TokenRequestSpec', { expirationSeconds: 0, audiences: [] }, { expirationSeconds: 0 }],
  ];
  for (const [message, given, want] of cases) assert.deepEqual(decodeMessage(encodeMessage(given, message), message), want, message);
});

test('Time is RFC 3339 at second precision, and the zero time is left out', () => {
  const time = (seconds: number, nanos = 0) => new Writer().tag(4, 2).bytes(new Writer().tag(1, 0).varint(seconds).tag(2, 0).varint(nanos).finish()).finish();
  assert.deepEqual(decodeMessage(time(1740832245, 999_000_000), 'ManagedFieldsEntry'), { time: '2025-03-01T12:30:45Z' });
  assert.deepEqual(decodeMessage(time(-62135596800), 'ManagedFieldsEntry'), { time: '0001-01-01T00:00:00Z' });
  assert.deepEqual(decodeMessage(new Writer().tag(4, 2).bytes([]).finish(), 'ManagedFieldsEntry'), {});
  assert.throws(() => decodeMessage(time(253402300800), 'ManagedFieldsEntry'), /time: time 253402300800 is outside the years 0001 to 9999/);
});

test('IntOrString is a number or a string by its type, and a Quantity is its string', () => {
  const port = (w: Writer) => decodeMessage(new Writer().field(2, w.finish()).finish(), 'NetworkPolicyPort');
  assert.deepEqual(port(new Writer().tag(1, 0).varint(0).tag(2, 0).varint(443)), { port: 443 });
  assert.deepEqual(port(new Writer().tag(1, 0).varint(1).stringField(3, 'https')), { port: 'https' });
  assert.deepEqual(port(new Writer()), { port: 0 });
  const hard = (q: Uint8Array) => decodeMessage(new Writer().field(1, new Writer().stringField(1, 'pods').field(2, q).finish()).finish(), 'ResourceQuotaSpec');
  assert.deepEqual(hard(new Writer().stringField(1, '1500m').finish()), { hard: { pods: '1500m' } });
  assert.deepEqual(hard(new Writer().finish()), { hard: { pods: '0' } });
});

test('map entries with a missing key or value decode to their zero values, and a later duplicate key wins', () => {
  const labels = new Writer()
    .field(11, new Writer().stringField(2, 'no-key').finish())
    .field(11, new Writer().stringField(1, 'no-value').finish())
    .field(11, new Writer().stringField(1, 'team').stringField(2, 'a').finish())
    .field(11, new Writer().stringField(1, 'team').stringField(2, 'b').finish())
    .finish();
  assert.deepEqual(decodeMessage(labels, 'ObjectMeta'), { labels: { '': 'no-key', 'no-value': '', team: 'b' } });
});

test('a singular message field written twice is merged, as protobuf merges it', () => {
  const body = new Writer()
    .field(1, new Writer().stringField(1, 'first').stringField(3, 'payments').finish())
    .field(1, new Writer().stringField(1, 'second').field(11, new Writer().stringField(1, 'a').stringField(2, 'b').finish()).finish())
    .finish();
  assert.deepEqual(decodeMessage(body, 'Role'), { metadata: { name: 'second', namespace: 'payments', labels: { a: 'b' } } });
});

test('unknown field numbers of every wire type are skipped, in the envelope and in the object', () => {
  const unknown = (w: Writer) => w
    .tag(90, 0).varint(-1)
    .tag(91, 1).fixed64(7n)
    .tag(92, 2).string('ignored')
    .tag(93, 5).fixed32(9)
    .tag(94, 3).tag(1, 0).varint(1).tag(2, 3).tag(2, 4).tag(94, 4);
  const meta = unknown(new Writer()).stringField(1, 'payments');
  const raw = unknown(new Writer()).field(1, meta.finish()).finish();
  const typeMeta = unknown(new Writer().stringField(1, 'v1')).stringField(2, 'Namespace').finish();
  assert.deepEqual(decodeKubernetesProtobuf(envelope(typeMeta, raw)), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'payments' } });
});

test('an object with no raw bytes is its type alone; DeleteOptions is read under any group version', () => {
  const typeMeta = new Writer().stringField(1, 'rbac.authorization.k8s.io/v1').stringField(2, 'DeleteOptions').finish();
  const unknown = new Writer().field(1, typeMeta).finish();
  assert.deepEqual(decodeKubernetesProtobuf(Uint8Array.from([0x6b, 0x38, 0x73, 0, ...unknown])), { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'DeleteOptions' });
  assert.equal(messageForKind('policy/v1', 'DeleteOptions'), 'DeleteOptions');
  assert.equal(messageForKind('v1', 'Pod'), undefined);
  assert.equal(messageForKind('v1', 'toString'), undefined);
});

const body = (typeMeta: Uint8Array, raw: Uint8Array) => envelope(typeMeta, raw);
const nsType = new Writer().stringField(1, 'v1').stringField(2, 'Namespace').finish();

const malformed: [string, Uint8Array, RegExp][] = [
  ['an empty body', new Uint8Array(0), /does not start with the Kubernetes protobuf prefix/],
  ['a JSON body', Buffer.from('{"kind":"Namespace"}'), /does not start with the Kubernetes protobuf prefix/],
  ['a prefix with a wrong byte', hex('6b387301 0a00'), /does not start with the Kubernetes protobuf prefix/],
  ['a truncated varint', hex('6b387300 0a'), /^truncated varint at byte 5$/],
  ['a varint of eleven bytes', hex('6b387300 48 ffffffffffffffffffff01'), /varint longer than 10 bytes at byte 5/],
  ['a length past the end', hex('6b387300 0a05 0a02'), /length 5 at byte 5 runs past the end of the message/],
  ['field number 0', hex('6b387300 0000'), /field number 0 at byte 4/],
  ['wire type 7', hex('6b387300 0f'), /invalid wire type 7 at byte 4/],
  ['typeMeta as a varint', hex('6b387300 0801'), /typeMeta: wire type varint, expected length-delimited/],
  ['no kind', body(new Writer().stringField(1, 'v1').finish(), new Uint8Array(0)), /Object 'Kind' is missing/],
  ['an unregistered kind', body(new Writer().stringField(1, 'v1').stringField(2, 'Pod').finish(), new Uint8Array(0)), /no kind "Pod" is registered for version "v1"/],
  ['a kind under another version', body(new Writer().stringField(1, 'v2').stringField(2, 'Namespace').finish(), new Uint8Array(0)), /no kind "Namespace" is registered for version "v2"/],
  ['a compressed body', Uint8Array.from([0x6b, 0x38, 0x73, 0, ...new Writer().field(1, nsType).stringField(3, 'gzip').finish()]), /content encoding "gzip" is not supported/],
  ['a string field as a varint', body(nsType, new Writer().field(1, new Writer().tag(1, 0).varint(5).finish()).finish()), /^metadata\.name: wire type varint, expected length-delimited$/],
  ['a bool as a string', body(new Writer().stringField(1, 'v1').stringField(2, 'ServiceAccount').finish(), new Writer().stringField(4, 'yes').finish()), /^automountServiceAccountToken: wire type length-delimited, expected varint$/],
  ['a truncated nested message', body(nsType, new Writer().field(1, new Writer().tag(11, 2).varint(9).finish()).finish()), /^metadata\.labels: length 9 at byte \d+ runs past the end of the message$/],
  ['a truncated varint deep inside', body(nsType, new Writer().field(1, new Writer().tag(7, 0).raw([0x80]).finish()).finish()), /^metadata\.generation: truncated varint at byte \d+$/],
  ['an int64 beyond 2^53', body(nsType, new Writer().field(1, new Writer().tag(7, 0).varint(2n ** 60n).finish()).finish()), /metadata\.generation: int64 at byte \d+ is outside the range a JSON number holds exactly/],
  ['FieldsV1 that is not JSON', body(nsType, new Writer().field(1, new Writer().field(17, new Writer().field(7, new Writer().stringField(1, '{nope').finish()).finish()).finish()).finish()), /^metadata\.managedFields\[0\]\.fieldsV1\.raw: not JSON/],
  ['an unclosed group', body(nsType, new Writer().tag(50, 3).tag(1, 0).varint(1).finish()), /group 50 is not closed/],
  ['a group closed by another', body(nsType, new Writer().tag(50, 3).tag(51, 4).finish()), /group 50 closed by end-group 51/],
];

test('a malformed body is a ProtobufError naming the problem and where it is', () => {
  for (const [name, bytes, message] of malformed) {
    assert.throws(() => decodeKubernetesProtobuf(bytes), (err: unknown) => {
      assert.ok(err instanceof ProtobufError, `${name}: ${String(err)}`);
      assert.match(err.message, message, name);
      return true;
    }, name);
  }
});

test('the message descriptions compile: every field names a described message or a scalar', () => {
  for (const [apiVersion, kinds] of Object.entries(protobufKinds)) {
    for (const kind of kinds) assert.ok(messages.has(messageForKind(apiVersion, kind)!), kind);
  }
  assert.throws(() => compileMessages({ A: { 1: 'b Missing' } }), /A\.b names unknown message Missing/);
  assert.throws(() => parseField(1, 'name map<string'), /bad field description 1/);
  assert.deepEqual(parseField(4, 'expirationSeconds int64!'), { number: 4, name: 'expirationSeconds', type: 'int64', message: false, repeated: false, map: false, keepZero: true });
  assert.deepEqual(parseField(11, 'hard map<Quantity>'), { number: 11, name: 'hard', type: 'Quantity', message: true, repeated: false, map: true, keepZero: false });
});
