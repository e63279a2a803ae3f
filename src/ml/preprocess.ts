// Feature preprocessing fitted on training rows only and serialized beside the model, so serving applies exactly
// the transformation the model was trained on.
import { expectModel, readCount, readFloats, readStrings } from './model-json.js';
import { matrix, type Labels, type Matrix, type SerializedModel } from './types.js';

/** Signed log: sign(v)·ln(1 + |v|); equals log1p for v ≥ 0 and is defined for every real. */
export function signedLog1p(v: number): number {
  return v < 0 ? -Math.log1p(-v) : Math.log1p(v);
}

export interface StandardizerOptions {
  /** Columns passed through signedLog1p before centring (heavy-tailed counts and durations). */
  log1p?: readonly number[];
}

/** Centres each column on its training mean and scales it to unit (population) variance, like sklearn's StandardScaler. */
export class Standardizer {
  static readonly KIND = 'standardizer';
  static readonly VERSION = 1;
  private logColumns: Uint8Array = new Uint8Array(0);
  private mean: Float64Array = new Float64Array(0);
  private scale: Float64Array = new Float64Array(0);
  private readonly logList: readonly number[];

  constructor(options: StandardizerOptions = {}) {
    this.logList = [...(options.log1p ?? [])];
  }

  get columns(): number {
    return this.mean.length;
  }

  /** Learns the means and scales from the training rows. */
  fit(x: Matrix): this {
    const { rows, cols, data } = x;
    this.logColumns = new Uint8Array(cols);
    for (const c of this.logList) {
      if (!Number.isInteger(c) || c < 0 || c >= cols) throw new Error(`standardizer: log1p column ${c} outside 0..${cols - 1}`);
      this.logColumns[c] = 1;
    }
    if (rows === 0) throw new Error('standardizer: no rows to fit');
    const value = (i: number, j: number) => (this.logColumns[j] ? signedLog1p(data[i * cols + j]!) : data[i * cols + j]!);
    // Two passes (mean, then squared deviations): one-pass sums lose the variance of large values such as timestamps.
    const mean = new Float64Array(cols);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) mean[j]! += value(i, j) / rows;
    const variance = new Float64Array(cols);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) variance[j]! += (value(i, j) - mean[j]!) ** 2 / rows;
    this.mean = mean;
    // A constant column keeps scale 1 instead of dividing by rounding noise; "constant" is sklearn's bound on the
    // variance that summation error alone can produce.
    const eps = Number.EPSILON;
    this.scale = variance.map((v, j) => (v > rows * eps * v + (rows * mean[j]! * eps) ** 2 ? Math.sqrt(v) : 1));
    return this;
  }

  /** The standardized copy of x. */
  transform(x: Matrix): Matrix {
    if (x.cols !== this.columns) throw new Error(`standardizer: fitted on ${this.columns} columns, got ${x.cols}`);
    const out = matrix(x.rows, x.cols);
    for (let i = 0; i < x.rows; i++) this.transformRow(x.data.subarray(i * x.cols, (i + 1) * x.cols), out.data.subarray(i * x.cols));
    return out;
  }

  /** Standardizes one row into `out` (serving path: no allocation). */
  transformRow(row: ArrayLike<number>, out: Float64Array): Float64Array {
    for (let j = 0; j < this.mean.length; j++) {
      const v = this.logColumns[j] ? signedLog1p(row[j]!) : row[j]!;
      out[j] = (v - this.mean[j]!) / this.scale[j]!;
    }
    return out;
  }

  toJSON(): SerializedModel {
    return {
      kind: Standardizer.KIND,
      version: Standardizer.VERSION,
      mean: Array.from(this.mean),
      scale: Array.from(this.scale),
      log1p: [...this.logList],
    };
  }

  static fromJSON(json: unknown): Standardizer {
    const m = expectModel(json, Standardizer.KIND, Standardizer.VERSION);
    const log1p = Array.from(readFloats(m, 'log1p'));
    const s = new Standardizer({ log1p });
    s.mean = readFloats(m, 'mean');
    s.scale = readFloats(m, 'scale', s.mean.length);
    if (s.scale.some((v) => v <= 0)) throw new Error('standardizer: scales must be positive');
    s.logColumns = new Uint8Array(s.mean.length);
    for (const c of log1p) {
      if (!Number.isInteger(c) || c < 0 || c >= s.mean.length) throw new Error(`standardizer: log1p column ${c} out of range`);
      s.logColumns[c] = 1;
    }
    return s;
  }
}

/** One 0/1 column per category seen in training (sorted); an unseen value encodes as all zeros. */
export class OneHotEncoder {
  static readonly KIND = 'one-hot';
  static readonly VERSION = 1;
  private index = new Map<string, number>();
  categories: string[] = [];

  /** Learns the categories from the training values. */
  fit(values: readonly string[]): this {
    this.categories = [...new Set(values)].sort();
    this.index = new Map(this.categories.map((c, i) => [c, i]));
    return this;
  }

  /** rows × categories indicator matrix. */
  transform(values: readonly string[]): Matrix {
    const out = matrix(values.length, this.categories.length);
    for (let i = 0; i < values.length; i++) {
      const j = this.index.get(values[i]!);
      if (j !== undefined) out.data[i * out.cols + j] = 1;
    }
    return out;
  }

  /** Column names `prefix=category`. */
  featureNames(prefix: string): string[] {
    return this.categories.map((c) => `${prefix}=${c}`);
  }

  toJSON(): SerializedModel {
    return { kind: OneHotEncoder.KIND, version: OneHotEncoder.VERSION, categories: [...this.categories] };
  }

  static fromJSON(json: unknown): OneHotEncoder {
    const m = expectModel(json, OneHotEncoder.KIND, OneHotEncoder.VERSION);
    return new OneHotEncoder().fit(readStrings(m, 'categories'));
  }
}

/** The matrices side by side (same row count). */
export function hstack(...parts: Matrix[]): Matrix {
  const rows = parts[0]?.rows ?? 0;
  if (parts.some((p) => p.rows !== rows)) throw new Error('hstack: row counts differ');
  const cols = parts.reduce((n, p) => n + p.cols, 0);
  const out = matrix(rows, cols);
  for (let i = 0; i < rows; i++) {
    let offset = i * cols;
    for (const p of parts) {
      out.data.set(p.data.subarray(i * p.cols, (i + 1) * p.cols), offset);
      offset += p.cols;
    }
  }
  return out;
}

/** How many classes the labels need: the given count, else max label + 1 (at least 2). Rejects out-of-range labels. */
export function countClasses(y: Labels, classes?: number): number {
  let max = -1;
  for (let i = 0; i < y.length; i++) {
    const label = y[i]!;
    if (!Number.isInteger(label) || label < 0) throw new Error(`label ${label} at row ${i} is not a class index`);
    if (label > max) max = label;
  }
  const k = classes ?? Math.max(2, max + 1);
  if (max >= k) throw new Error(`label ${max} does not fit ${k} classes`);
  return k;
}

/** sklearn's "balanced" class weights: rows / (classes × rows of the class); 1 for a class with no rows. */
export function balancedClassWeights(y: Labels, classes: number): Float64Array {
  const counts = new Float64Array(classes);
  for (let i = 0; i < y.length; i++) counts[y[i]!]! += 1;
  return counts.map((c) => (c > 0 ? y.length / (classes * c) : 1));
}

/** Class weighting: "balanced" or one weight per class. */
export type ClassWeight = 'balanced' | ArrayLike<number>;

/** Per-row weights: sample weight (default 1) × the weight of the row's class. */
export function rowWeights(y: Labels, classes: number, sampleWeight?: Float64Array, classWeight?: ClassWeight): Float64Array {
  if (sampleWeight && sampleWeight.length !== y.length) throw new Error(`sample weights: ${sampleWeight.length} for ${y.length} rows`);
  const perClass = classWeight === 'balanced' ? balancedClassWeights(y, classes) : classWeight;
  if (perClass && perClass.length !== classes) throw new Error(`class weights: ${perClass.length} for ${classes} classes`);
  const w = new Float64Array(y.length);
  for (let i = 0; i < y.length; i++) {
    const v = (sampleWeight ? sampleWeight[i]! : 1) * (perClass ? perClass[y[i]!]! : 1);
    if (!(v >= 0) || !Number.isFinite(v)) throw new Error(`weight of row ${i} is not a finite non-negative number`);
    w[i] = v;
  }
  return w;
}
