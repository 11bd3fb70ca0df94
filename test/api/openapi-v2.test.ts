/**
 * /openapi/v2 over HTTP: a Swagger 2.0 document of every served kind, each
 * with `x-kubernetes-group-version-kind` and the merge metadata of its
 * lists, in JSON or in the gnostic protobuf form client-go asks for (read
 * back here with the wire reader), 406 for anything else, an ETag per
 * representation, and the same access as /openapi/v3.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import YAML from 'yaml';
import { WireReader, WireType } from '../../api/protobuf/wire.ts';
import { apiKinds } from '../../api/resources/registry.ts';
import { startTestWarden, type TestWarden } from '../support/warden.ts';
import { rbacBase } from './builders.ts';
import { api, assertStatus, ok, type Api } from './client.ts';
import { userWithToken } from '../iam/support.ts';

const protobufType = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';

let w: TestWarden;
let a: Api;
before(async () => {
  w = await startTestWarden();
  a = api(w);
});
after(async () => { await w?.close(); });

const getV2 = (accept?: string, token: string | null = w.adminToken) => {
  const req = w.http.get('/openapi/v2').buffer(true).parse((res, done) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => done(null, Buffer.concat(chunks)));
  });
  if (token) req.set('Authorization', `Bearer ${token}`);
  if (accept) req.set('Accept', accept);
  return req;
};

/** One message's fields: length-delimited ones as bytes, varints as numbers. */
function fields(bytes: Uint8Array): Map<number, (Uint8Array | number)[]> {
  const r = new WireReader(bytes);
  const out = new Map<number, (Uint8Array | number)[]>();
  while (!r.done) {
    const { field, wireType } = r.tag();
    const v = wireType === WireType.lengthDelimited ? r.bytes() : wireType === WireType.varint ? r.uint() : (r.skip(wireType, field), 0);
    out.set(field, [...(out.get(field) ?? []), v]);
  }
  return out;
}
const text = (b: Uint8Array | number | undefined) => Buffer.from(b as Uint8Array).toString('utf8');
const first = (m: Map<number, (Uint8Array | number)[]>, f: number) => m.get(f)?.[0] as Uint8Array;

test('the JSON document defines every served kind with its group, version and kind', async () => {
  const res = await getV2('application/json');
  assert.equal(res.status, 200);
  assert.match(String(res.headers['content-type']), /^application\/json/);
  const doc = JSON.parse(res.body.toString('utf8'));
  assert.equal(doc.swagger, '2.0');
  for (const k of apiKinds) {
    assert.deepEqual(doc.definitions[k.kind]['x-kubernetes-group-version-kind'], [{ group: k.group, version: k.version, kind: k.kind }], k.kind);
  }
  assert.equal(doc.paths['/apis/rbac.authorization.k8s.io/v1/clusterroles'].post['x-kubernetes-group-version-kind'].kind, 'ClusterRole');
  assert.equal(doc.paths['/apis/rbac.authorization.k8s.io/v1/clusterroles'].post.parameters.at(-1).schema.$ref, '#/definitions/ClusterRole');
});

test('the documents state each list\'s merge strategy as Kubernetes\' types do', async () => {
  const doc = JSON.parse((await getV2('application/json')).body.toString('utf8'));
  const v3 = ok(await a.get('/openapi/v3/api/v1'));
  for (const schemas of [doc.definitions, v3.components.schemas]) {
    assert.deepEqual(
      { key: schemas.ServiceAccount.properties.secrets['x-kubernetes-patch-merge-key'], strategy: schemas.ServiceAccount.properties.secrets['x-kubernetes-patch-strategy'] },
      { key: 'name', strategy: 'merge' },
    );
    assert.equal(schemas.ServiceAccount.properties.imagePullSecrets['x-kubernetes-list-type'], 'atomic');
    assert.equal(schemas.ObjectMeta.properties.finalizers['x-kubernetes-patch-strategy'], 'merge');
    assert.equal(schemas.ObjectMeta.properties.finalizers['x-kubernetes-list-type'], 'set');
    assert.equal(schemas.ObjectMeta.properties.ownerReferences['x-kubernetes-patch-merge-key'], 'uid');
    assert.equal(schemas.RoleBinding.properties.subjects['x-kubernetes-list-type'], 'atomic');
    assert.equal(schemas.RoleBinding.properties.subjects['x-kubernetes-patch-strategy'], undefined);
    assert.equal(schemas.ClusterRole.properties.rules['x-kubernetes-list-type'], 'atomic');
    assert.equal(schemas.NetworkPolicySpec.properties.ingress['x-kubernetes-list-type'], 'atomic');
  }
});

test('protobuf, as client-go asks for it, is gnostic\'s Document with the same definitions', async () => {
  const res = await getV2(protobufType);
  assert.equal(res.status, 200);
  // The name kube-openapi answers with: Go's mime parser refuses the `@` of the requested one.
  assert.equal(res.headers['content-type'], 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf');
  const doc = fields(res.body);
  assert.equal(text(first(doc, 1)), '2.0');
  const definitions = new Map((fields(first(doc, 9)).get(1) ?? []).map((entry) => {
    const named = fields(entry as Uint8Array);
    return [text(first(named, 1)), fields(first(named, 2))] as const;
  }));
  const json = JSON.parse((await getV2('application/json')).body.toString('utf8'));
  assert.deepEqual([...definitions.keys()].sort(), Object.keys(json.definitions).sort());
  const clusterRole = definitions.get('ClusterRole')!;
  assert.deepEqual(fields(first(clusterRole, 22)).get(1)?.map(text), ['object']);
  const extensions = new Map((clusterRole.get(31) ?? []).map((e) => {
    const named = fields(e as Uint8Array);
    return [text(first(named, 1)), YAML.parse(text(first(fields(first(named, 2)), 2)))];
  }));
  assert.deepEqual(extensions.get('x-kubernetes-group-version-kind'), [{ group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRole' }]);
  const properties = (fields(first(clusterRole, 25)).get(1) ?? []).map((p) => text(first(fields(p as Uint8Array), 1)));
  assert.deepEqual(properties, ['apiVersion', 'kind', 'metadata', 'rules', 'aggregationRule']);
});

test('an Accept naming neither JSON nor the protobuf form is 406', async () => {
  const res = await getV2('application/xml');
  assertStatus({ ...res, body: JSON.parse(res.body.toString('utf8')) } as never, { code: 406, reason: 'NotAcceptable', message: [protobufType] });
  assert.equal((await getV2('application/xml, */*;q=0.5')).status, 200, 'a wildcard falls back to JSON');
});

test('each representation has its own ETag, and If-None-Match with it is 304', async () => {
  const json = await getV2('application/json');
  const proto = await getV2(protobufType);
  assert.ok(json.headers.etag && proto.headers.etag);
  assert.notEqual(json.headers.etag, proto.headers.etag);
  const again = await getV2(protobufType).set('If-None-Match', proto.headers.etag);
  assert.equal(again.status, 304);
});

test('who may read /openapi/v2: as /openapi/v3, any authenticated caller RBAC lets get /openapi/*, nobody unauthenticated', async () => {
  assert.equal((await getV2('application/json', null)).status, 401);
  assert.equal((await w.http.get('/openapi/v3')).status, 401);
  // system:authenticated gets /openapi/* through system:discovery.
  const token = await userWithToken(a, 'reader');
  assert.equal((await getV2('application/json', token)).status, 200);
  assert.equal((await w.http.get('/openapi/v3').set('Authorization', `Bearer ${token}`)).status, 200);
  // Taking /openapi/* away from system:authenticated takes both away.
  ok(await a.delete(`${rbacBase}/clusterrolebindings/system:discovery`));
  const denied = await getV2('application/json', token);
  assert.equal(denied.status, 403);
  assert.equal((await w.http.get('/openapi/v3').set('Authorization', `Bearer ${token}`)).status, 403);
});
