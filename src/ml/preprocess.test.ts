import { describe, expect, it } from 'vitest';
import { roundTrip } from '../../test/ml-fixtures.js';
import { balancedClassWeights, countClasses, hstack, OneHotEncoder, rowWeights, signedLog1p, Standardizer } from './preprocess.js';
import { matrix } from './types.js';

describe('Standardizer', () => {
  // Column 0: 1, 2, 3 (mean 2, population sd √(2/3)); column 1 constant; column 2: 0, e − 1, e² − 1 under log1p.
  const x = matrix(3, 3, [1, 5, 0, 2, 5, Math.E - 1, 3, 5, Math.E ** 2 - 1]);

  it('centres and scales to unit population variance; a constant column keeps scale 1', () => {
    const s = new Standardizer().fit(x);
    const out = s.transform(x);
    const sd = Math.sqrt(2 / 3);
    expect(out.data[0]).toBeCloseTo(-1 / sd, 12);
    expect(out.data[3]).toBeCloseTo(0, 12);
    expect(out.data[6]).toBeCloseTo(1 / sd, 12);
    expect([out.data[1], out.data[4], out.data[7]]).toEqual([0, 0, 0]);
  });

  it('keeps the spread of large values (timestamps in ms) that a one-pass variance would lose', () => {
    const t = 1.7e12;
    const out = new Standardizer().fit(matrix(3, 1, [t, t + 1, t + 2])).transform(matrix(1, 1, [t + 2]));
    expect(out.data[0]).toBeCloseTo(1 / Math.sqrt(2 / 3), 9);
  });

  it('log1p columns are logged before centring', () => {
    const out = new Standardizer({ log1p: [2] }).fit(x).transform(x);
    // log1p gives 0, 1, 2: the same standardized values as column 0.
    for (let i = 0; i < 3; i++) expect(out.data[i * 3 + 2]).toBeCloseTo(out.data[i * 3]!, 12);
    expect(signedLog1p(-(Math.E - 1))).toBeCloseTo(-1, 12);
    expect(() => new Standardizer({ log1p: [3] }).fit(x)).toThrow(/log1p column 3/);
  });

  it('transformRow equals transform, and JSON round-trips exactly', () => {
    const s = new Standardizer({ log1p: [2] }).fit(x);
    const all = s.transform(x);
    const row = s.transformRow([2, 5, Math.E - 1], new Float64Array(3));
    expect(Array.from(row)).toEqual(Array.from(all.data.subarray(3, 6)));
    const back = Standardizer.fromJSON(roundTrip(s));
    expect(Array.from(back.transform(x).data)).toEqual(Array.from(all.data));
    expect(() => back.transform(matrix(1, 2))).toThrow(/fitted on 3 columns/);
  });
});

describe('OneHotEncoder and hstack', () => {
  it('sorted categories, unseen values as all zeros, names, JSON', () => {
    const enc = new OneHotEncoder().fit(['May', 'Feb', 'May', 'Nov']);
    expect(enc.categories).toEqual(['Feb', 'May', 'Nov']);
    expect(Array.from(enc.transform(['Nov', 'Jan', 'Feb']).data)).toEqual([0, 0, 1, 0, 0, 0, 1, 0, 0]);
    expect(enc.featureNames('Month')).toEqual(['Month=Feb', 'Month=May', 'Month=Nov']);
    expect(OneHotEncoder.fromJSON(roundTrip(enc)).categories).toEqual(enc.categories);
  });

  it('hstack puts matrices side by side', () => {
    const out = hstack(matrix(2, 1, [1, 2]), matrix(2, 2, [3, 4, 5, 6]));
    expect(out.cols).toBe(3);
    expect(Array.from(out.data)).toEqual([1, 3, 4, 2, 5, 6]);
    expect(() => hstack(matrix(2, 1), matrix(3, 1))).toThrow(/row counts/);
  });
});

describe('class weights', () => {
  it('balanced: rows / (classes × rows of the class), as sklearn', () => {
    const y = Int32Array.from([0, 0, 0, 1]);
    expect(Array.from(balancedClassWeights(y, 2))).toEqual([4 / 6, 2]);
    // Weighted totals per class become equal.
    const w = rowWeights(y, 2, undefined, 'balanced');
    expect(w[0]! * 3).toBeCloseTo(w[3]!, 12);
  });

  it('row weights multiply sample and class weights and reject bad input', () => {
    const y = Int32Array.from([0, 1]);
    expect(Array.from(rowWeights(y, 2, Float64Array.from([2, 3]), [1, 10]))).toEqual([2, 30]);
    expect(() => rowWeights(y, 2, Float64Array.from([1]))).toThrow(/1 for 2 rows/);
    expect(() => rowWeights(y, 2, Float64Array.from([1, -1]))).toThrow(/row 1/);
  });

  it('countClasses: given or max label + 1, never fewer than 2; rejects labels that do not fit', () => {
    expect(countClasses(Int32Array.from([0, 2]))).toBe(3);
    expect(countClasses(Int32Array.from([0, 0]))).toBe(2);
    expect(countClasses(Int32Array.from([0, 1]), 5)).toBe(5);
    expect(() => countClasses(Int32Array.from([0, 3]), 3)).toThrow(/label 3/);
    expect(() => countClasses(Int32Array.from([-1]))).toThrow(/not a class index/);
  });
});
