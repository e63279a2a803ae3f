// Shared by the sequence-model tests: a task only order can solve, a bag-of-tokens baseline, and a finite-difference
// gradient check over every parameter group of a network.
import { LogisticRegression } from '../src/ml/logistic.js';
import { accuracy, argmaxRows } from '../src/ml/metrics.js';
import type { SequenceNet } from '../src/ml/sequence-fit.js';
import type { ParamLayout } from '../src/ml/tensor.js';
import { matrix, type Labels } from '../src/ml/types.js';
import type { Rng } from '../src/platform/random.js';

/**
 * Sequences of 4–10 tokens over ids 1..vocabulary-1 holding token 1 once and token 2 once at random places, the rest
 * drawn from 3..; label 1 when token 1 comes before token 2. Every sequence holds the same count of tokens 1 and 2, so
 * a bag of tokens carries no information about the label.
 */
export function orderTask(rng: Rng, rows: number, vocabulary = 7): { sequences: Int32Array[]; y: Labels } {
  const sequences: Int32Array[] = [];
  const y = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    const s = new Int32Array(rng.int(4, 10));
    for (let t = 0; t < s.length; t++) s[t] = rng.int(3, vocabulary - 1);
    const a = rng.int(0, s.length - 1);
    let b = rng.int(0, s.length - 2);
    if (b >= a) b++;
    s[a] = 1;
    s[b] = 2;
    y[i] = a < b ? 1 : 0;
    sequences.push(s);
  }
  return { sequences, y };
}

/** Test accuracy of logistic regression on token counts (a bag of tokens). */
export function bagOfTokensAccuracy(train: { sequences: Int32Array[]; y: Labels }, test: { sequences: Int32Array[]; y: Labels }, vocabulary: number): number {
  const counts = (seqs: Int32Array[]) => {
    const x = matrix(seqs.length, vocabulary);
    seqs.forEach((s, i) => s.forEach((t) => (x.data[i * vocabulary + t]! += 1)));
    return x;
  };
  const lr = new LogisticRegression();
  lr.fit(counts(train.sequences), train.y);
  return accuracy(test.y, argmaxRows(lr.predictProba(counts(test.sequences)), 2));
}

export interface BatchRow {
  tokens: Int32Array;
  label: number;
  scale: number;
}

/** Σ scale × cross-entropy over the batch, from the forward pass alone. */
function batchLoss(net: SequenceNet, batch: BatchRow[], classes: number): number {
  net.prepare();
  const p = new Float64Array(classes);
  let loss = 0;
  for (const row of batch) {
    net.forward(row.tokens, row.tokens.length, p, 0);
    loss -= row.scale * Math.log(p[row.label]!);
  }
  return loss;
}

/** Per parameter group: the worst |numeric − analytic| / (1e-7 + 1e-6·|numeric|) and the analytic gradient's norm. */
export function gradientCheck<K extends string>(net: SequenceNet, layout: ParamLayout<K>, batch: BatchRow[], classes: number, h = 1e-5): Record<K, { worst: number; norm: number }> {
  net.beginBatch();
  for (const row of batch) net.accumulate(row.tokens, row.tokens.length, row.label, row.scale);
  net.endBatch();
  const analytic = Float64Array.from(net.grads);
  const result = {} as Record<K, { worst: number; norm: number }>;
  for (const key of Object.keys(layout.offsets) as K[]) {
    let worst = 0;
    let norm = 0;
    for (let i = layout.offsets[key]; i < layout.offsets[key] + layout.sizes[key]; i++) {
      const saved = net.params[i]!;
      net.params[i] = saved + h;
      const plus = batchLoss(net, batch, classes);
      net.params[i] = saved - h;
      const minus = batchLoss(net, batch, classes);
      net.params[i] = saved;
      const numeric = (plus - minus) / (2 * h);
      worst = Math.max(worst, Math.abs(numeric - analytic[i]!) / (1e-7 + 1e-6 * Math.abs(numeric)));
      norm += analytic[i]! * analytic[i]!;
    }
    result[key] = { worst, norm: Math.sqrt(norm) };
  }
  return result;
}

/** The largest |float64 − float32| gradient difference over the largest float64 gradient, for the same parameters. */
export function float32GradientGap(net64: SequenceNet, net32: SequenceNet, batch: BatchRow[]): number {
  for (const net of [net64, net32]) {
    net.beginBatch();
    for (const row of batch) net.accumulate(row.tokens, row.tokens.length, row.label, row.scale);
    net.endBatch();
  }
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < net64.grads.length; i++) {
    diff = Math.max(diff, Math.abs(net64.grads[i]! - net32.grads[i]!));
    norm = Math.max(norm, Math.abs(net64.grads[i]!));
  }
  return diff / norm;
}
