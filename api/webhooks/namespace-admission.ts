/**
 * Namespaces arriving at the admission webhooks, decided as Warden's own
 * API decides them (engine/tenancy/namespace-admission.ts) for the user the
 * review names:
 *
 * - the mutating endpoint (`/webhooks/admission/mutate`) puts a namespace an
 *   owner of one tenant creates into that tenant, by a JSON patch adding the
 *   tenant label; it refuses what the validating endpoint would refuse;
 * - the validating endpoint (`/webhooks/admission`) never patches (the API
 *   server refuses patches from validating webhooks): a namespace that
 *   would need its tenant assigned is refused with the label to set. An
 *   admitted CREATE (not a dry run) is recorded in Warden, with the bindings
 *   its tenant's owners get there, in one write that checks the tenant's
 *   limit again; that is what lets the owners use the namespace, and keeps
 *   racing creates within the limit. A namespace Warden already holds in
 *   the same tenant is admitted as it is.
 * - UPDATE may not change, add or remove the tenant label.
 */
import type { KubeObject } from '../../engine/meta.ts';
import { admitNamespace, type NamespaceVerdict } from '../../engine/tenancy/namespace-admission.ts';
import { tenantLabel, tenantOf } from '../../engine/tenancy/types.ts';
import { aggregateMessage } from '../../engine/validation/field-error.ts';
import type { UserInfo } from '../../engine/rbac/types.ts';
import { StatusError } from '../status.ts';
import type { AppDeps, RequestContext } from '../context.ts';
import { commit, stampNew } from '../resources/commit.ts';
import { kindOf } from '../resources/registry.ts';
import { namespaceCreateVerdict } from '../tenancy/namespace-verdict.ts';
import type { AdmissionRequest, AdmissionVerdict } from './admission-review.ts';

export const mutatePath = '/webhooks/admission/mutate';

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

export function isNamespaceRequest(r: AdmissionRequest): boolean {
  return r.kind.group === '' && r.kind.kind === 'Namespace' && r.subResource === '' && (r.operation === 'CREATE' || r.operation === 'UPDATE');
}

function deny(code: number, reason: string, message: string): AdmissionVerdict {
  return { allowed: false, status: { code, reason, message } };
}

/** The tenant label of an object in a review: the value, undefined when absent, or a verdict when the object is malformed. */
function labelOf(o: Record<string, unknown> | undefined, path: string): string | undefined | AdmissionVerdict {
  if (!o) return deny(400, 'BadRequest', `${path}: Required value: a namespace review carries the namespace`);
  const metadata = o.metadata;
  if (metadata !== undefined && !isObject(metadata)) return deny(422, 'Invalid', `${path}.metadata: Invalid value: must be an object`);
  const labels = (metadata as Record<string, unknown> | undefined)?.labels;
  if (labels === undefined || labels === null) return undefined;
  if (!isObject(labels)) return deny(422, 'Invalid', `${path}.metadata.labels: Invalid value: must map label keys to strings`);
  const value = labels[tenantLabel];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') return deny(422, 'Invalid', `${path}.metadata.labels[${tenantLabel}]: Invalid value: must be a string`);
  return value;
}

function userOf(r: AdmissionRequest): UserInfo {
  const u = r.userInfo;
  return { name: u.username ?? '', groups: u.groups ?? [], ...(u.uid ? { uid: u.uid } : {}), ...(u.extra ? { extra: u.extra } : {}) };
}

function refusal(name: string, v: Exclude<NamespaceVerdict, { allowed: true }>): AdmissionVerdict {
  if ('forbidden' in v) return deny(403, 'Forbidden', v.forbidden);
  return deny(422, 'Invalid', `Namespace "${name}" is invalid: ${aggregateMessage(v.invalid)}`);
}

/** The verdict on a namespace review, with the patch assigning its tenant when `mutating`. */
function decide(deps: AppDeps, r: AdmissionRequest, mutating: boolean): { verdict: AdmissionVerdict; tenant?: string; labels?: Record<string, string> } {
  const tenant = labelOf(r.object, 'request.object');
  if (typeof tenant === 'object') return { verdict: tenant };
  const name = r.name || String((r.object?.metadata as Record<string, unknown> | undefined)?.name ?? '');
  if (r.operation === 'UPDATE') {
    const before = labelOf(r.oldObject, 'request.oldObject');
    if (typeof before === 'object') return { verdict: before };
    const v = admitNamespace({ operation: 'UPDATE', user: r.userInfo.username ?? '', tenant, previousTenant: before, owned: [], mayCreateAny: false, tenants: new Map(), namespaceCount: () => 0 });
    return { verdict: v.allowed ? { allowed: true } : refusal(name, v) };
  }
  const user = userOf(r);
  const v = namespaceCreateVerdict(deps, deps.snapshots.current, user, tenant, name);
  if (!v.allowed) return { verdict: refusal(name, v) };
  if (v.assigned) {
    if (!mutating) {
      return { verdict: deny(422, 'Invalid', `Namespace "${name}" is invalid: metadata.labels[${tenantLabel}]: Required value: namespaces of tenant owners name their tenant: set it to "${v.tenant}" (Warden's mutating webhook at ${mutatePath} sets it)`) };
    }
    const labels = (r.object?.metadata as Record<string, unknown> | undefined)?.labels;
    const patch: AdmissionVerdict['patch'] = isObject(labels)
      ? [{ op: 'add', path: `/metadata/labels/${tenantLabel.replace(/~/g, '~0').replace(/\//g, '~1')}`, value: v.tenant }]
      : [{ op: 'add', path: '/metadata/labels', value: { [tenantLabel]: v.tenant } }];
    return { verdict: { allowed: true, patch }, tenant: v.tenant };
  }
  const ownLabels = (r.object?.metadata as Record<string, unknown> | undefined)?.labels;
  const stringLabels = isObject(ownLabels) ? Object.fromEntries(Object.entries(ownLabels).filter((e): e is [string, string] => typeof e[1] === 'string')) : {};
  return { verdict: { allowed: true }, tenant: v.tenant, labels: stringLabels };
}

/** The mutating endpoint's verdict: namespaces are decided, everything else is allowed unchanged. */
export function mutateNamespace(deps: AppDeps, r: AdmissionRequest): AdmissionVerdict {
  if (!isNamespaceRequest(r)) return { allowed: true };
  return decide(deps, r, true).verdict;
}

/** The validating endpoint's step: undefined for other kinds; an admitted CREATE is recorded unless it is a dry run. */
export async function admitNamespaceReview(deps: AppDeps, ctx: RequestContext, r: AdmissionRequest): Promise<(AdmissionVerdict & { revision?: number }) | undefined> {
  if (!isNamespaceRequest(r)) return undefined;
  const { verdict, tenant, labels } = decide(deps, r, false);
  if (!verdict.allowed || r.operation !== 'CREATE' || r.dryRun) return verdict;
  const name = r.name || String((r.object?.metadata as Record<string, unknown> | undefined)?.name ?? '');
  const asHeld = (): AdmissionVerdict | undefined => {
    const held = deps.snapshots.current.namespaces.get(name);
    if (!held) return undefined;
    if (tenantOf(held) === tenant) return verdict;
    return deny(409, 'AlreadyExists', `namespaces "${name}" already exists in Warden ${tenantOf(held) ? `in tenant "${tenantOf(held)}"` : 'outside any tenant'}`);
  };
  const known = asHeld();
  if (known) return known;
  const k = kindOf('v1', 'Namespace')!;
  const object = stampNew(k, { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: labels ?? {} } } as KubeObject, new Date());
  try {
    // Recorded as the webhook's caller acting for the user the review names.
    const result = await commit(deps, { ...ctx, user: userOf(r) as RequestContext['user'] }, [{ op: 'create', object }]);
    return { ...verdict, revision: result.revision };
  } catch (err) {
    if (!(err instanceof StatusError)) throw err;
    const s = err.status;
    if (s.reason === 'AlreadyExists') {
      // Recorded meanwhile (another replica, or a sync): decided as if it had been there.
      await deps.snapshots.refresh();
      return asHeld() ?? deny(409, 'AlreadyExists', s.message ?? '');
    }
    return deny(s.code, s.reason ?? 'Forbidden', s.message ?? '');
  }
}
