/**
 * NetworkPolicy admission: a NetworkPolicy created or updated through a
 * cluster is validated as kube-apiserver validates it, and an invalid one is
 * denied with kube's Invalid message
 * (`NetworkPolicy.networking.k8s.io "name" is invalid: <errors>`). Other
 * kinds and operations get no opinion here.
 */
import type { KubeObject } from '../../engine/meta.ts';
import type { NetworkPolicy } from '../../engine/network/types.ts';
import { validateNetworkPolicy, validateNetworkPolicyUpdate } from '../../engine/network/validation.ts';
import type { FieldError } from '../../engine/validation/field-error.ts';
import { invalid } from '../status.ts';
import type { AdmissionRequest, AdmissionVerdict } from './admission-review.ts';

const group = 'networking.k8s.io';

export function isNetworkPolicy(request: AdmissionRequest): boolean {
  return request.kind.group === group && request.kind.kind === 'NetworkPolicy';
}

/** The object as the API server stores it: namespace and name from the request when the object leaves them out. */
function withIdentity(o: Record<string, unknown>, request: AdmissionRequest): NetworkPolicy {
  const meta = o.metadata !== null && typeof o.metadata === 'object' && !Array.isArray(o.metadata) ? o.metadata as Record<string, unknown> : {};
  return {
    ...o,
    metadata: { ...meta, namespace: meta.namespace ?? request.namespace, name: meta.name ?? (request.name || undefined) },
  } as unknown as NetworkPolicy;
}

/** Undefined (no opinion) unless `request` creates or updates a NetworkPolicy. */
export function admitNetworkPolicy(request: AdmissionRequest): AdmissionVerdict | undefined {
  if (!isNetworkPolicy(request) || request.subResource) return undefined;
  if (request.operation !== 'CREATE' && request.operation !== 'UPDATE') return undefined;
  if (!request.object) {
    return { allowed: false, status: { code: 400, reason: 'BadRequest', message: `request.object: Required value: the NetworkPolicy to ${request.operation === 'CREATE' ? 'create' : 'update'}` } };
  }
  const next = withIdentity(request.object, request);
  let errors: FieldError[];
  try {
    errors = request.operation === 'UPDATE' && request.oldObject
      ? validateNetworkPolicyUpdate(next, withIdentity(request.oldObject, request), { requireResourceVersion: false })
      : validateNetworkPolicy(next);
  } catch (err) {
    // Validation reads typed fields; a value of the wrong JSON type anywhere is a malformed object.
    const why = err instanceof Error ? err.message : String(err);
    return { allowed: false, status: { code: 400, reason: 'BadRequest', message: `the NetworkPolicy in request.object could not be read: ${why}` } };
  }
  if (!errors.length) return { allowed: true };
  const name = (next as unknown as KubeObject).metadata?.name;
  const status = invalid('NetworkPolicy', group, typeof name === 'string' ? name : undefined, errors).status;
  return { allowed: false, status: { code: status.code, reason: status.reason!, message: status.message! } };
}
