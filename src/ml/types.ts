// The shapes every model in src/ml shares. ml/ is pure: no HTTP, no database, no process.env;
// randomness comes from a seeded Rng (platform/random.ts, itself pure) passed in by the caller.

/** A dense row-major matrix: row i, column j is data[i * cols + j]. */
export interface Matrix {
  rows: number;
  cols: number;
  data: Float64Array;
}

/** Class labels 0..classes-1, one per row. */
export type Labels = Int32Array;

/** A trained model as plain JSON: `kind` names the class, `version` its format. */
export interface SerializedModel {
  kind: string;
  version: number;
  [field: string]: unknown;
}

export interface FitOptions {
  /** Per-row weights (class balancing); all 1 when absent. */
  sampleWeight?: Float64Array;
}

/** A classifier over feature vectors. predictProba answers rows × classes, row-major, each row summing to 1. */
export interface Classifier {
  readonly kind: string;
  readonly classes: number;
  fit(x: Matrix, y: Labels, opts?: FitOptions): void;
  predictProba(x: Matrix): Float64Array;
  toJSON(): SerializedModel;
}

/** A classifier over token sequences (page categories, event types): ids in 0..vocabulary-1. */
export interface SequenceClassifier {
  readonly kind: string;
  readonly classes: number;
  fit(sequences: Int32Array[], y: Labels, opts?: FitOptions): void;
  predictProba(sequences: Int32Array[]): Float64Array;
  toJSON(): SerializedModel;
}

export function matrix(rows: number, cols: number, data?: ArrayLike<number>): Matrix {
  const m = { rows, cols, data: new Float64Array(rows * cols) };
  if (data) {
    if (data.length !== rows * cols) throw new Error(`matrix: ${data.length} values for ${rows}×${cols}`);
    m.data.set(data);
  }
  return m;
}

/** The rows at the given indices, as a new matrix. */
export function takeRows(x: Matrix, indices: ArrayLike<number>): Matrix {
  const out = matrix(indices.length, x.cols);
  for (let i = 0; i < indices.length; i++) out.data.set(x.data.subarray(indices[i]! * x.cols, (indices[i]! + 1) * x.cols), i * x.cols);
  return out;
}
