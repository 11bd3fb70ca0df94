/**
 * ResourceQuotas. Warden has no quota controller: on create, `status.hard`
 * is `spec.hard` in canonical form and `status.used` starts at zero for each
 * tracked resource; a spec update keeps the usage of resources still tracked.
 * The status subresource (a sync job's) replaces usage wholesale.
 */
import type { KubeObject } from '../../engine/meta.ts';
import type { FieldError } from '../../engine/validation/field-error.ts';
import { canonicalStatusHard, validateResourceQuota, validateResourceQuotaStatusUpdate, validateResourceQuotaUpdate } from '../../engine/quota/index.ts';

type QuotaStatus = { hard?: Record<string, string>; used?: Record<string, string> };

/**
 * Metadata is validated generically and status is derived from the spec on
 * create and update, so only the spec's errors are the caller's to fix.
 */
const specOnly = (errs: FieldError[]) => errs.filter((e) => e.field.startsWith('spec'));
const statusOnly = (errs: FieldError[]) => errs.filter((e) => e.field.startsWith('status'));

/**
 * `spec.hard` is written back in canonical form, as kube-apiserver stores
 * a decoded Quantity; a value that does not parse is kept as sent, so that
 * validation (which runs next) names it.
 */
export function prepareQuota(o: KubeObject, prev?: KubeObject): KubeObject {
  const spec = (o.spec ?? {}) as { hard?: unknown };
  const hard = canonicalStatusHard(spec.hard ?? {});
  const before = ((prev?.status ?? {}) as QuotaStatus).used ?? {};
  const used: Record<string, string> = {};
  for (const name of Object.keys(hard)) used[name] = before[name] ?? '0';
  const sent = spec.hard;
  const specHard = sent && typeof sent === 'object' && !Array.isArray(sent)
    ? Object.fromEntries(Object.entries(sent).map(([k, v]) => [k, hard[k] ?? v]))
    : sent;
  return { ...o, ...(o.spec !== undefined ? { spec: { ...spec, ...(sent !== undefined ? { hard: specHard } : {}) } } : {}), status: { hard, used } };
}

export const validateQuota = (o: KubeObject) => specOnly(validateResourceQuota(o));
export const validateQuotaUpdate = (next: KubeObject, prev: KubeObject) => specOnly(validateResourceQuotaUpdate(next, prev));

/** A status write: the stored spec with the request's status; `status.hard` always follows the spec. */
export function prepareQuotaStatus(body: KubeObject, current: KubeObject): KubeObject {
  const status = (body.status ?? {}) as QuotaStatus;
  return { ...current, metadata: { ...current.metadata, ...pickMeta(body) }, status: { hard: canonicalStatusHard((current.spec as { hard?: unknown }).hard ?? {}), used: status.used ?? {} } };
}

function pickMeta(body: KubeObject) {
  return body.metadata.resourceVersion ? { resourceVersion: body.metadata.resourceVersion } : {};
}

export const validateQuotaStatus = (next: KubeObject, prev: KubeObject) =>
  statusOnly(validateResourceQuotaStatusUpdate({ ...next, metadata: { ...next.metadata, resourceVersion: next.metadata.resourceVersion ?? prev.metadata.resourceVersion } }, prev));
