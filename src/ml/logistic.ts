// Logistic regression with an L2 penalty, fitted to the optimum by full-batch L-BFGS: binary with one weight vector
// (sigmoid), multiclass with one per class (softmax, sklearn's multinomial). Same objective as sklearn's
// LogisticRegression(C) so coefficients can be compared with a reference run.
import { minimizeLbfgs } from './lbfgs.js';
import { expectModel, readCount, readFloats, readNumber } from './model-json.js';
import { countClasses, rowWeights, type ClassWeight } from './preprocess.js';
import type { Classifier, FitOptions, Labels, Matrix, SerializedModel } from './types.js';

export interface LogisticOptions {
  /** Inverse regularisation strength, as sklearn's C: minimises C·Σᵢ wᵢ·lossᵢ + ½‖W‖² (intercepts unpenalised). Default 1. */
  C?: number;
  classWeight?: ClassWeight;
  /** L-BFGS iterations at most (default 500). */
  maxIterations?: number;
  /** Converged when max |gradient| of the objective divided by Σwᵢ is below this (default 1e-6). */
  tolerance?: number;
  classes?: number;
}

/** log(1 + eᶻ) without overflow. */
function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

/**
 * The fitting objective (Σᵢ wᵢ·lossᵢ + ‖W‖²/(2C)) / Σᵢ wᵢ and its gradient, for parameters laid out as the weights
 * (outputs × features, row-major) then the intercepts (outputs). outputs = 1 is the binary sigmoid model.
 */
export function logisticObjective(
  params: Float64Array,
  x: Matrix,
  y: Labels,
  w: Float64Array,
  outputs: number,
  C: number,
  grad: Float64Array,
): number {
  const d = x.cols;
  const data = x.data;
  const bias = outputs * d;
  grad.fill(0);
  let loss = 0;
  let totalWeight = 0;
  const z = new Float64Array(outputs);
  for (let i = 0; i < x.rows; i++) {
    const wi = w[i]!;
    totalWeight += wi;
    if (wi === 0) continue;
    const off = i * d;
    if (outputs === 1) {
      let s = params[bias]!;
      for (let j = 0; j < d; j++) s += params[j]! * data[off + j]!;
      const label = y[i]!;
      loss += wi * (softplus(s) - label * s);
      const r = wi * (1 / (1 + Math.exp(-s)) - label);
      for (let j = 0; j < d; j++) grad[j]! += r * data[off + j]!;
      grad[bias]! += r;
      continue;
    }
    let max = -Infinity;
    for (let k = 0; k < outputs; k++) {
      let s = params[bias + k]!;
      const wk = k * d;
      for (let j = 0; j < d; j++) s += params[wk + j]! * data[off + j]!;
      z[k] = s;
      if (s > max) max = s;
    }
    let sum = 0;
    for (let k = 0; k < outputs; k++) sum += Math.exp(z[k]! - max);
    const logSum = max + Math.log(sum);
    loss += wi * (logSum - z[y[i]!]!);
    for (let k = 0; k < outputs; k++) {
      const r = wi * (Math.exp(z[k]! - logSum) - (y[i] === k ? 1 : 0));
      const wk = k * d;
      for (let j = 0; j < d; j++) grad[wk + j]! += r * data[off + j]!;
      grad[bias + k]! += r;
    }
  }
  let penalty = 0;
  for (let j = 0; j < bias; j++) {
    penalty += params[j]! * params[j]!;
    grad[j]! += params[j]! / C;
  }
  loss += penalty / (2 * C);
  const scale = totalWeight > 0 ? 1 / totalWeight : 1;
  for (let j = 0; j < grad.length; j++) grad[j]! *= scale;
  return loss * scale;
}

export interface FitInfo {
  iterations: number;
  converged: boolean;
  /** Final value of the (weight-normalised) objective. */
  objective: number;
}

/** Multinomial logistic regression with L2 and class/sample weights. */
export class LogisticRegression implements Classifier {
  static readonly KIND = 'logistic-regression';
  static readonly VERSION = 1;
  readonly kind = LogisticRegression.KIND;
  private k = 0;
  private d = 0;
  /** outputs × features, then outputs intercepts (outputs = 1 for two classes). */
  private params: Float64Array = new Float64Array(0);
  private readonly options: LogisticOptions;
  fitInfo: FitInfo | undefined;

  constructor(options: LogisticOptions = {}) {
    this.options = { ...options };
    if (!((options.C ?? 1) > 0)) throw new Error('logistic-regression: C must be > 0');
  }

  get classes(): number {
    return this.k;
  }

  private get outputs(): number {
    return this.k === 2 ? 1 : this.k;
  }

  fit(x: Matrix, y: Labels, opts: FitOptions = {}): void {
    if (x.rows !== y.length) throw new Error(`logistic-regression: ${x.rows} rows but ${y.length} labels`);
    this.k = countClasses(y, this.options.classes);
    this.d = x.cols;
    const w = rowWeights(y, this.k, opts.sampleWeight, this.options.classWeight);
    const outputs = this.outputs;
    const C = this.options.C ?? 1;
    const result = minimizeLbfgs(
      (params, grad) => logisticObjective(params, x, y, w, outputs, C, grad),
      new Float64Array(outputs * (x.cols + 1)),
      { maxIterations: this.options.maxIterations ?? 500, gradientTolerance: this.options.tolerance ?? 1e-6 },
    );
    this.params = result.x;
    this.fitInfo = { iterations: result.iterations, converged: result.converged, objective: result.value };
  }

  /** The linear scores, rows × outputs (one column, the log-odds of class 1, for two classes). */
  decisionFunction(x: Matrix): Float64Array {
    const { d } = this;
    if (this.k === 0) throw new Error('logistic-regression: not fitted');
    if (x.cols !== d) throw new Error(`logistic-regression: fitted on ${d} features, got ${x.cols}`);
    const outputs = this.outputs;
    const bias = outputs * d;
    const out = new Float64Array(x.rows * outputs);
    for (let i = 0; i < x.rows; i++) {
      for (let k = 0; k < outputs; k++) {
        let s = this.params[bias + k]!;
        for (let j = 0; j < d; j++) s += this.params[k * d + j]! * x.data[i * d + j]!;
        out[i * outputs + k] = s;
      }
    }
    return out;
  }

  predictProba(x: Matrix): Float64Array {
    const z = this.decisionFunction(x);
    const k = this.k;
    const proba = new Float64Array(x.rows * k);
    for (let i = 0; i < x.rows; i++) {
      if (k === 2) {
        const p = 1 / (1 + Math.exp(-z[i]!));
        proba[2 * i] = 1 - p;
        proba[2 * i + 1] = p;
        continue;
      }
      let max = -Infinity;
      for (let c = 0; c < k; c++) max = Math.max(max, z[i * k + c]!);
      let sum = 0;
      for (let c = 0; c < k; c++) sum += proba[i * k + c] = Math.exp(z[i * k + c]! - max);
      for (let c = 0; c < k; c++) proba[i * k + c]! /= sum;
    }
    return proba;
  }

  /** Coefficients of class c's score (for two classes only c = 1 exists: the log-odds), and its intercept. */
  coefficients(c = 1): { weights: Float64Array; intercept: number } {
    const out = this.k === 2 ? 0 : c;
    if (this.k === 0 || c < 0 || c >= this.k || (this.k === 2 && c !== 1)) throw new Error(`logistic-regression: no score for class ${c}`);
    return { weights: this.params.slice(out * this.d, (out + 1) * this.d), intercept: this.params[this.outputs * this.d + out]! };
  }

  /**
   * Why one row scored as it did: each feature's contribution (coefficient × value, on the standardized scale the
   * model was trained on) to class c's score; they sum with the intercept to the score.
   */
  explain(row: ArrayLike<number>, c = this.k === 2 ? 1 : 0): { intercept: number; contributions: Float64Array } {
    const { weights, intercept } = this.coefficients(c);
    if (row.length !== this.d) throw new Error(`logistic-regression: fitted on ${this.d} features, got ${row.length}`);
    return { intercept, contributions: weights.map((wj, j) => wj * row[j]!) };
  }

  toJSON(): SerializedModel {
    return {
      kind: this.kind,
      version: LogisticRegression.VERSION,
      classes: this.k,
      features: this.d,
      C: this.options.C ?? 1,
      params: Array.from(this.params),
    };
  }

  static fromJSON(json: unknown): LogisticRegression {
    const m = expectModel(json, LogisticRegression.KIND, LogisticRegression.VERSION);
    const model = new LogisticRegression({ C: readNumber(m, 'C') });
    model.k = readCount(m, 'classes');
    model.d = readCount(m, 'features');
    if (model.k < 2) throw new Error('logistic-regression: needs at least 2 classes');
    model.params = readFloats(m, 'params', model.outputs * (model.d + 1));
    return model;
  }
}

/** The n largest contributions by magnitude, with their feature names. */
export function topContributions(contributions: ArrayLike<number>, names: readonly string[], n: number): { feature: string; contribution: number }[] {
  return Array.from(contributions, (contribution, j) => ({ feature: names[j] ?? `x${j}`, contribution }))
    .sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution))
    .slice(0, n);
}
