/**
 * ResourceQuota admission of one AdmissionRequest, with usage kept true
 * under concurrency.
 *
 * CREATE and UPDATE: an admission that charges usage is decided on the
 * namespace's quotas, and the new `status.used` is stored only if those
 * quotas are still as decided on (prisma/store/quota-charge.ts), so concurrent
 * requests (on any replica) are charged one after another and never push
 * usage past `hard`. A dry run is decided on the quotas as last committed
 * and changes nothing.
 *
 * A namespace of a tenant whose Tenant sets `spec.resourceQuota` is also
 * held to that quota: the request must fit the namespace's quotas and the
 * tenant's, and is charged to both in the same write.
 *
 * DELETE: Kubernetes leaves usage to its quota controller, which recounts
 * the namespace's objects after a deletion. Warden has no controller and
 * does not see the objects, so the DELETE itself gives back the charge of
 * `oldObject`, in the same way. The `/status` subresource replaces
 * usage wholesale for a sync job that recounts.
 */
import type { KubeObject } from '../../engine/meta.ts';
import { aggregateMessage, errorBody } from '../../engine/validation/field-error.ts';
import {
  checkQuotaRequest, releaseCharges, QuantityParser, type ExtraLimit, type QuotaCharge, type QuotaDecision, type QuotaRequest,
} from '../../engine/quota/index.ts';
import type { TenantUsage, UsageUpdate } from '../../prisma/store/quota.ts';
import { tenantOf } from '../../engine/tenancy/types.ts';
import { actorOf, type AppDeps, type RequestContext } from '../context.ts';
import type { AdmissionRequest, AdmissionVerdict } from './admission-review.ts';

export interface QuotaAdmissionOptions {
  /**
   * Quota-like limits beyond the namespace's ResourceQuotas (a tenant's
   * quota), checked with them. Their charges have scope `tenant` and are not
   * stored here: whoever supplies limits must read and charge them in the
   * same transaction as the namespace's quotas.
   */
  extraLimits?: readonly ExtraLimit[];
}

/** A verdict, and the revision of the write that stored its charges, when one was made. */
export interface QuotaVerdict extends AdmissionVerdict {
  revision?: number;
}

const allowed: QuotaVerdict = { allowed: true };

/**
 * Quantities met in quotas and objects, parsed once: quota checks read every
 * quota of the namespace afresh in their transaction, and the same few
 * strings (`500m`, `1Gi`) recur in nearly every request.
 */
const quantities = new QuantityParser();

/** The tenant's quota as a limit checked beside the namespace's quotas. */
function tenantLimits(tenant: TenantUsage | undefined, extra: readonly ExtraLimit[]): ExtraLimit[] {
  return tenant ? [...extra, { name: tenant.name, hard: tenant.hard, used: tenant.used, scope: 'tenant' }] : [...extra];
}

/** The tenant-wide usage a decision stores, when it charges the tenant. */
function tenantUsed(charges: readonly QuotaCharge[], tenant: TenantUsage | undefined): Record<string, string> | undefined {
  if (!tenant) return undefined;
  const c = charges.find((x) => x.scope === 'tenant' && x.quota === tenant.name);
  return c ? (c.used as Record<string, string>) : undefined;
}

/** The namespace usage a decision stores: its charges of ResourceQuotas. */
function namespaceUpdates(charges: readonly QuotaCharge[]): UsageUpdate[] {
  return charges.filter((c) => c.scope === 'namespace').map((c) => ({ quota: c.quota, used: c.used }));
}

/**
 * The verdict on a decision. An Invalid one carries, as kube-apiserver's
 * Invalid Status does, the object's kind and name and one cause per field.
 */
function verdictOf(d: QuotaDecision, request: AdmissionRequest): QuotaVerdict {
  if (d.allowed) return d.warnings.length ? { allowed: true, warnings: d.warnings } : allowed;
  const status = { code: d.reason === 'Invalid' ? 422 : 403, reason: d.reason ?? 'Forbidden', message: d.message ?? 'forbidden by quota' };
  if (d.reason !== 'Invalid' || !d.errors?.length) return { allowed: false, status };
  const details = {
    name: request.name || objectName(request.object),
    ...(request.kind.group ? { group: request.kind.group } : {}),
    kind: request.kind.kind,
    causes: d.errors.map((e) => ({ reason: e.type, message: errorBody(e), field: e.field })),
  };
  const invalid: QuotaVerdict['status'] & { details: typeof details } = { ...status, details };
  return { allowed: false, status: invalid };
}

function objectName(object: Record<string, unknown> | undefined): string {
  const meta = object?.metadata;
  if (typeof meta !== 'object' || meta === null) return '';
  const { name, generateName } = meta as Record<string, unknown>;
  return typeof name === 'string' && name ? name : typeof generateName === 'string' ? generateName : '';
}

function quotaRequestOf(r: AdmissionRequest): QuotaRequest {
  return {
    operation: r.operation, kind: r.kind, resource: r.resource, subResource: r.subResource,
    namespace: r.namespace, name: r.name, object: r.object, oldObject: r.oldObject,
  };
}

/** Decides `request` against the quotas of its namespace, storing the charge or release when it has one. */
export async function admitQuota(deps: AppDeps, ctx: RequestContext, request: AdmissionRequest, options: QuotaAdmissionOptions = {}): Promise<QuotaVerdict> {
  const namespace = request.namespace;
  if (!namespace) return allowed;
  if (request.operation === 'DELETE') return release(deps, ctx, request, options);
  if (request.operation !== 'CREATE' && request.operation !== 'UPDATE') return allowed;

  const question = quotaRequestOf(request);
  const tenant = tenantOf(deps.snapshots.current.namespaces.get(namespace));
  const now = Date.now();
  const decide = (quotas: KubeObject[], t?: TenantUsage) => {
    const d = checkQuotaRequest(question, quotas, { now, quantities, extraLimits: tenantLimits(t, options.extraLimits ?? []) });
    return { updates: d.allowed ? namespaceUpdates(d.charges) : [], tenantUsed: d.allowed ? tenantUsed(d.charges, t) : undefined, value: d };
  };
  if (request.dryRun) {
    return verdictOf(decide(await deps.store.readQuotas(namespace), await deps.store.readTenantUsage(tenant)).value, request);
  }
  const out = await deps.store.chargeQuotas(namespace, actorOf(ctx), decide, tenant);
  return withRevision(verdictOf(out.value, request), out.revision);
}

async function release(deps: AppDeps, ctx: RequestContext, request: AdmissionRequest, options: QuotaAdmissionOptions): Promise<QuotaVerdict> {
  if (request.dryRun || request.subResource || !request.oldObject) return allowed;
  const resource = { group: request.resource.group, resource: request.resource.resource };
  const tenant = tenantOf(deps.snapshots.current.namespaces.get(request.namespace));
  const out = await deps.store.chargeQuotas(request.namespace, actorOf(ctx), (quotas, t) => {
    const r = releaseCharges(request.oldObject, resource, quotas, { namespace: request.namespace, quantities, extraLimits: tenantLimits(t, options.extraLimits ?? []) });
    return { updates: namespaceUpdates(r.charges), tenantUsed: tenantUsed(r.charges, t), value: r };
  }, tenant);
  if (out.value.errors.length) {
    return { allowed: true, warnings: [`the quota charge of this object was not released: ${aggregateMessage(out.value.errors)}`] };
  }
  return withRevision(allowed, out.revision);
}

/**
 * Quota usage is not part of the decision snapshot, so the answer does not
 * wait for this replica to load the revision (its listener or poll will).
 */
function withRevision(verdict: QuotaVerdict, revision: number | undefined): QuotaVerdict {
  return revision === undefined ? verdict : { ...verdict, revision };
}
