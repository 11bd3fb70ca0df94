/**
 * The PersistentVolumeClaim evaluator
 * (pkg/quota/v1/evaluator/core/persistent_volume_claims.go).
 *
 * Handles CREATE and UPDATE. A claim charges `persistentvolumeclaims`,
 * `count/persistentvolumeclaims` and `requests.storage`, and the same under
 * `<class>.storageclass.storage.k8s.io/` when it names a storage class (the
 * beta annotation wins over `spec.storageClassName`; an empty name is no
 * class). Storage is rounded up to a whole byte, and a larger
 * `status.allocatedResources.storage` is what is charged. Only the
 * VolumeAttributesClass scope selects claims.
 */
import type { Labels } from '../meta.ts';
import { required } from '../validation/field-error.ts';
import { ObjectReader } from './object-reader.ts';
import { compareQuantities, newQuantity, roundUpToInteger, type Quantity } from './quantity.ts';
import type { ResourceList } from './resource-list.ts';
import { storageClassSuffix } from './resource-names.ts';
import { scopeRequirementMatches, scopeVolumeAttributesClass, type ScopeMatch } from './scopes.ts';
import { readMeta, readResult, type Evaluator, type ReadResult } from './evaluator.ts';

const betaStorageClassAnnotation = 'volume.beta.kubernetes.io/storage-class';
const pvcResources = ['persistentvolumeclaims', 'requests.storage'];

export const pvcEvaluator: Evaluator = {
  groupResource: { group: '', resource: 'persistentvolumeclaims' },
  handles(operation) {
    return operation === 'CREATE' || operation === 'UPDATE';
  },
  matchingResources(names) {
    return names.filter((n) =>
      n === 'count/persistentvolumeclaims' ||
      pvcResources.includes(n) ||
      pvcResources.some((res) => n.endsWith(storageClassSuffix + res)));
  },
  read(raw, path, validate, readQuantity): ReadResult {
    const r = new ObjectReader(readQuantity);
    const obj = r.object(raw, path || 'object');
    const sp = path ? `${path}.spec` : 'spec';
    const stp = path ? `${path}.status` : 'status';
    const meta = readMeta(r, obj, path);
    const spec = r.field(obj, 'spec', path, r.object);
    const status = r.field(obj, 'status', path, r.object);
    const specClass = r.field(spec, 'storageClassName', sp, r.string);
    const storageClass = Object.hasOwn(meta.annotations, betaStorageClassAnnotation)
      ? meta.annotations[betaStorageClassAnnotation]
      : specClass ?? '';
    const resources = r.field(spec, 'resources', sp, r.object);
    const requested = r.field(resources, 'requests', `${sp}.resources`, r.resourceList)?.get('storage');
    const accessModes = r.field(spec, 'accessModes', sp, r.strings) ?? [];
    const allocatedList = r.field(status, 'allocatedResources', stp, r.resourceList) ?? new Map();
    const vacNames = new Set<string>();
    const vac = r.field(spec, 'volumeAttributesClassName', sp, r.string);
    const currentVac = r.field(status, 'currentVolumeAttributesClassName', stp, r.string);
    const modify = r.field(status, 'modifyVolumeStatus', stp, r.object);
    const targetVac = r.field(modify, 'targetVolumeAttributesClassName', `${stp}.modifyVolumeStatus`, r.string);
    for (const n of [vac, currentVac, targetVac]) if (n) vacNames.add(n);
    if (obj === undefined && r.errors.length === 0) r.errors.push({ type: 'FieldValueRequired', field: path || 'object', detail: 'a PersistentVolumeClaim is required' });
    if (obj !== undefined && validate !== undefined && r.errors.length === 0) {
      // ValidatePersistentVolumeClaimSpec: access modes and a storage request are required.
      if (accessModes.length === 0) r.errors.push(required(`${sp}.accessModes`, 'at least 1 access mode is required'));
      if (requested === undefined) r.errors.push(required(`${sp}.resources[storage]`));
    }

    const storage = (): Quantity | undefined => {
      if (requested === undefined) return undefined;
      const charged = roundUpToInteger(requested);
      const allocated = allocatedList.get('storage');
      if (allocated !== undefined && compareQuantities(allocated, charged) > 0) return roundUpToInteger(allocated);
      return charged;
    };

    return readResult(r, {
      meta,
      usage(): ResourceList {
        const out: ResourceList = new Map([
          ['persistentvolumeclaims', newQuantity(1)],
          ['count/persistentvolumeclaims', newQuantity(1)],
        ]);
        if (storageClass !== '') out.set(`${storageClass}${storageClassSuffix}persistentvolumeclaims`, newQuantity(1));
        const s = storage();
        if (s !== undefined) {
          out.set('requests.storage', s);
          if (storageClass !== '') out.set(`${storageClass}${storageClassSuffix}requests.storage`, s);
        }
        return out;
      },
      matchesScope(req): ScopeMatch {
        if (req.scopeName !== scopeVolumeAttributesClass) return { ok: true, match: false };
        if (req.operator === 'Exists') return { ok: true, match: vacNames.size > 0 };
        if (vacNames.size === 0) return scopeRequirementMatches(req, undefined);
        for (const name of vacNames) {
          const labels: Labels = { [scopeVolumeAttributesClass]: name };
          const m = scopeRequirementMatches(req, labels);
          if (!m.ok || m.match) return m;
        }
        return { ok: true, match: false };
      },
      constraints: () => undefined,
    });
  },
};
