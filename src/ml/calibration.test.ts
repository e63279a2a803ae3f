import { describe, expect, it } from 'vitest';
import { createRng } from '../platform/random.js';
import { fitIsotonic, fitPlatt, IsotonicCalibrator, isotonicValue, PlattCalibrator, plattProbability } from './calibration.js';
import { expectedCalibrationError } from './metrics.js';

// A small scored set; reference values from scikit-learn 1.2.1 (_sigmoid_calibration, IsotonicRegression).
const f = [-2.0, -1.5, -1.0, -0.5, -0.2, 0.0, 0.3, 0.5, 1.0, 1.2, 1.5, 2.5];
const y = [0, 0, 1, 0, 0, 1, 0, 1, 1, 0, 1, 1];

describe('Platt scaling', () => {
  it('matches scikit-learn on a small set, with and without weights', () => {
    const p = fitPlatt(f, y);
    expect(p.a).toBeCloseTo(-0.6516251588737407, 5);
    expect(p.b).toBeCloseTo(0.09673552714842232, 5);
    const pw = fitPlatt(f, y, [1, 2, 1, 1, 1, 0.5, 1, 1, 3, 1, 1, 1]);
    expect(pw.a).toBeCloseTo(-0.8702202333392524, 5);
    expect(pw.b).toBeCloseTo(0.06777836274189189, 5);
  });

  it('stops at the optimum: the gradient against the smoothed targets is zero', () => {
    const { a, b } = fitPlatt(f, y);
    const hi = (6 + 1) / (6 + 2);
    const lo = 1 / (6 + 2);
    let gA = 0;
    let gB = 0;
    f.forEach((fi, i) => {
      const r = (y[i] ? hi : lo) - plattProbability({ a, b }, fi);
      gA += fi * r;
      gB += r;
    });
    expect(Math.abs(gA)).toBeLessThan(1e-5);
    expect(Math.abs(gB)).toBeLessThan(1e-5);
  });

  it('with constant scores, b is the closed form logit of the mean smoothed target', () => {
    // 3 positives, 7 negatives: targets 4/5 and 1/9; p = mean target, b = log((1 − p)/p).
    const labels = [1, 1, 1, 0, 0, 0, 0, 0, 0, 0];
    const { b } = fitPlatt(new Array(10).fill(0), labels);
    const p = (3 * (4 / 5) + 7 * (1 / 9)) / 10;
    expect(b).toBeCloseTo(Math.log((1 - p) / p), 7);
  });

  it('recovers the sigmoid that generated the labels', () => {
    const rng = createRng('platt');
    const n = 20000;
    const scores = new Float64Array(n);
    const labels = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      scores[i] = rng.normal(0, 1.5);
      labels[i] = rng.chance(plattProbability({ a: -2, b: 1 }, scores[i]!)) ? 1 : 0;
    }
    const p = fitPlatt(scores, labels);
    expect(p.a).toBeCloseTo(-2, 1);
    expect(p.b).toBeCloseTo(1, 1);
  });

  it('a sigmoid far into its tails stays finite', () => {
    expect(plattProbability({ a: -1, b: 0 }, 1000)).toBe(1);
    expect(plattProbability({ a: -1, b: 0 }, -1000)).toBe(0);
  });
});

describe('isotonic regression', () => {
  it('pools adjacent violators (hand case) and interpolates between knots, flat outside', () => {
    const fn = fitIsotonic([1, 2, 3, 4, 5, 6], [1, 3, 2, 4, 3, 5]);
    expect(Array.from(fn.x)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(fn.y)).toEqual([1, 2.5, 2.5, 3.5, 3.5, 5]);
    expect(isotonicValue(fn, 1.5)).toBeCloseTo(1.75, 12);
    expect(isotonicValue(fn, 0)).toBe(1);
    expect(isotonicValue(fn, 10)).toBe(5);
  });

  it('matches scikit-learn: knots and predictions', () => {
    const fn = fitIsotonic(f, y);
    expect(Array.from(fn.x)).toEqual([-2, -1.5, -1, -0.2, 0, 0.3, 0.5, 1.2, 1.5, 2.5]);
    const expected = [0, 0, 1 / 3, 1 / 3, 0.5, 0.5, 2 / 3, 2 / 3, 1, 1];
    fn.y.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 12));
    const at = [-3, -1.2, 0.1, 0.4, 3].map((v) => isotonicValue(fn, v));
    [0, 0.2, 0.5, 0.58333333, 1].forEach((v, i) => expect(at[i]).toBeCloseTo(v, 7));
  });

  it('merges tied x before pooling (pooling a tie member by member would give 4.67 for both)', () => {
    const fn = fitIsotonic([1, 2, 2], [4, 0, 10]);
    expect(Array.from(fn.x)).toEqual([1, 2]);
    expect(Array.from(fn.y)).toEqual([4, 5]);
  });

  it('weights: the fit is increasing and keeps the weighted mean', () => {
    const rng = createRng('iso');
    const x = Array.from({ length: 200 }, () => rng.next());
    const v = x.map((xi) => xi + rng.normal(0, 0.3));
    const w = x.map(() => rng.float(0.1, 3));
    const fn = fitIsotonic(x, v, w);
    for (let i = 1; i < fn.y.length; i++) expect(fn.y[i]!).toBeGreaterThanOrEqual(fn.y[i - 1]!);
    const fitted = x.map((xi) => isotonicValue(fn, xi));
    const mean = (a: number[]) => a.reduce((s, ai, i) => s + ai * w[i]!, 0) / w.reduce((s, wi) => s + wi, 0);
    expect(mean(fitted)).toBeCloseTo(mean(v), 10);
  });
});

describe('calibrators', () => {
  // Overconfident scores: the true probability is p, the model says p^(1/3) (binary) — calibration must fix it.
  function overconfident(n: number, seed: string) {
    const rng = createRng(seed);
    const scores = new Float64Array(n);
    const labels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const p = rng.next();
      labels[i] = rng.chance(p) ? 1 : 0;
      scores[i] = p ** (1 / 3);
    }
    return { scores, labels };
  }

  it('both calibrators cut the calibration error of overconfident scores', () => {
    const train = overconfident(4000, 'train');
    const test = overconfident(4000, 'test');
    const before = expectedCalibrationError(test.labels, test.scores);
    expect(before).toBeGreaterThan(0.15);
    for (const calibrator of [new PlattCalibrator(), new IsotonicCalibrator()]) {
      const proba = calibrator.fit(train.scores, train.labels, 2).transform(test.scores);
      const p1 = proba.filter((_, i) => i % 2 === 1);
      expect(expectedCalibrationError(test.labels, p1)).toBeLessThan(0.05);
    }
  });

  it('binary: one score column or two probability columns give the same result', () => {
    const { scores, labels } = overconfident(500, 'cols');
    const two = Float64Array.from(Array.from(scores).flatMap((s) => [1 - s, s]));
    const a = new PlattCalibrator().fit(scores, labels, 2).transform(scores);
    const b = new PlattCalibrator().fit(two, labels, 2).transform(two);
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(() => new PlattCalibrator().fit(scores, labels, 3)).toThrow(/scores for 500 rows × 3 classes/);
  });

  it('multiclass: one-vs-rest then each row renormalised to 1; JSON round trip gives the same probabilities', () => {
    const rng = createRng('ovr');
    const rows = 300;
    const labels = Int32Array.from({ length: rows }, () => rng.int(0, 2));
    const scores = Float64Array.from({ length: rows * 3 }, (_, j) => (labels[Math.floor(j / 3)] === j % 3 ? 1 : 0) + rng.normal(0, 0.8));
    for (const calibrator of [new PlattCalibrator(), new IsotonicCalibrator()]) {
      const proba = calibrator.fit(scores, labels, 3).transform(scores);
      for (let i = 0; i < rows; i++) expect(proba[3 * i]! + proba[3 * i + 1]! + proba[3 * i + 2]!).toBeCloseTo(1, 12);
      const json = JSON.parse(JSON.stringify(calibrator.toJSON()));
      const back = calibrator instanceof PlattCalibrator ? PlattCalibrator.fromJSON(json) : IsotonicCalibrator.fromJSON(json);
      expect(Array.from(back.transform(scores))).toEqual(Array.from(proba));
    }
    expect(() => PlattCalibrator.fromJSON({ kind: 'platt', version: 2 })).toThrow(/version 2/);
    expect(() => IsotonicCalibrator.fromJSON({ kind: 'platt', version: 1 })).toThrow(/expected a isotonic/);
  });
});
