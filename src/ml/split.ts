// Train/test splits: stratified k-fold and holdout (seeded, so a run can be repeated exactly) and a time-based split
// that never trains on the future.
import type { Rng } from '../platform/random.js';
import type { Labels } from './types.js';

/** Row indices, ascending, of the training and the test side. */
export interface Split {
  train: Int32Array;
  test: Int32Array;
}

/** Fisher–Yates shuffle in place. */
export function shuffleInPlace(a: Int32Array, rng: Rng): Int32Array {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
  return a;
}

/** Each class's row indices, shuffled. */
function shuffledByClass(y: Labels, rng: Rng): Int32Array[] {
  let classes = 0;
  for (let i = 0; i < y.length; i++) classes = Math.max(classes, y[i]! + 1);
  const counts = new Int32Array(classes);
  for (let i = 0; i < y.length; i++) counts[y[i]!]! += 1;
  const groups = Array.from(counts, (c) => new Int32Array(c));
  const filled = new Int32Array(classes);
  for (let i = 0; i < y.length; i++) groups[y[i]!]![filled[y[i]!]!++] = i;
  return groups.map((g) => shuffleInPlace(g, rng));
}

/** Both sides of a split from a per-row "in test" mark. */
function fromMask(inTest: Uint8Array): Split {
  let testCount = 0;
  for (let i = 0; i < inTest.length; i++) testCount += inTest[i]!;
  const train = new Int32Array(inTest.length - testCount);
  const test = new Int32Array(testCount);
  let a = 0;
  let b = 0;
  for (let i = 0; i < inTest.length; i++) {
    if (inTest[i]) test[b++] = i;
    else train[a++] = i;
  }
  return { train, test };
}

/**
 * Stratified k-fold: each class's rows are shuffled and dealt round-robin over the folds, the dealing continuing
 * from class to class, so every fold holds each class within one row and fold sizes differ by at most one.
 */
export function stratifiedKFold(y: Labels, k: number, rng: Rng): Split[] {
  if (!Number.isInteger(k) || k < 2) throw new Error(`stratifiedKFold: k must be an integer ≥ 2, got ${k}`);
  if (k > y.length) throw new Error(`stratifiedKFold: ${k} folds for ${y.length} rows`);
  const fold = new Int32Array(y.length);
  let next = 0;
  for (const group of shuffledByClass(y, rng)) {
    for (let r = 0; r < group.length; r++) {
      fold[group[r]!] = next;
      next = (next + 1) % k;
    }
  }
  const mask = new Uint8Array(y.length);
  return Array.from({ length: k }, (_, f) => {
    for (let i = 0; i < y.length; i++) mask[i] = fold[i] === f ? 1 : 0;
    return fromMask(mask);
  });
}

/**
 * Stratified holdout: round(rows × testFraction) rows to test, shared between classes in proportion to their size
 * (largest remainders get the leftover rows), chosen at random within each class.
 */
export function stratifiedHoldout(y: Labels, testFraction: number, rng: Rng): Split {
  if (!(testFraction > 0 && testFraction < 1)) throw new Error(`stratifiedHoldout: testFraction must be in (0, 1), got ${testFraction}`);
  const groups = shuffledByClass(y, rng);
  const total = Math.round(y.length * testFraction);
  const exact = groups.map((g) => g.length * testFraction);
  const take = exact.map(Math.floor);
  let left = total - take.reduce((a, b) => a + b, 0);
  const byRemainder = exact.map((e, c) => c).sort((a, b) => exact[b]! - take[b]! - (exact[a]! - take[a]!) || groups[b]!.length - groups[a]!.length);
  for (const c of byRemainder) {
    if (left <= 0) break;
    if (take[c]! < groups[c]!.length) {
      take[c]! += 1;
      left--;
    }
  }
  const mask = new Uint8Array(y.length);
  groups.forEach((g, c) => {
    for (let r = 0; r < take[c]!; r++) mask[g[r]!] = 1;
  });
  return fromMask(mask);
}

/**
 * Time-based split: training rows strictly before the cutoff, test rows at or after it. The cutoff is given, or is
 * the timestamp at the (1 − testFraction) quantile, so about that fraction of the latest rows is held out.
 */
export function timeSplit(timestamps: ArrayLike<number>, by: { cutoff: number } | { testFraction: number }): Split & { cutoff: number } {
  let cutoff: number;
  if ('cutoff' in by) cutoff = by.cutoff;
  else {
    if (!(by.testFraction > 0 && by.testFraction < 1)) throw new Error(`timeSplit: testFraction must be in (0, 1), got ${by.testFraction}`);
    if (timestamps.length === 0) throw new Error('timeSplit: no rows');
    const sorted = Float64Array.from(timestamps).sort();
    cutoff = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * (1 - by.testFraction)))]!;
  }
  const mask = new Uint8Array(timestamps.length);
  for (let i = 0; i < timestamps.length; i++) {
    if (!Number.isFinite(timestamps[i])) throw new Error(`timeSplit: timestamp of row ${i} is not a finite number`);
    mask[i] = timestamps[i]! >= cutoff ? 1 : 0;
  }
  return { ...fromMask(mask), cutoff };
}
