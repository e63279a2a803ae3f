import { describe, expect, it } from 'vitest';
import { blobs, expectClose, referenceSet, roundTrip } from '../../test/ml-fixtures.js';
import { createRng } from '../platform/random.js';
import { accuracy, argmaxRows } from './metrics.js';
import { GaussianNaiveBayes, MultinomialNaiveBayes } from './naive-bayes.js';
import { matrix, takeRows } from './types.js';

const ref = referenceSet();

describe('MultinomialNaiveBayes', () => {
  it('reproduces the worked example of Manning, Raghavan & Schütze (IR book, §13.2)', () => {
    // Vocabulary: Chinese, Beijing, Shanghai, Macao, Tokyo, Japan. Class 0 = "China", class 1 = not.
    const docs = matrix(4, 6, [2, 1, 0, 0, 0, 0, 2, 0, 1, 0, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 0, 1, 1]);
    const model = new MultinomialNaiveBayes({ alpha: 1 });
    model.fit(docs, Int32Array.from([0, 0, 0, 1]));
    // d5 = "Chinese Chinese Chinese Tokyo Japan": P(c)·(3/7)³·(1/14)² against P(c̄)·(2/9)³·(2/9)².
    const china = (3 / 4) * (3 / 7) ** 3 * (1 / 14) ** 2;
    const other = (1 / 4) * (2 / 9) ** 3 * (2 / 9) ** 2;
    const proba = model.predictProba(matrix(1, 6, [3, 0, 0, 0, 1, 1]));
    expect(proba[0]).toBeCloseTo(china / (china + other), 12);
    expect(proba[0]).toBeGreaterThan(0.6); // the book's conclusion: d5 is about China
  });

  it('matches scikit-learn 1.2.1 MultinomialNB(alpha = 0.5)', () => {
    const model = new MultinomialNaiveBayes({ alpha: 0.5 });
    model.fit(ref.counts, ref.y3);
    expectClose(
      model.predictProba(takeRows(ref.counts, [0, 1, 2])),
      [0.3546939386140659, 0.4314858870181352, 0.21382017436779782, 0.2698613762384074, 0.36798717897616634, 0.3621514447854263, 0.2349686347763327, 0.3017520333441685, 0.4632793318794991],
      12,
    );
  });

  it('an integer sample weight is the same as repeating the row; uniform priors when asked', () => {
    const weighted = new MultinomialNaiveBayes();
    weighted.fit(ref.counts, ref.y3, { sampleWeight: ref.weights });
    const rows = Array.from(ref.weights).flatMap((w, i) => Array<number>(w).fill(i));
    const repeated = new MultinomialNaiveBayes();
    repeated.fit(takeRows(ref.counts, rows), Int32Array.from(rows, (i) => ref.y3[i]!));
    expectClose(weighted.predictProba(ref.counts), Array.from(repeated.predictProba(ref.counts)), 12);
    // Empty row: only the prior speaks.
    const uniform = new MultinomialNaiveBayes({ fitPrior: false });
    uniform.fit(ref.counts, ref.y3);
    expectClose(uniform.predictProba(matrix(1, 4)), [1 / 3, 1 / 3, 1 / 3], 12);
  });

  it('stays in log space: a session of 100,000 events gives finite probabilities', () => {
    const model = new MultinomialNaiveBayes();
    model.fit(ref.counts, ref.y3);
    const proba = model.predictProba(matrix(1, 4, [100000, 50000, 0, 70000]));
    expect(proba.every((p) => Number.isFinite(p))).toBe(true);
    expect(proba.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it('a declared class without training rows gets probability 0 and survives JSON', () => {
    const model = new MultinomialNaiveBayes({ classes: 4 });
    model.fit(ref.counts, ref.y3);
    const proba = model.predictProba(ref.counts);
    for (let i = 0; i < ref.counts.rows; i++) expect(proba[i * 4 + 3]).toBe(0);
    const back = MultinomialNaiveBayes.fromJSON(roundTrip(model));
    expect(Array.from(back.predictProba(ref.counts))).toEqual(Array.from(proba));
    expect(() => new MultinomialNaiveBayes().fit(matrix(1, 1, [-1]), Int32Array.from([0]))).toThrow(/negative feature/);
  });
});

describe('GaussianNaiveBayes', () => {
  it('hand case: two unit-variance classes; equal odds half-way, e⁻⁸ odds at one centre', () => {
    const model = new GaussianNaiveBayes();
    model.fit(matrix(4, 1, [0, 2, 4, 6]), Int32Array.from([0, 0, 1, 1]));
    expectClose(model.predictProba(matrix(1, 1, [3])), [0.5, 0.5], 12);
    // Class means 1 and 5, variances 1 (+ 1e-9 × 5 smoothing): at x = 1 the odds of class 1 are e^(−16/2).
    const p = model.predictProba(matrix(1, 1, [1]))[1]!;
    expect(p).toBeCloseTo(Math.exp(-8) / (1 + Math.exp(-8)), 9);
  });

  it('matches scikit-learn 1.2.1 GaussianNB, unweighted and with sample weights', () => {
    const model = new GaussianNaiveBayes();
    model.fit(ref.x, ref.y3);
    expectClose(
      model.predictProba(takeRows(ref.x, [0, 1, 2])),
      [0.3464662947190039, 0.6489016392696055, 0.004632066011390438, 0.0667573900424396, 0.9005604462646509, 0.03268216369290923, 0.05725128307865453, 0.669857756814183, 0.2728909601071625],
      12,
    );
    model.fit(ref.x, ref.y3, { sampleWeight: ref.weights });
    expectClose(
      model.predictProba(takeRows(ref.x, [0, 1, 2])),
      [0.16125815985476932, 0.8293604967385128, 0.009381343406717915, 0.01032280340812658, 0.9503902928688637, 0.039286903723009615, 0.021124076093485177, 0.6971620360727816, 0.28171388783373336],
      12,
    );
  });

  it('separates blobs; fixed priors shift the decision; a constant feature does not divide by zero', () => {
    const train = blobs(createRng('gnb-train'), 3, 50, 3);
    const test = blobs(createRng('gnb-test'), 3, 50, 3);
    const model = new GaussianNaiveBayes();
    model.fit(train.x, train.y);
    expect(accuracy(test.y, argmaxRows(model.predictProba(test.x), 3))).toBe(1);
    const skewed = new GaussianNaiveBayes({ priors: [0.98, 0.01, 0.01] });
    skewed.fit(train.x, train.y);
    const midpoint = matrix(1, 3, [2, 2, 0]); // between the centres of classes 0 and 1
    expect(skewed.predictProba(midpoint)[0]!).toBeGreaterThan(model.predictProba(midpoint)[0]!);
    const constant = new GaussianNaiveBayes();
    constant.fit(matrix(4, 1, [1, 1, 1, 1]), Int32Array.from([0, 1, 0, 1]));
    expectClose(constant.predictProba(matrix(1, 1, [1])), [0.5, 0.5], 12);
  });

  it('round-trips through JSON with identical probabilities, and refuses a corrupted artifact', () => {
    const model = new GaussianNaiveBayes({ priors: [0.2, 0.3, 0.5] });
    model.fit(ref.x, ref.y3);
    const json = roundTrip(model) as Record<string, unknown>;
    expect(Array.from(GaussianNaiveBayes.fromJSON(json).predictProba(ref.x))).toEqual(Array.from(model.predictProba(ref.x)));
    expect(() => GaussianNaiveBayes.fromJSON({ ...json, variance: (json.variance as number[]).map(() => 0) })).toThrow(/variances must be positive/);
    expect(() => GaussianNaiveBayes.fromJSON({ ...json, kind: 'multinomial-nb' })).toThrow(/expected a gaussian-nb/);
  });
});
