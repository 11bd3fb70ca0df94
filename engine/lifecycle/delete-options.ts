/**
 * DeleteOptions (k8s.io/apimachinery/pkg/apis/meta/v1) as a DELETE carries
 * them, and ValidateDeleteOptions: the same checks, field paths and detail
 * text. A request whose options fail is 422 Invalid, kind
 * `DeleteOptions.meta.k8s.io`, before anything is read or written.
 */
import { goQuote } from '../validation/go-quote.ts';
import { invalid, notSupported, type FieldError } from '../validation/field-error.ts';

export type PropagationPolicy = 'Orphan' | 'Background' | 'Foreground';

export interface Preconditions {
  uid?: string;
  resourceVersion?: string;
}

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  preconditions?: Preconditions;
  /** Deprecated in favour of propagationPolicy; both at once is invalid. */
  orphanDependents?: boolean;
  /** A PropagationPolicy once validated. */
  propagationPolicy?: string;
  dryRun?: string[];
}

const policies: readonly string[] = ['Foreground', 'Background', 'Orphan'];

export function isPropagationPolicy(v: unknown): v is PropagationPolicy {
  return typeof v === 'string' && policies.includes(v);
}

export function validateDeleteOptions(o: DeleteOptions): FieldError[] {
  const errs: FieldError[] = [];
  if (o.orphanDependents !== undefined && o.propagationPolicy !== undefined) {
    errs.push(invalid('propagationPolicy', o.propagationPolicy, 'orphanDependents and deletionPropagation cannot be both set'));
  }
  if (o.propagationPolicy !== undefined && !isPropagationPolicy(o.propagationPolicy)) {
    // The list names "nil" too: an unset policy is the fourth valid value.
    errs.push(notSupported('propagationPolicy', o.propagationPolicy, [...policies, 'nil']));
  }
  const dryRun = o.dryRun ?? [];
  if (dryRun.some((v) => v !== 'All')) {
    // ValidateDryRun reports the whole list, printed as Go prints a []string.
    errs.push({ ...notSupported('dryRun', dryRun, ['All']), printed: `[]string{${dryRun.map(goQuote).join(', ')}}` });
  }
  return errs;
}

/** A dry run: dryRun holds `All` (validated: nothing else can be in it). */
export function isDryRunDelete(o: DeleteOptions): boolean {
  return (o.dryRun ?? []).length > 0;
}
