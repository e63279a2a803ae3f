// Request validation. Bodies are checked strictly: no type coercion and no silent removal
// of unknown fields (Fastify's defaults), so a client bug surfaces as a 400. Query strings
// and path parameters arrive as text, so they are coerced to the declared types.
import { Ajv, type ErrorObject } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifySchema, FastifySchemaCompiler } from 'fastify';

// ajv-formats ships CommonJS with a default export.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

function makeAjv(coerce: boolean): Ajv {
  const ajv = new Ajv({ coerceTypes: coerce ? 'array' : false, removeAdditional: false, useDefaults: true, allErrors: false, strict: false });
  addFormats(ajv);
  return ajv;
}

export function createValidatorCompiler(): FastifySchemaCompiler<FastifySchema> {
  const strict = makeAjv(false);
  const coercing = makeAjv(true);
  return ({ schema, httpPart }) => (httpPart === 'body' ? strict : coercing).compile(schema as object) as never;
}

/** A message a developer can act on, plus the raw list as details. */
export function describeValidationError(errors: Partial<ErrorObject>[], context: string): { message: string; details: object[] } {
  const details = errors.map((e) => {
    const path = `${context}${e.instancePath ?? ''}`;
    const extra = e.params as Record<string, unknown> | undefined;
    if (e.keyword === 'additionalProperties') return { path, message: `unknown field "${String(extra?.additionalProperty)}"` };
    if (e.keyword === 'required') return { path, message: `missing required field "${String(extra?.missingProperty)}"` };
    return { path, message: e.message ?? 'is invalid' };
  });
  const first = details[0];
  return { message: first ? `${first.path}: ${first.message}` : `${context} is invalid`, details };
}
