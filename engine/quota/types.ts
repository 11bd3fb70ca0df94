/**
 * The questions quota admission answers and the shape of its answers.
 */
import type { FieldError } from '../validation/field-error.ts';
import type { Operation } from './evaluator.ts';
import type { QuantityParser } from './quantity-parser.ts';
import type { ResourceListJSON } from './resource-list.ts';

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export interface GroupVersionResource {
  group: string;
  version: string;
  resource: string;
}

/** One admission request, as an AdmissionReview carries it. */
export interface QuotaRequest {
  operation: Operation;
  kind: GroupVersionKind;
  resource: GroupVersionResource;
  subResource?: string;
  namespace: string;
  /** May be empty on CREATE with generateName; the object's name is used then. */
  name: string;
  object?: unknown;
  oldObject?: unknown;
}

/**
 * A quota-like limit beyond the namespace's ResourceQuotas, e.g. a tenant's
 * quota whose `used` is the tenant-wide sum. It has no scopes, and a resource
 * missing from `used` counts as zero.
 */
export interface ExtraLimit {
  name: string;
  hard: Record<string, unknown>;
  used: Record<string, unknown>;
  scope: 'tenant';
}

export interface QuotaCheckOptions {
  /** Epoch milliseconds, for pods past their deletion grace period. */
  now?: number;
  extraLimits?: readonly ExtraLimit[];
  /** Reads quantities through the caller's memo; without it each is parsed afresh. */
  quantities?: QuantityParser;
}

/** The new `status.used` of one quota the request charges. */
export interface QuotaCharge {
  quota: string;
  scope: 'namespace' | 'tenant';
  used: ResourceListJSON;
}

export interface QuotaDecision {
  allowed: boolean;
  /** Kubernetes' full message on denial: `<resource> "<name>" is forbidden: <reason>`. */
  message?: string;
  /** Forbidden: over a quota or missing what a quota needs; Invalid: the object cannot be read. */
  reason?: 'Forbidden' | 'Invalid';
  /** Quotas whose usage this request changes; persist them only when it is allowed and not a dry run. */
  charges: QuotaCharge[];
  /** Quotas taken past 90% of a hard limit by an admitted request. */
  warnings: string[];
  /** Why the object could not be read, when reason is Invalid. */
  errors?: FieldError[];
}
