import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorString } from '../../../engine/validation/field-error.ts';
import { nameIsDNSSubdomain, validatePathSegmentName } from '../../../engine/validation/names.ts';
import { validateObjectMeta, validateObjectMetaUpdate, type ObjectMetaOptions } from '../../../engine/validation/object-meta.ts';
import type { ObjectMeta } from '../../../engine/meta.ts';

const namespaced = { namespaced: true, nameFn: nameIsDNSSubdomain };
const clusterScoped = { namespaced: false, nameFn: validatePathSegmentName };
const check = (meta: ObjectMeta, opts: ObjectMetaOptions = namespaced) => validateObjectMeta(meta, opts).map(errorString);

test('a well-formed namespaced object passes', () => {
  assert.deepEqual(check({ name: 'web', namespace: 'team-a', labels: { app: 'web' }, annotations: { 'Example.com/Note': 'x' } }), []);
});

test('name is required unless generateName is given, and both follow the name rule', () => {
  assert.deepEqual(check({ namespace: 'a' }), ['metadata.name: Required value: name or generateName is required']);
  assert.deepEqual(check({ generateName: 'web-', namespace: 'a' }), ['metadata.name: Required value: name or generateName is required']);
  const errs = check({ name: 'Web', generateName: 'Web-', namespace: 'a' });
  assert.equal(errs.length, 2);
  assert.match(errs[0], /^metadata\.generateName: Invalid value: "Web-": a lowercase RFC 1123 subdomain/);
  assert.match(errs[1], /^metadata\.name: Invalid value: "Web": a lowercase RFC 1123 subdomain/);
});

test('namespace is required on namespaced kinds and forbidden on cluster-scoped ones', () => {
  assert.deepEqual(check({ name: 'a' }), ['metadata.namespace: Required value']);
  assert.match(check({ name: 'a', namespace: 'Team.A' })[0], /^metadata\.namespace: Invalid value: "Team\.A": a lowercase RFC 1123 label/);
  assert.deepEqual(check({ name: 'system:admin', namespace: 'x' }, clusterScoped), ['metadata.namespace: Forbidden: not allowed on this type']);
  assert.deepEqual(check({ name: 'system:admin' }, clusterScoped), []);
});

test('annotations are limited to 256 KiB in total', () => {
  const big = { 'a': 'x'.repeat(256 * 1024) };
  assert.deepEqual(check({ name: 'a', namespace: 'b', annotations: big }), ['metadata.annotations: Too long: may not be more than 262144 bytes']);
  assert.deepEqual(check({ name: 'a', namespace: 'b', annotations: { a: 'x'.repeat(256 * 1024 - 1) } }), []);
});

test('finalizers and owner references have their basic shape checked', () => {
  assert.deepEqual(check({ name: 'a', namespace: 'b', finalizers: ['orphan', 'foregroundDeletion'] }), [
    'metadata.finalizers: Invalid value: ["orphan","foregroundDeletion"]: finalizer orphan and foregroundDeletion cannot be both set',
  ]);
  const refs = [
    { apiVersion: '', kind: '', name: '', uid: '' },
    { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'r1', uid: 'u1', controller: true },
    { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'r2', uid: 'u2', controller: true },
  ];
  const errs = check({ name: 'a', namespace: 'b', ownerReferences: refs });
  assert.deepEqual(errs.slice(0, 4), [
    'metadata.ownerReferences.apiVersion: Invalid value: "": version must not be empty',
    'metadata.ownerReferences.kind: Invalid value: "": must not be empty',
    'metadata.ownerReferences.name: Invalid value: "": must not be empty',
    'metadata.ownerReferences.uid: Invalid value: "": must not be empty',
  ]);
  assert.match(errs[4], /Only one reference can have Controller set to true\. Found "true" in references for ReplicaSet\/r1 and ReplicaSet\/r2$/);
});

test('an update may not change name, namespace, uid or creationTimestamp', () => {
  const prev: ObjectMeta = { name: 'a', namespace: 'b', uid: 'u1', creationTimestamp: '2024-01-01T00:00:00Z', resourceVersion: '5' };
  assert.deepEqual(validateObjectMetaUpdate({ ...prev, labels: { x: 'y' } }, prev).map(errorString), []);
  const next: ObjectMeta = { name: 'c', namespace: 'd', uid: 'u2', creationTimestamp: '2025-01-01T00:00:00Z', resourceVersion: '5' };
  assert.deepEqual(validateObjectMetaUpdate(next, prev).map(errorString), [
    'metadata.name: Invalid value: "c": field is immutable',
    'metadata.namespace: Invalid value: "d": field is immutable',
    'metadata.uid: Invalid value: "u2": field is immutable',
    'metadata.creationTimestamp: Invalid value: "2025-01-01T00:00:00Z": field is immutable',
  ]);
});

test('an update needs a resourceVersion unless the caller updates unconditionally', () => {
  const prev: ObjectMeta = { name: 'a', namespace: 'b', resourceVersion: '5' };
  assert.deepEqual(validateObjectMetaUpdate({ name: 'a', namespace: 'b' }, prev).map(errorString), [
    'metadata.resourceVersion: Invalid value: "": must be specified for an update',
  ]);
  assert.deepEqual(validateObjectMetaUpdate({ name: 'a', namespace: 'b' }, prev, 'metadata', { requireResourceVersion: false }), []);
});

test('a deleting object gains no finalizers', () => {
  const prev: ObjectMeta = { name: 'a', resourceVersion: '1', deletionTimestamp: '2024-01-01T00:00:00Z', finalizers: ['x.io/a'] };
  assert.deepEqual(validateObjectMetaUpdate({ ...prev, finalizers: ['x.io/a', 'x.io/b'] }, prev).map(errorString), [
    'metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"x.io/b"}',
  ]);
});
