// Sequence-model benchmark: training time per epoch and inference time per sequence of the GRU(32) and the
// transformer encoder (d = 32) from src/ml on 2,000 synthetic sessions of 30 page-category tokens, the workload
// DESIGN.md measured TF.js on (GRU(32): ~12 s an epoch, ~33 ms to score one sequence, pure-JS backend). TF.js is not a
// dependency, so those two figures are quoted from DESIGN.md rather than measured here: read the ratios as orders of
// magnitude. Also reported: held-out accuracy after a fit with early stopping (the task needs order: did a "pricing"
// page come before a "cart" page), so the speed is not that of a model that learns nothing.
//
//   node scripts/build.mjs && node dist/bench/sequence-models.js [--rounds 3] [--epochs 2] [--seed 42]
import { accuracy, argmaxRows } from '../src/ml/metrics.js';
import { GruClassifier } from '../src/ml/gru.js';
import { TransformerClassifier } from '../src/ml/transformer.js';
import type { Labels, SequenceClassifier } from '../src/ml/types.js';
import { createRng, type Rng } from '../src/platform/random.js';
import { machine, median, percentile, round, table, writeResults } from './lib.js';

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const ROUNDS = Number(arg('rounds') ?? 3);
const EPOCHS = Number(arg('epochs') ?? 2);
const SEED = Number(arg('seed') ?? 42);
const ROWS = 2000;
const STEPS = 30;
const VOCABULARY = 24;
const PRICING = 2;
const CART = 3;
const ONE_SEQUENCE_SAMPLES = 1000;
const QUALITY_EPOCHS = 15;
const TARGET_INFERENCE_MS = 1;
/** DESIGN.md: TF.js pure-JS backend, GRU(32), 2,000 × 30, on this class of machine (not measured in this run). */
const TFJS = { epochMs: 12_000, oneSequenceMs: 33 };

/** 30-token sessions over 23 page categories; label 1 when the first pricing page comes before the first cart page. */
function sessions(rng: Rng, rows: number): { sequences: Int32Array[]; y: Labels } {
  const sequences: Int32Array[] = [];
  const y = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    const s = Int32Array.from({ length: STEPS }, () => rng.int(4, VOCABULARY - 1));
    const a = rng.int(0, STEPS - 1);
    let b = rng.int(0, STEPS - 2);
    if (b >= a) b++;
    s[a] = PRICING;
    s[b] = CART;
    y[i] = a < b ? 1 : 0;
    sequences.push(s);
  }
  return { sequences, y };
}

interface Spec {
  name: string;
  make(epochs: number, validationFraction: number): SequenceClassifier;
}

const SPECS: Spec[] = [
  { name: 'gru(32)', make: (epochs, validationFraction) => new GruClassifier({ hidden: 32, embedding: 16, maxLength: STEPS, epochs, validationFraction, rng: createRng(SEED) }) },
  {
    name: 'transformer(d=32)',
    make: (epochs, validationFraction) => new TransformerClassifier({ dModel: 32, heads: 2, ff: 64, blocks: 1, maxLength: STEPS, epochs, validationFraction, rng: createRng(SEED) }),
  },
];

const rng = createRng(SEED);
const train = sessions(rng, ROWS);
const test = sessions(rng, 1000);
console.log(`sequence models: ${ROWS} sequences × ${STEPS} steps, vocabulary ${VOCABULARY}; ${ROUNDS} rounds of ${EPOCHS} epochs`);

const results = SPECS.map((spec) => {
  const epochMs: number[] = [];
  let model = spec.make(EPOCHS, 0);
  for (let r = 0; r < ROUNDS; r++) {
    model = spec.make(EPOCHS, 0);
    const t0 = performance.now();
    model.fit(train.sequences, train.y);
    epochMs.push((performance.now() - t0) / EPOCHS);
  }
  const one: number[] = [];
  for (let i = 0; i < ONE_SEQUENCE_SAMPLES; i++) {
    const seq = [test.sequences[i % test.sequences.length]!];
    const t0 = performance.now();
    model.predictProba(seq);
    one.push(performance.now() - t0);
  }
  const t1 = performance.now();
  model.predictProba(test.sequences);
  const batchUs = ((performance.now() - t1) * 1000) / test.sequences.length;
  const quality = spec.make(QUALITY_EPOCHS, 0.1);
  const t2 = performance.now();
  quality.fit(train.sequences, train.y);
  const qualityFitS = (performance.now() - t2) / 1000;
  const acc = accuracy(test.y, argmaxRows(quality.predictProba(test.sequences), 2));
  const info = (quality as GruClassifier | TransformerClassifier).fitInfo!;
  return {
    model: spec.name,
    parameters: Buffer.from(model.toJSON().weights as string, 'base64').length / 4,
    epochMs: round(median(epochMs), 1),
    epochMsRounds: epochMs.map((v) => round(v, 1)),
    oneSequenceMedianUs: round(median(one) * 1000, 1),
    oneSequenceP99Us: round(percentile(one, 99) * 1000, 1),
    batchUsPerSequence: round(batchUs, 1),
    epochSpeedupVsTfjs: round(TFJS.epochMs / median(epochMs), 1),
    inferenceSpeedupVsTfjs: round(TFJS.oneSequenceMs / median(one), 0),
    inferencePass: percentile(one, 99) < TARGET_INFERENCE_MS,
    quality: { maxEpochs: QUALITY_EPOCHS, epochs: info.epochs, bestEpoch: info.bestEpoch, fitSeconds: round(qualityFitS, 1), testAccuracy: round(acc, 4) },
  };
});

table(
  results.map((r) => ({
    model: r.model,
    params: r.parameters,
    'epoch ms': r.epochMs,
    'one seq µs (p50)': r.oneSequenceMedianUs,
    'p99 µs': r.oneSequenceP99Us,
    'batch µs/seq': r.batchUsPerSequence,
    '× TF.js epoch': r.epochSpeedupVsTfjs,
    '× TF.js infer': r.inferenceSpeedupVsTfjs,
    'p99 < 1 ms': r.inferencePass ? 'PASS' : 'FAIL',
    'test acc': `${r.quality.testAccuracy} (${r.quality.bestEpoch}/${r.quality.epochs} ep, ${r.quality.fitSeconds} s)`,
  })),
);
const file = writeResults('sequence-models', {
  machine: machine(),
  workload: { rows: ROWS, steps: STEPS, vocabulary: VOCABULARY, rounds: ROUNDS, epochsPerRound: EPOCHS, seed: SEED, testRows: test.y.length },
  tfjsReferenceFromDesign: TFJS,
  targetInferenceMs: TARGET_INFERENCE_MS,
  results,
});
console.log(`written ${file}`);
