/**
 * Which evaluator measures a group resource, which resources quota admission
 * ignores, and the resource of a kind (for objects that only carry
 * apiVersion and kind).
 */
import { objectCountEvaluator } from './object-count.ts';
import { podEvaluator } from './pods.ts';
import { pvcEvaluator } from './pvcs.ts';
import { serviceEvaluator } from './services.ts';
import type { Evaluator, GroupResource } from './evaluator.ts';

const dedicated: readonly Evaluator[] = [podEvaluator, serviceEvaluator, pvcEvaluator];

/** The evaluator for a group resource: pods, services and PVCs have their own, every other kind is counted. */
export function evaluatorFor(gr: GroupResource): Evaluator {
  return dedicated.find((e) => e.groupResource.group === gr.group && e.groupResource.resource === gr.resource)
    ?? objectCountEvaluator(gr);
}

/** True for pods, services and PVCs. */
export function hasDedicatedEvaluator(gr: GroupResource): boolean {
  return dedicated.some((e) => e.groupResource.group === gr.group && e.groupResource.resource === gr.resource);
}

/** Resources the quota configuration ignores (install.DefaultIgnoredResources and the never-stored reviews). */
const ignored: ReadonlySet<string> = new Set([
  '/events',
  'authentication.k8s.io/tokenreviews',
  'authentication.k8s.io/selfsubjectreviews',
  'authorization.k8s.io/subjectaccessreviews',
  'authorization.k8s.io/selfsubjectaccessreviews',
  'authorization.k8s.io/localsubjectaccessreviews',
  'authorization.k8s.io/selfsubjectrulesreviews',
]);

export function isIgnoredResource(gr: GroupResource): boolean {
  return ignored.has(`${gr.group}/${gr.resource}`);
}

const knownKinds: Record<string, string> = {
  Pod: 'pods', Service: 'services', PersistentVolumeClaim: 'persistentvolumeclaims', ConfigMap: 'configmaps',
  Secret: 'secrets', ReplicationController: 'replicationcontrollers', ResourceQuota: 'resourcequotas',
  Endpoints: 'endpoints', ServiceAccount: 'serviceaccounts', LimitRange: 'limitranges',
  PodTemplate: 'podtemplates', Event: 'events',
};

/**
 * The group resource of an object from its apiVersion and kind: known kinds
 * from a table, others by meta.UnsafeGuessKindToResource (lower-case, then
 * `s`→`ses`, `y`→`ies`, else `+s`).
 */
export function resourceForKind(apiVersion: string, kind: string): GroupResource {
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  if (group === '' && Object.hasOwn(knownKinds, kind)) return { group, resource: knownKinds[kind] };
  const singular = kind.toLowerCase();
  let resource: string;
  if (singular === '') resource = '';
  else if (singular.endsWith('s')) resource = `${singular}es`;
  else if (singular.endsWith('y')) resource = `${singular.slice(0, -1)}ies`;
  else resource = `${singular}s`;
  return { group, resource };
}
