/**
 * Discovery lists the whole Kubernetes 1.32 API and the registered custom
 * resources, in the legacy documents and the aggregated ones kubectl asks
 * for; requests on resources Warden does not store get kube's 404/405
 * saying so; CustomResourceDefinitions are validated as kube validates
 * them and get their accepted names and conditions from the server.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestWarden, type TestWarden } from '../support/warden.ts';
import type { Obj } from './builders.ts';
import { api, assertRefused, assertStatus, ok, type Api } from './client.ts';

let w: TestWarden;
let a: Api;
before(async () => {
  w = await startTestWarden();
  a = api(w);
});
after(async () => { await w?.close(); });

const kubectlAccept = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';
const crdPath = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
const byName = (list: Obj[], key = 'name') => Object.fromEntries(list.map((r) => [r[key], r]));

function crd(plural: string, group: string, o: { kind?: string; shortNames?: string[]; scope?: string; versions?: Obj[]; singular?: string; categories?: string[] } = {}): Obj {
  const kind = o.kind ?? plural[0].toUpperCase() + plural.slice(1, -1);
  return {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: `${plural}.${group}` },
    spec: {
      group, scope: o.scope ?? 'Namespaced',
      names: { plural, kind, ...(o.singular ? { singular: o.singular } : {}), ...(o.shortNames ? { shortNames: o.shortNames } : {}), ...(o.categories ? { categories: o.categories } : {}) },
      versions: o.versions ?? [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
    },
  };
}

describe('built-in resources in the legacy discovery documents', () => {
  test('/apis lists the Kubernetes groups in kube-apiserver\'s order, then Warden\'s own', async () => {
    const names = ok(await a.get('/apis')).groups.map((g: Obj) => g.name);
    const kube = ['apiregistration.k8s.io', 'apps', 'events.k8s.io', 'authentication.k8s.io', 'authorization.k8s.io', 'autoscaling', 'batch',
      'certificates.k8s.io', 'networking.k8s.io', 'policy', 'rbac.authorization.k8s.io', 'storage.k8s.io', 'admissionregistration.k8s.io',
      'apiextensions.k8s.io', 'scheduling.k8s.io', 'coordination.k8s.io', 'node.k8s.io', 'discovery.k8s.io', 'flowcontrol.apiserver.k8s.io',
      'internal.apiserver.k8s.io', 'resource.k8s.io', 'storagemigration.k8s.io'];
    assert.deepEqual(names.slice(0, kube.length), kube);
    assert.ok(names.includes('tenancy.warden.dev') && names.indexOf('tenancy.warden.dev') >= kube.length);
    const autoscaling = ok(await a.get('/apis/autoscaling'));
    assert.deepEqual(autoscaling.versions.map((v: Obj) => v.version), ['v2', 'v1']);
    assert.deepEqual(autoscaling.preferredVersion, { groupVersion: 'autoscaling/v2', version: 'v2' });
  });

  test('/apis/apps/v1 lists deployments with short name, category and subresources, scale answering autoscaling/v1 Scale', async () => {
    const body = ok(await a.get('/apis/apps/v1'));
    assert.equal(body.groupVersion, 'apps/v1');
    const r = byName(body.resources);
    assert.deepEqual(r.deployments, {
      name: 'deployments', singularName: 'deployment', namespaced: true, kind: 'Deployment',
      verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'], shortNames: ['deploy'], categories: ['all'],
    });
    assert.deepEqual(r['deployments/scale'], { name: 'deployments/scale', singularName: '', namespaced: true, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] });
    assert.deepEqual(r['deployments/status'].verbs, ['get', 'patch', 'update']);
    const names = body.resources.map((x: Obj) => x.name);
    assert.deepEqual(names, [...names].sort(), 'sorted by name as kube lists them');
  });

  test('/api/v1 lists pods and their connect subresources beside the stored kinds and serviceaccounts/token', async () => {
    const r = byName(ok(await a.get('/api/v1')).resources);
    assert.deepEqual(r.pods.shortNames, ['po']);
    assert.deepEqual(r['pods/exec'], { name: 'pods/exec', singularName: '', namespaced: true, kind: 'PodExecOptions', verbs: ['create', 'get'] });
    assert.deepEqual(r['pods/eviction'], { name: 'pods/eviction', singularName: '', namespaced: true, group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] });
    assert.equal(r.nodes.namespaced, false);
    assert.deepEqual(r.namespaces.verbs, ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'], 'a stored kind lists the verbs Warden serves');
    assert.equal(r['serviceaccounts/token'].kind, 'TokenRequest');
    assert.deepEqual(r['resourcequotas/status'].verbs, ['get', 'patch', 'update']);
  });

  test('leases, events.k8s.io events and csinodes are listed in their groups', async () => {
    assert.equal(byName(ok(await a.get('/apis/coordination.k8s.io/v1')).resources).leases.kind, 'Lease');
    assert.deepEqual(byName(ok(await a.get('/apis/events.k8s.io/v1')).resources).events.shortNames, ['ev']);
    assert.equal(byName(ok(await a.get('/apis/storage.k8s.io/v1')).resources).csinodes.namespaced, false);
    assert.equal(byName(ok(await a.get('/apis/apiextensions.k8s.io/v1')).resources).customresourcedefinitions.shortNames.join(), 'crd,crds');
  });
});

describe('aggregated discovery', () => {
  test('/apis with kubectl\'s Accept answers apidiscovery.k8s.io/v2 with every group, resources folded with their subresources', async () => {
    const res = await w.http.get('/apis').set('Authorization', w.auth).set('Accept', kubectlAccept);
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
    const body = JSON.parse(res.text);
    assert.equal(body.kind, 'APIGroupDiscoveryList');
    assert.equal(body.apiVersion, 'apidiscovery.k8s.io/v2');
    const groups = Object.fromEntries(body.items.map((g: Obj) => [g.metadata.name, g]));
    assert.equal(groups[''], undefined, 'the core group is served at /api');
    const apps = groups.apps.versions[0];
    assert.equal(apps.version, 'v1');
    assert.equal(apps.freshness, 'Current');
    assert.deepEqual(byName(apps.resources, 'resource').deployments, {
      resource: 'deployments', responseKind: { group: '', version: '', kind: 'Deployment' }, scope: 'Namespaced', singularResource: 'deployment',
      verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'], shortNames: ['deploy'], categories: ['all'],
      subresources: [
        { subresource: 'scale', responseKind: { group: 'autoscaling', version: 'v1', kind: 'Scale' }, verbs: ['get', 'patch', 'update'] },
        { subresource: 'status', responseKind: { group: '', version: '', kind: 'Deployment' }, verbs: ['get', 'patch', 'update'] },
      ],
    });
    assert.equal(byName(groups['rbac.authorization.k8s.io'].versions[0].resources, 'resource').roles.scope, 'Namespaced');
  });

  test('/api answers the core group aggregated, and v2beta1 when that is preferred', async () => {
    const core = await w.http.get('/api').set('Authorization', w.auth).set('Accept', kubectlAccept);
    const body = JSON.parse(core.text);
    assert.equal(body.items.length, 1);
    assert.equal(body.items[0].metadata.name, undefined);
    const pods = byName(body.items[0].versions[0].resources, 'resource').pods;
    assert.ok(pods.subresources.some((s: Obj) => s.subresource === 'exec' && s.responseKind.kind === 'PodExecOptions'));
    const beta = await w.http.get('/apis').set('Authorization', w.auth).set('Accept', 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList');
    assert.equal(beta.status, 200);
    assert.equal(beta.headers['content-type'], 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList');
    assert.equal(JSON.parse(beta.text).apiVersion, 'apidiscovery.k8s.io/v2beta1');
  });

  test('a client preferring plain JSON gets the legacy documents', async () => {
    const res = await w.http.get('/apis').set('Authorization', w.auth).set('Accept', 'application/json, application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList;q=0.5');
    assert.equal(res.body.kind, 'APIGroupList');
    assert.equal(ok(await a.get('/api')).kind, 'APIVersions');
  });
});

describe('resources Warden does not store', () => {
  test('a read is 404 NotFound saying Warden decides access but does not store them', async () => {
    const list = assertStatus(await a.get('/apis/apps/v1/namespaces/default/deployments'), {
      code: 404, reason: 'NotFound', message: ['the server could not find the requested resource: Warden decides access to deployments.apps but does not store them'],
    });
    assert.deepEqual(list.details, { group: 'apps', kind: 'deployments' });
    const one = assertStatus(await a.get('/api/v1/namespaces/default/pods/web'), { code: 404, reason: 'NotFound', message: ['pods "web" not found', 'does not store them'] });
    assert.deepEqual(one.details, { name: 'web', kind: 'pods' });
    assertStatus(await a.get('/apis/coordination.k8s.io/v1/namespaces/default/leases?watch=true'), { code: 404, reason: 'NotFound', message: ['leases.coordination.k8s.io'] });
    assertStatus(await a.get(`${crdPath}/widgets.example.com/status`), {
      code: 404, reason: 'NotFound', message: ['the server could not find the requested resource: Warden decides access to the status subresource of customresourcedefinitions.apiextensions.k8s.io but does not serve it'],
    });
  });

  test('a write is 405 MethodNotAllowed saying so, and nothing is written', async () => {
    const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' }, spec: {} };
    await assertRefused(w, a, () => a.post('/apis/apps/v1/namespaces/default/deployments', deployment), {
      code: 405, reason: 'MethodNotAllowed', message: ['Warden decides access to deployments.apps but does not store them'],
    });
    await assertRefused(w, a, () => a.post('/api/v1/namespaces/default/pods/web/exec', {}), {
      code: 405, reason: 'MethodNotAllowed', message: ['the exec subresource of pods'],
    });
    await assertRefused(w, a, () => a.delete('/apis/storage.k8s.io/v1/csinodes/node-1'), { code: 405, reason: 'MethodNotAllowed', message: ['csinodes.storage.k8s.io'] });
  });

  test('a verb the resource does not take, a cluster-scoped resource under a namespace and an unknown resource answer as kube does', async () => {
    assertStatus(await a.delete('/api/v1/namespaces/default/bindings/x'), { code: 405, reason: 'MethodNotAllowed', message: ['the server does not allow this method on the requested resource'] });
    assertStatus(await a.get('/api/v1/namespaces/default/nodes'), { code: 404, reason: 'NotFound', message: ['the server could not find the requested resource'] });
    assertStatus(await a.get('/apis/apps/v1/namespaces/default/widgets'), { code: 404, reason: 'NotFound', message: ['the server could not find the requested resource'] });
    assertStatus(await a.get('/apis/apps/v7/deployments'), { code: 404, reason: 'NotFound', message: ['the server could not find the requested resource'] });
  });

  test('the request is authorized first: a caller without access is 403 and learns nothing more', async () => {
    const nobody = api(w, w.adminToken, { 'Impersonate-User': 'nobody' });
    assertStatus(await nobody.get('/apis/apps/v1/namespaces/default/deployments'), {
      code: 403, reason: 'Forbidden', message: ['User "nobody" cannot list resource "deployments" in API group "apps" in the namespace "default"'],
    });
  });
});

describe('CustomResourceDefinitions', () => {
  test('a registration gets its accepted names and conditions, resolves in discovery, and leaves it when deleted', async () => {
    const created = ok(await a.post(crdPath, crd('widgets', 'example.com', { shortNames: ['wd'], categories: ['all'] })), 201);
    assert.equal(created.spec.names.singular, 'widget', 'singular defaults to the kind in lower case');
    assert.equal(created.spec.names.listKind, 'WidgetList');
    assert.deepEqual(created.spec.conversion, { strategy: 'None' });
    assert.equal(created.metadata.generation, 1);
    assert.deepEqual(created.status.acceptedNames, { plural: 'widgets', singular: 'widget', shortNames: ['wd'], kind: 'Widget', listKind: 'WidgetList', categories: ['all'] });
    assert.deepEqual(created.status.conditions.map((c: Obj) => [c.type, c.status, c.reason, c.message]), [
      ['NamesAccepted', 'True', 'NoConflicts', 'no conflicts found'],
      ['Established', 'True', 'InitialNamesAccepted', 'the initial names have been accepted'],
    ]);
    assert.deepEqual(created.status.storedVersions, ['v1']);
    assert.deepEqual(ok(await a.get(`${crdPath}/widgets.example.com`)).status, created.status);

    assert.deepEqual(ok(await a.get('/apis/example.com')).versions, [{ groupVersion: 'example.com/v1', version: 'v1' }]);
    assert.deepEqual(byName(ok(await a.get('/apis/example.com/v1')).resources).widgets, {
      name: 'widgets', singularName: 'widget', namespaced: true, kind: 'Widget',
      verbs: ['delete', 'deletecollection', 'get', 'list', 'patch', 'create', 'update', 'watch'], shortNames: ['wd'], categories: ['all'],
    });
    const agg = JSON.parse((await w.http.get('/apis').set('Authorization', w.auth).set('Accept', kubectlAccept)).text);
    assert.ok(agg.items.some((g: Obj) => g.metadata.name === 'example.com' && g.versions[0].resources[0].resource === 'widgets'));
    assertStatus(await a.get('/apis/example.com/v1/namespaces/default/widgets/w1'), { code: 404, reason: 'NotFound', message: ['widgets.example.com "w1" not found', 'does not store them'] });

    ok(await a.delete(`${crdPath}/widgets.example.com`));
    assertStatus(await a.get('/apis/example.com/v1'), { code: 404, reason: 'NotFound' });
    assertStatus(await a.get('/apis/example.com/v1/namespaces/default/widgets'), { code: 404, reason: 'NotFound', message: ['the server could not find the requested resource'] });
  });

  test('served versions are listed by kube\'s version priority, with their status and scale subresources', async () => {
    const schema = { openAPIV3Schema: { type: 'object' } };
    ok(await a.post(crdPath, crd('gadgets', 'tools.example.org', {
      scope: 'Cluster',
      versions: [
        { name: 'v1alpha1', served: true, storage: false, schema },
        { name: 'v1', served: true, storage: true, schema, subresources: { status: {}, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' } } },
        { name: 'v2beta1', served: true, storage: false, schema },
        { name: 'v0', served: false, storage: false, schema },
      ],
    })), 201);
    const group = ok(await a.get('/apis/tools.example.org'));
    assert.deepEqual(group.versions.map((v: Obj) => v.version), ['v1', 'v2beta1', 'v1alpha1']);
    const r = byName(ok(await a.get('/apis/tools.example.org/v1')).resources);
    assert.equal(r.gadgets.namespaced, false);
    assert.equal(r['gadgets/scale'].kind, 'Scale');
    assert.equal(r['gadgets/status'].kind, 'Gadget');
    assert.equal(byName(ok(await a.get('/apis/tools.example.org/v2beta1')).resources)['gadgets/status'], undefined);
  });

  test('names another registration of the group accepted first are refused: NamesAccepted False, not Established, not served', async () => {
    ok(await a.post(crdPath, crd('sprockets', 'parts.example.com', { kind: 'Sprocket', shortNames: ['sp'] })), 201);
    const clash = ok(await a.post(crdPath, crd('cogs', 'parts.example.com', { kind: 'Sprocket', shortNames: ['sp'] })), 201);
    const names = Object.fromEntries(clash.status.conditions.map((c: Obj) => [c.type, c]));
    assert.equal(names.NamesAccepted.status, 'False');
    // Each conflict found overwrites the condition, as kube's naming controller does: the list kind is checked last.
    assert.equal(names.NamesAccepted.reason, 'ListKindConflict');
    assert.equal(names.NamesAccepted.message, '"SprocketList" is already in use');
    assert.deepEqual([names.Established.status, names.Established.reason], ['False', 'NotAccepted']);
    assert.deepEqual(clash.status.acceptedNames, { plural: 'cogs' }, 'only the names nobody else holds (the singular defaults to "sprocket")');
    assert.deepEqual(ok(await a.get('/apis/parts.example.com/v1')).resources.map((x: Obj) => x.name), ['sprockets']);

    // Not established, its kind may still change: renamed, it is accepted and established; then the kind is fixed.
    const current = ok(await a.get(`${crdPath}/cogs.parts.example.com`));
    const renamed = ok(await a.put(`${crdPath}/cogs.parts.example.com`, { ...current, spec: { ...current.spec, names: { ...current.spec.names, kind: 'Cog', singular: 'cog', listKind: 'CogList', shortNames: ['cg'] } } }));
    assert.deepEqual(renamed.status.conditions.map((c: Obj) => [c.type, c.status]), [['NamesAccepted', 'True'], ['Established', 'True']]);
    assert.equal(renamed.metadata.generation, 2);
    assert.deepEqual(ok(await a.get('/apis/parts.example.com/v1')).resources.map((x: Obj) => x.name), ['cogs', 'sprockets']);
    await assertRefused(w, a, () => a.put(`${crdPath}/cogs.parts.example.com`, { ...renamed, spec: { ...renamed.spec, scope: 'Cluster', names: { ...renamed.spec.names, kind: 'Gear' } } }), {
      code: 422, reason: 'Invalid', message: ['spec.scope: Invalid value: "Cluster": field is immutable', 'spec.names.kind: Invalid value: "Gear": field is immutable'],
    });
  });

  test('deleting the registration that held a name lets the one waiting for it be accepted, in the same write', async () => {
    ok(await a.post(crdPath, crd('bolts', 'hardware.example.com', { kind: 'Bolt' })), 201);
    const waiting = ok(await a.post(crdPath, crd('screws', 'hardware.example.com', { kind: 'Bolt', singular: 'screw' })), 201);
    assert.equal(waiting.status.conditions.find((c: Obj) => c.type === 'Established').status, 'False');
    const deleted = await a.delete(`${crdPath}/bolts.hardware.example.com`);
    assert.equal(deleted.status, 200, JSON.stringify(deleted.body));
    const now = ok(await a.get(`${crdPath}/screws.hardware.example.com`));
    assert.deepEqual(now.status.conditions.map((c: Obj) => [c.type, c.status, c.reason]), [['NamesAccepted', 'True', 'NoConflicts'], ['Established', 'True', 'InitialNamesAccepted']]);
    assert.deepEqual(now.status.acceptedNames, { plural: 'screws', singular: 'screw', kind: 'Bolt', listKind: 'BoltList' });
    assert.ok(Number(now.metadata.resourceVersion) > Number(waiting.metadata.resourceVersion));
    assert.deepEqual(ok(await a.get('/apis/hardware.example.com/v1')).resources.map((x: Obj) => x.name), ['screws']);
  });

  test('a malformed registration is 422 Invalid naming each field, and nothing is written', async () => {
    const bad = crd('things', 'example.com');
    await assertRefused(w, a, () => a.post(crdPath, { ...bad, metadata: { name: 'stuff.example.com' } }), {
      code: 422, reason: 'Invalid', message: ['CustomResourceDefinition.apiextensions.k8s.io "stuff.example.com" is invalid', 'metadata.name: Invalid value: "stuff.example.com": must be spec.names.plural+"."+spec.group'],
    });
    const status = await assertRefused(w, a, () => a.post(crdPath, { ...bad, metadata: { name: 'things.' }, spec: { ...bad.spec, group: '', scope: 'Global' } }), { code: 422, reason: 'Invalid' });
    const fields = status.details.causes.map((c: Obj) => c.field);
    assert.ok(fields.includes('spec.group') && fields.includes('spec.scope'), fields.join());
    assert.ok(status.message.includes('spec.scope: Unsupported value: "Global": supported values: "Cluster", "Namespaced"'), status.message);
    const twoStorage = { ...bad, spec: { ...bad.spec, versions: [bad.spec.versions[0], { ...bad.spec.versions[0], name: 'v2' }] } };
    await assertRefused(w, a, () => a.post(crdPath, twoStorage), { code: 422, reason: 'Invalid', message: ['spec.versions: Invalid value', 'must have exactly one version marked as storage version'] });
    const protectedGroup = crd('things', 'apps.k8s.io');
    await assertRefused(w, a, () => a.post(crdPath, protectedGroup), {
      code: 422, reason: 'Invalid', message: ['metadata.annotations[api-approved.kubernetes.io]: Required value: protected groups must have approval annotation'],
    });
    const badNames = { ...bad, spec: { ...bad.spec, names: { plural: 'things', kind: 'Thing', shortNames: ['Bad_Name'] } } };
    await assertRefused(w, a, () => a.post(crdPath, badNames), { code: 422, reason: 'Invalid', message: ['spec.names.shortNames[0]: Invalid value: "Bad_Name"'] });
    const noSchema = { ...bad, spec: { ...bad.spec, versions: [{ name: 'v1', served: true, storage: true }] } };
    await assertRefused(w, a, () => a.post(crdPath, noSchema), { code: 422, reason: 'Invalid', message: ['spec.versions[0].schema.openAPIV3Schema: Required value: schemas are required'] });
    assertStatus(await a.get(`${crdPath}/things.example.com`), { code: 404, reason: 'NotFound' });
  });

  test('only a caller allowed on customresourcedefinitions may register one', async () => {
    const nobody = api(w, w.adminToken, { 'Impersonate-User': 'nobody' });
    await assertRefused(w, a, () => nobody.post(crdPath, crd('spies', 'example.com')), {
      code: 403, reason: 'Forbidden', message: ['cannot create resource "customresourcedefinitions" in API group "apiextensions.k8s.io"'],
    });
  });
});
