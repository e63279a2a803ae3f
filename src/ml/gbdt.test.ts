import { describe, expect, it } from 'vitest';
import { createRng } from '../platform/random.js';
import { GradientBoosting } from './gbdt.js';
import { rowGradients, rowLoss } from './gbdt-loss.js';
import { depthOf, leafCount, leafOf } from './tree-nodes.js';
import { matrix } from './types.js';

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

function synthetic(n: number, cols: number, seed: number, rule: (row: Float64Array, rng: ReturnType<typeof createRng>) => number) {
  const rng = createRng(seed);
  const x = matrix(n, cols, Array.from({ length: n * cols }, () => rng.next()));
  const y = Int32Array.from({ length: n }, (_, i) => rule(x.data.subarray(i * cols, (i + 1) * cols), rng));
  return { x, y };
}

/** One stump per class, no held-out rows: the first iteration alone. */
const stump = (opts = {}) => new GradientBoosting({ maxIter: 1, maxDepth: 1, minSamplesLeaf: 1, learningRate: 0.1, l2: 1, earlyStopping: false, ...opts });

describe('gradient boosting: the first iteration by hand', () => {
  const x = matrix(6, 1, [0, 1, 2, 3, 4, 5]);

  it('binary: baseline logit of the prior, leaf values the Newton step −lr·G/(H+λ)', () => {
    // y = 0,0,0,0,1,1: prior 1/3, baseline ln(2/4); every p0 = 1/3, g = p0 − y, h = p0(1 − p0) = 2/9.
    // The best stump is x ≤ 3.5 (gain 16/17 + 16/13, next best 1.2). Left: G = 4/3, H = 8/9 → −0.1·(4/3)/(17/9) =
    // −1.2/17. Right: G = −4/3, H = 4/9 → 0.1·(4/3)/(13/9) = 1.2/13. The root's G is 0, so its value is 0.
    const model = stump();
    model.fit(x, Int32Array.of(0, 0, 0, 0, 1, 1));
    expect(model.baseline[0]).toBeCloseTo(Math.log(0.5), 15);
    const t = model.trees[0]!;
    expect(model.trees.length).toBe(1);
    expect(t.threshold[0]).toBe(3.5);
    expect(t.value[0]).toBeCloseTo(0, 15);
    expect(t.value[t.left[0]!]).toBeCloseTo(-1.2 / 17, 15);
    expect(t.value[t.right[0]!]).toBeCloseTo(1.2 / 13, 15);
    const p = model.predictProba(matrix(2, 1, [0, 5]));
    expect(p[1]).toBeCloseTo(sigmoid(Math.log(0.5) - 1.2 / 17), 15);
    expect(p[3]).toBeCloseTo(sigmoid(Math.log(0.5) + 1.2 / 13), 15);
    expect(p[0]! + p[1]!).toBeCloseTo(1, 15);
  });

  it('binary with sample weights: sums of weighted gradients and hessians', () => {
    // Row 5 weighs 3: class weights 4 and 4, baseline 0, p0 = 1/2. Left rows 0..3: G = 4·½, H = 4·¼ → −0.1·2/(1+1).
    // Right: G = −½·1 − ½·3 = −2, H = ¼·4 = 1 → +0.1.
    const model = stump();
    model.fit(x, Int32Array.of(0, 0, 0, 0, 1, 1), { sampleWeight: Float64Array.of(1, 1, 1, 1, 1, 3) });
    const t = model.trees[0]!;
    expect(model.baseline[0]).toBe(0);
    expect(t.value[t.left[0]!]).toBeCloseTo(-0.1, 15);
    expect(t.value[t.right[0]!]).toBeCloseTo(0.1, 15);
  });

  it('multiclass: log-prior baselines and one Newton step per class', () => {
    // y = 0,0,1,1,2,2: p0 = 1/3 for all, baselines ln(1/3). Class 0's tree: g = −2/3 on its rows, 1/3 elsewhere,
    // h = 2/9: the cut x ≤ 1.5 gives −0.1·(−4/3)/(4/9+1) = 1.2/13 and −0.1·(4/3)/(8/9+1) = −1.2/17; class 2 the mirror.
    const model = stump();
    model.fit(x, Int32Array.of(0, 0, 1, 1, 2, 2));
    expect(Array.from(model.baseline)).toEqual([1, 2, 3].map(() => Math.log(1 / 3)));
    expect(model.trees.length).toBe(3);
    const [t0, , t2] = model.trees as [typeof model.trees[0], unknown, typeof model.trees[0]];
    expect(t0.threshold[0]).toBe(1.5);
    expect(t0.value[t0.left[0]!]).toBeCloseTo(1.2 / 13, 15);
    expect(t0.value[t0.right[0]!]).toBeCloseTo(-1.2 / 17, 15);
    expect(t2.threshold[0]).toBe(3.5);
    expect(t2.value[t2.left[0]!]).toBeCloseTo(-1.2 / 17, 15);
    expect(t2.value[t2.right[0]!]).toBeCloseTo(1.2 / 13, 15);
    const p = model.predictProba(matrix(1, 1, [0]));
    const scores = [Math.log(1 / 3) + 1.2 / 13, Math.log(1 / 3) + model.trees[1]!.value[leafOf(model.trees[1]!, Float64Array.of(0), 0)]!, Math.log(1 / 3) - 1.2 / 17];
    const z = scores.reduce((s, v) => s + Math.exp(v), 0);
    scores.forEach((v, c) => expect(p[c]).toBeCloseTo(Math.exp(v) / z, 15));
  });
});

describe('gradient boosting: losses', () => {
  it('gradients and hessians match finite differences of the loss (binary and softmax)', () => {
    const rng = createRng(1);
    for (const k of [2, 4]) {
      const width = k === 2 ? 1 : k;
      const raw = Float64Array.from({ length: 3 * width }, () => rng.normal(0, 2));
      const grad = Array.from({ length: width }, () => new Float64Array(3));
      const hess = Array.from({ length: width }, () => new Float64Array(3));
      const prob = new Float64Array(k);
      const eps = 1e-5;
      for (let i = 0; i < 3; i++) {
        const label = (i + 1) % k;
        rowGradients(raw, i, k, label, 1, prob, grad, hess);
        for (let c = 0; c < width; c++) {
          const at = (delta: number) => {
            const shifted = raw.slice();
            shifted[i * width + c]! += delta;
            return shifted;
          };
          const numeric = (rowLoss(at(eps), i, k, label, prob) - rowLoss(at(-eps), i, k, label, prob)) / (2 * eps);
          expect(grad[c]![i]).toBeCloseTo(numeric, 8);
          // The hessian's diagonal is the derivative of the gradient.
          const gradAt = (delta: number) => {
            const all = Array.from({ length: width }, () => new Float64Array(3));
            rowGradients(at(delta), i, k, label, 1, prob, all, Array.from({ length: width }, () => new Float64Array(3)));
            return all[c]![i]!;
          };
          expect(hess[c]![i]).toBeCloseTo((gradAt(eps) - gradAt(-eps)) / (2 * eps), 8);
        }
        // A sample weight scales both.
        const g2 = Array.from({ length: width }, () => new Float64Array(3));
        const h2 = Array.from({ length: width }, () => new Float64Array(3));
        rowGradients(raw, i, k, label, 2.5, prob, g2, h2);
        expect(g2[0]![i]).toBeCloseTo(2.5 * grad[0]![i]!, 14);
        expect(h2[0]![i]).toBeCloseTo(2.5 * hess[0]![i]!, 14);
      }
    }
  });
});

describe('gradient boosting: trees, early stopping, explanations', () => {
  it('every node value is the Newton step of the rows reaching it (histograms and their subtraction are exact)', () => {
    const { x, y } = synthetic(2000, 6, 2, (r, rng) => (r[0]! + r[1]! * r[2]! + 0.3 * rng.next() > 0.8 ? 1 : 0));
    const model = new GradientBoosting({ maxIter: 1, maxLeafNodes: 31, minSamplesLeaf: 10, l2: 0.5, learningRate: 0.3, earlyStopping: false });
    model.fit(x, y);
    const t = model.trees[0]!;
    const p0 = sigmoid(model.baseline[0]!);
    const g = new Float64Array(t.feature.length), h = new Float64Array(t.feature.length), n = new Int32Array(t.feature.length);
    for (let i = 0; i < x.rows; i++) {
      let node = 0;
      for (;;) {
        g[node]! += p0 - y[i]!;
        h[node]! += p0 * (1 - p0);
        n[node]!++;
        if (t.feature[node]! < 0) break;
        node = x.data[i * 6 + t.feature[node]!]! > t.threshold[node]! ? t.right[node]! : t.left[node]!;
      }
    }
    expect(leafCount(t)).toBe(31);
    for (let node = 0; node < t.feature.length; node++) {
      expect(t.value[node]).toBeCloseTo((-0.3 * g[node]!) / (h[node]! + 0.5), 10);
      if (t.feature[node]! < 0) expect(n[node]).toBeGreaterThanOrEqual(10);
    }
  });

  it('stops early when the held-out loss stops improving, keeping the best iteration', () => {
    // Labels are coin flips: nothing generalises, so the held-out loss bottoms out within a few iterations.
    const { x, y } = synthetic(3000, 4, 3, (_, rng) => (rng.chance(0.3) ? 1 : 0));
    const model = new GradientBoosting({ maxIter: 200, learningRate: 0.3, earlyStopping: true, patience: 5, rng: createRng(1) });
    model.fit(x, y);
    const losses = model.validationLoss;
    const best = losses.indexOf(Math.min(...losses));
    expect(model.iterations).toBe(best + 1);
    expect(losses.length).toBe(model.iterations + 5);
    expect(model.iterations).toBeLessThan(20);
    expect(model.trees.length).toBe(model.iterations);
    // Without early stopping, all iterations run.
    const all = new GradientBoosting({ maxIter: 30, learningRate: 0.3, earlyStopping: false });
    all.fit(x, y);
    expect([all.iterations, all.trees.length, all.validationLoss.length]).toEqual([30, 30, 0]);
  });

  it('learns a separable three-class problem, honours max depth, and its probabilities sum to 1', () => {
    const rule = (r: Float64Array) => (r[0]! < 0.33 ? 0 : r[1]! < 0.5 ? 1 : 2);
    const train = synthetic(1500, 3, 4, rule);
    const test = synthetic(1000, 3, 5, rule);
    const model = new GradientBoosting({ maxDepth: 2, maxLeafNodes: 100, maxIter: 50, rng: createRng(2) });
    model.fit(train.x, train.y);
    expect(Math.max(...model.trees.map(depthOf))).toBe(2);
    const p = model.predictProba(test.x);
    let right = 0;
    for (let i = 0; i < test.x.rows; i++) {
      expect(p[3 * i]! + p[3 * i + 1]! + p[3 * i + 2]!).toBeCloseTo(1, 12);
      const best = [0, 1, 2].reduce((b, c) => (p[3 * i + c]! > p[3 * i + b]! ? c : b), 0);
      if (best === test.y[i]) right++;
    }
    expect(right / test.x.rows).toBeGreaterThan(0.97);
    expect(model.featureImportances[2]).toBeLessThan(0.02); // the noise feature
  });

  it('explains a row: intercept + contributions is exactly its logit, and unused features get nothing', () => {
    const { x, y } = synthetic(1500, 4, 6, (r, rng) => (2 * r[0]! - r[1]! + 0.4 * rng.normal() > 0.5 ? 1 : 0));
    const model = new GradientBoosting({ maxIter: 40, rng: createRng(3) });
    model.fit(x, y);
    const raw = model.decisionFunction(x);
    for (let i = 0; i < 50; i++) {
      const { intercept, contributions } = model.explain(x.data.subarray(i * 4, i * 4 + 4));
      expect(intercept + contributions.reduce((a, b) => a + b)).toBeCloseTo(raw[i]!, 12);
    }
    // Feature 0 pushes up with its value, feature 1 down.
    const { contributions } = model.explain([0.95, 0.05, 0.5, 0.5]);
    expect(contributions[0]).toBeGreaterThan(0);
    expect(contributions[1]).toBeGreaterThan(0); // a low x1 raises the logit too
    const used = new Set(model.trees.flatMap((t) => Array.from(t.feature).filter((f) => f >= 0)));
    for (let f = 0; f < 4; f++) if (!used.has(f)) expect(contributions[f]).toBe(0);
    // Multiclass: per class score column.
    const three = synthetic(600, 2, 7, (r) => Math.floor(r[0]! * 3));
    const mc = new GradientBoosting({ maxIter: 10 });
    mc.fit(three.x, three.y);
    const scores = mc.decisionFunction(three.x);
    for (let c = 0; c < 3; c++) {
      const e = mc.explain(three.x.data.subarray(8, 10), c);
      expect(e.intercept + e.contributions[0]! + e.contributions[1]!).toBeCloseTo(scores[4 * 3 + c]!, 12);
    }
    expect(() => mc.explain([0, 0], 3)).toThrow(/no score for class 3/);
    expect(() => model.explain([0, 0, 0, 0], 0)).toThrow(/no score for class 0/);
    expect(() => model.explain([0, 0])).toThrow(/fitted on 4 features/);
  });

  it('is deterministic for a seed, differs for another, and round-trips through JSON', () => {
    const { x, y } = synthetic(2000, 5, 8, (r, rng) => (r[0]! + r[3]! + 0.5 * rng.next() > 1.2 ? 1 : 0));
    const fit = (seed: number) => {
      const m = new GradientBoosting({ earlyStopping: true, maxIter: 30, rng: createRng(seed) });
      m.fit(x, y);
      return m;
    };
    const a = fit(11);
    expect(fit(11).predictProba(x)).toEqual(a.predictProba(x));
    expect(fit(12).predictProba(x)).not.toEqual(a.predictProba(x)); // another held-out set
    const again = GradientBoosting.fromJSON(JSON.parse(JSON.stringify(a.toJSON())));
    expect(again.predictProba(x)).toEqual(a.predictProba(x));
    expect(again.explain(x.data.subarray(15, 20))).toEqual(a.explain(x.data.subarray(15, 20)));
    const truncated = { ...a.toJSON(), trees: (a.toJSON().trees as unknown[]).slice(1) };
    expect(() => GradientBoosting.fromJSON(truncated)).toThrow(/tree count/);
  });
});
