// CART classification tree grown on binned features (binning.ts): at each node, for each candidate feature, a
// histogram of class weights per bin is scanned left to right for the split that most reduces gini or entropy
// impurity. The forest (forest.ts) reuses growTree on one shared binning.
import { createRng, type Rng } from '../platform/random.js';
import { Binner, partitionRows, type BinnedMatrix } from './binning.js';
import { expectModel, readCount, readFloats, readObject } from './model-json.js';
import { countClasses, rowWeights, type ClassWeight } from './preprocess.js';
import { checkColumns, leafOf, NodeBuilder, treeFromJSON, treeToJSON, type TreeNodes } from './tree-nodes.js';
import type { Classifier, FitOptions, Labels, Matrix, SerializedModel } from './types.js';

export type Criterion = 'gini' | 'entropy';
/** Features tried per split: all, sqrt or log2 of the count, a count (≥ 1), or a fraction (< 1). */
export type MaxFeatures = 'all' | 'sqrt' | 'log2' | number;

export interface TreeParams {
  criterion: Criterion;
  maxDepth: number;
  minSamplesSplit: number;
  minSamplesLeaf: number;
  /** Features to try per node (already resolved to a count). */
  maxFeatures: number;
  /** A split must reduce the weighted impurity by at least this much (as a share of the root's weight). */
  minImpurityDecrease: number;
}

export interface GrowInput {
  binned: BinnedMatrix;
  y: Labels;
  classes: number;
  /** Weight of each row (bootstrap count × sample weight); rows absent from `rows` are ignored. */
  weight: Float64Array;
  /** The rows to grow on; reordered in place. */
  rows: Int32Array;
  /** Impurity decrease per feature, accumulated into. */
  importance: Float64Array;
}

/** The feature count a MaxFeatures setting means for `cols` features. */
export function resolveMaxFeatures(m: MaxFeatures, cols: number): number {
  const n = m === 'all' ? cols : m === 'sqrt' ? Math.sqrt(cols) : m === 'log2' ? Math.log2(cols) : m < 1 ? m * cols : m;
  return Math.max(1, Math.min(cols, Math.floor(n)));
}

/** Impurity of class weights c[0..k) with total w: gini 1 − Σp², entropy −Σp log2 p. */
export function impurity(criterion: Criterion, c: Float64Array, offset: number, k: number, w: number): number {
  if (w <= 0) return 0;
  let s = 0;
  if (criterion === 'gini') {
    for (let j = 0; j < k; j++) s += c[offset + j]! * c[offset + j]!;
    return 1 - s / (w * w);
  }
  for (let j = 0; j < k; j++) {
    const p = c[offset + j]! / w;
    if (p > 0) s -= p * Math.log2(p);
  }
  return s;
}

/** Grows one tree depth-first; leaves hold class probabilities (weighted). */
export function growTree(input: GrowInput, params: TreeParams, rng: Rng): TreeNodes {
  const { binned, y, classes: k, weight, rows, importance } = input;
  const { cols, codes } = binned;
  const crit = params.criterion;
  const nodes = new NodeBuilder(k);
  const histW = new Float64Array(256 * k); // class weights per bin of the feature being scanned
  const histN = new Int32Array(256); // rows per bin
  const order = Int32Array.from({ length: cols }, (_, f) => f);
  const leftW = new Float64Array(k);
  const bestLeftW = new Float64Array(k);
  const nodeW = new Float64Array(k);
  let rootWeight = 0;

  const root = nodes.add();
  const rootValues = nodes.values(root);
  for (const i of rows) rootValues[y[i]!]! += weight[i]!;
  for (let j = 0; j < k; j++) rootWeight += rootValues[j]!;
  // Stack of [node, start, end, depth]: values() of each node hold its class weights until it is settled.
  const stack: number[] = [root, 0, rows.length, 0];

  while (stack.length) {
    const depth = stack.pop()!, end = stack.pop()!, start = stack.pop()!, node = stack.pop()!;
    const values = nodes.values(node);
    nodeW.set(values);
    let w = 0;
    for (let j = 0; j < k; j++) w += nodeW[j]!;
    const nodeImpurity = impurity(crit, nodeW, 0, k, w);
    const count = end - start;
    // Leaf values are probabilities; the weights were only needed until now.
    for (let j = 0; j < k; j++) values[j] = w > 0 ? nodeW[j]! / w : 1 / k;
    if (depth >= params.maxDepth || count < params.minSamplesSplit || count < 2 * params.minSamplesLeaf || nodeImpurity <= 1e-12) continue;

    // Weighted impurity of the children (wL·iL + wR·iR), minimised over the features tried.
    let bestChildren = Infinity, bestFeature = -1, bestBin = 0;
    let tried = 0;
    for (let drawn = 0; drawn < cols && tried < params.maxFeatures; drawn++) {
      // Partial Fisher–Yates: features are drawn without replacement; constant ones do not count as tried (as in
      // scikit-learn), so a node is only left unsplit when no drawn feature varies.
      const pick = rng.int(drawn, cols - 1);
      const f = order[pick]!;
      order[pick] = order[drawn]!;
      order[drawn] = f;
      let lo = 255, hi = 0;
      for (let p = start; p < end; p++) {
        const i = rows[p]!;
        const b = codes[i * cols + f]!;
        histW[b * k + y[i]!]! += weight[i]!;
        histN[b]!++;
        if (b < lo) lo = b;
        if (b > hi) hi = b;
      }
      if (lo < hi) {
        tried++;
        leftW.fill(0);
        let nLeft = 0, wLeft = 0;
        for (let b = lo; b < hi; b++) {
          nLeft += histN[b]!;
          for (let j = 0; j < k; j++) {
            leftW[j]! += histW[b * k + j]!;
            wLeft += histW[b * k + j]!;
          }
          if (histN[b] === 0 || nLeft < params.minSamplesLeaf) continue;
          if (count - nLeft < params.minSamplesLeaf) break;
          const children = childrenImpurity(crit, leftW, nodeW, k, wLeft, w);
          if (children < bestChildren - 1e-12 * w) {
            bestChildren = children;
            bestFeature = f;
            bestBin = b;
            bestLeftW.set(leftW);
          }
        }
      }
      for (let b = lo; b <= hi; b++) {
        histN[b] = 0;
        histW.fill(0, b * k, (b + 1) * k);
      }
    }
    if (bestFeature < 0) continue;
    const decrease = w * nodeImpurity - bestChildren;
    // A split that gains nothing is still taken (XOR-like data pays off one level down), as in scikit-learn.
    if (decrease + 1e-12 * rootWeight < params.minImpurityDecrease * rootWeight) continue;
    importance[bestFeature]! += decrease;

    const a = partitionRows(binned, rows, start, end, bestFeature, bestBin);
    const left = nodes.add(), right = nodes.add();
    nodes.values(left).set(bestLeftW);
    const rightValues = nodes.values(right);
    for (let j = 0; j < k; j++) rightValues[j] = nodeW[j]! - bestLeftW[j]!;
    nodes.setSplit(node, bestFeature, bestBin, NaN, left, right);
    stack.push(right, a, end, depth + 1, left, start, a, depth + 1);
  }
  return nodes.build();
}

function childrenImpurity(crit: Criterion, leftW: Float64Array, nodeW: Float64Array, k: number, wLeft: number, w: number): number {
  const wRight = w - wLeft;
  if (crit === 'gini') {
    // wL(1 − ΣpL²) + wR(1 − ΣpR²) = w − ΣcL²/wL − ΣcR²/wR
    let sl = 0, sr = 0;
    for (let j = 0; j < k; j++) {
      const r = nodeW[j]! - leftW[j]!;
      sl += leftW[j]! * leftW[j]!;
      sr += r * r;
    }
    return w - (wLeft > 0 ? sl / wLeft : 0) - (wRight > 0 ? sr / wRight : 0);
  }
  let s = 0;
  for (let j = 0; j < k; j++) {
    const l = leftW[j]!, r = nodeW[j]! - l;
    if (l > 0) s -= l * Math.log2(l / wLeft);
    if (r > 0) s -= r * Math.log2(r / wRight);
  }
  return s;
}

/** Raw-value thresholds for a tree grown on bins (split "code ≤ b" is "x ≤ thresholds[f][b]"). */
export function setThresholds(tree: TreeNodes, binner: Binner): void {
  for (let i = 0; i < tree.feature.length; i++) {
    const f = tree.feature[i]!;
    if (f >= 0) tree.threshold[i] = binner.thresholds[f]![tree.bin[i]!]!;
  }
}

/** Checks shapes and answers the per-row weights (sample weight × class weight; all 1 when neither is given). */
export function fitWeights(x: Matrix, y: Labels, classes: number, opts: FitOptions | undefined, classWeight: ClassWeight | undefined): Float64Array {
  if (y.length !== x.rows) throw new Error(`${y.length} labels for ${x.rows} rows`);
  if (x.rows === 0) throw new Error('cannot fit on no rows');
  return rowWeights(y, classes, opts?.sampleWeight, classWeight);
}

export interface DecisionTreeOptions {
  criterion?: Criterion;
  maxDepth?: number;
  minSamplesSplit?: number;
  minSamplesLeaf?: number;
  /** Features tried per split: all for a single tree, sqrt in a forest, by default. */
  maxFeatures?: MaxFeatures;
  minImpurityDecrease?: number;
  maxBins?: number;
  /** Per-class weights multiplying the sample weights, or 'balanced'. */
  classWeight?: ClassWeight;
  /** Class count; by default max label + 1 (at least 2). */
  classes?: number;
  rng?: Rng;
}

/** Tree options with the defaults filled in. */
export type TreeSettings = Required<Omit<DecisionTreeOptions, 'classes' | 'rng' | 'classWeight'>> & Pick<DecisionTreeOptions, 'classes' | 'classWeight'>;

/** The options with their defaults, maxFeatures defaulting to the given value. */
export function treeSettings(opts: DecisionTreeOptions, maxFeatures: MaxFeatures): TreeSettings {
  return {
    criterion: opts.criterion ?? 'gini',
    maxDepth: opts.maxDepth ?? Infinity,
    minSamplesSplit: opts.minSamplesSplit ?? 2,
    minSamplesLeaf: opts.minSamplesLeaf ?? 1,
    maxFeatures: opts.maxFeatures ?? maxFeatures,
    minImpurityDecrease: opts.minImpurityDecrease ?? 0,
    maxBins: opts.maxBins ?? 255,
    classWeight: opts.classWeight,
    classes: opts.classes,
  };
}

export class DecisionTree implements Classifier {
  static readonly KIND = 'decision-tree';
  static readonly VERSION = 1;
  readonly kind = DecisionTree.KIND;
  private k = 0;
  private d = 0;
  tree?: TreeNodes;
  /** Impurity decrease per feature, normalised to sum to 1. */
  featureImportances: Float64Array = new Float64Array(0);
  private readonly opts: TreeSettings;
  private readonly rng: Rng;

  constructor(opts: DecisionTreeOptions = {}) {
    this.opts = treeSettings(opts, 'all');
    this.rng = opts.rng ?? createRng(0);
  }

  get classes(): number {
    return this.k;
  }

  /** Bins x, then grows the tree on every row with a positive weight. */
  fit(x: Matrix, y: Labels, opts?: FitOptions): void {
    this.k = countClasses(y, this.opts.classes);
    const weight = fitWeights(x, y, this.k, opts, this.opts.classWeight);
    this.d = x.cols;
    const binner = Binner.fit(x, { maxBins: this.opts.maxBins, rng: this.rng });
    const rows = Int32Array.from({ length: x.rows }, (_, i) => i).filter((i) => weight[i]! > 0);
    const importance = new Float64Array(x.cols);
    const params: TreeParams = { ...this.opts, maxFeatures: resolveMaxFeatures(this.opts.maxFeatures, x.cols) };
    this.tree = growTree({ binned: binner.transform(x), y, classes: this.k, weight, rows, importance }, params, this.rng);
    setThresholds(this.tree, binner);
    this.featureImportances = normalise(importance);
  }

  /** Each row's leaf class distribution. */
  predictProba(x: Matrix): Float64Array {
    const tree = this.fitted();
    checkColumns(this.kind, x, this.d);
    const k = this.k;
    const out = new Float64Array(x.rows * k);
    for (let i = 0; i < x.rows; i++) {
      const leaf = leafOf(tree, x.data, i * x.cols);
      out.set(tree.value.subarray(leaf * k, leaf * k + k), i * k);
    }
    return out;
  }

  toJSON(): SerializedModel {
    const tree = this.fitted();
    return {
      kind: this.kind,
      version: DecisionTree.VERSION,
      classes: this.k,
      features: this.d,
      tree: treeToJSON(tree),
      featureImportances: Array.from(this.featureImportances),
    };
  }

  static fromJSON(json: unknown): DecisionTree {
    const m = expectModel(json, DecisionTree.KIND, DecisionTree.VERSION);
    const model = new DecisionTree();
    [model.k, model.d] = readShape(m);
    model.tree = treeFromJSON(readObject(m, 'tree'), model.k, model.d);
    model.featureImportances = readFloats(m, 'featureImportances', model.d);
    return model;
  }

  private fitted(): TreeNodes {
    if (!this.tree) throw new Error('decision tree: not fitted');
    return this.tree;
  }
}

/** A serialized model's class count (≥ 2) and feature count. */
export function readShape(m: SerializedModel): [classes: number, features: number] {
  const classes = readCount(m, 'classes');
  if (classes < 2) throw new Error(`${m.kind}: ${classes} classes`);
  return [classes, readCount(m, 'features')];
}

/** v / Σv (all zeros stay zeros). */
export function normalise(v: Float64Array): Float64Array {
  let s = 0;
  for (const x of v) s += x;
  return s > 0 ? v.map((x) => x / s) : v;
}
