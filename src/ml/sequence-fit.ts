// What the neural sequence models share: cleaning token sequences (padding dropped, most recent tokens kept), the
// mini-batch training loop with Adam and early stopping on a stratified held-out fraction, and batch prediction.
import type { Rng } from '../platform/random.js';
import { Adam } from './adam.js';
import type { ClassWeight } from './preprocess.js';
import { stratifiedHoldout, shuffleInPlace } from './split.js';
import type { Vec } from './tensor.js';
import type { Labels } from './types.js';

/** A network the loop can train: flat parameters and gradients, per-sequence forward/backward. */
export interface SequenceNet {
  readonly params: Vec;
  readonly grads: Vec;
  /** Zeroes the gradients and refreshes caches derived from the parameters. */
  beginBatch(): void;
  /** Adds scale × ∂(cross-entropy of `label`)/∂params for tokens[0, length) to grads; returns the cross-entropy. */
  accumulate(tokens: Int32Array, length: number, label: number, scale: number): number;
  /** Completes the gradients of the batch (folds cached per-token gradients back into parameters). */
  endBatch(): void;
  /** Refreshes caches derived from the parameters before predicting. */
  prepare(): void;
  /** Class probabilities for tokens[0, length), written to out[off, off + classes). */
  forward(tokens: Int32Array, length: number, out: Float64Array, off: number): void;
}

/** Training settings shared by the sequence models. */
export interface SequenceTrainOptions {
  /** Passes over the training rows at most (default 30). */
  epochs?: number;
  /** Rows per Adam step (default 32). */
  batchSize?: number;
  /** Adam step size (default 0.005). */
  learningRate?: number;
  /** Decoupled weight decay (default 1e-4). */
  weightDecay?: number;
  /** Clip the batch gradient's L2 norm to this (default 5). */
  clipNorm?: number;
  /** Held-out stratified fraction for early stopping (default 0.1; 0 trains every epoch on all rows). */
  validationFraction?: number;
  /** Epochs without a better held-out loss before stopping; the best epoch's weights are kept (default 5). */
  patience?: number;
}

/** Options every sequence model takes besides its architecture. */
export interface SequenceModelOptions extends SequenceTrainOptions {
  /** Tokens kept per sequence, the most recent (default 50). */
  maxLength?: number;
  /** Token ids 0..vocabulary-1 (0 is padding); default: the largest id seen in training + 1. */
  vocabulary?: number;
  classes?: number;
  /** Per-class weights multiplying the sample weights, or 'balanced'. */
  classWeight?: ClassWeight;
  /** Seeds the initial weights, the held-out split and the shuffling (default createRng(0)). */
  rng?: Rng;
}

/** How a fit went. */
export interface SequenceFitInfo {
  epochs: number;
  bestEpoch: number;
  /** Weighted mean training cross-entropy per epoch. */
  trainLoss: number[];
  /** Weighted held-out cross-entropy per epoch (empty without a held-out fraction). */
  validationLoss: number[];
}

/**
 * Copies the real tokens of `seq` into `out`: padding (id 0) dropped wherever it is, only the last `maxLength`
 * tokens kept (a session's most recent events); returns how many. Ids must be integers in 1..vocabulary-1.
 */
export function cleanTokens(seq: Int32Array, vocabulary: number, maxLength: number, out: Int32Array, what: string): number {
  let count = 0;
  for (let i = 0; i < seq.length; i++) {
    const t = seq[i]!;
    if (t === 0) continue;
    if (t < 0 || t >= vocabulary) throw new Error(`${what}: token ${t} is outside the vocabulary 0..${vocabulary - 1}`);
    count++;
  }
  let skip = Math.max(0, count - maxLength);
  let n = 0;
  for (let i = 0; i < seq.length; i++) {
    const t = seq[i]!;
    if (t === 0) continue;
    if (skip > 0) {
      skip--;
      continue;
    }
    out[n++] = t;
  }
  return n;
}

/** Every sequence cleaned into its own array. */
export function cleanAll(sequences: Int32Array[], vocabulary: number, maxLength: number, what: string): Int32Array[] {
  const scratch = new Int32Array(maxLength);
  return sequences.map((s) => scratch.slice(0, cleanTokens(s, vocabulary, maxLength, scratch, what)));
}

/** Largest token id + 1 over the sequences (at least 2: padding and one real token). */
export function vocabularyOf(sequences: Int32Array[]): number {
  let max = 1;
  for (const s of sequences) for (let i = 0; i < s.length; i++) if (s[i]! > max) max = s[i]!;
  return max + 1;
}

/** Row-major probabilities, sequences × classes. */
export function predictAll(net: SequenceNet, sequences: Int32Array[], classes: number, vocabulary: number, maxLength: number, what: string): Float64Array {
  net.prepare();
  const out = new Float64Array(sequences.length * classes);
  const scratch = new Int32Array(maxLength);
  for (let i = 0; i < sequences.length; i++) net.forward(scratch, cleanTokens(sequences[i]!, vocabulary, maxLength, scratch, what), out, i * classes);
  return out;
}

/** Weighted mean cross-entropy of the rows. */
function heldOutLoss(net: SequenceNet, tokens: Int32Array[], y: Labels, w: Float64Array, rows: Int32Array, classes: number): number {
  net.prepare();
  const p = new Float64Array(classes);
  let loss = 0;
  let total = 0;
  for (const i of rows) {
    if (w[i] === 0) continue;
    net.forward(tokens[i]!, tokens[i]!.length, p, 0);
    loss -= w[i]! * Math.log(Math.max(p[y[i]!]!, 1e-15));
    total += w[i]!;
  }
  return total > 0 ? loss / total : 0;
}

/** Mini-batch training of `net` on cleaned token sequences with row weights `w`; keeps the best held-out epoch. */
export function trainSequenceNet(net: SequenceNet, tokens: Int32Array[], y: Labels, w: Float64Array, classes: number, options: SequenceTrainOptions, rng: Rng): SequenceFitInfo {
  const epochs = options.epochs ?? 30;
  const batchSize = options.batchSize ?? 32;
  const fraction = options.validationFraction ?? 0.1;
  const patience = options.patience ?? 5;
  if (!(Number.isInteger(epochs) && epochs >= 1 && Number.isInteger(batchSize) && batchSize >= 1)) throw new Error('epochs and batchSize must be positive integers');
  if (!(fraction >= 0 && fraction < 1)) throw new Error('validationFraction must be in [0, 1)');
  const adam = new Adam(net.params.length, {
    learningRate: options.learningRate ?? 0.005,
    weightDecay: options.weightDecay ?? 1e-4,
    clipNorm: options.clipNorm ?? 5,
  });
  const holdout = fraction > 0 && Math.round(y.length * fraction) >= 1 ? stratifiedHoldout(y, fraction, rng.fork()) : undefined;
  const train = holdout ? holdout.train.slice() : Int32Array.from({ length: y.length }, (_, i) => i);
  const shuffleRng = rng.fork();
  const info: SequenceFitInfo = { epochs: 0, bestEpoch: 0, trainLoss: [], validationLoss: [] };
  let best = Infinity;
  const bestParams = net.params.slice();
  for (let epoch = 1; epoch <= epochs; epoch++) {
    shuffleInPlace(train, shuffleRng);
    let epochLoss = 0;
    let epochWeight = 0;
    for (let start = 0; start < train.length; start += batchSize) {
      const end = Math.min(train.length, start + batchSize);
      let batchWeight = 0;
      for (let b = start; b < end; b++) batchWeight += w[train[b]!]!;
      if (!(batchWeight > 0)) continue;
      net.beginBatch();
      for (let b = start; b < end; b++) {
        const i = train[b]!;
        if (w[i] === 0) continue;
        epochLoss += w[i]! * net.accumulate(tokens[i]!, tokens[i]!.length, y[i]!, w[i]! / batchWeight);
      }
      epochWeight += batchWeight;
      net.endBatch();
      adam.step(net.params, net.grads);
    }
    info.epochs = epoch;
    info.trainLoss.push(epochWeight > 0 ? epochLoss / epochWeight : 0);
    if (!holdout) continue;
    const loss = heldOutLoss(net, tokens, y, w, holdout.test, classes);
    info.validationLoss.push(loss);
    if (loss < best - 1e-6) {
      best = loss;
      info.bestEpoch = epoch;
      bestParams.set(net.params);
    } else if (epoch - info.bestEpoch >= patience) break;
  }
  if (holdout) net.params.set(bestParams);
  else info.bestEpoch = info.epochs;
  net.prepare();
  return info;
}
