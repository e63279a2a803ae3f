// Probability calibration: maps a model's scores to probabilities that mean what they say. Platt scaling fits a
// sigmoid (two parameters: good with little data); isotonic regression fits any increasing step function (needs
// more data). Multiclass: one calibrator per class against the rest, then each row renormalised.
import { expectModel, readCount, readFloats } from './model-json.js';
import type { Labels, SerializedModel } from './types.js';

export interface PlattParameters {
  /** P(y = 1 | f) = 1 / (1 + exp(a·f + b)), Platt's sign convention (a < 0 when higher scores mean positive). */
  a: number;
  b: number;
}

/** Platt's sigmoid at score f. */
export function plattProbability({ a, b }: PlattParameters, f: number): number {
  const z = a * f + b;
  return z >= 0 ? Math.exp(-z) / (1 + Math.exp(-z)) : 1 / (1 + Math.exp(z));
}

/**
 * Fits Platt's sigmoid by Newton's method with backtracking on the log loss against Platt's smoothed targets
 * (N₊+1)/(N₊+2) and 1/(N₋+2), following Lin, Lin & Weng (2007), with optional row weights.
 */
export function fitPlatt(scores: ArrayLike<number>, outcomes: ArrayLike<number>, weights?: ArrayLike<number>): PlattParameters {
  const n = scores.length;
  let prior1 = 0;
  let prior0 = 0;
  for (let i = 0; i < n; i++) {
    const w = weights ? weights[i]! : 1;
    if (outcomes[i] === 1) prior1 += w;
    else prior0 += w;
  }
  const hi = (prior1 + 1) / (prior1 + 2);
  const lo = 1 / (prior0 + 2);
  const target = (i: number) => (outcomes[i] === 1 ? hi : lo);
  const loss = (a: number, b: number) => {
    let f = 0;
    for (let i = 0; i < n; i++) {
      const z = a * scores[i]! + b;
      const t = target(i);
      // −[t·log p + (1 − t)·log(1 − p)] with p = 1/(1 + e^z), written to stay finite for any z.
      f += (weights ? weights[i]! : 1) * (z >= 0 ? t * z + Math.log1p(Math.exp(-z)) : (t - 1) * z + Math.log1p(Math.exp(z)));
    }
    return f;
  };
  let a = 0;
  let b = Math.log((prior0 + 1) / (prior1 + 1));
  let value = loss(a, b);
  const sigma = 1e-12; // keeps the Hessian positive definite
  const gradientTolerance = 1e-10 * Math.max(1, prior0 + prior1);
  for (let iter = 0; iter < 100; iter++) {
    let h11 = sigma;
    let h22 = sigma;
    let h21 = 0;
    let g1 = 0;
    let g2 = 0;
    for (let i = 0; i < n; i++) {
      const w = weights ? weights[i]! : 1;
      const f = scores[i]!;
      const p = plattProbability({ a, b }, f);
      const d2 = w * p * (1 - p);
      h11 += f * f * d2;
      h22 += d2;
      h21 += f * d2;
      const d1 = w * (target(i) - p);
      g1 += f * d1;
      g2 += d1;
    }
    // Tighter than Lin et al.'s 1e-5: Newton converges quadratically, so the last digits cost one iteration.
    if (Math.abs(g1) < gradientTolerance && Math.abs(g2) < gradientTolerance) break;
    const det = h11 * h22 - h21 * h21;
    const dA = -(h22 * g1 - h21 * g2) / det;
    const dB = -(-h21 * g1 + h11 * g2) / det;
    const gd = g1 * dA + g2 * dB;
    let step = 1;
    while (step >= 1e-10) {
      const candidate = loss(a + step * dA, b + step * dB);
      if (candidate < value + 1e-4 * step * gd) {
        a += step * dA;
        b += step * dB;
        value = candidate;
        break;
      }
      step /= 2;
    }
    if (step < 1e-10) break; // no further decrease possible
  }
  return { a, b };
}

/** An increasing piecewise-linear map: knots x (ascending) and values y; flat beyond the ends. */
export interface IsotonicFunction {
  x: Float64Array;
  y: Float64Array;
}

/**
 * Weighted isotonic (increasing) regression by pool adjacent violators. Rows with equal x are first merged (their
 * weighted mean), and each fitted block keeps its first and last x as knots, as sklearn's IsotonicRegression does.
 */
export function fitIsotonic(x: ArrayLike<number>, y: ArrayLike<number>, weights?: ArrayLike<number>): IsotonicFunction {
  const order = Uint32Array.from({ length: x.length }, (_, i) => i).sort((i, j) => x[i]! - x[j]!);
  // Blocks on a stack: weighted mean value, weight, first and last x. Tied x are merged into one point before
  // pooling: pooling a tie's members separately can give a different (wrong) fit.
  const value = new Float64Array(x.length);
  const weight = new Float64Array(x.length);
  const first = new Float64Array(x.length);
  const last = new Float64Array(x.length);
  let top = -1;
  let r = 0;
  while (r < order.length) {
    const xi = x[order[r]!]!;
    let w = 0;
    let wy = 0;
    for (; r < order.length && x[order[r]!] === xi; r++) {
      const wi = weights ? weights[order[r]!]! : 1;
      w += wi;
      wy += wi * y[order[r]!]!;
    }
    if (!(w > 0)) continue;
    top++;
    value[top] = wy / w;
    weight[top] = w;
    first[top] = xi;
    last[top] = xi;
    while (top > 0 && value[top - 1]! >= value[top]!) {
      const w2 = weight[top - 1]! + weight[top]!;
      value[top - 1] = (value[top - 1]! * weight[top - 1]! + value[top]! * weight[top]!) / w2;
      weight[top - 1] = w2;
      last[top - 1] = last[top]!;
      top--;
    }
  }
  const xs: number[] = [];
  const ys: number[] = [];
  for (let k = 0; k <= top; k++) {
    xs.push(first[k]!);
    ys.push(value[k]!);
    if (last[k]! > first[k]!) {
      xs.push(last[k]!);
      ys.push(value[k]!);
    }
  }
  return { x: Float64Array.from(xs), y: Float64Array.from(ys) };
}

/** The isotonic function at v: linear between knots, clipped to the end values outside them. */
export function isotonicValue(fn: IsotonicFunction, v: number): number {
  const { x, y } = fn;
  const n = x.length;
  if (n === 0) return NaN;
  if (v <= x[0]!) return y[0]!;
  if (v >= x[n - 1]!) return y[n - 1]!;
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (x[mid]! <= v) lo = mid;
    else hi = mid;
  }
  const t = (v - x[lo]!) / (x[hi]! - x[lo]!);
  return y[lo]! + t * (y[hi]! - y[lo]!);
}

/** Shared one-vs-rest plumbing: which score column each binary calibrator reads, and how rows recombine. */
abstract class OneVsRestCalibrator {
  protected classes = 0;
  /** Score columns per row: 1 (the positive class's score) or `classes`. */
  protected width = 0;

  /** Binary problems solved: 1 for two classes, else one per class. */
  protected get outputs(): number {
    return this.classes === 2 ? 1 : this.classes;
  }

  /** Fits from scores (rows × width, width 1 or `classes`) and the true labels. */
  fit(scores: Float64Array, y: Labels, classes: number, sampleWeight?: Float64Array): this {
    const width = scores.length / y.length;
    if (!(classes >= 2) || (width !== classes && !(classes === 2 && width === 1))) {
      throw new Error(`calibration: ${scores.length} scores for ${y.length} rows × ${classes} classes`);
    }
    this.classes = classes;
    this.width = width;
    const column = new Float64Array(y.length);
    const outcome = new Uint8Array(y.length);
    for (let out = 0; out < this.outputs; out++) {
      const col = classes === 2 ? width - 1 : out;
      const positive = classes === 2 ? 1 : out;
      for (let i = 0; i < y.length; i++) {
        column[i] = scores[i * width + col]!;
        outcome[i] = y[i] === positive ? 1 : 0;
      }
      this.fitOutput(out, column, outcome, sampleWeight);
    }
    return this;
  }

  /** Calibrated probabilities, rows × classes, each row summing to 1. */
  transform(scores: Float64Array): Float64Array {
    if (this.classes === 0) throw new Error('calibration: not fitted');
    if (scores.length % this.width !== 0) throw new Error(`calibration: ${scores.length} scores do not fill rows of ${this.width}`);
    const rows = scores.length / this.width;
    const k = this.classes;
    const proba = new Float64Array(rows * k);
    for (let i = 0; i < rows; i++) {
      if (k === 2) {
        const p = this.predictOutput(0, scores[i * this.width + this.width - 1]!);
        proba[2 * i] = 1 - p;
        proba[2 * i + 1] = p;
        continue;
      }
      let sum = 0;
      for (let c = 0; c < k; c++) sum += proba[i * k + c] = this.predictOutput(c, scores[i * k + c]!);
      // All calibrators saying 0 (possible with isotonic): no information, so uniform.
      for (let c = 0; c < k; c++) proba[i * k + c] = sum > 0 ? proba[i * k + c]! / sum : 1 / k;
    }
    return proba;
  }

  protected abstract fitOutput(out: number, scores: Float64Array, outcomes: Uint8Array, weights?: Float64Array): void;
  protected abstract predictOutput(out: number, score: number): number;
}

/** Platt scaling, one sigmoid per binary problem. */
export class PlattCalibrator extends OneVsRestCalibrator {
  static readonly KIND = 'platt';
  static readonly VERSION = 1;
  private params: PlattParameters[] = [];

  protected fitOutput(out: number, scores: Float64Array, outcomes: Uint8Array, weights?: Float64Array): void {
    this.params[out] = fitPlatt(scores, outcomes, weights);
  }

  protected predictOutput(out: number, score: number): number {
    return plattProbability(this.params[out]!, score);
  }

  toJSON(): SerializedModel {
    return {
      kind: PlattCalibrator.KIND,
      version: PlattCalibrator.VERSION,
      classes: this.classes,
      width: this.width,
      a: this.params.map((p) => p.a),
      b: this.params.map((p) => p.b),
    };
  }

  static fromJSON(json: unknown): PlattCalibrator {
    const m = expectModel(json, PlattCalibrator.KIND, PlattCalibrator.VERSION);
    const c = new PlattCalibrator();
    c.classes = readCount(m, 'classes');
    c.width = readCount(m, 'width');
    const a = readFloats(m, 'a', c.outputs);
    const b = readFloats(m, 'b', c.outputs);
    c.params = Array.from(a, (ai, i) => ({ a: ai, b: b[i]! }));
    return c;
  }
}

/** Isotonic calibration, one increasing function per binary problem. */
export class IsotonicCalibrator extends OneVsRestCalibrator {
  static readonly KIND = 'isotonic';
  static readonly VERSION = 1;
  private functions: IsotonicFunction[] = [];

  protected fitOutput(out: number, scores: Float64Array, outcomes: Uint8Array, weights?: Float64Array): void {
    this.functions[out] = fitIsotonic(scores, outcomes, weights);
  }

  protected predictOutput(out: number, score: number): number {
    return isotonicValue(this.functions[out]!, score);
  }

  toJSON(): SerializedModel {
    return {
      kind: IsotonicCalibrator.KIND,
      version: IsotonicCalibrator.VERSION,
      classes: this.classes,
      width: this.width,
      knots: this.functions.map((f) => ({ x: Array.from(f.x), y: Array.from(f.y) })),
    };
  }

  static fromJSON(json: unknown): IsotonicCalibrator {
    const m = expectModel(json, IsotonicCalibrator.KIND, IsotonicCalibrator.VERSION);
    const c = new IsotonicCalibrator();
    c.classes = readCount(m, 'classes');
    c.width = readCount(m, 'width');
    const knots = m.knots;
    if (!Array.isArray(knots) || knots.length !== c.outputs) throw new Error('isotonic: knots do not match the classes');
    c.functions = knots.map((k: unknown) => {
      const kn = { kind: IsotonicCalibrator.KIND, version: 1, ...(k as object) };
      const x = readFloats(kn, 'x');
      return { x, y: readFloats(kn, 'y', x.length) };
    });
    return c;
  }
}
