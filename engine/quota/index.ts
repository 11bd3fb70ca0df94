/**
 * Public surface of the quota engine: quantities, ResourceQuota validation,
 * quota admission, release of a deleted object's charge, and usage
 * recalculation. Every function is pure and returns values; none throws.
 */
export {
  parseQuantity, parseQuantityJSON, formatQuantity, compareQuantities, addQuantities, subtractQuantities,
  negateQuantity, newQuantity, milliValue, quantityValue, isZero, sign, isInteger, roundUpToInteger, exactDecimal,
  errFormatWrong, errNumeric, errSuffix, errTooLong, errTooLarge, maxQuantityLength, maxIntegerDigits,
  type Quantity, type QuantityFormat, type ParseQuantityResult,
} from './quantity.ts';
export { QuantityParser } from './quantity-parser.ts';
export type { ResourceListJSON } from './resource-list.ts';
export {
  validateResourceQuota, validateResourceQuotaUpdate, validateResourceQuotaStatusUpdate, canonicalStatusHard,
  validateQuotaResourceName, validateQuotaQuantity,
} from './validation.ts';
export { checkQuotaRequest, forbiddenMessage } from './admission.ts';
export { releaseCharges, type ReleaseOptions, type ReleaseResult } from './release.ts';
export { computeQuotaUsage, type ComputeUsageOptions, type ComputedUsage } from './usage.ts';
export { resourceForKind } from './registry.ts';
export type { GroupResource, Operation } from './evaluator.ts';
export type {
  QuotaRequest, QuotaDecision, QuotaCharge, QuotaCheckOptions, ExtraLimit, GroupVersionKind, GroupVersionResource,
} from './types.ts';
