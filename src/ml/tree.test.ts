import { describe, expect, it } from 'vitest';
import { createRng } from '../platform/random.js';
import { DecisionTree, impurity } from './tree.js';
import { depthOf, leafCount, leafOf } from './tree-nodes.js';
import { matrix, type Matrix } from './types.js';

/** n rows of `cols` uniform features in [0, 1) and labels from `rule`. */
function synthetic(n: number, cols: number, seed: number, rule: (row: Float64Array) => number) {
  const rng = createRng(seed);
  const x = matrix(n, cols, Array.from({ length: n * cols }, () => rng.next()));
  const y = Int32Array.from({ length: n }, (_, i) => rule(x.data.subarray(i * cols, (i + 1) * cols)));
  return { x, y };
}

const predictions = (proba: Float64Array, k: number) =>
  Int32Array.from({ length: proba.length / k }, (_, i) => {
    let best = 0;
    for (let c = 1; c < k; c++) if (proba[i * k + c]! > proba[i * k + best]!) best = c;
    return best;
  });

describe('decision tree (CART on bins)', () => {
  it('recovers an axis-aligned rule exactly: x1 ≤ 0.6 and x0 > 0.3', () => {
    // A 100 × 100 grid of values 0.00 … 0.99, so the cut points fall halfway between grid values.
    const x = matrix(10_000, 2);
    const y = new Int32Array(10_000);
    for (let i = 0; i < 100; i++) {
      for (let j = 0; j < 100; j++) {
        const r = i * 100 + j;
        x.data[2 * r] = i / 100;
        x.data[2 * r + 1] = j / 100;
        y[r] = i / 100 > 0.3 && j / 100 <= 0.6 ? 1 : 0;
      }
    }
    const model = new DecisionTree();
    model.fit(x, y);
    const t = model.tree!;
    // The root takes x1 (children impurity 0.61·gini(0.69) = 0.261 beats 0.69·gini(0.61) = 0.328 for x0).
    expect([t.feature[0], t.threshold[0]]).toEqual([1, 0.6 + (0.61 - 0.6) / 2]);
    const left = t.left[0]!;
    expect([t.feature[left], t.threshold[left]]).toEqual([0, 0.3 + (0.31 - 0.3) / 2]);
    expect(leafCount(t)).toBe(3);
    expect(depthOf(t)).toBe(2);
    // Off-grid points too: every answer is certain and right.
    const probe = synthetic(2000, 2, 1, () => 0).x;
    const p = model.predictProba(probe);
    for (let r = 0; r < probe.rows; r++) {
      const [a, b] = [probe.data[2 * r]!, probe.data[2 * r + 1]!];
      if (Math.abs(a - 0.305) < 0.005 || Math.abs(b - 0.605) < 0.005) continue; // between grid values: either side is right
      expect(p[2 * r + 1]).toBe(a > 0.3 && b <= 0.6 ? 1 : 0);
    }
  });

  it('chooses the split a hand computation gives, which differs between gini and entropy', () => {
    // x = 0..5, classes 0,2,2,0,1,2. Weighted children impurity wL·iL + wR·iR per cut:
    //   after row 1 (x ≤ 0.5): gini 1·0 + 5·(1 − (1+1+9)/25) = 2.8;   entropy 5·H(.2,.2,.6) = 6.855
    //   after row 4 (x ≤ 3.5): gini 4·0.5 + 2·0.5 = 3.0;             entropy 4·1 + 2·1 = 6.0
    // and every other cut is worse for both, so gini cuts at 0.5 and entropy at 3.5.
    const x = matrix(6, 1, [0, 1, 2, 3, 4, 5]);
    const y = Int32Array.from([0, 2, 2, 0, 1, 2]);
    const gini = new DecisionTree({ criterion: 'gini', maxDepth: 1 });
    gini.fit(x, y);
    expect(gini.tree!.threshold[0]).toBe(0.5);
    expect(Array.from(gini.tree!.value.subarray(3 * gini.tree!.right[0]!, 3 * gini.tree!.right[0]! + 3))).toEqual([0.2, 0.2, 0.6]);
    const entropy = new DecisionTree({ criterion: 'entropy', maxDepth: 1 });
    entropy.fit(x, y);
    expect(entropy.tree!.threshold[0]).toBe(3.5);
    expect(Array.from(entropy.predictProba(matrix(2, 1, [0, 5])))).toEqual([0.5, 0, 0.5, 0, 0.5, 0.5]);
    // The impurities themselves, by hand: gini(2,1,3) = 1 − 14/36, entropy(1,1) = 1 bit.
    expect(impurity('gini', Float64Array.of(2, 1, 3), 0, 3, 6)).toBeCloseTo(22 / 36, 15);
    expect(impurity('entropy', Float64Array.of(1, 1), 0, 2, 2)).toBe(1);
  });

  it('takes a split that gains nothing when the next level pays (XOR)', () => {
    const x = matrix(20, 2, Array.from({ length: 20 }, (_, i) => [(i >> 1) & 1, i & 1]).flat());
    const y = Int32Array.from({ length: 20 }, (_, i) => ((i >> 1) & 1) ^ (i & 1));
    const model = new DecisionTree();
    model.fit(x, y);
    expect(predictions(model.predictProba(x), 2)).toEqual(y);
    expect(depthOf(model.tree!)).toBe(2);
  });

  it('treats an integer sample weight as that many copies of the row', () => {
    const { x, y } = synthetic(60, 3, 2, (r) => (r[0]! + 0.3 * r[1]! > 0.6 ? 1 : 0));
    y[5] = 1 - y[5]!; // some noise, so the tree has work to do
    y[17] = 1 - y[17]!;
    const w = Float64Array.from({ length: 60 }, (_, i) => 1 + (i % 3));
    const copies = Array.from({ length: 60 }, (_, i) => Array(w[i]!).fill(i) as number[]).flat();
    const xDup = matrix(copies.length, 3, copies.flatMap((i) => Array.from(x.data.subarray(i * 3, i * 3 + 3))));
    const weighted = new DecisionTree({ rng: createRng(1) });
    weighted.fit(x, y, { sampleWeight: w });
    const duplicated = new DecisionTree({ rng: createRng(1) });
    duplicated.fit(xDup, Int32Array.from(copies, (i) => y[i]!));
    expect(weighted.predictProba(x)).toEqual(duplicated.predictProba(x));
    // A zero weight removes the row: the tree no longer bothers to isolate the flipped labels.
    w[5] = w[17] = 0;
    const without = new DecisionTree();
    without.fit(x, y, { sampleWeight: w });
    expect(leafCount(without.tree!)).toBeLessThan(leafCount(weighted.tree!));
  });

  it('honours max depth and min samples per leaf', () => {
    const { x, y } = synthetic(500, 4, 3, (r) => (r[0]! + r[1]! * r[2]! > 0.5 !== r[3]! < 0.1 ? 1 : 0));
    const shallow = new DecisionTree({ maxDepth: 3 });
    shallow.fit(x, y);
    expect(depthOf(shallow.tree!)).toBe(3);
    const bushy = new DecisionTree({ minSamplesLeaf: 7 });
    bushy.fit(x, y);
    const perLeaf = new Map<number, number>();
    for (let i = 0; i < x.rows; i++) {
      const leaf = leafOf(bushy.tree!, x.data, i * 4);
      perLeaf.set(leaf, (perLeaf.get(leaf) ?? 0) + 1);
    }
    expect(perLeaf.size).toBe(leafCount(bushy.tree!));
    expect(Math.min(...perLeaf.values())).toBeGreaterThanOrEqual(7);
    expect(Math.min(...perLeaf.values())).toBeLessThan(14); // it does grow down to the limit
  });

  it('is deterministic for a seed when subsampling features, and finds the informative feature', () => {
    const { x, y } = synthetic(400, 5, 4, (r) => (r[2]! > 0.5 ? 1 : 0));
    const fit = (seed: number) => {
      const m = new DecisionTree({ maxFeatures: 1, maxDepth: 4, rng: createRng(seed) });
      m.fit(x, y);
      return m;
    };
    expect(JSON.stringify(fit(9).toJSON())).toBe(JSON.stringify(fit(9).toJSON()));
    expect(JSON.stringify(fit(9).toJSON())).not.toBe(JSON.stringify(fit(10).toJSON()));
    const all = new DecisionTree();
    all.fit(x, y);
    expect(all.featureImportances[2]).toBe(1);
    expect(all.featureImportances.reduce((a, b) => a + b)).toBeCloseTo(1, 12);
  });

  it('round-trips through JSON with identical predictions', () => {
    const { x, y } = synthetic(300, 3, 6, (r) => Math.floor(r[0]! * 3));
    const model = new DecisionTree({ maxDepth: 5 });
    model.fit(x, y);
    const again = DecisionTree.fromJSON(JSON.parse(JSON.stringify(model.toJSON())));
    expect(again.classes).toBe(3);
    expect(again.predictProba(x)).toEqual(model.predictProba(x));
    expect(() => DecisionTree.fromJSON({ kind: 'gbdt', version: 1 })).toThrow(/expected a decision-tree/);
    expect(() => model.predictProba(matrix(1, 2))).toThrow(/2 columns, fitted on 3/);
    const broken = () => JSON.parse(JSON.stringify(model.toJSON())) as { tree: { left: number[]; feature: number[]; value: number[] } };
    const loop = broken();
    loop.tree.left[0] = 0; // a walk would never reach a leaf
    expect(() => DecisionTree.fromJSON(loop)).toThrow(/child link/);
    const unknownFeature = broken();
    unknownFeature.tree.feature[0] = 3;
    expect(() => DecisionTree.fromJSON(unknownFeature)).toThrow(/feature 3 of 3/);
    const truncated = broken();
    truncated.tree.value.pop();
    expect(() => DecisionTree.fromJSON(truncated)).toThrow(/inconsistent length/);
  });

  it('refuses inconsistent input', () => {
    const m = new DecisionTree();
    const x: Matrix = matrix(3, 1, [1, 2, 3]);
    expect(() => m.fit(x, Int32Array.of(0, 1))).toThrow(/labels/);
    expect(() => m.fit(x, Int32Array.of(0, 1, -1))).toThrow(/not a class index/);
    expect(() => m.fit(x, Int32Array.of(0, 1, 1), { sampleWeight: Float64Array.of(1, NaN, 1) })).toThrow(/weight of row 1/);
    expect(() => m.predictProba(x)).toThrow(/not fitted/);
  });
});
