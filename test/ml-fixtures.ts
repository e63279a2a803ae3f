// Data for the src/ml unit tests. `referenceSet` is defined by closed formulas so the same rows can be rebuilt in
// Python: the scikit-learn 1.2.1 values the tests compare with were computed on exactly these rows.
import { expect } from 'vitest';
import type { Rng } from '../src/platform/random.js';
import { matrix, type Labels, type Matrix } from '../src/ml/types.js';

export interface ReferenceSet {
  /** 40 × 3: sin(1.1i + 0.3), cos(0.7i), 2·sin(0.37i). */
  x: Matrix;
  /** [x0 + 0.5·x1 − 0.3·x2 + 0.4·sin(5.3i) > 0]. */
  yBinary: Labels;
  /** s = x0 − x1 + 0.5·sin(4.1i): 0 below −0.5, 1 below 0.5, else 2. */
  y3: Labels;
  /** 40 × 4 counts: floor(3·(1 + sin(1.7i + j))). */
  counts: Matrix;
  /** 1 + (i mod 3). */
  weights: Float64Array;
}

export function referenceSet(): ReferenceSet {
  const n = 40;
  const x = matrix(n, 3);
  const counts = matrix(n, 4);
  const yBinary = new Int32Array(n);
  const y3 = new Int32Array(n);
  const weights = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const x0 = Math.sin(1.1 * i + 0.3);
    const x1 = Math.cos(0.7 * i);
    const x2 = 2 * Math.sin(0.37 * i);
    x.data.set([x0, x1, x2], i * 3);
    yBinary[i] = x0 + 0.5 * x1 - 0.3 * x2 + 0.4 * Math.sin(5.3 * i) > 0 ? 1 : 0;
    const s = x0 - x1 + 0.5 * Math.sin(4.1 * i);
    y3[i] = s < -0.5 ? 0 : s < 0.5 ? 1 : 2;
    for (let j = 0; j < 4; j++) counts.data[i * 4 + j] = Math.floor(3 * (1 + Math.sin(1.7 * i + j)));
    weights[i] = 1 + (i % 3);
  }
  return { x, yBinary, y3, counts, weights };
}

/** `perClass` rows around each of `classes` well separated centres in `dims` dimensions (spread 0.5, centres 4 apart). */
export function blobs(rng: Rng, classes: number, perClass: number, dims: number): { x: Matrix; y: Labels } {
  const x = matrix(classes * perClass, dims);
  const y = new Int32Array(classes * perClass);
  for (let c = 0; c < classes; c++) {
    for (let r = 0; r < perClass; r++) {
      const i = c * perClass + r;
      y[i] = c;
      for (let j = 0; j < dims; j++) x.data[i * dims + j] = (j === c % dims ? 4 : 0) * (c >= dims ? -1 : 1) + rng.normal(0, 0.5);
    }
  }
  return { x, y };
}

/** A JSON.stringify/parse round trip, as an artifact stored in the database goes through. */
export function roundTrip(value: { toJSON(): unknown }): unknown {
  return JSON.parse(JSON.stringify(value.toJSON()));
}

/** Element-wise toBeCloseTo, after checking the lengths agree. */
export function expectClose(actual: ArrayLike<number>, expected: readonly number[], digits: number): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((v, i) => expect(actual[i]).toBeCloseTo(v, digits));
}
