import { describe, expect, it } from 'vitest';
import { blobs, referenceSet, roundTrip } from '../../test/ml-fixtures.js';
import { createRng } from '../platform/random.js';
import { accuracy, argmaxRows, logLoss, rocAuc } from './metrics.js';
import { LinearSvm, trainBinarySvm, type BinarySvmProblem, type SvmLoss } from './svm.js';
import { matrix, type Matrix } from './types.js';

const ref = referenceSet();

function problem(x: Matrix, y: ArrayLike<number>, C: number, loss: SvmLoss): BinarySvmProblem {
  return {
    x,
    rows: Int32Array.from({ length: x.rows }, (_, i) => i),
    sign: Int8Array.from(y, (v) => (v === 1 ? 1 : -1)),
    cost: new Float64Array(x.rows).fill(C),
    loss,
    bias: 1,
  };
}

/** ½‖w‖² + C·Σ ξ (hinge) or ξ² (squared hinge), with the bias weight regularised like the others. */
function primal(p: BinarySvmProblem, w: Float64Array): number {
  let f = 0;
  for (const v of w) f += 0.5 * v * v;
  for (let i = 0; i < p.x.rows; i++) {
    let s = w[p.x.cols]! * p.bias;
    for (let j = 0; j < p.x.cols; j++) s += w[j]! * p.x.data[i * p.x.cols + j]!;
    const xi = Math.max(0, 1 - p.sign[i]! * s);
    f += p.cost[i]! * (p.loss === 'hinge' ? xi : xi * xi);
  }
  return f;
}

describe('trainBinarySvm (dual coordinate descent)', () => {
  it('hand case: two points at ±1 give the maximum-margin w = 1, b = 0 (hinge) and w = 4C/(1 + 4C) (squared hinge)', () => {
    const x = matrix(2, 1, [1, -1]);
    const hinge = trainBinarySvm(problem(x, [1, 0], 1, 'hinge'), 1e-12, 1000, createRng(1));
    expect(hinge.weights[0]).toBeCloseTo(1, 10);
    expect(hinge.weights[1]).toBeCloseTo(0, 10);
    const squared = trainBinarySvm(problem(x, [1, 0], 1, 'squared-hinge'), 1e-12, 1000, createRng(1));
    expect(squared.weights[0]).toBeCloseTo(0.8, 10);
    expect(squared.weights[1]).toBeCloseTo(0, 10);
  });

  it('matches scikit-learn 1.2.1 LinearSVC (LIBLINEAR) on the reference set', () => {
    const sq = trainBinarySvm(problem(ref.x, ref.yBinary, 1, 'squared-hinge'), 1e-10, 100000, createRng(2));
    [1.4706357480100278, 0.5606801271094886, -0.2721064007576062, -0.07140006739034069].forEach((v, j) => expect(sq.weights[j]).toBeCloseTo(v, 6));
    const hinge = trainBinarySvm(problem(ref.x, ref.yBinary, 0.5, 'hinge'), 1e-10, 100000, createRng(2));
    [1.8148335807622435, 0.35758087663926547, -0.3356754913938846, 0.10609912849212459].forEach((v, j) => expect(hinge.weights[j]).toBeCloseTo(v, 5));
  });

  it('closes the duality gap: primal(w) equals the dual value of α', () => {
    for (const loss of ['hinge', 'squared-hinge'] as const) {
      const p = problem(ref.x, ref.yBinary, 2, loss);
      const { weights, alpha, converged } = trainBinarySvm(p, 1e-8, 100000, createRng(3));
      expect(converged).toBe(true);
      // Dual: Σα − ½‖w‖² − Σ α²/(4C) (the last term only for squared hinge).
      let dual = 0;
      for (const v of weights) dual -= 0.5 * v * v;
      alpha.forEach((a) => (dual += a - (loss === 'squared-hinge' ? (a * a) / (4 * 2) : 0)));
      expect(Math.abs(primal(p, weights) - dual) / primal(p, weights)).toBeLessThan(1e-6);
    }
  });
});

describe('LinearSvm', () => {
  it('one-vs-rest separates four blobs, with rows of probabilities summing to 1', () => {
    const train = blobs(createRng('svm-train'), 4, 60, 3);
    const test = blobs(createRng('svm-test'), 4, 60, 3);
    const model = new LinearSvm({ rng: createRng(5) });
    model.fit(train.x, train.y);
    const proba = model.predictProba(test.x);
    expect(accuracy(test.y, argmaxRows(proba, 4))).toBe(1);
    for (let i = 0; i < test.x.rows; i++) expect(proba.subarray(4 * i, 4 * i + 4).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it('Platt probabilities rank like the margins', () => {
    const model = new LinearSvm({ rng: createRng(6) });
    model.fit(ref.x, ref.yBinary);
    const p1 = model.predictProba(ref.x).filter((_, i) => i % 2 === 1);
    expect(rocAuc(ref.yBinary, p1)).toBeCloseTo(rocAuc(ref.yBinary, model.decisionFunction(ref.x)), 12);
  });

  it('calibrating on out-of-fold scores beats calibrating on the (overfitted) training scores', () => {
    // 80 rows in 40 dimensions, only the first informative: the training margins are far too confident.
    const sample = (rows: number, rng: ReturnType<typeof createRng>) => {
      const x = matrix(rows, 40, Array.from({ length: rows * 40 }, () => rng.normal(0, 1)));
      const y = Int32Array.from({ length: rows }, (_, i) => (x.data[i * 40]! + rng.normal(0, 1) > 0 ? 1 : 0));
      return { x, y };
    };
    const train = sample(80, createRng('oof-train'));
    const test = sample(2000, createRng('oof-test'));
    const outOfFold = new LinearSvm({ C: 1, rng: createRng(6), calibrationFolds: 4 });
    outOfFold.fit(train.x, train.y);
    const inSample = new LinearSvm({ C: 1, rng: createRng(6), calibrationFolds: 0 });
    inSample.fit(train.x, train.y);
    expect(logLoss(test.y, outOfFold.predictProba(test.x), 2)).toBeLessThan(logLoss(test.y, inSample.predictProba(test.x), 2) - 0.1);
  });

  it('class weights move the boundary toward the lighter class', () => {
    const balanced = new LinearSvm({ classWeight: [1, 5], rng: createRng(7) });
    balanced.fit(ref.x, ref.yBinary);
    const plain = new LinearSvm({ rng: createRng(7) });
    plain.fit(ref.x, ref.yBinary);
    const positives = (m: LinearSvm) => m.decisionFunction(ref.x).filter((s) => s > 0).length;
    expect(positives(balanced)).toBeGreaterThan(positives(plain));
  });

  it('is reproducible with a seeded rng and round-trips through JSON with identical probabilities', () => {
    const a = new LinearSvm({ rng: createRng(8), loss: 'hinge' });
    a.fit(ref.x, ref.y3);
    const b = new LinearSvm({ rng: createRng(8), loss: 'hinge' });
    b.fit(ref.x, ref.y3);
    expect(a.toJSON()).toEqual(b.toJSON());
    const back = LinearSvm.fromJSON(roundTrip(a));
    expect(Array.from(back.predictProba(ref.x))).toEqual(Array.from(a.predictProba(ref.x)));
    expect(() => LinearSvm.fromJSON({ ...a.toJSON(), weights: [1] })).toThrow(/weights has 1 values/);
  });
});
