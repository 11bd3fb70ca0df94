/**
 * The pure rules of deletion (engine/lifecycle): which finalizers the
 * garbage collector's options leave, when an object is marked or removed,
 * a namespace's first deletion and the namespace controller's pass, and
 * DeleteOptions validation with kube's words.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../engine/meta.ts';
import { validateDeleteOptions } from '../../../engine/lifecycle/delete-options.ts';
import { deletionOf, gcFinalizers, isRemovable, type DeletionPolicy } from '../../../engine/lifecycle/deletion.ts';
import { finalizeNamespace, markNamespace } from '../../../engine/lifecycle/namespace-deletion.ts';
import { errorBody } from '../../../engine/validation/field-error.ts';

const now = '2026-01-02T03:04:05Z';
const later = '2026-01-02T03:09:05Z';
const role = (name: string, finalizers?: string[], extra: Partial<KubeObject['metadata']> = {}): KubeObject =>
  ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name, namespace: 'ns', uid: `uid-${name}`, ...(finalizers ? { finalizers } : {}), ...extra } });
const ns = (finalizers?: string[], spec = ['kubernetes']): KubeObject =>
  ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns', uid: 'uid-ns', ...(finalizers ? { finalizers } : {}) }, spec: { finalizers: spec }, status: { phase: 'Active' } });

describe('gcFinalizers (deletionFinalizersForGarbageCollection)', () => {
  const cases: [string, string[], DeletionPolicy, string[] | undefined][] = [
    ['no policy keeps what is there', ['a', 'orphan'], {}, undefined],
    ['Foreground appends foregroundDeletion', ['a'], { propagationPolicy: 'Foreground' }, ['a', 'foregroundDeletion']],
    ['Orphan swaps foregroundDeletion for orphan', ['foregroundDeletion', 'a'], { propagationPolicy: 'Orphan' }, ['a', 'orphan']],
    ['Background removes both', ['orphan', 'a', 'foregroundDeletion'], { propagationPolicy: 'Background' }, ['a']],
    ['orphanDependents true adds orphan', [], { orphanDependents: true }, ['orphan']],
    ['orphanDependents false removes both and adds nothing', ['orphan'], { orphanDependents: false }, []],
    ['an unchanged set is undefined whatever the order', ['foregroundDeletion', 'a'], { propagationPolicy: 'Foreground' }, undefined],
  ];
  for (const [name, finalizers, policy, want] of cases) test(name, () => assert.deepEqual(gcFinalizers(finalizers, policy), want));
});

describe('deletionOf', () => {
  test('nothing holds it: removed', () => assert.deepEqual(deletionOf(role('r'), {}, now), { kind: 'remove' }));
  test('only the collector\'s finalizers: removed, the collector having done its work', () => {
    assert.deepEqual(deletionOf(role('r', ['orphan']), {}, now), { kind: 'remove' });
    assert.deepEqual(deletionOf(role('r'), { propagationPolicy: 'Foreground' }, now), { kind: 'remove' });
  });
  test('held: marked with a zero grace period and the generation bumped once', () => {
    const d = deletionOf(role('r', ['x'], { generation: 3 }), { propagationPolicy: 'Foreground' }, now);
    assert.equal(d.kind, 'mark');
    const m = (d as { object: KubeObject }).object.metadata;
    assert.deepEqual([m.deletionTimestamp, m.deletionGracePeriodSeconds, m.finalizers, m.generation], [now, 0, ['x', 'foregroundDeletion'], 4]);
    const again = deletionOf((d as { object: KubeObject }).object, {}, later);
    assert.deepEqual(again, { kind: 'unchanged' }, 'deleting it again changes nothing');
    const orphaned = deletionOf((d as { object: KubeObject }).object, { propagationPolicy: 'Orphan' }, later) as { object: KubeObject };
    assert.deepEqual([orphaned.object.metadata.deletionTimestamp, orphaned.object.metadata.generation], [now, 4], 'the first timestamp stays');
  });
  test('isRemovable: deleting, and nothing but the collector\'s finalizers (and for a namespace no spec finalizers)', () => {
    assert.equal(isRemovable(role('r', ['orphan'], { deletionTimestamp: now })), true);
    assert.equal(isRemovable(role('r', ['x'], { deletionTimestamp: now })), false);
    assert.equal(isRemovable(role('r', [])), false, 'not being deleted');
    const terminating = markNamespace(ns(), {}, now);
    assert.equal(isRemovable(terminating), false);
    assert.equal(isRemovable({ ...terminating, spec: { finalizers: [] } }), true);
  });
});

describe('namespaces', () => {
  test('the first delete marks it Terminating without a grace period; orphanDependents false means Foreground', () => {
    const m = markNamespace(ns(['x']), { orphanDependents: false }, now);
    assert.deepEqual([m.metadata.deletionTimestamp, m.metadata.deletionGracePeriodSeconds, m.metadata.finalizers, (m.status as { phase: string }).phase],
      [now, undefined, ['x', 'foregroundDeletion'], 'Terminating']);
  });

  test('the controller\'s pass: free content goes, held content is marked and counted in the conditions', () => {
    const marked = markNamespace(ns(), {}, now);
    const content = [role('free'), role('held', ['x', 'y']), role('held2', ['x'])];
    const r = finalizeNamespace(marked, content, () => 'roles.rbac.authorization.k8s.io', now);
    assert.deepEqual(r.remove.map((o) => o.metadata.name), ['free']);
    assert.deepEqual(r.mark.map((o) => [o.metadata.name, o.metadata.deletionTimestamp]), [['held', now], ['held2', now]]);
    const status = r.namespace!.status as { conditions: { type: string; status: string; reason: string; message: string; lastTransitionTime: string }[] };
    assert.deepEqual(status.conditions.map((c) => [c.type, c.status, c.reason]), [
      ['NamespaceDeletionDiscoveryFailure', 'False', 'ResourcesDiscovered'],
      ['NamespaceDeletionGroupVersionParsingFailure', 'False', 'ParsedGroupVersions'],
      ['NamespaceDeletionContentFailure', 'False', 'ContentDeleted'],
      ['NamespaceContentRemaining', 'True', 'SomeResourcesRemain'],
      ['NamespaceFinalizersRemaining', 'True', 'SomeFinalizersRemain'],
    ]);
    assert.equal(status.conditions[3].message, 'Some resources are remaining: roles.rbac.authorization.k8s.io has 2 resource instances');
    assert.equal(status.conditions[4].message, 'Some content in the namespace has finalizers remaining: x in 2 resource instances, y in 1 resource instances');
    assert.deepEqual((r.namespace!.spec as { finalizers: string[] }).finalizers, ['kubernetes']);

    // Once the content is gone the conditions flip (with a new transition time) and the namespace goes.
    const emptied = finalizeNamespace({ ...r.namespace!, metadata: { ...r.namespace!.metadata, finalizers: ['own'] } }, [], () => '', later);
    const flipped = (emptied.namespace!.status as typeof status).conditions;
    assert.deepEqual(flipped.slice(3).map((c) => [c.status, c.reason, c.lastTransitionTime]), [['False', 'ContentRemoved', later], ['False', 'ContentHasNoFinalizers', later]]);
    assert.equal(flipped[0].lastTransitionTime, now, 'an unchanged condition keeps its time');
    assert.deepEqual((emptied.namespace!.spec as { finalizers: string[] }).finalizers, []);
    assert.equal(finalizeNamespace(r.namespace!, [], () => '', later).namespace, null);
  });
});

describe('validateDeleteOptions', () => {
  const bodies = (o: Parameters<typeof validateDeleteOptions>[0]) => validateDeleteOptions(o).map((e) => `${e.field}: ${errorBody(e)}`);
  test('valid options have no errors', () => assert.deepEqual(bodies({ propagationPolicy: 'Orphan', dryRun: ['All'], gracePeriodSeconds: 0 }), []));
  test('kube\'s words for bad values', () => {
    assert.deepEqual(bodies({ propagationPolicy: 'bogus', orphanDependents: true, dryRun: ['All', 'x'] }), [
      'propagationPolicy: Invalid value: "bogus": orphanDependents and deletionPropagation cannot be both set',
      'propagationPolicy: Unsupported value: "bogus": supported values: "Foreground", "Background", "Orphan", "nil"',
      'dryRun: Unsupported value: []string{"All", "x"}: supported values: "All"',
    ]);
  });
});
