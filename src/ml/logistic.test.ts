import { describe, expect, it } from 'vitest';
import { blobs, expectClose, referenceSet, roundTrip } from '../../test/ml-fixtures.js';
import { createRng } from '../platform/random.js';
import { LogisticRegression, logisticObjective, topContributions } from './logistic.js';
import { accuracy, argmaxRows } from './metrics.js';
import { rowWeights } from './preprocess.js';
import { matrix, takeRows } from './types.js';

const ref = referenceSet();

describe('logisticObjective', () => {
  it('its gradient matches central finite differences (binary and multinomial, weighted)', () => {
    const rng = createRng('grad');
    for (const [y, outputs] of [
      [ref.yBinary, 1],
      [ref.y3, 3],
    ] as const) {
      const params = Float64Array.from({ length: outputs * 4 }, () => rng.normal(0, 1));
      const grad = new Float64Array(params.length);
      logisticObjective(params, ref.x, y, ref.weights, outputs, 0.7, grad);
      const h = 1e-6;
      const scratch = new Float64Array(params.length);
      for (let p = 0; p < params.length; p++) {
        const plus = Float64Array.from(params);
        const minus = Float64Array.from(params);
        plus[p]! += h;
        minus[p]! -= h;
        const numeric = (logisticObjective(plus, ref.x, y, ref.weights, outputs, 0.7, scratch) - logisticObjective(minus, ref.x, y, ref.weights, outputs, 0.7, scratch)) / (2 * h);
        expect(Math.abs(numeric - grad[p]!)).toBeLessThan(1e-7 * Math.max(1, Math.abs(numeric)));
      }
    }
  });

  it('at zero parameters is log 2 (binary) and log K (multinomial) per unit weight', () => {
    const grad = new Float64Array(16);
    expect(logisticObjective(new Float64Array(4), ref.x, ref.yBinary, ref.weights, 1, 1, grad)).toBeCloseTo(Math.log(2), 12);
    expect(logisticObjective(new Float64Array(12), ref.x, ref.y3, ref.weights, 3, 1, grad)).toBeCloseTo(Math.log(3), 12);
  });
});

describe('LogisticRegression', () => {
  it('matches scikit-learn 1.2.1 (newton-cg, tol 1e-14; its lbfgs stops ~1e-5 short of the optimum): binary, C = 1', () => {
    const model = new LogisticRegression({ C: 1, tolerance: 1e-10 });
    model.fit(ref.x, ref.yBinary);
    expect(model.fitInfo?.converged).toBe(true);
    const { weights, intercept } = model.coefficients(1);
    expectClose(weights, [2.338579681331093, 0.8296292102357357, -0.40890024288141297], 6);
    expect(intercept).toBeCloseTo(-0.03869608212448333, 6);
  });

  it('matches scikit-learn: multinomial, C = 0.5 (coefficients and probabilities)', () => {
    const model = new LogisticRegression({ C: 0.5, tolerance: 1e-10 });
    model.fit(ref.x, ref.y3);
    expectClose(model.coefficients(0).weights, [-1.1049073006046906, 0.8746259855609223, -0.2340945118083475], 6);
    expectClose(model.coefficients(2).weights, [1.0578952730326063, -1.2139841888108698, 0.06877467741708884], 6);
    expect(model.coefficients(1).intercept).toBeCloseTo(0.283958097926718, 6);
    const proba = model.predictProba(takeRows(ref.x, [0, 1]));
    expectClose(proba, [0.3974278417527869, 0.506965351433641, 0.09560680681357225, 0.13419545890778115, 0.5737598883078642, 0.2920446527843546], 6);
  });

  it('matches scikit-learn: balanced class weights times sample weights', () => {
    const model = new LogisticRegression({ C: 1, classWeight: 'balanced', tolerance: 1e-10 });
    model.fit(ref.x, ref.y3, { sampleWeight: ref.weights });
    expectClose(model.coefficients(0).weights, [-2.2149744720587288, 1.787651104596749, -0.2561321246959912], 6);
    expectClose(model.coefficients(1).weights, [0.10616221149100002, 0.4925406184253609, -0.021008886063118515], 6);
    expect(model.coefficients(2).intercept).toBeCloseTo(-0.20465106987453965, 6);
  });

  it('closed forms: an intercept-only model predicts the (weighted) class frequencies', () => {
    const x = matrix(6, 1); // one all-zero feature: only the unpenalised intercept can move
    const binary = new LogisticRegression();
    binary.fit(x, Int32Array.from([1, 0, 0, 1, 1, 1]), { sampleWeight: Float64Array.from([1, 1, 2, 1, 1, 1]) });
    expect(binary.coefficients(1).intercept).toBeCloseTo(Math.log(4 / 3), 6); // logit(4/7)
    const multi = new LogisticRegression();
    multi.fit(x, Int32Array.from([0, 1, 1, 2, 2, 2]));
    expectClose(multi.predictProba(matrix(1, 1)), [1 / 6, 2 / 6, 3 / 6], 6);
  });

  it('closed form: one binary feature, no penalty to speak of → the empirical conditional frequencies', () => {
    // x = 0: 1 of 4 positive; x = 1: 3 of 4 positive. So b = logit(1/4) and w = logit(3/4) − logit(1/4).
    const x = matrix(8, 1, [0, 0, 0, 0, 1, 1, 1, 1]);
    const model = new LogisticRegression({ C: 1e9, tolerance: 1e-12 });
    model.fit(x, Int32Array.from([1, 0, 0, 0, 1, 1, 1, 0]));
    const { weights, intercept } = model.coefficients(1);
    expect(intercept).toBeCloseTo(-Math.log(3), 5);
    expect(weights[0]).toBeCloseTo(2 * Math.log(3), 5);
  });

  it('separates well separated blobs and uses class weights on an imbalanced set', () => {
    const train = blobs(createRng('lr-train'), 4, 60, 3);
    const test = blobs(createRng('lr-test'), 4, 60, 3);
    const model = new LogisticRegression();
    model.fit(train.x, train.y);
    expect(accuracy(test.y, argmaxRows(model.predictProba(test.x), 4))).toBe(1);
    // 190 negatives, 10 positives that overlap them: balancing raises the positives' scores.
    const rng = createRng('imbalanced');
    const x = matrix(200, 1, Array.from({ length: 200 }, (_, i) => rng.normal(i < 10 ? 1 : 0, 1)));
    const y = Int32Array.from({ length: 200 }, (_, i) => (i < 10 ? 1 : 0));
    const plain = new LogisticRegression();
    plain.fit(x, y);
    const balanced = new LogisticRegression({ classWeight: 'balanced' });
    balanced.fit(x, y);
    const meanPositive = (m: LogisticRegression) => argmaxRows(m.predictProba(takeRows(x, [...Array(10).keys()])), 2).reduce((a, b) => a + b, 0);
    expect(meanPositive(balanced)).toBeGreaterThan(meanPositive(plain));
    expect(Array.from(rowWeights(y, 2, undefined, 'balanced').slice(9, 11))).toEqual([10, 200 / 380]);
  });

  it('explains a row: contributions plus intercept give the score, ranked by magnitude', () => {
    const model = new LogisticRegression();
    model.fit(ref.x, ref.yBinary);
    const row = ref.x.data.subarray(3, 6);
    const { intercept, contributions } = model.explain(row);
    const score = model.decisionFunction(matrix(1, 3, row))[0]!;
    expect(contributions.reduce((a, b) => a + b, intercept)).toBeCloseTo(score, 12);
    const top = topContributions(contributions, ['a', 'b', 'c'], 2);
    expect(top).toHaveLength(2);
    expect(Math.abs(top[0]!.contribution)).toBeGreaterThanOrEqual(Math.abs(top[1]!.contribution));
    expect(() => model.explain(row, 0)).toThrow(/no score for class 0/);
  });

  it('round-trips through JSON with identical probabilities, and refuses a wrong kind or version', () => {
    for (const y of [ref.yBinary, ref.y3]) {
      const model = new LogisticRegression({ C: 2 });
      model.fit(ref.x, y);
      const back = LogisticRegression.fromJSON(roundTrip(model));
      expect(Array.from(back.predictProba(ref.x))).toEqual(Array.from(model.predictProba(ref.x)));
    }
    const json = new LogisticRegression().toJSON();
    expect(() => LogisticRegression.fromJSON({ ...json, kind: 'linear-svm' })).toThrow(/expected a logistic-regression/);
    expect(() => LogisticRegression.fromJSON({ ...json, version: 9 })).toThrow(/version 9/);
    expect(() => LogisticRegression.fromJSON({ ...json, classes: 2, features: 3, params: [1, 2] })).toThrow(/params has 2 values/);
  });
});
