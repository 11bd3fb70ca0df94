/**
 * The catalogue of the Kubernetes API and the custom resource rules, on
 * their own: each fact declared once (no resource twice in a group
 * version, no stored kind repeated there), kube's version priority, and the
 * naming controller's rules for accepting a registration's names.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kubernetesGroups } from '../../engine/catalogue.ts';
import { acceptNames, compareVersionPriority, customResourceEntries, prepareCustomResourceDefinition } from '../../engine/custom-resources.ts';
import { kindIdentities } from '../../engine/kinds.ts';
import type { KubeObject } from '../../engine/meta.ts';

test('no resource is listed twice in a group version, and no stored kind is listed in the catalogue', () => {
  const seen = new Set<string>();
  const stored = new Set(Object.values(kindIdentities).map((k) => `${k.group}/${k.version}/${k.plural}`));
  for (const g of kubernetesGroups) {
    for (const v of g.versions) {
      for (const r of v.resources) {
        const key = `${g.name}/${v.version}/${r.name}`;
        assert.ok(!seen.has(key), `${key} twice`);
        assert.ok(!stored.has(key), `${key} is a stored kind`);
        seen.add(key);
        assert.ok(r.verbs.length > 0 && (r.subresources ?? []).every((s) => s.verbs.length > 0), key);
      }
    }
  }
});

test('versions sort by kube\'s priority: GA, beta, alpha, higher first, then the rest by name', () => {
  const sorted = ['v1', 'foo', 'v2', 'v1beta1', 'v1alpha1', 'v10', 'v2beta2', 'bar', 'v1beta2', 'v11alpha2'].sort(compareVersionPriority);
  assert.deepEqual(sorted, ['v10', 'v2', 'v1', 'v2beta2', 'v1beta2', 'v1beta1', 'v11alpha2', 'v1alpha1', 'bar', 'foo']);
});

const crd = (plural: string, kind: string, shortNames: string[] = [], group = 'example.com'): KubeObject => prepareCustomResourceDefinition({
  apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: `${plural}.${group}`, creationTimestamp: '2026-01-01T00:00:00Z' },
  spec: { group, scope: 'Namespaced', names: { plural, kind, shortNames }, versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } } }] },
});
const now = '2026-01-02T00:00:00Z';
const condition = (o: KubeObject, type: string) => ((o.status as { conditions: { type: string; status: string; reason: string; message: string }[] }).conditions).find((c) => c.type === type)!;

test('a short name another registration of the group accepted is refused; the same name in another group is not', () => {
  const a = acceptNames(crd('widgets', 'Widget', ['w']), [], now);
  const b = acceptNames(crd('gadgets', 'Gadget', ['w', 'g']), [a], now);
  assert.deepEqual([condition(b, 'NamesAccepted').reason, condition(b, 'NamesAccepted').message], ['ShortNamesConflict', '"w" is already in use']);
  assert.equal((b.status as { acceptedNames: { shortNames?: string[] } }).acceptedNames.shortNames, undefined);
  assert.deepEqual(customResourceEntries(b), [], 'not served until established');
  const elsewhere = acceptNames(crd('gadgets', 'Gadget', ['w'], 'other.example.com'), [a], now);
  assert.equal(condition(elsewhere, 'NamesAccepted').status, 'True');
  assert.equal(customResourceEntries(elsewhere)[0].resource.name, 'gadgets');
});

test('accepted names stay accepted: a registration keeps a name it holds, and its conditions keep their transition time', () => {
  const a = acceptNames(crd('widgets', 'Widget', ['w']), [], now);
  const again = acceptNames(prepareCustomResourceDefinition(crd('widgets', 'Widget', ['w', 'wd']), a), [], '2026-01-03T00:00:00Z');
  assert.deepEqual((again.status as { acceptedNames: { shortNames: string[] } }).acceptedNames.shortNames, ['w', 'wd']);
  assert.equal((condition(again, 'Established') as unknown as { lastTransitionTime: string }).lastTransitionTime, now);
  assert.equal(again.metadata.generation, 2);
  assert.deepEqual((again.status as { storedVersions: string[] }).storedVersions, ['v1']);
});
