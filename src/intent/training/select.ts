// Model selection for the training pipeline: a few model families, random-search hyperparameters (seeded) scored
// by stratified k-fold CV within a time budget, balanced class weights, then the winner refitted and calibrated
// (Platt) on a held-out share of the training rows. Pure: rows in, fitted model out.
import { RandomForest } from '../../ml/forest.js';
import { GradientBoosting } from '../../ml/gbdt.js';
import { LogisticRegression } from '../../ml/logistic.js';
import { classificationReport, type ClassificationReport } from '../../ml/metrics.js';
import { PlattCalibrator } from '../../ml/calibration.js';
import { rowWeights, Standardizer } from '../../ml/preprocess.js';
import { modelFromJSON } from '../../ml/serialize.js';
import { stratifiedHoldout, stratifiedKFold } from '../../ml/split.js';
import { takeRows, type Classifier, type Labels, type Matrix, type SerializedModel } from '../../ml/types.js';
import { createRng, type Rng } from '../../platform/random.js';

export type ModelKind = 'gbdt' | 'logistic' | 'random_forest';
export const MODEL_KINDS: readonly ModelKind[] = ['gbdt', 'logistic', 'random_forest'];
export type Params = Record<string, number>;

/** The selection score: macro-F1 for visit reasons, ROC-AUC for conversion (the promotion metrics too). */
export type SelectionMetric = 'macro_f1' | 'roc_auc';
export const metricOf = (r: ClassificationReport, metric: SelectionMetric): number => (metric === 'macro_f1' ? r.macro.f1 : r.rocAuc);

/** Random-search spaces, one draw per trial. */
const SPACES: Record<ModelKind, (rng: Rng) => Params> = {
  gbdt: (rng) => ({ learningRate: rng.pick([0.05, 0.1, 0.2]), maxLeafNodes: rng.pick([7, 15, 31]), minSamplesLeaf: rng.pick([5, 10, 20]), maxIter: rng.pick([50, 100, 200]), l2: rng.pick([0, 1]) }),
  logistic: (rng) => ({ C: 10 ** rng.float(-2, 1) }),
  random_forest: (rng) => ({ trees: rng.pick([50, 100]), maxDepth: rng.pick([6, 10, 16]), minSamplesLeaf: rng.pick([1, 3, 5]) }),
};
/** The defaults every family is tried with first, so a short budget still compares all of them. */
const DEFAULTS: Record<ModelKind, Params> = {
  gbdt: { learningRate: 0.1, maxLeafNodes: 15, minSamplesLeaf: 10, maxIter: 100, l2: 0 },
  logistic: { C: 1 },
  random_forest: { trees: 50, maxDepth: 10, minSamplesLeaf: 1 },
};

function makeModel(kind: ModelKind, p: Params, classes: number, seed: number): Classifier {
  if (kind === 'gbdt') {
    return new GradientBoosting({ classes, learningRate: p.learningRate, maxLeafNodes: p.maxLeafNodes, minSamplesLeaf: p.minSamplesLeaf, maxIter: p.maxIter, l2: p.l2, rng: createRng(seed) });
  }
  if (kind === 'logistic') return new LogisticRegression({ classes, C: p.C });
  return new RandomForest({ classes, trees: p.trees, maxDepth: p.maxDepth, minSamplesLeaf: p.minSamplesLeaf, rng: createRng(seed) });
}

/** A fitted pipeline: optional standardizer (linear models), the model, and its calibrator. */
export interface FittedPipeline {
  kind: ModelKind;
  params: Params;
  standardizer?: Standardizer;
  model: Classifier;
  calibrator?: PlattCalibrator;
}

function fitPipeline(kind: ModelKind, params: Params, x: Matrix, y: Labels, classes: number, seed: number): FittedPipeline {
  const standardizer = kind === 'logistic' ? new Standardizer({ log1p: Array.from({ length: x.cols }, (_, j) => j) }).fit(x) : undefined;
  const model = makeModel(kind, params, classes, seed);
  model.fit(standardizer ? standardizer.transform(x) : x, y, { sampleWeight: rowWeights(y, classes, undefined, 'balanced') });
  return { kind, params, standardizer, model };
}

/** Probabilities of a pipeline, calibrated when it has a calibrator. */
export function pipelineProba(p: FittedPipeline, x: Matrix, classes: number): Float64Array {
  const raw = p.model.predictProba(p.standardizer ? p.standardizer.transform(x) : x);
  return p.calibrator ? p.calibrator.transform(calibrationScores(raw, classes)) : raw;
}

// Two classes: the positive column; more: every column.
function calibrationScores(proba: Float64Array, classes: number): Float64Array {
  if (classes !== 2) return proba;
  const out = new Float64Array(proba.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = proba[2 * i + 1]!;
  return out;
}

export interface Trial {
  kind: ModelKind;
  params: Params;
  cv_score: number;
  seconds: number;
}

export interface SelectionOptions {
  metric: SelectionMetric;
  budgetMs: number;
  seed: number;
  folds?: number;
  /** Trials at most; the families to try (all by default). */
  maxTrials?: number;
  kinds?: readonly ModelKind[];
  now?: () => number;
  onTrial?: (done: number, trial: Trial) => Promise<void>;
}

/** Random search over the families by k-fold CV (folds capped by the smallest class) within the budget. */
export async function selectModel(x: Matrix, y: Labels, classes: number, opts: SelectionOptions): Promise<{ best: Trial; trials: Trial[]; folds: number }> {
  const now = opts.now ?? Date.now;
  const counts = new Array<number>(classes).fill(0);
  for (const label of y) counts[label]! += 1;
  const folds = Math.max(2, Math.min(opts.folds ?? 3, Math.min(...counts)));
  const rng = createRng(opts.seed);
  const splits = stratifiedKFold(y, folds, rng.fork());
  const trials: Trial[] = [];
  const deadline = now() + opts.budgetMs;
  const kinds = opts.kinds?.length ? opts.kinds : MODEL_KINDS;
  const maxTrials = opts.maxTrials ?? 200;
  for (let i = 0; i === 0 || (i < maxTrials && now() < deadline); i++) {
    const kind = kinds[i % kinds.length]!;
    const params = i < kinds.length ? DEFAULTS[kind] : SPACES[kind](rng);
    const started = now();
    const pooled = new Float64Array(y.length * classes);
    for (const split of splits) {
      const fitted = fitPipeline(kind, params, takeRows(x, split.train), Int32Array.from(split.train, (r) => y[r]!), classes, opts.seed);
      const proba = pipelineProba(fitted, takeRows(x, split.test), classes);
      split.test.forEach((r, j) => pooled.set(proba.subarray(j * classes, (j + 1) * classes), r * classes));
    }
    const trial = { kind, params, cv_score: metricOf(classificationReport(y, pooled, classes), opts.metric), seconds: (now() - started) / 1000 };
    trials.push(trial);
    await opts.onTrial?.(i + 1, trial);
    // Yield to the event loop between trials: training runs inside the API process.
    await new Promise((resolve) => setImmediate(resolve));
  }
  const best = trials.reduce((a, b) => (b.cv_score > a.cv_score ? b : a));
  return { best, trials, folds };
}

/** Refits the chosen model on most of the training rows and calibrates it (Platt) on the rest. */
export function fitFinal(trial: Trial, x: Matrix, y: Labels, classes: number, seed: number): FittedPipeline {
  const split = stratifiedHoldout(y, 0.2, createRng(`${seed}:calibration`));
  const fitted = fitPipeline(trial.kind, trial.params, takeRows(x, split.train), Int32Array.from(split.train, (r) => y[r]!), classes, seed);
  const yCal = Int32Array.from(split.test, (r) => y[r]!);
  const raw = fitted.model.predictProba(fitted.standardizer ? fitted.standardizer.transform(takeRows(x, split.test)) : takeRows(x, split.test));
  fitted.calibrator = new PlattCalibrator().fit(calibrationScores(raw, classes), yCal, classes);
  return fitted;
}

/** The artifact stored in the registry: parameters only (the model's, the standardizer's and the calibrator's JSON). */
export interface Artifact {
  format: 1;
  kind: ModelKind;
  classes: string[];
  feature_names: string[];
  model: SerializedModel;
  standardizer: SerializedModel | null;
  calibrator: SerializedModel | null;
}

export function toArtifact(p: FittedPipeline, classNames: string[], featureNames: string[]): Artifact {
  return {
    format: 1,
    kind: p.kind,
    classes: classNames,
    feature_names: featureNames,
    model: p.model.toJSON(),
    standardizer: p.standardizer ? p.standardizer.toJSON() : null,
    calibrator: p.calibrator ? p.calibrator.toJSON() : null,
  };
}

/** Loads a stored artifact back into a pipeline (for scoring a champion on a candidate's holdout). */
export function fromArtifact(a: Artifact): FittedPipeline {
  const model = modelFromJSON(a.model);
  if (model.kind === 'gru' || model.kind === 'transformer') throw new Error(`intent artifact: ${model.kind} is not a tabular model`);
  return {
    kind: a.kind,
    params: {},
    model: model as Classifier,
    standardizer: a.standardizer ? Standardizer.fromJSON(a.standardizer) : undefined,
    calibrator: a.calibrator ? PlattCalibrator.fromJSON(a.calibrator) : undefined,
  };
}
