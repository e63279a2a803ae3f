// Reading models back from JSON: artifacts come from the database or a file, so each field is checked
// before a model trusts it (a truncated or hand-edited artifact fails loudly instead of predicting NaN).
import type { SerializedModel } from './types.js';

/** Checks that `json` is a serialized `kind` in a format version this build reads (1..version). */
export function expectModel(json: unknown, kind: string, version: number): SerializedModel {
  if (!json || typeof json !== 'object') throw new Error(`${kind}: not a serialized model`);
  const model = json as SerializedModel;
  if (model.kind !== kind) throw new Error(`expected a ${kind} model, got ${String(model.kind)}`);
  if (!Number.isInteger(model.version) || model.version < 1 || model.version > version) {
    throw new Error(`${kind}: format version ${String(model.version)} is not readable by this build (reads 1..${version})`);
  }
  return model;
}

/** A finite number field. */
export function readNumber(json: SerializedModel, field: string): number {
  const v = json[field];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${json.kind}: field ${field} is not a finite number`);
  return v;
}

/** A non-negative integer field. */
export function readCount(json: SerializedModel, field: string): number {
  const v = readNumber(json, field);
  if (!Number.isInteger(v) || v < 0) throw new Error(`${json.kind}: field ${field} is not a non-negative integer`);
  return v;
}

/** An array of finite numbers, optionally of a required length. */
export function readFloats(json: SerializedModel, field: string, length?: number): Float64Array {
  const v = json[field];
  if (!Array.isArray(v) || !v.every((n) => typeof n === 'number' && Number.isFinite(n))) {
    throw new Error(`${json.kind}: field ${field} is not an array of finite numbers`);
  }
  if (length !== undefined && v.length !== length) throw new Error(`${json.kind}: field ${field} has ${v.length} values, expected ${length}`);
  return Float64Array.from(v as number[]);
}

/** An array of strings. */
export function readStrings(json: SerializedModel, field: string): string[] {
  const v = json[field];
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) throw new Error(`${json.kind}: field ${field} is not an array of strings`);
  return v as string[];
}

/** A nested serialized object (a calibrator inside a model). */
export function readObject(json: SerializedModel, field: string): unknown {
  const v = json[field];
  if (!v || typeof v !== 'object') throw new Error(`${json.kind}: field ${field} is missing`);
  return v;
}
