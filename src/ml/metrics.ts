// Classification metrics, defined as scikit-learn defines them (tied scores, zero division, clipping), so figures
// here can be set beside a scikit-learn reference run.
import type { Labels } from './types.js';

export interface ClassScores {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface PrecisionRecallF1 {
  perClass: ClassScores[];
  /** Unweighted mean over classes (support: all rows). */
  macro: ClassScores;
  /** Mean weighted by each class's support. */
  weighted: ClassScores;
}

/** Fraction of rows whose predicted label equals the true one. */
export function accuracy(yTrue: Labels, yPred: Labels): number {
  sameLength(yTrue, yPred);
  let hits = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) hits++;
  return yTrue.length > 0 ? hits / yTrue.length : NaN;
}

/** The most probable class of each row of a rows × classes probability matrix (first on ties). */
export function argmaxRows(proba: Float64Array, classes: number): Int32Array {
  const rows = proba.length / classes;
  const out = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    let best = 0;
    for (let k = 1; k < classes; k++) if (proba[i * classes + k]! > proba[i * classes + best]!) best = k;
    out[i] = best;
  }
  return out;
}

/** The probability of class 1 in each row of a rows × 2 matrix. */
export function positiveColumn(proba: Float64Array): Float64Array {
  const out = new Float64Array(proba.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = proba[2 * i + 1]!;
  return out;
}

/** counts[t][p]: rows of true class t predicted as p (sklearn's layout). */
export function confusionMatrix(yTrue: Labels, yPred: Labels, classes: number): number[][] {
  sameLength(yTrue, yPred);
  const counts = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < yTrue.length; i++) counts[yTrue[i]!]![yPred[i]!]! += 1;
  return counts;
}

/** Per-class precision, recall and F1 with macro and support-weighted means; 0 where a ratio is 0/0 (zero_division=0). */
export function precisionRecallF1(yTrue: Labels, yPred: Labels, classes: number): PrecisionRecallF1 {
  const cm = confusionMatrix(yTrue, yPred, classes);
  const perClass: ClassScores[] = [];
  for (let k = 0; k < classes; k++) {
    const tp = cm[k]![k]!;
    const support = cm[k]!.reduce((a, b) => a + b, 0);
    const predicted = cm.reduce((a, row) => a + row[k]!, 0);
    const precision = predicted > 0 ? tp / predicted : 0;
    const recall = support > 0 ? tp / support : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    perClass.push({ precision, recall, f1, support });
  }
  const n = yTrue.length;
  const mean = (pick: (s: ClassScores) => number, weighted: boolean) =>
    perClass.reduce((a, s) => a + pick(s) * (weighted ? s.support / n : 1 / classes), 0);
  const average = (weighted: boolean): ClassScores => ({
    precision: mean((s) => s.precision, weighted),
    recall: mean((s) => s.recall, weighted),
    f1: mean((s) => s.f1, weighted),
    support: n,
  });
  return { perClass, macro: average(false), weighted: n > 0 ? average(true) : average(false) };
}

/** Row indices ordered by score, highest first. */
function byScoreDescending(scores: ArrayLike<number>): Uint32Array {
  const order = new Uint32Array(scores.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  return order.sort((a, b) => scores[b]! - scores[a]!);
}

/**
 * Walks the ranking from the highest score down, calling `atThreshold(tp, fp)` with the weighted true and false
 * positive totals after each group of tied scores: a tie is one threshold, as in sklearn's curves.
 */
function walkThresholds(
  yTrue: ArrayLike<number>,
  scores: ArrayLike<number>,
  sampleWeight: ArrayLike<number> | undefined,
  atThreshold: (tp: number, fp: number) => void,
): void {
  sameLength(yTrue, scores);
  const order = byScoreDescending(scores);
  let tp = 0;
  let fp = 0;
  for (let r = 0; r < order.length; r++) {
    const i = order[r]!;
    const w = sampleWeight ? sampleWeight[i]! : 1;
    if (yTrue[i] === 1) tp += w;
    else fp += w;
    if (r === order.length - 1 || scores[order[r + 1]!] !== scores[i]) atThreshold(tp, fp);
  }
}

/** ROC-AUC for 0/1 labels (higher score = more positive); tied scores count half, as in sklearn. NaN with one class only. */
export function rocAuc(yTrue: ArrayLike<number>, scores: ArrayLike<number>, sampleWeight?: ArrayLike<number>): number {
  let area = 0;
  let prevTp = 0;
  let prevFp = 0;
  walkThresholds(yTrue, scores, sampleWeight, (tp, fp) => {
    area += ((fp - prevFp) * (tp + prevTp)) / 2; // trapezoid: a tied group moves diagonally
    prevTp = tp;
    prevFp = fp;
  });
  return prevTp > 0 && prevFp > 0 ? area / (prevTp * prevFp) : NaN;
}

/** Average precision (PR-AUC as sklearn computes it): Σ (Rₙ − Rₙ₋₁)·Pₙ over thresholds. NaN without positives. */
export function averagePrecision(yTrue: ArrayLike<number>, scores: ArrayLike<number>, sampleWeight?: ArrayLike<number>): number {
  const steps: [number, number][] = [];
  walkThresholds(yTrue, scores, sampleWeight, (tp, fp) => steps.push([tp, fp]));
  const positives = steps.at(-1)?.[0] ?? 0;
  if (!(positives > 0)) return NaN;
  let ap = 0;
  let prevRecall = 0;
  for (const [tp, fp] of steps) {
    const recall = tp / positives;
    if (recall > prevRecall) ap += (recall - prevRecall) * (tp / (tp + fp));
    prevRecall = recall;
  }
  return ap;
}

/** One-vs-rest macro average of a binary score metric over classes present with both outcomes. */
function oneVsRest(yTrue: Labels, proba: Float64Array, classes: number, metric: (y: Uint8Array, s: Float64Array) => number): number {
  const rows = yTrue.length;
  const y = new Uint8Array(rows);
  const s = new Float64Array(rows);
  let sum = 0;
  let counted = 0;
  for (let k = 0; k < classes; k++) {
    for (let i = 0; i < rows; i++) {
      y[i] = yTrue[i] === k ? 1 : 0;
      s[i] = proba[i * classes + k]!;
    }
    const v = metric(y, s);
    if (!Number.isNaN(v)) {
      sum += v;
      counted++;
    }
  }
  return counted > 0 ? sum / counted : NaN;
}

/** ROC-AUC of a rows × classes probability matrix: binary on class 1, else one-vs-rest macro (sklearn's multi_class="ovr"). */
export function rocAucMulti(yTrue: Labels, proba: Float64Array, classes: number): number {
  return classes === 2 ? rocAuc(yTrue, positiveColumn(proba)) : oneVsRest(yTrue, proba, classes, rocAuc);
}

/** Average precision of a rows × classes probability matrix: binary on class 1, else one-vs-rest macro. */
export function averagePrecisionMulti(yTrue: Labels, proba: Float64Array, classes: number): number {
  return classes === 2 ? averagePrecision(yTrue, positiveColumn(proba)) : oneVsRest(yTrue, proba, classes, averagePrecision);
}

/** Mean cross-entropy, probabilities clipped to [eps, 1 − eps] and rows renormalised (sklearn ≤ 1.4's log_loss). */
export function logLoss(yTrue: Labels, proba: Float64Array, classes: number, eps = 1e-15): number {
  let total = 0;
  for (let i = 0; i < yTrue.length; i++) {
    let rowSum = 0;
    for (let k = 0; k < classes; k++) rowSum += Math.min(1 - eps, Math.max(eps, proba[i * classes + k]!));
    const p = Math.min(1 - eps, Math.max(eps, proba[i * classes + yTrue[i]!]!)) / rowSum;
    total -= Math.log(p);
  }
  return yTrue.length > 0 ? total / yTrue.length : NaN;
}

/** Binary Brier score: mean (p − y)² for 0/1 outcomes and the probability of 1. */
export function brierScore(yTrue: ArrayLike<number>, pPositive: ArrayLike<number>): number {
  sameLength(yTrue, pPositive);
  let total = 0;
  for (let i = 0; i < yTrue.length; i++) total += (pPositive[i]! - yTrue[i]!) ** 2;
  return yTrue.length > 0 ? total / yTrue.length : NaN;
}

/** Multiclass Brier score (Brier 1950): mean over rows of Σₖ (pₖ − [y = k])²; twice the binary score when classes = 2. */
export function multiclassBrierScore(yTrue: Labels, proba: Float64Array, classes: number): number {
  let total = 0;
  for (let i = 0; i < yTrue.length; i++) {
    for (let k = 0; k < classes; k++) total += (proba[i * classes + k]! - (yTrue[i] === k ? 1 : 0)) ** 2;
  }
  return yTrue.length > 0 ? total / yTrue.length : NaN;
}

function sameLength(a: ArrayLike<unknown>, b: ArrayLike<unknown>): void {
  if (a.length !== b.length) throw new Error(`metrics: ${a.length} labels but ${b.length} predictions`);
}

export interface ReliabilityBin {
  /** The bin covers [lower, upper) (the last one includes 1). */
  lower: number;
  upper: number;
  count: number;
  /** Mean predicted probability in the bin; null when empty. */
  meanPredicted: number | null;
  /** Observed frequency of the outcome in the bin; null when empty. */
  observedRate: number | null;
}

/** Reliability diagram data: predictions grouped in equal-width bins, mean prediction beside observed frequency. */
export function reliabilityTable(outcomes: ArrayLike<number>, predicted: ArrayLike<number>, bins = 10): ReliabilityBin[] {
  sameLength(outcomes, predicted);
  const count = new Float64Array(bins);
  const sumPredicted = new Float64Array(bins);
  const sumObserved = new Float64Array(bins);
  for (let i = 0; i < predicted.length; i++) {
    const p = predicted[i]!;
    const b = Math.min(bins - 1, Math.max(0, Math.floor(p * bins)));
    count[b]! += 1;
    sumPredicted[b]! += p;
    sumObserved[b]! += outcomes[i]!;
  }
  return Array.from({ length: bins }, (_, b) => ({
    lower: b / bins,
    upper: (b + 1) / bins,
    count: count[b]!,
    meanPredicted: count[b]! > 0 ? sumPredicted[b]! / count[b]! : null,
    observedRate: count[b]! > 0 ? sumObserved[b]! / count[b]! : null,
  }));
}

/** Expected calibration error: Σ (bin rows / rows)·|observed rate − mean prediction| over equal-width bins (10 by default). */
export function expectedCalibrationError(outcomes: ArrayLike<number>, predicted: ArrayLike<number>, bins = 10): number {
  const table = reliabilityTable(outcomes, predicted, bins);
  let ece = 0;
  for (const bin of table) if (bin.count > 0) ece += (bin.count / predicted.length) * Math.abs(bin.observedRate! - bin.meanPredicted!);
  return predicted.length > 0 ? ece : NaN;
}

/**
 * What calibration is measured on: for two classes the probability of class 1 against the 0/1 label; for more,
 * the top-label confidence against whether the top label was right (Guo et al. 2017).
 */
export function calibrationPairs(yTrue: Labels, proba: Float64Array, classes: number): { outcomes: Float64Array; predicted: Float64Array } {
  if (classes === 2) return { outcomes: Float64Array.from(yTrue), predicted: positiveColumn(proba) };
  const labels = argmaxRows(proba, classes);
  const outcomes = new Float64Array(yTrue.length);
  const predicted = new Float64Array(yTrue.length);
  for (let i = 0; i < yTrue.length; i++) {
    outcomes[i] = labels[i] === yTrue[i] ? 1 : 0;
    predicted[i] = proba[i * classes + labels[i]!]!;
  }
  return { outcomes, predicted };
}

export interface ClassificationReport {
  rows: number;
  classes: number;
  accuracy: number;
  perClass: ClassScores[];
  macro: ClassScores;
  weighted: ClassScores;
  /** Binary: on class 1; multiclass: one-vs-rest macro. */
  rocAuc: number;
  prAuc: number;
  logLoss: number;
  /** Binary: mean (p₁ − y)²; multiclass: Σₖ form. */
  brier: number;
  /** On the pairs of calibrationPairs(), 10 bins. */
  calibrationError: number;
  reliability: ReliabilityBin[];
  /** confusion[true][predicted]. */
  confusion: number[][];
}

/** Every metric above for one set of probabilities; predicted labels are each row's most probable class. */
export function classificationReport(yTrue: Labels, proba: Float64Array, classes: number): ClassificationReport {
  if (proba.length !== yTrue.length * classes) throw new Error(`metrics: ${proba.length} probabilities for ${yTrue.length} rows × ${classes} classes`);
  const yPred = argmaxRows(proba, classes);
  const prf = precisionRecallF1(yTrue, yPred, classes);
  const { outcomes, predicted } = calibrationPairs(yTrue, proba, classes);
  return {
    rows: yTrue.length,
    classes,
    accuracy: accuracy(yTrue, yPred),
    ...prf,
    rocAuc: rocAucMulti(yTrue, proba, classes),
    prAuc: averagePrecisionMulti(yTrue, proba, classes),
    logLoss: logLoss(yTrue, proba, classes),
    brier: classes === 2 ? brierScore(yTrue, predicted) : multiclassBrierScore(yTrue, proba, classes),
    calibrationError: expectedCalibrationError(outcomes, predicted),
    reliability: reliabilityTable(outcomes, predicted),
    confusion: confusionMatrix(yTrue, yPred, classes),
  };
}
