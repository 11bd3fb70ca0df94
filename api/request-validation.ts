/**
 * Requests are validated against openapi.yaml before a handler runs: each
 * route gets, once at start, compiled checks for its operation — the query
 * parameters it takes (an unknown one is 400), their types, the media types
 * its body may have (another is 415), and the body's schema (a mismatch is
 * 400 naming the field). Values are checked as strings arrive; handlers
 * read them as they are.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { ValidateFunction } from 'ajv';
import { compileSchema, loadSpec, schemaCauses } from './openapi.ts';
import { queryFlag } from './request-info.ts';
import { mediaTypeOf, rawBody } from './body.ts';
import { badRequest, unsupportedMediaType, type StatusCause } from './status.ts';

interface Parameter { name: string; in: 'query' | 'path' | 'header'; required?: boolean; allowEmptyValue?: boolean; schema?: Record<string, unknown> }
interface Operation {
  parameters?: (Parameter | { $ref: string })[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: unknown }> };
}

function resolveParameter(p: Parameter | { $ref: string }): Parameter {
  if ('$ref' in p) return loadSpec().components.parameters[p.$ref.replace('#/components/parameters/', '')] as Parameter;
  return p;
}

function refuse(causes: StatusCause[]): never {
  const text = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message)).join('; ');
  throw badRequest(`the request does not match the API schema: ${text}`, causes);
}

/** A query value as its schema's type: integers and booleans arrive as strings. */
function coerce(value: unknown, schema: Record<string, unknown> | undefined): unknown {
  if (typeof value !== 'string') return value;
  if (schema?.type === 'integer' || schema?.type === 'number') return /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
  if (schema?.type === 'boolean') return queryFlag(value);
  return value;
}

interface QueryCheck { validate: ValidateFunction; schema?: Record<string, unknown>; allowEmpty: boolean }

/** The checks of one operation, compiled once. */
export function requestValidator(template: string, method: string): RequestHandler {
  const spec = loadSpec();
  const item = spec.paths[template] as Record<string, unknown> & { parameters?: Operation['parameters'] };
  const op = item?.[method] as Operation | undefined;
  if (!op) throw new Error(`openapi.yaml has no ${method.toUpperCase()} ${template}`);
  const params = [...(item.parameters ?? []), ...(op.parameters ?? [])].map(resolveParameter);
  const query = new Map<string, QueryCheck>();
  for (const p of params) if (p.in === 'query') query.set(p.name, { validate: compileSchema(p.schema ?? {}), schema: p.schema, allowEmpty: p.allowEmptyValue === true });
  const bodies = new Map<string, ValidateFunction>();
  for (const [type, media] of Object.entries(op.requestBody?.content ?? {})) bodies.set(type, compileSchema(media.schema ?? {}));
  const bodyRequired = op.requestBody?.required === true;

  return (req: Request, _res: Response, next: NextFunction) => {
    const causes: StatusCause[] = [];
    for (const [name, raw] of Object.entries(req.query)) {
      const check = query.get(name);
      if (!check) {
        causes.push({ reason: 'FieldValueInvalid', message: `Unknown query parameter '${name}'`, field: name });
        continue;
      }
      // A parameter given twice is a list; only a parameter whose schema is a list takes one.
      if (Array.isArray(raw) && check.schema?.type !== 'array') {
        causes.push({ reason: 'FieldValueInvalid', message: 'must be given once', field: name });
        continue;
      }
      for (const v of Array.isArray(raw) ? raw : [raw]) {
        // As OpenAPI has it, a parameter without allowEmptyValue may not be given empty.
        if (v === '' && !check.allowEmpty) causes.push({ reason: 'FieldValueInvalid', message: 'must not be empty', field: name });
        else if (!check.validate(coerce(v, check.schema))) causes.push(...schemaCauses(check.validate.errors, name));
      }
    }
    if (causes.length) refuse(causes);
    const raw = rawBody(req);
    if (raw && raw.length) {
      if (bodies.size) {
        const type = mediaTypeOf(req);
        const validate = bodies.get(type);
        if (!validate) throw unsupportedMediaType(type || '(none)');
        if (!validate(req.body)) refuse(schemaCauses(validate.errors));
      }
    } else if (bodyRequired) {
      throw badRequest('the request body is empty');
    }
    next();
  };
}
