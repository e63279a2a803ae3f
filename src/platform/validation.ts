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

let sharedStrict: Ajv | undefined;
/** A strict (body-style) validator for data checked outside a route schema, e.g. one event of a batch. */
export function compileStrict<T>(schema: object): ((data: unknown) => data is T) & { errors?: ErrorObject[] | null } {
  sharedStrict ??= makeAjv(false);
  return sharedStrict.compile<T>(schema) as never;
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

/** Deepest nesting a request may send: jsonb and JSON.stringify give up long before the body limit does. */
export const MAX_JSON_DEPTH = 64;
// A NUL character or an unpaired UTF-16 surrogate: PostgreSQL can store neither in text or jsonb.
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * The first place in a parsed request part (body, query, params) that the database could not
 * store, which schemas cannot express: without this check such input ends as a 500.
 */
export function findUnstorable(value: unknown, context: string): { path: string; message: string } | undefined {
  const stack: [value: unknown, path: string, depth: number][] = [[value, context, 0]];
  while (stack.length > 0) {
    const [v, path, depth] = stack.pop()!;
    if (typeof v === 'string') {
      if (UNSTORABLE.test(v)) return { path, message: 'must not contain NUL characters or unpaired surrogates' };
    } else if (typeof v === 'object' && v !== null) {
      if (depth >= MAX_JSON_DEPTH) return { path, message: `is nested more than ${MAX_JSON_DEPTH} levels deep` };
      for (const [key, child] of Object.entries(v)) {
        if (UNSTORABLE.test(key)) return { path, message: 'has a field name with a NUL character or an unpaired surrogate' };
        stack.push([child, `${path}/${key}`, depth + 1]);
      }
    }
  }
  return undefined;
}

/** A plain JSON object (not null, not an array): for reading free-form settings defensively. */
export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
