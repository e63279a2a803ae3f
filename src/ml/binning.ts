// Quantile binning: each feature is mapped to at most 255 ordered bins (one byte per value), so the tree learners
// build histograms over bins instead of sorting raw values at every node (as LightGBM and scikit-learn's
// HistGradientBoosting do). A split "code ≤ b" is the same as "x ≤ thresholds[b]" on raw values, so fitted trees
// predict from raw features without the binner.
import { createRng, type Rng } from '../platform/random.js';
import type { Matrix, SerializedModel } from './types.js';

export const MAX_BINS = 255;
const DEFAULT_SUBSAMPLE = 200_000;

/** Binned features: row-major codes (row i, feature f at codes[i * cols + f]) and the bins each feature uses. */
export interface BinnedMatrix {
  rows: number;
  cols: number;
  codes: Uint8Array;
  nBins: Int32Array;
}

export interface BinnerOptions {
  /** At most this many bins per feature (2..255). */
  maxBins?: number;
  /** Thresholds are computed from at most this many rows, drawn with rng. */
  subsample?: number;
  rng?: Rng;
}

export class Binner {
  /**
   * thresholds[f] ascending: a value x gets the smallest code b with x ≤ thresholds[f][b], or thresholds[f].length
   * when it exceeds them all. NaN gets code 0 (it is treated as smaller than every value, and trees send it left).
   */
  constructor(readonly thresholds: Float64Array[]) {}

  /** Learns per-feature cut points at quantiles, placed halfway between distinct values. */
  static fit(x: Matrix, opts: BinnerOptions = {}): Binner {
    const maxBins = opts.maxBins ?? MAX_BINS;
    if (!(maxBins >= 2 && maxBins <= MAX_BINS)) throw new Error(`binning: maxBins must be in 2..${MAX_BINS}`);
    const rows = sampleRows(x.rows, opts.subsample ?? DEFAULT_SUBSAMPLE, opts.rng);
    const column = new Float64Array(rows.length);
    const thresholds: Float64Array[] = [];
    for (let f = 0; f < x.cols; f++) {
      let n = 0;
      for (const i of rows) {
        const v = x.data[i * x.cols + f]!;
        if (!Number.isNaN(v)) column[n++] = v;
      }
      thresholds.push(cutPoints(column.subarray(0, n).sort(), maxBins));
    }
    return new Binner(thresholds);
  }

  /** Features the binner was fitted on. */
  get cols(): number {
    return this.thresholds.length;
  }

  /** The bin of value v of feature f. */
  code(f: number, v: number): number {
    const t = this.thresholds[f]!;
    if (!(v > t[0]!)) return 0; // also NaN, and any v when there are no thresholds
    let lo = 1, hi = t.length; // answer in [1, length]: the first index with v ≤ t[index]
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (v <= t[mid]!) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** Codes for every value of x. */
  transform(x: Matrix): BinnedMatrix {
    if (x.cols !== this.cols) throw new Error(`binning: ${x.cols} columns, fitted on ${this.cols}`);
    const codes = new Uint8Array(x.rows * x.cols);
    for (let i = 0, p = 0; i < x.rows; i++) for (let f = 0; f < x.cols; f++, p++) codes[p] = this.code(f, x.data[p]!);
    return { rows: x.rows, cols: x.cols, codes, nBins: Int32Array.from(this.thresholds, (t) => t.length + 1) };
  }

  toJSON(): SerializedModel {
    return { kind: 'binner', version: 1, thresholds: this.thresholds.map((t) => Array.from(t)) };
  }

  static fromJSON(json: SerializedModel): Binner {
    if (json.kind !== 'binner' || json.version !== 1) throw new Error(`binning: cannot read ${json.kind} v${json.version}`);
    return new Binner((json.thresholds as number[][]).map((t) => Float64Array.from(t)));
  }
}

/** Reorders rows[start, end) so those whose code of feature f is ≤ bin come first; answers where the others start. */
export function partitionRows(binned: BinnedMatrix, rows: Int32Array, start: number, end: number, f: number, bin: number): number {
  const { cols, codes } = binned;
  let a = start, z = end - 1;
  while (a <= z) {
    if (codes[rows[a]! * cols + f]! <= bin) a++;
    else {
      const t = rows[a]!;
      rows[a] = rows[z]!;
      rows[z--] = t;
    }
  }
  return a;
}

/** Row indices to learn thresholds from: all of them, or a seeded sample without replacement when there are many. */
function sampleRows(rows: number, limit: number, rng: Rng | undefined): Int32Array {
  const all = Int32Array.from({ length: rows }, (_, i) => i);
  if (rows <= limit) return all;
  const r = rng ?? createRng(0);
  for (let i = 0; i < limit; i++) {
    const j = r.int(i, rows - 1);
    const t = all[i]!;
    all[i] = all[j]!;
    all[j] = t;
  }
  return all.subarray(0, limit).sort();
}

/** Cut points for sorted values: between every pair of distinct values when they fit, else at quantiles. */
function cutPoints(sorted: Float64Array, maxBins: number): Float64Array {
  const n = sorted.length;
  const cuts: number[] = [];
  // Between sorted[i] and the next larger value, or nothing when sorted[i] is the maximum.
  const cutAbove = (i: number) => {
    const v = sorted[i]!;
    let j = i + 1;
    while (j < n && sorted[j] === v) j++;
    if (j === n) return;
    const mid = v + (sorted[j]! - v) / 2;
    if (cuts.length === 0 || mid > cuts[cuts.length - 1]!) cuts.push(mid);
  };
  let distinct = 0;
  for (let i = 0; i < n && distinct <= maxBins; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) distinct++;
  if (distinct <= maxBins) {
    for (let i = 0; i < n; i++) if (i === n - 1 || sorted[i] !== sorted[i + 1]) cutAbove(i);
  } else {
    // Ties can merge quantiles, leaving fewer than maxBins bins; each bin still holds ~n/maxBins values or one value.
    for (let k = 1; k < maxBins; k++) cutAbove(Math.min(n - 1, Math.floor((k * n) / maxBins)));
  }
  return Float64Array.from(cuts);
}
