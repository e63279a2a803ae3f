import { describe, expect, it } from 'vitest';
import { createRng } from '../platform/random.js';
import { Binner } from './binning.js';
import { matrix } from './types.js';

const column = (values: number[]) => matrix(values.length, 1, values);

describe('quantile binning', () => {
  it('puts a cut halfway between each pair of distinct values when they fit', () => {
    const binner = Binner.fit(column([3, 1, 1, 2, 3, 3]));
    expect(Array.from(binner.thresholds[0]!)).toEqual([1.5, 2.5]);
    const b = binner.transform(column([1, 2, 3, 1.5, 1.6, -10, 99, NaN]));
    // x ≤ 1.5 → 0, (1.5, 2.5] → 1, above → 2; NaN is treated as the smallest value.
    expect(Array.from(b.codes)).toEqual([0, 1, 2, 0, 1, 0, 2, 0]);
    expect(Array.from(b.nBins)).toEqual([3]);
  });

  it('cuts at quantiles when there are more distinct values than bins', () => {
    const values = Array.from({ length: 1000 }, (_, i) => i);
    const binner = Binner.fit(column(values), { maxBins: 4 });
    // Quantile rows 250, 500, 750; each cut halfway to the next value.
    expect(Array.from(binner.thresholds[0]!)).toEqual([250.5, 500.5, 750.5]);
    const counts = [0, 0, 0, 0];
    for (const c of binner.transform(column(values)).codes) counts[c]!++;
    expect(counts).toEqual([251, 250, 250, 249]);
  });

  it('never makes more than 255 bins and keeps ties in one bin', () => {
    const rng = createRng(5);
    const values = Array.from({ length: 5000 }, () => (rng.chance(0.6) ? 0 : rng.lognormal(10, 1)));
    const binner = Binner.fit(column(values));
    const t = binner.thresholds[0]!;
    expect(t.length).toBeLessThanOrEqual(254);
    expect(t[0]!).toBeGreaterThan(0); // the 3,000 zeros share bin 0
    for (let i = 1; i < t.length; i++) expect(t[i]!).toBeGreaterThan(t[i - 1]!);
    const codes = binner.transform(column(values)).codes;
    values.forEach((v, i) => {
      const c = codes[i]!;
      if (c < t.length) expect(v).toBeLessThanOrEqual(t[c]!);
      if (c > 0) expect(v).toBeGreaterThan(t[c - 1]!);
    });
  });

  it('bins each feature on its own and round-trips through JSON', () => {
    const x = matrix(4, 2, [0, 10, 1, 10, 2, 10, 3, 10]);
    const binner = Binner.fit(x);
    expect(Array.from(binner.thresholds[1]!)).toEqual([]); // a constant feature has one bin
    const again = Binner.fromJSON(JSON.parse(JSON.stringify(binner.toJSON())));
    expect(again.transform(x)).toEqual(binner.transform(x));
    expect(() => Binner.fit(x, { maxBins: 256 })).toThrow(/maxBins/);
    expect(() => binner.transform(matrix(1, 3))).toThrow(/columns/);
  });
});
