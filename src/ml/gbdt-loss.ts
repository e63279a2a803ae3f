// The losses gradient boosting minimises, on raw scores: binary log loss on one logit per row (width 1) and
// multiclass softmax cross-entropy on one score per class (width k). Gradients and hessians are per score column,
// the hessian being the diagonal p(1 − p) as in scikit-learn.
import type { Labels } from './types.js';

/** Score columns per row for k classes: one logit for two classes, else one per class. */
export const scoreWidth = (k: number): number => (k === 2 ? 1 : k);

/** The constant model's raw scores: the weighted prior's logit (two classes) or log-priors. */
export function baselineScores(y: Labels, weight: Float64Array, rows: Int32Array, k: number): Float64Array {
  const totals = new Float64Array(k);
  let sum = 0;
  for (const i of rows) {
    totals[y[i]!]! += weight[i]!;
    sum += weight[i]!;
  }
  const prior = (c: number) => Math.min(1 - 1e-15, Math.max(1e-15, totals[c]! / sum));
  if (k === 2) return Float64Array.of(Math.log(prior(1) / (1 - prior(1))));
  return Float64Array.from({ length: k }, (_, c) => Math.log(prior(c)));
}

/** Class probabilities from the raw scores at raw[offset..]: sigmoid of one logit, or a softmax. */
export function probabilities(raw: Float64Array, offset: number, k: number, out: Float64Array): void {
  if (k === 2) {
    const p = 1 / (1 + Math.exp(-raw[offset]!));
    out[0] = 1 - p;
    out[1] = p;
    return;
  }
  let max = -Infinity;
  for (let c = 0; c < k; c++) max = Math.max(max, raw[offset + c]!);
  let sum = 0;
  for (let c = 0; c < k; c++) sum += out[c] = Math.exp(raw[offset + c]! - max);
  for (let c = 0; c < k; c++) out[c]! /= sum;
}

/** The loss of row i (scores at raw[i·width..]) with true class `label`. */
export function rowLoss(raw: Float64Array, i: number, k: number, label: number, prob: Float64Array): number {
  probabilities(raw, i * scoreWidth(k), k, prob);
  return -Math.log(Math.max(prob[label]!, 1e-300));
}

/** Weighted gradient and hessian of row i's loss for each score column c, into grad[c][i] and hess[c][i]. */
export function rowGradients(raw: Float64Array, i: number, k: number, label: number, weight: number, prob: Float64Array, grad: Float64Array[], hess: Float64Array[]): void {
  const width = scoreWidth(k);
  probabilities(raw, i * width, k, prob);
  for (let c = 0; c < width; c++) {
    const cls = width === 1 ? 1 : c; // the single logit is the positive class's
    const p = prob[cls]!;
    grad[c]![i] = (p - (label === cls ? 1 : 0)) * weight;
    hess[c]![i] = p * (1 - p) * weight;
  }
}

/** Weighted mean loss over the given rows. */
export function logLoss(raw: Float64Array, y: Labels, weight: Float64Array, rows: Int32Array, k: number, prob: Float64Array): number {
  let loss = 0, total = 0;
  for (const i of rows) {
    loss += weight[i]! * rowLoss(raw, i, k, y[i]!, prob);
    total += weight[i]!;
  }
  return total > 0 ? loss / total : 0;
}
