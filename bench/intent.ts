// Intent benchmark (npm run bench:intent): Online Shoppers Purchasing Intention, 5-fold stratified CV with a fixed
// seed, every tabular model in src/ml (bench/intent-models.ts): ROC-AUC, PR-AUC, F1 of the positive class, accuracy,
// training time, and inference time per row (batch, and one row at a time), medians of the times over folds.
// Target: the best single model reaches ROC-AUC ≥ 0.93. When Debian's python3-sklearn is installed, scikit-learn's
// RandomForest, HistGradientBoosting and LogisticRegression run on the same folds and matrices in the same run
// (single-threaded, as ours): our AUC minus theirs and our training time over theirs. Ours and theirs run in rounds
// of alternating order, and times are medians over rounds × folds, so a change in the machine's load between the two
// phases does not skew the ratios; scores are seeded on both sides and must be identical in every round.
//
//   node dist/bench/intent.js [--folds 5] [--seed 42] [--rounds 2] [--models gbdt,random-forest] [--no-reference]
import { accuracy, argmaxRows, averagePrecision, positiveColumn, precisionRecallF1, rocAuc } from '../src/ml/metrics.js';
import { stratifiedKFold } from '../src/ml/split.js';
import { matrix, type Classifier, type Labels, type Matrix } from '../src/ml/types.js';
import { createRng } from '../src/platform/random.js';
import { foldMatrices, loadIntentData, treeMatrix, type Encoding, type FoldMatrices } from './intent-data.js';
import { BENCH_MODELS, FOREST_TREES, GBDT_SETTINGS, type BenchModel, type ReferenceName } from './intent-models.js';
import { findPython, runReference, type Reference } from './intent-reference.js';
import { machine, median, round, table, writeResults } from './lib.js';

const TARGET_AUC = 0.93;
const ONE_ROW_SAMPLES = 1000;

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const FOLDS = Number(arg('folds') ?? 5);
const SEED = Number(arg('seed') ?? 42);
const ROUNDS = Number(arg('rounds') ?? 2);
const only = arg('models')?.split(',');
const withReference = !process.argv.includes('--no-reference');

interface FoldScores {
  auc: number;
  prAuc: number;
  f1: number;
  accuracy: number;
}
interface FoldRun extends FoldScores {
  fitMs: number;
  predictUsPerRow: number;
  predictOneUs: number;
  iterations?: number;
}

function scores(yTest: Labels, positive: Float64Array): FoldScores {
  const proba = new Float64Array(positive.length * 2);
  positive.forEach((p, i) => {
    proba[2 * i] = 1 - p;
    proba[2 * i + 1] = p;
  });
  const predicted = argmaxRows(proba, 2);
  return {
    auc: rocAuc(yTest, positive),
    prAuc: averagePrecision(yTest, positive),
    f1: precisionRecallF1(yTest, predicted, 2).perClass[1]!.f1,
    accuracy: accuracy(yTest, predicted),
  };
}

/** Median microseconds of predictProba on one row at a time (the live-scoring case). */
function oneRowMicros(model: Classifier, x: Matrix): number {
  const one = matrix(1, x.cols);
  const times: number[] = [];
  for (let i = 0; i < Math.min(ONE_ROW_SAMPLES, x.rows); i++) {
    one.data.set(x.data.subarray(i * x.cols, (i + 1) * x.cols));
    const t0 = performance.now();
    model.predictProba(one);
    times.push((performance.now() - t0) * 1000);
  }
  return median(times);
}

function runModel(spec: BenchModel, fold: FoldMatrices, yTrain: Labels, yTest: Labels): FoldRun {
  const model = spec.make(SEED);
  const t0 = performance.now();
  model.fit(fold.xTrain, yTrain);
  const fitMs = performance.now() - t0;
  const t1 = performance.now();
  const proba = model.predictProba(fold.xTest);
  const predictUsPerRow = ((performance.now() - t1) * 1000) / fold.xTest.rows;
  const iterations = (model as { iterations?: number }).iterations;
  return { ...scores(yTest, positiveColumn(proba)), fitMs, predictUsPerRow, predictOneUs: oneRowMicros(model, fold.xTest), iterations };
}

const round4 = (n: number) => round(n, 4);
const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const sd = (v: number[]) => Math.sqrt(mean(v.map((x) => (x - mean(v)) ** 2)));

/** Scores of the first round (all rounds must agree), times as medians over every round and fold. */
function summarise(name: string, rounds: FoldRun[][]) {
  const first = rounds[0]!;
  for (const other of rounds.slice(1)) {
    if (other.some((r, f) => r.auc !== first[f]!.auc)) throw new Error(`${name}: ROC-AUC differs between rounds; the run is not seeded`);
  }
  const scoresOf = (k: keyof FoldScores) => first.map((r) => r[k]);
  const timesOf = (k: 'fitMs' | 'predictUsPerRow' | 'predictOneUs') => rounds.flat().map((r) => r[k]);
  return {
    auc: round(mean(scoresOf('auc')), 4),
    aucSd: round(sd(scoresOf('auc')), 4),
    prAuc: round(mean(scoresOf('prAuc')), 4),
    f1: round(mean(scoresOf('f1')), 4),
    accuracy: round(mean(scoresOf('accuracy')), 4),
    fitMs: round(median(timesOf('fitMs')), 1),
    predictUsPerRow: round(median(timesOf('predictUsPerRow')), 2),
    predictOneUs: round(median(timesOf('predictOneUs')), 2),
  };
}
type Summary = ReturnType<typeof summarise>;

/** One printed table row. */
function tableRow(model: string, s: Summary, runs: FoldRun[]) {
  return {
    model,
    'ROC-AUC': `${s.auc.toFixed(4)} ± ${s.aucSd.toFixed(4)}`,
    'PR-AUC': s.prAuc.toFixed(4),
    'F1 (pos)': s.f1.toFixed(4),
    accuracy: s.accuracy.toFixed(4),
    'fit ms': s.fitMs,
    'µs/row batch': s.predictUsPerRow,
    'µs one row': s.predictOneUs,
    iterations: runs[0]!.iterations === undefined ? '' : runs.map((r) => r.iterations).join('/'),
  };
}

async function main() {
  const data = loadIntentData();
  const { x: trees, features } = treeMatrix(data);
  const folds = stratifiedKFold(data.y, FOLDS, createRng(SEED));
  const models = BENCH_MODELS.filter((m) => !only || only.includes(m.name));
  console.log(`Online Shoppers: ${data.rows} rows, ${features.length} tree features, ${FOLDS}-fold stratified CV (seed ${SEED}); ${models.length} models`);

  // Encodings are per fold (the linear one is fitted on the training rows), shared by the models that use them.
  const encoded = new Map<string, FoldMatrices>();
  const foldData = (encoding: Encoding, f: number) => {
    const key = `${encoding}:${f}`;
    if (!encoded.has(key)) encoded.set(key, foldMatrices(encoding, data, trees, folds[f]!.train, folds[f]!.test));
    return encoded.get(key)!;
  };
  const labels = (rows: Int32Array) => Int32Array.from(rows, (i) => data.y[i]!);

  const ourRounds = new Map<string, FoldRun[][]>(models.map((m) => [m.name, []]));
  const runOurs = (pass: number) => {
    for (const spec of models) {
      const runs = folds.map((f, i) => runModel(spec, foldData(spec.encoding, i), labels(f.train), labels(f.test)));
      ourRounds.get(spec.name)!.push(runs);
      console.log(`  round ${pass + 1} ours ${spec.name}: AUC ${round4(mean(runs.map((r) => r.auc)))}, fit ${round(median(runs.map((r) => r.fitMs)), 1)} ms`);
    }
  };

  // scikit-learn on the same folds and matrices.
  let reference: Reference | undefined;
  let referenceSkipped: string | undefined;
  const referenceNames = [...new Set(models.flatMap((m) => (m.reference ? [m.reference] : [])))];
  const { python, reason } = withReference && referenceNames.length > 0 ? findPython() : {};
  if (!withReference) referenceSkipped = 'disabled with --no-reference';
  else if (referenceNames.length === 0) referenceSkipped = 'no model with a scikit-learn counterpart selected';
  else if (!python) referenceSkipped = reason;
  const theirRounds = new Map<ReferenceName, FoldRun[][]>(referenceNames.map((n) => [n, []]));
  const runTheirs = (pass: number) => {
    if (!python) return;
    console.log(`  round ${pass + 1} scikit-learn (${python}, single-threaded): ${referenceNames.join(', ')}`);
    reference = runReference(python, {
      y: data.y,
      folds,
      trees,
      linear: folds.map((_, i) => foldData('linear', i)),
      models: referenceNames,
      forestTrees: FOREST_TREES,
      gbdt: GBDT_SETTINGS,
      seed: SEED,
    });
    for (const name of referenceNames) {
      theirRounds.get(name)!.push(reference.results[name].map((r, i) => ({ ...scores(labels(folds[i]!.test), r.proba), ...r, proba: undefined })));
    }
  };

  for (let r = 0; r < ROUNDS; r++) for (const step of r % 2 === 0 ? [runOurs, runTheirs] : [runTheirs, runOurs]) step(r);
  const ours = Object.fromEntries(models.map((spec) => [spec.name, { spec, rounds: ourRounds.get(spec.name)!, summary: summarise(spec.name, ourRounds.get(spec.name)!) }]));
  const theirs: Partial<Record<ReferenceName, { rounds: FoldRun[][]; summary: Summary }>> = {};
  if (reference) for (const [name, rounds] of theirRounds) theirs[name] = { rounds, summary: summarise(name, rounds) };

  console.log(`\nOurs (mean over ${FOLDS} folds; times are medians over ${ROUNDS} rounds × ${FOLDS} folds; one row = predictProba on a single row):`);
  table(Object.values(ours).map(({ spec, summary, rounds }) => tableRow(spec.name, summary, rounds[0]!)));
  const comparisons = models
    .filter((m) => m.reference && theirs[m.reference])
    .map((m) => {
      const o = ours[m.name]!.summary, t = theirs[m.reference!]!.summary;
      return {
        ours: m.name,
        sklearn: m.reference!,
        aucOurs: o.auc,
        aucSklearn: t.auc,
        aucDiff: round(o.auc - t.auc, 4),
        fitMsOurs: o.fitMs,
        fitMsSklearn: t.fitMs,
        fitRatio: round(o.fitMs / t.fitMs, 2),
        predictRatio: round(o.predictUsPerRow / t.predictUsPerRow, 2),
        oneRowRatio: round(o.predictOneUs / t.predictOneUs, 3),
      };
    });
  if (reference) {
    console.log(`\nscikit-learn ${reference.sklearn} (numpy ${reference.numpy}, Python ${reference.python}, OMP_NUM_THREADS=${reference.threads}), same folds:`);
    table(Object.entries(theirs).map(([name, { summary, rounds }]) => tableRow(name, summary, rounds[0]!)));
    console.log('\nOurs vs scikit-learn (AUC difference; time ratios ours / theirs, < 1 = we are faster):');
    table(comparisons.map((c) => ({ ours: c.ours, sklearn: c.sklearn, 'AUC diff': c.aucDiff.toFixed(4), 'fit ×': c.fitRatio, 'batch predict ×': c.predictRatio, 'one row ×': c.oneRowRatio })));
  } else console.log(`\nscikit-learn reference SKIPPED: ${referenceSkipped}`);

  const best = Object.values(ours).reduce((a, b) => (b.summary.auc > a.summary.auc ? b : a));
  const pass = best.summary.auc >= TARGET_AUC;
  console.log(`\nBest single model: ${best.spec.name}, ROC-AUC ${best.summary.auc} (target ≥ ${TARGET_AUC}): ${pass ? 'PASS' : 'FAIL'}`);

  const file = writeResults('intent', {
    machine: machine(),
    dataset: { name: 'online_shoppers_intention', rows: data.rows, positives: data.y.reduce((a, b) => a + b, 0), treeFeatures: features },
    cv: { folds: FOLDS, seed: SEED, stratified: true, rounds: ROUNDS },
    target: { bestSingleAuc: TARGET_AUC, best: best.spec.name, auc: best.summary.auc, pass },
    models: Object.values(ours).map(({ spec, rounds, summary }) => ({ name: spec.name, settings: spec.settings, encoding: spec.encoding, summary, rounds })),
    reference: reference
      ? {
          sklearn: reference.sklearn,
          numpy: reference.numpy,
          python: reference.python,
          interpreter: reference.interpreter,
          threads: reference.threads,
          models: Object.entries(theirs).map(([name, t]) => ({ name, summary: t.summary, rounds: t.rounds })),
        }
      : { skipped: referenceSkipped },
    comparisons,
  });
  console.log(`results: ${file}`);
}

await main();
