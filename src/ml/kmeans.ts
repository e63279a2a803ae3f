// k-means for behaviour clustering: k-means++ seeding, Lloyd iterations, the best of several restarts by inertia,
// and k chosen in a range by the silhouette score. Rows should be standardized first (distances are Euclidean, so
// a column in seconds would outweigh one in counts).
import { createRng, type Rng } from '../platform/random.js';
import { expectModel, readCount, readFloats, readNumber } from './model-json.js';
import type { Matrix, SerializedModel } from './types.js';

export interface KMeansOptions {
  /** Seedings tried; the clustering with the least inertia is kept (default 4). */
  restarts?: number;
  /** Lloyd iterations at most per restart (default 100). */
  maxIterations?: number;
  /** Stop once the squared centroid shifts sum to less than this times the mean column variance (1e-4, as scikit-learn). */
  tolerance?: number;
  rng?: Rng;
}

export interface SilhouetteOptions {
  /** Exact (every pair) up to this many rows (default 2,000); above it, on a uniform sample. */
  exactUpTo?: number;
  /** Rows sampled when above exactUpTo (default 2,000). */
  sampleSize?: number;
  rng?: Rng;
}

export interface KChoice {
  model: KMeans;
  /** Per k tried: its silhouette and inertia. */
  scores: { k: number; silhouette: number; inertia: number }[];
}

const sqDist = (a: Float64Array, ai: number, b: Float64Array, bi: number, d: number): number => {
  let s = 0;
  for (let j = 0; j < d; j++) {
    const t = a[ai + j]! - b[bi + j]!;
    s += t * t;
  }
  return s;
};

/** k-means++ seeding: each next centroid is a row drawn with probability proportional to its squared distance to the nearest chosen one. */
export function kmeansPlusPlus(x: Matrix, k: number, rng: Rng): Float64Array {
  const { rows, cols: d, data } = x;
  if (k < 1 || k > rows) throw new Error(`kmeans: k = ${k} needs 1..${rows} rows`);
  const centroids = new Float64Array(k * d);
  const first = rng.int(0, rows - 1);
  centroids.set(data.subarray(first * d, first * d + d), 0);
  const nearest = new Float64Array(rows);
  for (let i = 0; i < rows; i++) nearest[i] = sqDist(data, i * d, centroids, 0, d);
  for (let c = 1; c < k; c++) {
    let total = 0;
    for (let i = 0; i < rows; i++) total += nearest[i]!;
    // All remaining rows coincide with a centroid: any row will do.
    let pick = rows - 1;
    if (total > 0) {
      let r = rng.next() * total;
      for (let i = 0; i < rows; i++) {
        r -= nearest[i]!;
        if (r < 0) {
          pick = i;
          break;
        }
      }
    } else pick = rng.int(0, rows - 1);
    centroids.set(data.subarray(pick * d, pick * d + d), c * d);
    for (let i = 0; i < rows; i++) nearest[i] = Math.min(nearest[i]!, sqDist(data, i * d, centroids, c * d, d));
  }
  return centroids;
}

/** Lloyd's algorithm from the given centroids (changed in place): assignments, inertia and iterations run. */
export function lloyd(x: Matrix, centroids: Float64Array, maxIterations = 100, tolerance = 1e-4): { labels: Int32Array; inertia: number; iterations: number } {
  const { rows, cols: d, data } = x;
  const k = centroids.length / d;
  const labels = new Int32Array(rows);
  const dist = new Float64Array(rows);
  const sums = new Float64Array(k * d);
  const counts = new Float64Array(k);
  const scale = totalVariance(x) || 1;
  let iterations = 0;
  labels.fill(-1);
  assignAll(data, rows, d, centroids, k, labels, dist);
  while (iterations < maxIterations) {
    iterations++;
    sums.fill(0);
    counts.fill(0);
    for (let i = 0; i < rows; i++) {
      const c = labels[i]!;
      counts[c]!++;
      for (let j = 0; j < d; j++) sums[c * d + j]! += data[i * d + j]!;
    }
    let shift = 0;
    for (let c = 0; c < k; c++) {
      if (counts[c] === 0) {
        // An empty cluster takes the row farthest from its centroid (and that row stops counting as far).
        let far = 0;
        for (let i = 1; i < rows; i++) if (dist[i]! > dist[far]!) far = i;
        dist[far] = 0;
        shift += sqDist(centroids, c * d, data, far * d, d);
        centroids.set(data.subarray(far * d, far * d + d), c * d);
        continue;
      }
      for (let j = 0; j < d; j++) {
        const m = sums[c * d + j]! / counts[c]!;
        shift += (m - centroids[c * d + j]!) ** 2;
        centroids[c * d + j] = m;
      }
    }
    // Converged when no row changes cluster (the means are then fixed) or the centroids barely move.
    if (assignAll(data, rows, d, centroids, k, labels, dist) === 0 || shift <= tolerance * scale) break;
  }
  let inertia = 0;
  for (let i = 0; i < rows; i++) inertia += dist[i]!;
  return { labels, inertia, iterations };
}

/** Assigns every row to its nearest centroid; answers how many rows changed cluster. */
function assignAll(data: Float64Array, rows: number, d: number, centroids: Float64Array, k: number, labels: Int32Array, dist: Float64Array): number {
  let changed = 0;
  for (let i = 0; i < rows; i++) {
    let best = 0;
    let bestD = Infinity;
    for (let c = 0; c < k; c++) {
      const s = sqDist(data, i * d, centroids, c * d, d);
      if (s < bestD) (bestD = s), (best = c);
    }
    if (labels[i] !== best) changed++;
    labels[i] = best;
    dist[i] = bestD;
  }
  return changed;
}

/** Sum over columns of the population variance: the scale the convergence tolerance is relative to. */
function totalVariance(x: Matrix): number {
  const { rows, cols: d, data } = x;
  let total = 0;
  for (let j = 0; j < d; j++) {
    let mean = 0;
    for (let i = 0; i < rows; i++) mean += data[i * d + j]! / rows;
    for (let i = 0; i < rows; i++) total += (data[i * d + j]! - mean) ** 2 / rows;
  }
  return total / d;
}

/**
 * The mean silhouette (b − a) / max(a, b) over rows, with a the mean distance to the rest of the row's cluster and b
 * the least mean distance to another cluster; 0 for a row alone in its cluster (as scikit-learn). Above exactUpTo
 * rows, computed within a uniform sample (like scikit-learn's sample_size), which keeps it O(sample² · columns).
 */
export function silhouetteScore(x: Matrix, labels: Int32Array, opts: SilhouetteOptions = {}): number {
  const exactUpTo = opts.exactUpTo ?? 2000;
  const rows = x.rows <= exactUpTo ? Array.from({ length: x.rows }, (_, i) => i) : sampleRows(x.rows, opts.sampleSize ?? 2000, opts.rng ?? createRng(0));
  const n = rows.length;
  const d = x.cols;
  const k = Math.max(...rows.map((i) => labels[i]!)) + 1;
  const size = new Float64Array(k);
  for (const i of rows) size[labels[i]!]!++;
  if (size.filter((s) => s > 0).length < 2) throw new Error('silhouette: needs at least 2 clusters');
  const sums = new Float64Array(k);
  let total = 0;
  for (let p = 0; p < n; p++) {
    const i = rows[p]!;
    const own = labels[i]!;
    if (size[own]! < 2) continue;
    sums.fill(0);
    for (let q = 0; q < n; q++) if (q !== p) sums[labels[rows[q]!]!]! += Math.sqrt(sqDist(x.data, i * d, x.data, rows[q]! * d, d));
    const a = sums[own]! / (size[own]! - 1);
    let b = Infinity;
    for (let c = 0; c < k; c++) if (c !== own && size[c]! > 0) b = Math.min(b, sums[c]! / size[c]!);
    const m = Math.max(a, b);
    total += m > 0 ? (b - a) / m : 0;
  }
  return total / n;
}

/** `size` distinct row indices out of `rows`, uniformly (partial Fisher–Yates), in ascending order. */
function sampleRows(rows: number, size: number, rng: Rng): number[] {
  const all = Int32Array.from({ length: rows }, (_, i) => i);
  for (let i = 0; i < size; i++) {
    const j = rng.int(i, rows - 1);
    const t = all[i]!;
    all[i] = all[j]!;
    all[j] = t;
  }
  return Array.from(all.subarray(0, size)).sort((a, b) => a - b);
}

/** Fits k = min..max and keeps the k with the best silhouette (ties: the smaller k). */
export function chooseK(x: Matrix, min: number, max: number, opts: KMeansOptions & SilhouetteOptions = {}): KChoice {
  if (!(Number.isInteger(min) && Number.isInteger(max) && min >= 2 && max >= min)) throw new Error(`kmeans: k range ${min}..${max} must be integers with 2 ≤ min ≤ max`);
  const rng = opts.rng ?? createRng(0);
  // One sample for every k, so the scores compare like with like.
  const silhouetteRng = rng.fork();
  let best: KChoice['model'] | undefined;
  const scores: KChoice['scores'] = [];
  for (let k = min; k <= Math.min(max, x.rows - 1); k++) {
    const model = new KMeans(k, { ...opts, rng: rng.fork() }).fit(x);
    const s = silhouetteScore(x, model.labels!, { ...opts, rng: silhouetteRng.fork() });
    model.silhouette = s;
    scores.push({ k, silhouette: s, inertia: model.inertia });
    if (!best || s > best.silhouette!) best = model;
  }
  if (!best) throw new Error(`kmeans: ${x.rows} rows are too few for k ≥ ${min}`);
  return { model: best, scores };
}

/** A fitted k-means clustering; assign() places one new row (the real-time path). */
export class KMeans {
  static readonly KIND = 'kmeans';
  static readonly VERSION = 1;
  readonly kind = KMeans.KIND;
  cols = 0;
  centroids: Float64Array = new Float64Array(0);
  inertia = NaN;
  iterations = 0;
  /** Set by chooseK; null when not computed. */
  silhouette: number | null = null;
  /** The training rows' clusters (not serialized). */
  labels: Int32Array | undefined;
  /** Training rows per cluster. */
  sizes: Float64Array = new Float64Array(0);

  constructor(
    readonly k: number,
    private readonly options: KMeansOptions = {},
  ) {
    if (!Number.isInteger(k) || k < 1) throw new Error(`kmeans: k must be a positive integer, got ${k}`);
  }

  fit(x: Matrix): this {
    const rng = this.options.rng ?? createRng(0);
    const restarts = this.options.restarts ?? 4;
    let best: ReturnType<typeof lloyd> | undefined;
    for (let r = 0; r < restarts; r++) {
      const centroids = kmeansPlusPlus(x, this.k, rng);
      const run = lloyd(x, centroids, this.options.maxIterations ?? 100, this.options.tolerance ?? 1e-4);
      if (!best || run.inertia < best.inertia) (best = run), (this.centroids = centroids);
    }
    this.cols = x.cols;
    this.inertia = best!.inertia;
    this.iterations = best!.iterations;
    this.labels = best!.labels;
    this.sizes = new Float64Array(this.k);
    for (const c of best!.labels) this.sizes[c]!++;
    return this;
  }

  /** The nearest centroid of one row. */
  assign(row: ArrayLike<number>): number {
    if (row.length !== this.cols) throw new Error(`kmeans: fitted on ${this.cols} columns, got ${row.length}`);
    let best = 0;
    let bestD = Infinity;
    for (let c = 0; c < this.k; c++) {
      let s = 0;
      for (let j = 0; j < this.cols; j++) s += (row[j]! - this.centroids[c * this.cols + j]!) ** 2;
      if (s < bestD) (bestD = s), (best = c);
    }
    return best;
  }

  predict(x: Matrix): Int32Array {
    const out = new Int32Array(x.rows);
    for (let i = 0; i < x.rows; i++) out[i] = this.assign(x.data.subarray(i * x.cols, (i + 1) * x.cols));
    return out;
  }

  toJSON(): SerializedModel {
    return {
      kind: KMeans.KIND,
      version: KMeans.VERSION,
      k: this.k,
      cols: this.cols,
      centroids: Array.from(this.centroids),
      sizes: Array.from(this.sizes),
      inertia: this.inertia,
      silhouette: this.silhouette,
    };
  }

  static fromJSON(json: unknown): KMeans {
    const m = expectModel(json, KMeans.KIND, KMeans.VERSION);
    const model = new KMeans(readCount(m, 'k'));
    if (model.k < 1) throw new Error('kmeans: k must be positive');
    model.cols = readCount(m, 'cols');
    model.centroids = readFloats(m, 'centroids', model.k * model.cols);
    model.sizes = readFloats(m, 'sizes', model.k);
    model.inertia = readNumber(m, 'inertia');
    model.silhouette = m.silhouette === null ? null : readNumber(m, 'silhouette');
    return model;
  }
}
