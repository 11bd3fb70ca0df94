/**
 * Type checks for objects the request validator never sees whole: objects
 * inside a review (RBACChangeReview's `spec.apply[i]`), items of a bulk
 * apply, and the result of applying a patch. Each is checked against its
 * kind's schema in openapi.yaml, the contract a create of that kind is held
 * to. Wrong types are 400 with the field named, as the request validator
 * reports them; validation proper (kube's rules) comes after.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { loadSpec } from './openapi.ts';
import type { StatusCause } from './status.ts';

const specId = 'warden-openapi';
let ajv: Ajv | undefined;
const validators = new Map<string, ValidateFunction | undefined>();

function validatorFor(schemaName: string): ValidateFunction | undefined {
  if (validators.has(schemaName)) return validators.get(schemaName);
  if (!ajv) {
    // OpenAPI 3.0 schemas: `nullable` is a keyword, extensions (x-*) are not, formats are informational here.
    ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    ajv.addSchema({ $id: specId, components: { schemas: loadSpec().components.schemas } });
  }
  const schema = loadSpec().components.schemas[schemaName];
  const validate = schema ? ajv.getSchema(`${specId}#/components/schemas/${schemaName}`) : undefined;
  validators.set(schemaName, validate);
  return validate;
}

/** `/rules/0/verbs` under `spec.apply[2]` -> `spec.apply[2].rules[0].verbs`. */
function fieldOf(prefix: string, instancePath: string): string {
  return instancePath.split('/').slice(1).reduce((acc, seg) => {
    const s = seg.replace(/~1/g, '/').replace(/~0/g, '~');
    return /^\d+$/.test(s) ? `${acc}[${s}]` : acc ? `${acc}.${s}` : s;
  }, prefix);
}

/**
 * The type errors of `value` against the component schema `schemaName`,
 * as Status causes with fields under `prefix`; none when the schema is
 * unknown. Only types are checked: unknown fields are no error.
 */
export function shapeErrors(schemaName: string, value: unknown, prefix: string): StatusCause[] {
  const validate = validatorFor(schemaName);
  if (!validate || validate(value)) return [];
  const seen = new Set<string>();
  const causes: StatusCause[] = [];
  for (const e of (validate.errors ?? []) as ErrorObject[]) {
    const field = fieldOf(prefix, e.instancePath);
    const message = e.message ?? 'is not valid';
    if (seen.has(`${field}\u0000${message}`)) continue;
    seen.add(`${field}\u0000${message}`);
    causes.push({ reason: 'FieldValueInvalid', message, field });
  }
  return causes;
}
