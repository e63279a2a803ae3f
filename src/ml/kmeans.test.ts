import { describe, expect, it } from 'vitest';
import { createRng } from '../platform/random.js';
import { chooseK, KMeans, kmeansPlusPlus, lloyd, silhouetteScore } from './kmeans.js';
import { matrix, type Matrix } from './types.js';

/** Gaussian blobs (sd 1) around the given centres, n rows each, shuffled; with the true blob of each row. */
function blobs(centres: number[][], n: number, seed: string, sd = 1): { x: Matrix; truth: Int32Array } {
  const rng = createRng(seed);
  const d = centres[0]!.length;
  const order = Array.from({ length: centres.length * n }, (_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const x = matrix(order.length, d);
  const truth = new Int32Array(order.length);
  order.forEach((o, row) => {
    const c = Math.floor(o / n);
    truth[row] = c;
    for (let j = 0; j < d; j++) x.data[row * d + j] = centres[c]![j]! + rng.normal(0, sd);
  });
  return { x, truth };
}

/** Each true blob maps onto exactly one cluster and no two blobs share one. */
function samePartition(a: Int32Array, b: Int32Array): boolean {
  const ab = new Map<number, number>();
  const ba = new Map<number, number>();
  for (let i = 0; i < a.length; i++) {
    if ((ab.get(a[i]!) ?? b[i]) !== b[i] || (ba.get(b[i]!) ?? a[i]) !== a[i]) return false;
    ab.set(a[i]!, b[i]!);
    ba.set(b[i]!, a[i]!);
  }
  return true;
}

const CENTRES_4 = [[0, 0, 0], [12, 0, 0], [0, 12, 0], [0, 0, 12]];

describe('k-means', () => {
  it('recovers well-separated blobs, and assign() agrees with the fit', () => {
    const { x, truth } = blobs(CENTRES_4, 150, 'blobs');
    const model = new KMeans(4, { rng: createRng(1) }).fit(x);
    expect(samePartition(truth, model.labels!)).toBe(true);
    expect(Array.from(model.sizes)).toEqual([150, 150, 150, 150]);
    expect(Array.from(model.predict(x))).toEqual(Array.from(model.labels!));
    // Each centroid sits near its blob's centre (the mean of 150 N(0,1) draws: within ~0.3).
    for (let c = 0; c < 4; c++) {
      const centroid = Array.from(model.centroids.subarray(c * 3, c * 3 + 3));
      const nearest = Math.min(...CENTRES_4.map((m) => Math.hypot(...m.map((v, j) => v - centroid[j]!))));
      expect(nearest).toBeLessThan(0.5);
    }
  });

  it('chooses the true k by silhouette', () => {
    for (const [centres, seed] of [[CENTRES_4, 'k4'], [CENTRES_4.slice(0, 3), 'k3'], [[[0, 0, 0], [15, 15, 15]], 'k2']] as const) {
      const { x } = blobs(centres as number[][], 100, seed);
      const { model, scores } = chooseK(x, 2, 7, { rng: createRng(seed) });
      expect(model.k).toBe(centres.length);
      expect(scores.map((s) => s.k)).toEqual([2, 3, 4, 5, 6, 7]);
      expect(model.silhouette).toBe(Math.max(...scores.map((s) => s.silhouette)));
    }
  });

  it('runs Lloyd iterations to the cluster means from given centroids', () => {
    const x = matrix(5, 1, [0, 1, 2, 10, 12]);
    const centroids = Float64Array.from([0, 1]);
    // Seeded {0} | {1, 2, 10, 12}: means 0, 6.25 → {0, 1, 2} | {10, 12}: means 1, 11 → nothing moves.
    const run = lloyd(x, centroids);
    expect(Array.from(centroids)).toEqual([1, 11]);
    expect(Array.from(run.labels)).toEqual([0, 0, 0, 1, 1]);
    expect(run.inertia).toBeCloseTo(1 + 0 + 1 + 1 + 1, 12);
    expect(run.iterations).toBe(2);
  });

  it('refills an empty cluster with the farthest row', () => {
    const x = matrix(4, 1, [0, 1, 2, 30]);
    const centroids = Float64Array.from([1, 100]);
    const run = lloyd(x, centroids);
    expect(Array.from(run.labels)).toEqual([0, 0, 0, 1]);
    expect(Array.from(centroids)).toEqual([1, 30]);
  });

  it('seeds k-means++ with distinct rows and never picks a duplicate of a chosen one', () => {
    const x = matrix(6, 1, [5, 5, 5, 5, 5, 9]);
    for (let s = 0; s < 20; s++) expect(Array.from(kmeansPlusPlus(x, 2, createRng(s))).sort()).toEqual([5, 9]);
  });

  it('matches a hand-computed silhouette', () => {
    // [0, 1 | 5, 6]: the outer points have a = 1, b = 5.5; the inner ones a = 1, b = 4.5.
    const s = silhouetteScore(matrix(4, 1, [0, 1, 5, 6]), Int32Array.from([0, 0, 1, 1]));
    expect(s).toBeCloseTo((1 - 1 / 5.5 + 1 - 1 / 4.5) / 2, 12);
    // A row alone in its cluster scores 0: (0.8 + 0.75 + 0) / 3.
    expect(silhouetteScore(matrix(3, 1, [0, 1, 5]), Int32Array.from([0, 0, 1]))).toBeCloseTo(1.55 / 3, 12);
    // In 2-D, with Euclidean (not squared) distances: (0,0),(0,1) | (3,4): a = 1, b = 5 and √(9+9) = 4.2426…
    const b1 = Math.sqrt(18);
    expect(silhouetteScore(matrix(3, 2, [0, 0, 0, 1, 3, 4]), Int32Array.from([0, 0, 1]))).toBeCloseTo((1 - 1 / 5 + 1 - 1 / b1) / 3, 12);
    expect(() => silhouetteScore(matrix(2, 1, [0, 1]), Int32Array.from([0, 0]))).toThrow(/2 clusters/);
  });

  it('samples the silhouette above the exact limit, close to the exact value', () => {
    const { x, truth } = blobs([[0, 0], [4, 0], [0, 4]], 1000, 'big', 1.5);
    const exact = silhouetteScore(x, truth, { exactUpTo: Infinity });
    const sampled = silhouetteScore(x, truth, { rng: createRng(3) });
    expect(sampled).not.toBe(exact);
    expect(Math.abs(sampled - exact)).toBeLessThan(0.02);
    expect(silhouetteScore(x, truth, { rng: createRng(3) })).toBe(sampled);
  });

  it('is deterministic for a seed and round-trips through JSON', () => {
    const { x } = blobs(CENTRES_4, 60, 'det', 3);
    const a = chooseK(x, 2, 5, { rng: createRng('seed') });
    const b = chooseK(x, 2, 5, { rng: createRng('seed') });
    expect(b.scores).toEqual(a.scores);
    expect(Array.from(b.model.centroids)).toEqual(Array.from(a.model.centroids));
    const back = KMeans.fromJSON(JSON.parse(JSON.stringify(a.model)));
    expect(Array.from(back.predict(x))).toEqual(Array.from(a.model.labels!));
    expect(back.silhouette).toBe(a.model.silhouette);
    expect(() => KMeans.fromJSON({ ...a.model.toJSON(), centroids: [1] })).toThrow(/centroids/);
    expect(() => back.assign([1, 2])).toThrow(/3 columns/);
  });
});
