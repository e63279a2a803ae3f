import { describe, expect, it } from 'vitest';
import { createRng } from '../platform/random.js';
import { RandomForest } from './forest.js';
import { DecisionTree } from './tree.js';
import { matrix, type Labels } from './types.js';

/** A disc in 2-D (inside: class 1), 3 pure-noise features, and a share of labels flipped at random. */
function noisyDisc(n: number, flip: number, seed: number) {
  const rng = createRng(seed);
  const x = matrix(n, 5, Array.from({ length: n * 5 }, () => rng.float(-1, 1)));
  const y = Int32Array.from({ length: n }, (_, i) => {
    const inside = x.data[i * 5]! ** 2 + x.data[i * 5 + 1]! ** 2 < 0.5 ? 1 : 0;
    return rng.chance(flip) ? 1 - inside : inside;
  });
  return { x, y };
}

function accuracy(proba: Float64Array, y: Labels): number {
  let right = 0;
  for (let i = 0; i < y.length; i++) if ((proba[2 * i + 1]! > 0.5 ? 1 : 0) === y[i]) right++;
  return right / y.length;
}

describe('random forest', () => {
  const train = noisyDisc(1000, 0.2, 1);
  const test = noisyDisc(2000, 0.2, 2);

  it('beats a single fully grown tree on a noisy set, and its out-of-bag accuracy predicts its test accuracy', () => {
    const tree = new DecisionTree({ rng: createRng(3) });
    tree.fit(train.x, train.y);
    const forest = new RandomForest({ trees: 60, oobScore: true, rng: createRng(3) });
    forest.fit(train.x, train.y);
    const treeAcc = accuracy(tree.predictProba(test.x), test.y);
    const forestAcc = accuracy(forest.predictProba(test.x), test.y);
    // The best possible here is 0.8 (a fifth of the labels are coin flips); one deep tree memorises the noise.
    expect(treeAcc).toBeLessThan(0.72);
    expect(forestAcc).toBeGreaterThan(treeAcc + 0.06);
    expect(forestAcc).toBeLessThanOrEqual(0.8 + 0.02);
    expect(Math.abs(forest.oobScore - forestAcc)).toBeLessThan(0.03);
    // Each row is out of bag for ~e⁻¹ of the trees, so every row has an OOB estimate with 60 trees.
    expect(forest.oobProba!.every((p) => p >= 0 && p <= 1)).toBe(true);
  });

  it('ranks the informative features first', () => {
    const forest = new RandomForest({ trees: 30, minSamplesLeaf: 5, rng: createRng(4) });
    forest.fit(train.x, train.y);
    const imp = forest.featureImportances;
    expect(imp.reduce((a, b) => a + b)).toBeCloseTo(1, 12);
    expect(Math.min(imp[0]!, imp[1]!)).toBeGreaterThan(2 * Math.max(imp[2]!, imp[3]!, imp[4]!));
  });

  it('averages its trees: one tree without bootstrap and with every feature is the plain tree', () => {
    const forest = new RandomForest({ trees: 1, bootstrap: false, maxFeatures: 'all', rng: createRng(5) });
    forest.fit(train.x, train.y);
    const tree = new DecisionTree({ rng: createRng(5).fork() });
    tree.fit(train.x, train.y);
    expect(forest.predictProba(test.x)).toEqual(tree.predictProba(test.x));
  });

  it('follows sample weights: a class weighted to zero is never predicted', () => {
    const w = Float64Array.from(train.y, (c) => (c === 1 ? 0 : 1));
    const forest = new RandomForest({ trees: 5, rng: createRng(6) });
    forest.fit(train.x, train.y, { sampleWeight: w });
    const p = forest.predictProba(test.x);
    for (let i = 0; i < test.x.rows; i++) expect(p[2 * i + 1]).toBe(0);
    // Class weights multiply into the same row weights: 'balanced' is n / (2 · class count) per row.
    const n1 = train.y.reduce((a, b) => a + b, 0);
    const perRow = Float64Array.from(train.y, (c) => 1000 / (2 * (c === 1 ? n1 : 1000 - n1)));
    const byClass = new RandomForest({ trees: 5, classWeight: 'balanced', rng: createRng(6) });
    byClass.fit(train.x, train.y);
    const byRow = new RandomForest({ trees: 5, rng: createRng(6) });
    byRow.fit(train.x, train.y, { sampleWeight: perRow });
    expect(byClass.predictProba(test.x)).toEqual(byRow.predictProba(test.x));
  });

  it('is deterministic for a seed, differs for another, and round-trips through JSON', () => {
    const fit = (seed: number) => {
      const m = new RandomForest({ trees: 8, rng: createRng(seed) });
      m.fit(train.x, train.y);
      return m;
    };
    const a = fit(7);
    expect(fit(7).predictProba(test.x)).toEqual(a.predictProba(test.x));
    expect(fit(8).predictProba(test.x)).not.toEqual(a.predictProba(test.x));
    const again = RandomForest.fromJSON(JSON.parse(JSON.stringify(a.toJSON())));
    expect(again.predictProba(test.x)).toEqual(a.predictProba(test.x));
    expect(Array.from(again.featureImportances)).toEqual(Array.from(a.featureImportances));
    expect(() => RandomForest.fromJSON({ ...a.toJSON(), version: 2 })).toThrow(/version 2 is not readable/);
  });
});
