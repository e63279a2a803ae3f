// Histogram-based gradient boosting (LightGBM / scikit-learn HistGradientBoosting style) for classification: binary
// log loss (one tree per iteration on the logit) or multiclass softmax (one tree per class per iteration), Newton
// leaf values −lr·G/(H+λ), leaf-wise trees (gbdt-grow.ts), early stopping on a held-out stratified fraction, gain
// importances, and per-row explanations by path attribution (Saabas) that sum exactly to the row's logit.
import { createRng, type Rng } from '../platform/random.js';
import { Binner } from './binning.js';
import { HistogramGrower, type GrowerParams } from './gbdt-grow.js';
import { baselineScores, logLoss, probabilities, rowGradients, scoreWidth } from './gbdt-loss.js';
import { expectModel, readCount, readFloats } from './model-json.js';
import { countClasses, type ClassWeight } from './preprocess.js';
import { stratifiedHoldout } from './split.js';
import { checkColumns, leafOf, leafOfBinned, treeFromJSON, treeToJSON, type TreeNodes } from './tree-nodes.js';
import { fitWeights, normalise, readShape, setThresholds } from './tree.js';
import { takeRows, type Classifier, type FitOptions, type Labels, type Matrix, type SerializedModel } from './types.js';

export interface GradientBoostingOptions {
  /**
   * Shrinkage of each tree. Default 0.05 with up to 200 iterations, early stopping choosing how many: on the Online
   * Shoppers folds it measured ROC-AUC +0.001 over 0.1 / 100 and less spread between seeds, for ~1.3× the fit time.
   */
  learningRate?: number;
  /** Boosting iterations at most (one tree per iteration, or one per class for multiclass). */
  maxIter?: number;
  maxLeafNodes?: number;
  maxDepth?: number;
  minSamplesLeaf?: number;
  /** L2 regularisation λ of leaf values. */
  l2?: number;
  maxBins?: number;
  /**
   * Hold out validationFraction of the rows and stop when their loss stops improving. 'auto' (default): from 1,000
   * rows, where the held-out tenth is large enough to judge by (scikit-learn waits for 10,000; on the Online Shoppers
   * folds, 9,864 rows, stopping early measured +0.004 ROC-AUC).
   */
  earlyStopping?: boolean | 'auto';
  validationFraction?: number;
  /** Iterations without an improvement of more than tol before stopping. */
  patience?: number;
  tol?: number;
  /** Per-class weights multiplying the sample weights, or 'balanced'. */
  classWeight?: ClassWeight;
  classes?: number;
  rng?: Rng;
}

/** A row's score for one class as intercept + Σ contributions[feature] (the shape LogisticRegression.explain gives). */
export interface Explanation {
  intercept: number;
  contributions: Float64Array;
}

type Settings = Required<Omit<GradientBoostingOptions, 'classes' | 'rng' | 'classWeight'>> & Pick<GradientBoostingOptions, 'classes' | 'classWeight'>;

export class GradientBoosting implements Classifier {
  static readonly KIND = 'gbdt';
  static readonly VERSION = 1;
  readonly kind = GradientBoosting.KIND;
  private k = 0;
  private d = 0;
  /** Raw scores per row: 1 (the positive class's logit) for two classes, else one per class. */
  width = 0;
  baseline: Float64Array = new Float64Array(0);
  /** Iteration-major: iteration t's tree for score column k is trees[t * width + k]. */
  trees: TreeNodes[] = [];
  /** Total split gain per feature, normalised to sum to 1. */
  featureImportances: Float64Array = new Float64Array(0);
  /** Held-out loss after each iteration (empty without early stopping). */
  validationLoss: number[] = [];
  /** Iterations kept: the best on the held-out rows when early stopping ran. */
  iterations = 0;
  private readonly opts: Settings;
  private readonly rng: Rng;

  constructor(opts: GradientBoostingOptions = {}) {
    this.opts = {
      learningRate: opts.learningRate ?? 0.05,
      maxIter: opts.maxIter ?? 200,
      maxLeafNodes: opts.maxLeafNodes ?? 31,
      maxDepth: opts.maxDepth ?? Infinity,
      minSamplesLeaf: opts.minSamplesLeaf ?? 20,
      l2: opts.l2 ?? 0,
      maxBins: opts.maxBins ?? 255,
      earlyStopping: opts.earlyStopping ?? 'auto',
      validationFraction: opts.validationFraction ?? 0.1,
      patience: opts.patience ?? 10,
      tol: opts.tol ?? 1e-7,
      classWeight: opts.classWeight,
      classes: opts.classes,
    };
    if (!(this.opts.validationFraction > 0 && this.opts.validationFraction < 1)) throw new Error('gbdt: validationFraction must be in (0, 1)');
    if (!(this.opts.maxLeafNodes >= 2 || this.opts.maxDepth >= 1)) throw new Error('gbdt: trees need maxLeafNodes ≥ 2 or maxDepth ≥ 1');
    this.rng = opts.rng ?? createRng(0);
  }

  get classes(): number {
    return this.k;
  }

  /** Boosts trees on x (minus the held-out rows when early stopping), keeping the best iteration. */
  fit(x: Matrix, y: Labels, opts?: FitOptions): void {
    const k = (this.k = countClasses(y, this.opts.classes));
    const weight = fitWeights(x, y, k, opts, this.opts.classWeight);
    this.d = x.cols;
    const width = (this.width = scoreWidth(k));
    const n = x.rows;
    const o = this.opts;
    const stopEarly = o.earlyStopping === 'auto' ? n >= 1000 : o.earlyStopping;
    const { train, test: validation } = stopEarly
      ? stratifiedHoldout(y, o.validationFraction, this.rng)
      : { train: Int32Array.from({ length: n }, (_, i) => i), test: new Int32Array(0) };
    const binner = Binner.fit(takeRows(x, train), { maxBins: o.maxBins, rng: this.rng });
    const binned = binner.transform(x);
    this.baseline = baselineScores(y, weight, train, k);
    const raw = new Float64Array(n * width);
    for (let i = 0; i < n; i++) raw.set(this.baseline, i * width);

    const params: GrowerParams = { ...o, minGain: 0, minHessian: 1e-3 };
    const grower = new HistogramGrower(binned, train, params);
    const grad = Array.from({ length: width }, () => new Float64Array(n));
    const hess = Array.from({ length: width }, () => new Float64Array(n));
    const prob = new Float64Array(k);
    const gains = new Float64Array(x.cols);
    this.trees = [];
    this.validationLoss = [];
    let best = Infinity, bestIter = 0;
    for (let it = 0; it < o.maxIter; it++) {
      for (const i of train) rowGradients(raw, i, k, y[i]!, weight[i]!, prob, grad, hess);
      for (let c = 0; c < width; c++) {
        const tree = grower.grow(grad[c]!, hess[c]!, raw, width, c, gains);
        for (const i of validation) raw[i * width + c]! += tree.value[leafOfBinned(tree, binned.codes, i * x.cols)]!;
        setThresholds(tree, binner);
        this.trees.push(tree);
      }
      if (!stopEarly) {
        bestIter = it + 1;
        continue;
      }
      const loss = logLoss(raw, y, weight, validation, k, prob);
      this.validationLoss.push(loss);
      if (loss < best - o.tol) {
        best = loss;
        bestIter = it + 1;
      } else if (it + 1 - bestIter >= o.patience) break;
    }
    // The trees after the best held-out iteration only fitted noise.
    this.iterations = bestIter;
    this.trees.length = bestIter * width;
    this.featureImportances = normalise(gains);
  }

  /** Raw scores (logits), rows × width. */
  decisionFunction(x: Matrix): Float64Array {
    this.fitted();
    checkColumns(this.kind, x, this.d);
    const w = this.width;
    const out = new Float64Array(x.rows * w);
    for (let i = 0; i < x.rows; i++) out.set(this.baseline, i * w);
    // Tree by tree over all rows, so one tree's arrays stay in cache.
    for (let t = 0; t < this.trees.length; t++) {
      const tree = this.trees[t]!;
      for (let i = 0, o = t % w; i < x.rows; i++, o += w) out[o]! += tree.value[leafOf(tree, x.data, i * x.cols)]!;
    }
    return out;
  }

  /** Sigmoid (two classes) or softmax of the raw scores. */
  predictProba(x: Matrix): Float64Array {
    const raw = this.decisionFunction(x);
    const k = this.k;
    const out = new Float64Array(x.rows * k);
    const prob = new Float64Array(k);
    for (let i = 0; i < x.rows; i++) {
      probabilities(raw, i * this.width, k, prob);
      out.set(prob, i * k);
    }
    return out;
  }

  /**
   * Why one row scored as it did, for class c's score (for two classes only c = 1 exists: the log-odds), by path
   * attribution (Saabas): each split on the row's path in each tree credits its feature with the change in node
   * value, so intercept (baseline + the root values) + Σ contributions is exactly the score.
   */
  explain(row: ArrayLike<number>, c = this.k === 2 ? 1 : 0): Explanation {
    this.fitted();
    if (row.length !== this.d) throw new Error(`gbdt: fitted on ${this.d} features, got ${row.length}`);
    if (!(Number.isInteger(c) && c >= 0 && c < this.k) || (this.k === 2 && c !== 1)) throw new Error(`gbdt: no score for class ${c}`);
    const column = this.k === 2 ? 0 : c;
    const contributions = new Float64Array(this.d);
    let intercept = this.baseline[column]!;
    for (let t = column; t < this.trees.length; t += this.width) {
      const { feature, threshold, left, right, value } = this.trees[t]!;
      intercept += value[0]!;
      let node = 0;
      for (let f = feature[0]!; f >= 0; f = feature[node]!) {
        const next = row[f]! > threshold[node]! ? right[node]! : left[node]!;
        contributions[f]! += value[next]! - value[node]!;
        node = next;
      }
    }
    return { intercept, contributions };
  }

  toJSON(): SerializedModel {
    this.fitted();
    return {
      kind: this.kind,
      version: GradientBoosting.VERSION,
      classes: this.k,
      features: this.d,
      baseline: Array.from(this.baseline),
      iterations: this.iterations,
      trees: this.trees.map(treeToJSON),
      featureImportances: Array.from(this.featureImportances),
      validationLoss: this.validationLoss,
    };
  }

  static fromJSON(json: unknown): GradientBoosting {
    const m = expectModel(json, GradientBoosting.KIND, GradientBoosting.VERSION);
    const model = new GradientBoosting();
    [model.k, model.d] = readShape(m);
    model.width = scoreWidth(model.k);
    model.baseline = readFloats(m, 'baseline', model.width);
    model.iterations = readCount(m, 'iterations');
    if (!Array.isArray(m.trees) || m.trees.length !== model.iterations * model.width) throw new Error('gbdt: tree count disagrees with iterations × classes');
    model.trees = m.trees.map((t: unknown) => treeFromJSON(t, 1, model.d));
    model.featureImportances = readFloats(m, 'featureImportances', model.d);
    model.validationLoss = Array.from(readFloats(m, 'validationLoss'));
    return model;
  }

  private fitted() {
    if (this.width === 0) throw new Error('gbdt: not fitted');
  }
}
