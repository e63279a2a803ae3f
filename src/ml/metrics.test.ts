import { describe, expect, it } from 'vitest';
import {
  accuracy,
  argmaxRows,
  averagePrecision,
  averagePrecisionMulti,
  brierScore,
  calibrationPairs,
  classificationReport,
  confusionMatrix,
  expectedCalibrationError,
  logLoss,
  multiclassBrierScore,
  precisionRecallF1,
  reliabilityTable,
  rocAuc,
  rocAucMulti,
} from './metrics.js';

const labels = (...v: number[]) => Int32Array.from(v);

// A binary case with tied scores across the classes (0.4 and 0.35).
const yBin = [0, 0, 1, 1, 0, 1, 0, 1, 1, 0];
const sBin = [0.1, 0.4, 0.35, 0.8, 0.4, 0.4, 0.2, 0.9, 0.35, 0.7];

// A three-class case: predictions are the argmax, [0, 1, 2, 1, 1, 0, 2, 0].
const yMulti = labels(0, 1, 2, 2, 1, 0, 2, 1);
const pMulti = Float64Array.from([
  0.7, 0.2, 0.1, 0.3, 0.4, 0.3, 0.2, 0.2, 0.6, 0.1, 0.5, 0.4, 0.2, 0.6, 0.2, 0.5, 0.4, 0.1, 0.3, 0.3, 0.4, 0.6, 0.3, 0.1,
]);

describe('label metrics', () => {
  it('accuracy, argmax and the confusion matrix (rows: true, columns: predicted)', () => {
    const pred = argmaxRows(pMulti, 3);
    expect(Array.from(pred)).toEqual([0, 1, 2, 1, 1, 0, 2, 0]);
    expect(accuracy(yMulti, pred)).toBe(6 / 8);
    expect(confusionMatrix(yMulti, pred, 3)).toEqual([
      [2, 0, 0],
      [1, 2, 0],
      [0, 1, 2],
    ]);
  });

  it('precision, recall and F1 per class, macro and weighted (values as sklearn 1.2.1 gives them)', () => {
    const r = precisionRecallF1(yMulti, argmaxRows(pMulti, 3), 3);
    // Class 0: predicted 3 times, right twice → P 2/3; all 2 found → R 1; F1 = 2·(2/3)/(5/3) = 0.8.
    expect(r.perClass[0]).toEqual({ precision: 2 / 3, recall: 1, f1: expect.closeTo(0.8, 12), support: 2 });
    expect(r.perClass[1]!.precision).toBeCloseTo(2 / 3, 12);
    expect(r.perClass[1]!.recall).toBeCloseTo(2 / 3, 12);
    expect(r.perClass[2]).toMatchObject({ precision: 1, recall: 2 / 3, support: 3 });
    expect(r.macro.precision).toBeCloseTo(0.7777777777777777, 12);
    expect(r.macro.f1).toBeCloseTo(0.7555555555555555, 12);
    expect(r.weighted.precision).toBeCloseTo(0.7916666666666666, 12);
    expect(r.weighted.recall).toBeCloseTo(0.75, 12);
    expect(r.weighted.f1).toBeCloseTo(0.75, 12);
  });

  it('a class never predicted scores precision 0, not NaN (zero_division=0)', () => {
    const r = precisionRecallF1(labels(0, 1, 1), labels(0, 0, 0), 2);
    expect(r.perClass[1]).toEqual({ precision: 0, recall: 0, f1: 0, support: 2 });
    expect(r.perClass[0]!.precision).toBeCloseTo(1 / 3, 12);
  });
});

describe('ranking metrics', () => {
  it('ROC-AUC counts tied pairs as half (hand count: 17 of 25 pairs)', () => {
    // Positives .35 .8 .4 .9 .35 beat 2, 5, 2 (+ two ties = 1), 5, 2 of the negatives .1 .4 .4 .2 .7.
    expect(rocAuc(yBin, sBin)).toBeCloseTo(17 / 25, 12);
    expect(rocAuc([0, 1], [0.5, 0.5])).toBe(0.5);
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.2, 0.3, 0.4])).toBe(1);
    expect(rocAuc([1, 1, 0, 0], [0.1, 0.2, 0.3, 0.4])).toBe(0);
    expect(rocAuc([1, 1], [0.1, 0.2])).toBeNaN();
  });

  it('ROC-AUC with sample weights agrees with sklearn', () => {
    const w = [1, 2, 1, 1, 0.5, 3, 1, 1, 2, 1];
    expect(rocAuc(yBin, sBin, w)).toBeCloseTo(0.6079545454545454, 12);
    // Integer weights are the same as repeating rows.
    const y2 = [...yBin, 0, 1];
    const s2 = [...sBin, 0.4, 0.9];
    expect(rocAuc(y2, s2)).toBeCloseTo(rocAuc(yBin, sBin, [1, 2, 1, 1, 1, 1, 1, 2, 1, 1]), 12);
  });

  it('average precision steps through tied groups (hand: .2·1 + .2·1 + .2·.5 + .4·.625 = .75)', () => {
    expect(averagePrecision(yBin, sBin)).toBeCloseTo(0.75, 12);
    expect(averagePrecision(yBin, sBin, [1, 2, 1, 1, 0.5, 3, 1, 1, 2, 1])).toBeCloseTo(0.7314578005115089, 12);
    expect(averagePrecision([0, 0], [0.3, 0.4])).toBeNaN();
  });

  it('multiclass ROC-AUC and PR-AUC are one-vs-rest macro averages (sklearn: 0.88333, 0.83333)', () => {
    expect(rocAucMulti(yMulti, pMulti, 3)).toBeCloseTo(0.8833333333333333, 12);
    expect(averagePrecisionMulti(yMulti, pMulti, 3)).toBeCloseTo(0.8333333333333334, 12);
    // Binary: scored on the probability of class 1.
    const p2 = Float64Array.from(sBin.flatMap((s) => [1 - s, s]));
    expect(rocAucMulti(Int32Array.from(yBin), p2, 2)).toBeCloseTo(0.68, 12);
  });
});

describe('probability metrics', () => {
  it('log loss: hand case, clipping of a zero probability, and sklearn on the three-class case', () => {
    expect(logLoss(labels(1, 0), Float64Array.from([0.2, 0.8, 0.6, 0.4]), 2)).toBeCloseTo(-(Math.log(0.8) + Math.log(0.6)) / 2, 12);
    expect(logLoss(labels(0), Float64Array.from([0, 1]), 2)).toBeCloseTo(-Math.log(1e-15), 6);
    expect(logLoss(yMulti, pMulti, 3)).toBeCloseTo(0.7530397964973825, 12);
  });

  it('Brier scores: binary mean squared error, multiclass sum over classes (twice the binary one)', () => {
    expect(brierScore(yBin, sBin)).toBeCloseTo(0.2115, 12);
    const p2 = Float64Array.from(sBin.flatMap((s) => [1 - s, s]));
    expect(multiclassBrierScore(Int32Array.from(yBin), p2, 2)).toBeCloseTo(2 * 0.2115, 12);
  });

  it('reliability table and expected calibration error on 10 equal-width bins (hand computed)', () => {
    const predicted = [0.05, 0.15, 0.15, 0.95, 0.95, 0.95, 0.95, 1];
    const outcomes = [0, 0, 1, 1, 1, 1, 0, 1];
    const table = reliabilityTable(outcomes, predicted);
    expect(table).toHaveLength(10);
    expect(table[0]).toEqual({ lower: 0, upper: 0.1, count: 1, meanPredicted: 0.05, observedRate: 0 });
    expect(table[1]).toMatchObject({ count: 2, meanPredicted: 0.15, observedRate: 0.5 });
    expect(table[5]).toMatchObject({ count: 0, meanPredicted: null, observedRate: null });
    // p = 1 falls in the last bin.
    expect(table[9]).toMatchObject({ count: 5, meanPredicted: expect.closeTo(0.96, 12), observedRate: 0.8 });
    const ece = (1 * 0.05 + 2 * 0.35 + 5 * 0.16) / 8;
    expect(expectedCalibrationError(outcomes, predicted)).toBeCloseTo(ece, 12);
    // Perfectly calibrated bins give 0.
    expect(expectedCalibrationError([0, 1, 1, 0, 0, 0], [0.5, 0.5, 0.25, 0.25, 0.25, 0.25])).toBeCloseTo(0, 12);
  });

  it('calibration pairs: positive-class probability for two classes, top-label confidence for more', () => {
    const two = calibrationPairs(labels(1, 0), Float64Array.from([0.3, 0.7, 0.9, 0.1]), 2);
    expect(Array.from(two.predicted)).toEqual([0.7, 0.1]);
    expect(Array.from(two.outcomes)).toEqual([1, 0]);
    const three = calibrationPairs(yMulti, pMulti, 3);
    expect(Array.from(three.predicted)).toEqual([0.7, 0.4, 0.6, 0.5, 0.6, 0.5, 0.4, 0.6]);
    expect(Array.from(three.outcomes)).toEqual([1, 1, 1, 0, 1, 1, 1, 0]);
  });

  it('the report gathers them and checks the shapes', () => {
    const r = classificationReport(yMulti, pMulti, 3);
    expect(r.accuracy).toBe(0.75);
    expect(r.rocAuc).toBeCloseTo(0.8833333333333333, 12);
    expect(r.confusion[2]).toEqual([0, 1, 2]);
    expect(r.reliability).toHaveLength(10);
    expect(() => classificationReport(yMulti, pMulti, 2)).toThrow(/probabilities/);
  });
});
