// One regression tree of gradient boosting, grown leaf-wise (best gain first, as LightGBM and scikit-learn's
// HistGradientBoosting do) on binned features from per-node histograms of gradient, hessian and row count. Only the
// smaller child's histogram is built from its rows; the larger one's is the parent's minus it (the subtraction
// trick), which roughly halves the work per level.
import { partitionRows, type BinnedMatrix } from './binning.js';
import { NodeBuilder, type TreeNodes } from './tree-nodes.js';

export interface GrowerParams {
  /** Stop when the tree has this many leaves. */
  maxLeafNodes: number;
  maxDepth: number;
  minSamplesLeaf: number;
  /** L2 regularisation λ of leaf values: a leaf's value is −lr·G/(H+λ). */
  l2: number;
  learningRate: number;
  /** Splits must gain more than this. */
  minGain: number;
  /** Each child needs at least this much hessian (avoids huge steps where the model is already certain). */
  minHessian: number;
}

/** A leaf waiting to be split: its rows are rows[start, end). */
interface Candidate {
  node: number;
  start: number;
  end: number;
  depth: number;
  g: number;
  h: number;
  /** Its histogram, kept for the subtraction trick; −1 once released. */
  hist: number;
  gain: number;
  feature: number;
  bin: number;
  leftG: number;
  leftH: number;
}

export class HistogramGrower {
  private readonly offsets: Int32Array; // feature f's bins start at offsets[f] in a histogram
  private readonly histSize: number;
  private readonly pool: Float64Array[] = [];
  private readonly free: number[] = [];
  private readonly rows: Int32Array;

  /** trainRows: the rows that trees are grown on (the rest of binned are validation rows). */
  constructor(
    private readonly binned: BinnedMatrix,
    private readonly trainRows: Int32Array,
    private readonly params: GrowerParams,
  ) {
    this.offsets = new Int32Array(binned.cols + 1);
    for (let f = 0; f < binned.cols; f++) this.offsets[f + 1] = this.offsets[f]! + binned.nBins[f]!;
    this.histSize = this.offsets[binned.cols]! * 3;
    this.rows = new Int32Array(trainRows.length);
  }

  /**
   * Grows one tree on per-row gradients and hessians (sample weights already applied), adds its leaf values to
   * raw[i * stride + column] for the training rows, and adds each split's gain to gains[feature].
   */
  grow(grad: Float64Array, hess: Float64Array, raw: Float64Array, stride: number, column: number, gains: Float64Array): TreeNodes {
    const p = this.params;
    const rows = this.rows;
    rows.set(this.trainRows);
    const nodes = new NodeBuilder(1);
    let g = 0, h = 0;
    for (const i of rows) {
      g += grad[i]!;
      h += hess[i]!;
    }
    const root = this.candidate(nodes.add(), 0, rows.length, 0, g, h, nodes);
    root.hist = this.acquire();
    this.build(root, grad, hess);
    this.findSplit(root);
    const open: Candidate[] = [root];
    const leaves: Candidate[] = [];
    let leafCount = 1;

    while (open.length) {
      let best = 0;
      for (let c = 1; c < open.length; c++) if (open[c]!.gain > open[best]!.gain) best = c;
      const parent = open[best]!;
      if (!(parent.gain > p.minGain) || leafCount >= p.maxLeafNodes) break;
      open.splice(best, 1);
      leafCount++;
      gains[parent.feature]! += parent.gain;
      const mid = partitionRows(this.binned, this.rows, parent.start, parent.end, parent.feature, parent.bin);
      const left = this.candidate(nodes.add(), parent.start, mid, parent.depth + 1, parent.leftG, parent.leftH, nodes);
      const right = this.candidate(nodes.add(), mid, parent.end, parent.depth + 1, parent.g - parent.leftG, parent.h - parent.leftH, nodes);
      nodes.setSplit(parent.node, parent.feature, parent.bin, NaN, left.node, right.node);
      // The parent's histogram becomes the larger child's after the smaller child's is subtracted from it.
      const [small, large] = mid - parent.start <= parent.end - mid ? [left, right] : [right, left];
      small.hist = this.acquire();
      this.build(small, grad, hess);
      large.hist = parent.hist;
      const hs = this.pool[small.hist]!, hl = this.pool[large.hist]!;
      for (let j = 0; j < this.histSize; j++) hl[j]! -= hs[j]!;
      for (const child of [left, right]) {
        if (this.findSplit(child)) open.push(child);
        else {
          this.release(child);
          leaves.push(child);
        }
      }
    }
    for (const c of open) {
      this.release(c);
      leaves.push(c);
    }
    for (const leaf of leaves) {
      const v = nodes.values(leaf.node)[0]!;
      for (let q = leaf.start; q < leaf.end; q++) raw[rows[q]! * stride + column]! += v;
    }
    return nodes.build();
  }

  /** A new open leaf; its value (−lr·G/(H+λ)) is written now, for prediction and path attribution alike. */
  private candidate(node: number, start: number, end: number, depth: number, g: number, h: number, nodes: NodeBuilder): Candidate {
    nodes.values(node)[0] = -this.params.learningRate * g / (h + this.params.l2 + 1e-15);
    return { node, start, end, depth, g, h, hist: -1, gain: 0, feature: -1, bin: 0, leftG: 0, leftH: 0 };
  }

  /** Histogram of gradient, hessian and count per (feature, bin) over the candidate's rows. */
  private build(c: Candidate, grad: Float64Array, hess: Float64Array) {
    const hist = this.pool[c.hist]!;
    hist.fill(0);
    const { cols, codes } = this.binned;
    const off = this.offsets;
    const rows = this.rows;
    for (let q = c.start; q < c.end; q++) {
      const i = rows[q]!;
      const gi = grad[i]!, hi = hess[i]!;
      const base = i * cols;
      for (let f = 0; f < cols; f++) {
        const o = (off[f]! + codes[base + f]!) * 3;
        hist[o]! += gi;
        hist[o + 1]! += hi;
        hist[o + 2]!++;
      }
    }
  }

  /** Sets the candidate's best split from its histogram; false when it cannot or should not split. */
  private findSplit(c: Candidate): boolean {
    const p = this.params;
    const count = c.end - c.start;
    c.gain = 0;
    if (c.depth >= p.maxDepth || count < 2 * p.minSamplesLeaf) return false;
    const hist = this.pool[c.hist]!;
    const lambda = p.l2;
    const parentScore = (c.g * c.g) / (c.h + lambda);
    let bestGain = p.minGain;
    for (let f = 0; f < this.binned.cols; f++) {
      let gl = 0, hl = 0, nl = 0;
      const first = this.offsets[f]!, last = this.offsets[f + 1]! - 1; // a split after the last bin is no split
      for (let b = first; b < last; b++) {
        gl += hist[b * 3]!;
        hl += hist[b * 3 + 1]!;
        nl += hist[b * 3 + 2]!;
        if (nl < p.minSamplesLeaf || hl < p.minHessian) continue;
        if (count - nl < p.minSamplesLeaf) break;
        const gr = c.g - gl, hr = c.h - hl;
        if (hr < p.minHessian) break;
        const gain = (gl * gl) / (hl + lambda) + (gr * gr) / (hr + lambda) - parentScore;
        if (gain > bestGain) {
          bestGain = gain;
          c.feature = f;
          c.bin = b - first;
          c.leftG = gl;
          c.leftH = hl;
        }
      }
    }
    c.gain = c.feature >= 0 ? bestGain : 0;
    return c.feature >= 0;
  }

  private acquire(): number {
    const id = this.free.pop();
    if (id !== undefined) return id;
    this.pool.push(new Float64Array(this.histSize));
    return this.pool.length - 1;
  }

  private release(c: Candidate) {
    if (c.hist >= 0) this.free.push(c.hist);
    c.hist = -1;
  }
}
