// Naive Bayes: multinomial (counts: page categories visited, event types) and Gaussian (continuous features),
// computed in log space and normalised with log-sum-exp, so long sessions never underflow to 0/0.
import { expectModel, readCount, readFloats, readNumber } from './model-json.js';
import { countClasses, rowWeights } from './preprocess.js';
import type { Classifier, FitOptions, Labels, Matrix, SerializedModel } from './types.js';

/** Turns per-class joint log-likelihoods (rows × classes, in place) into probabilities. */
function softmaxRowsInPlace(jll: Float64Array, classes: number): Float64Array {
  for (let off = 0; off < jll.length; off += classes) {
    let max = -Infinity;
    for (let k = 0; k < classes; k++) max = Math.max(max, jll[off + k]!);
    let sum = 0;
    for (let k = 0; k < classes; k++) sum += jll[off + k] = Math.exp(jll[off + k]! - max);
    for (let k = 0; k < classes; k++) jll[off + k]! /= sum;
  }
  return jll;
}

/** Log class priors from weighted class totals, or uniform; −∞ for a class with no training weight. */
function logPriors(classWeightTotals: Float64Array, fitPrior: boolean): Float64Array {
  const total = classWeightTotals.reduce((a, b) => a + b, 0);
  const present = classWeightTotals.filter((c) => c > 0).length;
  return classWeightTotals.map((c) => (c > 0 ? Math.log(fitPrior ? c / total : 1 / present) : -Infinity));
}

export interface MultinomialNbOptions {
  /** Additive (Laplace = 1, Lidstone < 1) smoothing of the feature counts (default 1). */
  alpha?: number;
  /** Learn class priors from the data (default) or use uniform ones. */
  fitPrior?: boolean;
  classes?: number;
}

/** Multinomial naive Bayes over non-negative count features, as sklearn's MultinomialNB. */
export class MultinomialNaiveBayes implements Classifier {
  static readonly KIND = 'multinomial-nb';
  static readonly VERSION = 1;
  readonly kind = MultinomialNaiveBayes.KIND;
  private k = 0;
  private features = 0;
  private readonly alpha: number;
  private readonly fitPrior: boolean;
  private readonly requestedClasses: number | undefined;
  /** Weighted class totals and feature counts (classes × features): kept raw so JSON stays finite. */
  private classTotals: Float64Array = new Float64Array(0);
  private featureCounts: Float64Array = new Float64Array(0);
  private logPrior: Float64Array = new Float64Array(0);
  private logProb: Float64Array = new Float64Array(0);

  constructor(options: MultinomialNbOptions = {}) {
    this.alpha = options.alpha ?? 1;
    if (!(this.alpha >= 0)) throw new Error('multinomial-nb: alpha must be ≥ 0');
    this.fitPrior = options.fitPrior ?? true;
    this.requestedClasses = options.classes;
  }

  get classes(): number {
    return this.k;
  }

  fit(x: Matrix, y: Labels, opts: FitOptions = {}): void {
    if (x.rows !== y.length) throw new Error(`multinomial-nb: ${x.rows} rows but ${y.length} labels`);
    const k = countClasses(y, this.requestedClasses);
    const w = rowWeights(y, k, opts.sampleWeight);
    const d = x.cols;
    this.classTotals = new Float64Array(k);
    this.featureCounts = new Float64Array(k * d);
    for (let i = 0; i < x.rows; i++) {
      const c = y[i]!;
      this.classTotals[c]! += w[i]!;
      for (let j = 0; j < d; j++) {
        const v = x.data[i * d + j]!;
        if (v < 0) throw new Error(`multinomial-nb: negative feature value at row ${i}, column ${j}`);
        this.featureCounts[c * d + j]! += w[i]! * v;
      }
    }
    this.k = k;
    this.features = d;
    this.derive();
  }

  /** Log priors and smoothed log feature probabilities log((N_cj + α) / (N_c + α·d)). */
  private derive(): void {
    const { k, features: d } = this;
    this.logPrior = logPriors(this.classTotals, this.fitPrior);
    this.logProb = new Float64Array(k * d);
    for (let c = 0; c < k; c++) {
      let total = 0;
      for (let j = 0; j < d; j++) total += this.featureCounts[c * d + j]! + this.alpha;
      for (let j = 0; j < d; j++) this.logProb[c * d + j] = Math.log(this.featureCounts[c * d + j]! + this.alpha) - Math.log(total);
    }
  }

  predictProba(x: Matrix): Float64Array {
    const { k, features: d } = this;
    if (k === 0) throw new Error('multinomial-nb: not fitted');
    if (x.cols !== d) throw new Error(`multinomial-nb: fitted on ${d} features, got ${x.cols}`);
    const jll = new Float64Array(x.rows * k);
    for (let i = 0; i < x.rows; i++) {
      for (let c = 0; c < k; c++) {
        let s = this.logPrior[c]!;
        if (s === -Infinity) {
          jll[i * k + c] = s;
          continue;
        }
        for (let j = 0; j < d; j++) {
          const v = x.data[i * d + j]!;
          if (v !== 0) s += v * this.logProb[c * d + j]!;
        }
        jll[i * k + c] = s;
      }
    }
    return softmaxRowsInPlace(jll, k);
  }

  toJSON(): SerializedModel {
    return {
      kind: this.kind,
      version: MultinomialNaiveBayes.VERSION,
      classes: this.k,
      features: this.features,
      alpha: this.alpha,
      fitPrior: this.fitPrior,
      classTotals: Array.from(this.classTotals),
      featureCounts: Array.from(this.featureCounts),
    };
  }

  static fromJSON(json: unknown): MultinomialNaiveBayes {
    const m = expectModel(json, MultinomialNaiveBayes.KIND, MultinomialNaiveBayes.VERSION);
    const model = new MultinomialNaiveBayes({ alpha: readNumber(m, 'alpha'), fitPrior: m.fitPrior !== false });
    model.k = readCount(m, 'classes');
    model.features = readCount(m, 'features');
    model.classTotals = readFloats(m, 'classTotals', model.k);
    model.featureCounts = readFloats(m, 'featureCounts', model.k * model.features);
    model.derive();
    return model;
  }
}

export interface GaussianNbOptions {
  /** Added to every variance: this × the largest feature variance (sklearn's var_smoothing, default 1e-9). */
  varSmoothing?: number;
  /** Fixed class priors instead of the training frequencies. */
  priors?: ArrayLike<number>;
  classes?: number;
}

/** Gaussian naive Bayes: one normal per class and feature, as sklearn's GaussianNB. */
export class GaussianNaiveBayes implements Classifier {
  static readonly KIND = 'gaussian-nb';
  static readonly VERSION = 1;
  readonly kind = GaussianNaiveBayes.KIND;
  private k = 0;
  private features = 0;
  private readonly varSmoothing: number;
  private readonly priors: Float64Array | undefined;
  private readonly requestedClasses: number | undefined;
  private classTotals: Float64Array = new Float64Array(0);
  private mean: Float64Array = new Float64Array(0);
  private variance: Float64Array = new Float64Array(0);
  private logPrior: Float64Array = new Float64Array(0);
  /** Per class: log prior − ½ Σⱼ log(2π σ²ⱼ), the row-independent part of the log-likelihood. */
  private constant: Float64Array = new Float64Array(0);

  constructor(options: GaussianNbOptions = {}) {
    this.varSmoothing = options.varSmoothing ?? 1e-9;
    this.priors = options.priors ? Float64Array.from(options.priors) : undefined;
    this.requestedClasses = options.classes;
  }

  get classes(): number {
    return this.k;
  }

  fit(x: Matrix, y: Labels, opts: FitOptions = {}): void {
    if (x.rows !== y.length) throw new Error(`gaussian-nb: ${x.rows} rows but ${y.length} labels`);
    const k = countClasses(y, this.requestedClasses);
    if (this.priors && this.priors.length !== k) throw new Error(`gaussian-nb: ${this.priors.length} priors for ${k} classes`);
    const w = rowWeights(y, k, opts.sampleWeight);
    const d = x.cols;
    // Two passes (means, then squared deviations): one-pass sums lose precision on large, tight features.
    const totals = new Float64Array(k);
    const mean = new Float64Array(k * d);
    for (let i = 0; i < x.rows; i++) {
      const c = y[i]!;
      totals[c]! += w[i]!;
      for (let j = 0; j < d; j++) mean[c * d + j]! += w[i]! * x.data[i * d + j]!;
    }
    for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) mean[c * d + j] = totals[c]! > 0 ? mean[c * d + j]! / totals[c]! : 0;
    const variance = new Float64Array(k * d);
    for (let i = 0; i < x.rows; i++) {
      const c = y[i]!;
      for (let j = 0; j < d; j++) variance[c * d + j]! += w[i]! * (x.data[i * d + j]! - mean[c * d + j]!) ** 2;
    }
    // All-constant features would leave every variance 0: fall back to var_smoothing itself.
    const epsilon = this.varSmoothing * (largestColumnVariance(x) || 1);
    for (let c = 0; c < k; c++) {
      for (let j = 0; j < d; j++) variance[c * d + j] = (totals[c]! > 0 ? variance[c * d + j]! / totals[c]! : 0) + epsilon;
    }
    this.k = k;
    this.features = d;
    this.classTotals = totals;
    this.mean = mean;
    this.variance = variance;
    this.derive();
  }

  private derive(): void {
    const { k, features: d } = this;
    this.logPrior = this.priors ? this.priors.map((p) => (p > 0 ? Math.log(p) : -Infinity)) : logPriors(this.classTotals, true);
    this.constant = new Float64Array(k);
    for (let c = 0; c < k; c++) {
      let s = this.logPrior[c]!;
      for (let j = 0; j < d; j++) s -= 0.5 * Math.log(2 * Math.PI * this.variance[c * d + j]!);
      this.constant[c] = this.classTotals[c]! > 0 ? s : -Infinity;
    }
  }

  predictProba(x: Matrix): Float64Array {
    const { k, features: d } = this;
    if (k === 0) throw new Error('gaussian-nb: not fitted');
    if (x.cols !== d) throw new Error(`gaussian-nb: fitted on ${d} features, got ${x.cols}`);
    const jll = new Float64Array(x.rows * k);
    for (let i = 0; i < x.rows; i++) {
      for (let c = 0; c < k; c++) {
        let s = this.constant[c]!;
        if (s !== -Infinity) {
          for (let j = 0; j < d; j++) s -= (0.5 * (x.data[i * d + j]! - this.mean[c * d + j]!) ** 2) / this.variance[c * d + j]!;
        }
        jll[i * k + c] = s;
      }
    }
    return softmaxRowsInPlace(jll, k);
  }

  toJSON(): SerializedModel {
    return {
      kind: this.kind,
      version: GaussianNaiveBayes.VERSION,
      classes: this.k,
      features: this.features,
      varSmoothing: this.varSmoothing,
      priors: this.priors ? Array.from(this.priors) : null,
      classTotals: Array.from(this.classTotals),
      mean: Array.from(this.mean),
      variance: Array.from(this.variance),
    };
  }

  static fromJSON(json: unknown): GaussianNaiveBayes {
    const m = expectModel(json, GaussianNaiveBayes.KIND, GaussianNaiveBayes.VERSION);
    const priors = m.priors == null ? undefined : readFloats(m, 'priors');
    const model = new GaussianNaiveBayes({ varSmoothing: readNumber(m, 'varSmoothing'), ...(priors ? { priors } : {}) });
    model.k = readCount(m, 'classes');
    model.features = readCount(m, 'features');
    model.classTotals = readFloats(m, 'classTotals', model.k);
    model.mean = readFloats(m, 'mean', model.k * model.features);
    model.variance = readFloats(m, 'variance', model.k * model.features);
    if (model.variance.some((v) => !(v > 0))) throw new Error('gaussian-nb: variances must be positive');
    model.derive();
    return model;
  }
}

/** The largest population variance among the columns (unweighted, as sklearn's var_smoothing uses). */
function largestColumnVariance(x: Matrix): number {
  let largest = 0;
  for (let j = 0; j < x.cols; j++) {
    let mean = 0;
    for (let i = 0; i < x.rows; i++) mean += x.data[i * x.cols + j]!;
    mean /= x.rows;
    let v = 0;
    for (let i = 0; i < x.rows; i++) v += (x.data[i * x.cols + j]! - mean) ** 2;
    largest = Math.max(largest, v / x.rows);
  }
  return largest;
}
