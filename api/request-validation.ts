/**
 * Requests are validated against openapi.yaml before a handler runs: each
 * route gets, once at start, compiled checks for its operation — the query
 * parameters it takes, their types, the media types its body may have
 * (another is 415), and the body's schema (a mismatch is 400 naming the
 * field).
 *
 * Query parameters are decoded as kube-apiserver's parameter codec decodes
 * them (apimachinery's url.Values conversions): a parameter the operation
 * does not take is ignored; one given twice counts by its first value
 * (unless its schema is a list); an integer is parsed with surrounding
 * space trimmed and empty means 0; a boolean is false only for `0` and
 * `false` in any case (so empty is true); an empty string is the empty
 * string, checked against the parameter's schema like any other. Handlers
 * read the decoded values.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { ValidateFunction } from 'ajv';
import { compileSchema, loadSpec, schemaCauses } from './openapi.ts';
import { queryFlag } from './request-info.ts';
import { mediaTypeOf, rawBody } from './body.ts';
import { badRequest, unsupportedMediaType, type StatusCause } from './status.ts';

interface Parameter { name: string; in: 'query' | 'path' | 'header'; required?: boolean; schema?: Record<string, unknown> }
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

/** A query value as kube decodes it into its schema's type (integers and booleans arrive as strings). */
function coerce(value: unknown, schema: Record<string, unknown> | undefined): unknown {
  if (typeof value !== 'string') return value;
  if (schema?.type === 'integer' || schema?.type === 'number') {
    const text = value.trim();
    return text === '' ? 0 : /^[-+]?\d+$/.test(text) ? Number(text) : value;
  }
  if (schema?.type === 'boolean') return queryFlag(value);
  return value;
}

/** The text a handler reads for a decoded value: integers in canonical form. */
function decodedText(value: string, schema: Record<string, unknown> | undefined): string {
  if (schema?.type !== 'integer' && schema?.type !== 'number') return value;
  const n = coerce(value, schema);
  return typeof n === 'number' ? String(n) : value;
}

interface QueryCheck { validate: ValidateFunction; schema?: Record<string, unknown> }

/** The checks of one operation, compiled once. */
export function requestValidator(template: string, method: string): RequestHandler {
  const spec = loadSpec();
  const item = spec.paths[template] as Record<string, unknown> & { parameters?: Operation['parameters'] };
  const op = item?.[method] as Operation | undefined;
  if (!op) throw new Error(`openapi.yaml has no ${method.toUpperCase()} ${template}`);
  const params = [...(item.parameters ?? []), ...(op.parameters ?? [])].map(resolveParameter);
  const query = new Map<string, QueryCheck>();
  for (const p of params) if (p.in === 'query') query.set(p.name, { validate: compileSchema(p.schema ?? {}), schema: p.schema });
  const bodies = new Map<string, ValidateFunction>();
  for (const [type, media] of Object.entries(op.requestBody?.content ?? {})) bodies.set(type, compileSchema(media.schema ?? {}));
  const bodyRequired = op.requestBody?.required === true;

  return (req: Request, _res: Response, next: NextFunction) => {
    const causes: StatusCause[] = [];
    const decoded: Record<string, string | string[]> = {};
    for (const [name, raw] of Object.entries(req.query)) {
      const check = query.get(name);
      if (!check) continue;
      const list = check.schema?.type === 'array';
      const given = (Array.isArray(raw) ? raw : [raw]).map(String);
      const values = list ? given : given.slice(0, 1);
      const ok = list ? check.validate(values) : check.validate(coerce(values[0], check.schema));
      if (!ok) causes.push(...schemaCauses(check.validate.errors, name));
      decoded[name] = list ? values : decodedText(values[0], check.schema);
    }
    if (causes.length) refuse(causes);
    Object.defineProperty(req, 'query', { value: decoded, configurable: true, enumerable: true });
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
