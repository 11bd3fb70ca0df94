/**
 * Type checks for objects the request validator never sees whole: objects
 * inside a review (RBACChangeReview's `spec.apply[i]`), items of a bulk
 * apply, and the result of applying a patch. Each is checked against its
 * kind's schema in openapi.yaml, the contract a create of that kind is held
 * to. Wrong types are 400 with the field named, as the request validator
 * reports them; validation proper (kube's rules) comes after.
 */
import { componentValidator, schemaCauses } from './openapi.ts';
import type { StatusCause } from './status.ts';

/**
 * The type errors of `value` against the component schema `schemaName`,
 * as Status causes with fields under `prefix`; none when the schema is
 * unknown. Only types are checked: unknown fields are no error.
 */
export function shapeErrors(schemaName: string, value: unknown, prefix: string): StatusCause[] {
  const validate = componentValidator(schemaName);
  if (!validate || validate(value)) return [];
  return schemaCauses(validate.errors, prefix);
}
