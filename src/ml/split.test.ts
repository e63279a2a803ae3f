import { describe, expect, it } from 'vitest';
import { createRng } from '../platform/random.js';
import { stratifiedHoldout, stratifiedKFold, timeSplit, type Split } from './split.js';

// 103 rows: 70 of class 0, 25 of class 1, 8 of class 2, in a scrambled order.
const y = Int32Array.from({ length: 103 }, (_, i) => ((i * 37) % 103 < 70 ? 0 : (i * 37) % 103 < 95 ? 1 : 2));
const count = (idx: Int32Array, c: number) => Array.from(idx).filter((i) => y[i] === c).length;

function expectPartition({ train, test }: Split, n: number) {
  const seen = new Set([...train, ...test]);
  expect(seen.size).toBe(n);
  expect(train.length + test.length).toBe(n);
  expect(Array.from(train)).toEqual(Array.from(train).sort((a, b) => a - b));
}

describe('stratifiedKFold', () => {
  const folds = stratifiedKFold(y, 5, createRng(7));

  it('each row is tested exactly once, and each fold is a partition of all rows', () => {
    const tested = folds.flatMap((f) => Array.from(f.test)).sort((a, b) => a - b);
    expect(tested).toEqual(Array.from({ length: 103 }, (_, i) => i));
    for (const f of folds) expectPartition(f, 103);
  });

  it('spreads every class evenly (within one row) and fold sizes differ by at most one', () => {
    for (const c of [0, 1, 2]) {
      const perFold = folds.map((f) => count(f.test, c));
      expect(Math.max(...perFold) - Math.min(...perFold)).toBeLessThanOrEqual(1);
    }
    expect(folds.map((f) => count(f.test, 0))).toEqual([14, 14, 14, 14, 14]);
    const sizes = folds.map((f) => f.test.length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
  });

  it('is reproducible with a seed and shuffles differently with another', () => {
    const again = stratifiedKFold(y, 5, createRng(7));
    expect(again.map((f) => Array.from(f.test))).toEqual(folds.map((f) => Array.from(f.test)));
    const other = stratifiedKFold(y, 5, createRng(8));
    expect(other.map((f) => Array.from(f.test))).not.toEqual(folds.map((f) => Array.from(f.test)));
  });

  it('refuses impossible fold counts', () => {
    expect(() => stratifiedKFold(y, 1, createRng(1))).toThrow(/k must/);
    expect(() => stratifiedKFold(Int32Array.from([0, 1]), 3, createRng(1))).toThrow(/3 folds for 2 rows/);
  });
});

describe('stratifiedHoldout', () => {
  it('holds out the fraction, in proportion per class', () => {
    const split = stratifiedHoldout(y, 0.2, createRng(3));
    expectPartition(split, 103);
    expect(split.test.length).toBe(21); // round(103 × 0.2)
    expect(count(split.test, 0)).toBe(14);
    expect(count(split.test, 1)).toBe(5);
    expect(count(split.test, 2)).toBe(2); // 1.6 → the largest remainder gets the leftover row
  });

  it('is reproducible and rejects fractions outside (0, 1)', () => {
    expect(Array.from(stratifiedHoldout(y, 0.3, createRng(4)).test)).toEqual(Array.from(stratifiedHoldout(y, 0.3, createRng(4)).test));
    expect(() => stratifiedHoldout(y, 1, createRng(4))).toThrow(/testFraction/);
  });
});

describe('timeSplit', () => {
  const ts = [50, 10, 40, 20, 30, 30, 60, 70, 80, 90];

  it('trains strictly before the cutoff and tests from it', () => {
    const { train, test, cutoff } = timeSplit(ts, { cutoff: 30 });
    expect(cutoff).toBe(30);
    expect(Array.from(train)).toEqual([1, 3]);
    expect(Array.from(test)).toEqual([0, 2, 4, 5, 6, 7, 8, 9]);
  });

  it('with a test fraction, holds out the latest rows and never puts a tie on both sides', () => {
    const { train, test, cutoff } = timeSplit(ts, { testFraction: 0.3 });
    expect(cutoff).toBe(70);
    expect(Array.from(test).map((i) => ts[i])).toEqual([70, 80, 90]);
    expect(Math.max(...Array.from(train, (i) => ts[i]!))).toBeLessThan(cutoff);
    const tied = timeSplit([1, 2, 2, 2, 3], { testFraction: 0.5 });
    expect(Array.from(tied.test)).toEqual([1, 2, 3, 4]);
    expect(() => timeSplit([1, NaN], { cutoff: 1 })).toThrow(/finite/);
  });
});
