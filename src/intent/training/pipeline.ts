// The training pipeline of one run: snapshot → holdout split → model selection → final fit + calibration →
// holdout metrics → model card → registry entry → automatic promotion when the candidate beats the champion on
// the same holdout. Progress is written to training_runs; the audit gets ids and counts only.
import crypto from 'node:crypto';
import type { AppContext } from '../../context.js';
import type { IntentTask } from '../../db/schema.js';
import { appendAudit } from '../../audit/index.js';
import { classificationReport, type ClassificationReport } from '../../ml/metrics.js';
import { stratifiedHoldout, timeSplit, type Split } from '../../ml/split.js';
import { matrix, takeRows, type Matrix } from '../../ml/types.js';
import { createRng } from '../../platform/random.js';
import { buildSnapshot, type Snapshot } from './snapshot.js';
import { fitFinal, fromArtifact, metricOf, MODEL_KINDS, pipelineProba, selectModel, toArtifact, type Artifact, type ModelKind, type SelectionMetric } from './select.js';
import { getChampion, insertModel, promoteModel, updateRun } from './queries.js';

/** A class needs this many labelled sessions to be learned (CV folds, calibration and holdout each need some). */
export const MIN_CLASS_ROWS = 5;
const HOLDOUT_FRACTION = 0.2;
const CONVERSION_CLASSES = ['not_converted', 'converted'];

export interface TrainParams {
  budgetSeconds: number;
  seed: number;
  /** Trials at most (the budget usually ends the search first); fixed counts make runs repeat exactly. */
  maxTrials?: number;
  kinds?: ModelKind[];
}

export const TASK_METRIC: Record<IntentTask, SelectionMetric> = { visit_reason: 'macro_f1', conversion: 'roc_auc' };
const INTENDED_USE: Record<IntentTask, string> = {
  visit_reason: "Estimates why a visitor came (the site's survey taxonomy) from on-site behaviour, to adapt content and route help. Not for decisions with legal or similarly significant effects on a person.",
  conversion: 'Estimates how likely a session is to convert, from behaviour before any outcome, for prioritising help and measuring campaigns. Not for pricing or decisions about individuals.',
};

/** Labels that have enough sessions, sorted; the rest cannot be learned. */
export function trainableClasses(counts: Record<string, number>): string[] {
  return Object.keys(counts).filter((k) => counts[k]! >= MIN_CLASS_ROWS).sort();
}

export interface TrainingResult {
  model_id: string;
  version: number;
  kind: ModelKind;
  rows: number;
  holdout_rows: number;
  metric: SelectionMetric;
  holdout_score: number;
  promotion: { promoted: boolean; reason: string; champion_id: string | null; champion_score: number | null };
}

export class TrainingDataError extends Error {}

/** The holdout: the latest sessions when every class shows up on both sides, else a stratified draw. */
function holdoutSplit(snapshot: Snapshot, y: Int32Array, classes: number, seed: number): Split & { kind: 'time' | 'stratified'; cutoff?: string } {
  const time = timeSplit(snapshot.rows.map((r) => r.start), { testFraction: HOLDOUT_FRACTION });
  const count = (idx: Int32Array) => {
    const c = new Array<number>(classes).fill(0);
    for (const i of idx) c[y[i]!]! += 1;
    return c;
  };
  const [train, test] = [count(time.train), count(time.test)];
  if (train.every((n) => n >= MIN_CLASS_ROWS - 1) && test.every((n) => n >= 1)) return { ...time, kind: 'time', cutoff: new Date(time.cutoff).toISOString() };
  return { ...stratifiedHoldout(y, HOLDOUT_FRACTION, createRng(`${seed}:holdout`)), kind: 'stratified' };
}

/** The champion's probabilities on the holdout, in the candidate's class order; null when it reads other features. */
function championProba(artifact: Artifact, featureNames: string[], x: Matrix, classes: string[]): Float64Array | null {
  if (artifact.feature_names.length !== featureNames.length || artifact.feature_names.some((n, j) => n !== featureNames[j])) return null;
  const own = pipelineProba(fromArtifact(artifact), x, artifact.classes.length);
  const k = artifact.classes.length;
  const out = new Float64Array(x.rows * classes.length);
  for (let i = 0; i < x.rows; i++) {
    let sum = 0;
    classes.forEach((c, j) => {
      const at = artifact.classes.indexOf(c);
      sum += out[i * classes.length + j] = at >= 0 ? own[i * k + at]! : 0;
    });
    for (let j = 0; j < classes.length; j++) out[i * classes.length + j] = sum > 0 ? out[i * classes.length + j]! / sum : 1 / classes.length;
  }
  return out;
}

const round = (v: number) => (Number.isFinite(v) ? Math.round(v * 1e4) / 1e4 : null);

function metricsJson(report: ClassificationReport, classes: string[]): Record<string, unknown> {
  return {
    rows: report.rows,
    accuracy: round(report.accuracy),
    macro: { precision: round(report.macro.precision), recall: round(report.macro.recall), f1: round(report.macro.f1) },
    weighted: { precision: round(report.weighted.precision), recall: round(report.weighted.recall), f1: round(report.weighted.f1) },
    per_class: classes.map((c, i) => ({ class: c, precision: round(report.perClass[i]!.precision), recall: round(report.perClass[i]!.recall), f1: round(report.perClass[i]!.f1), support: report.perClass[i]!.support })),
    roc_auc: round(report.rocAuc),
    pr_auc: round(report.prAuc),
    log_loss: round(report.logLoss),
    brier: round(report.brier),
    calibration_error: round(report.calibrationError),
    confusion: { labels: classes, matrix: report.confusion },
  };
}

/** Runs one training run to the end; failures are written to the run and rethrown. */
export async function runTraining(ctx: AppContext, runId: string, siteId: string, task: IntentTask, params: TrainParams): Promise<TrainingResult> {
  const progress = (stage: string, share: number) => updateRun(ctx.db, runId, { stage, progress: share });
  try {
    await updateRun(ctx.db, runId, { status: 'running', stage: 'snapshot', progress: 0, started_at: new Date(ctx.clock.now()) });
    const result = await train(ctx, runId, siteId, task, params, progress);
    await updateRun(ctx.db, runId, { status: 'succeeded', stage: 'done', progress: 1, result: { ...result }, finished_at: new Date(ctx.clock.now()) });
    return result;
  } catch (err) {
    const message = err instanceof TrainingDataError ? err.message : `training failed: ${(err as Error).message}`;
    await updateRun(ctx.db, runId, { status: 'failed', stage: 'failed', error: message, finished_at: new Date(ctx.clock.now()) });
    throw err;
  }
}

async function train(ctx: AppContext, runId: string, siteId: string, task: IntentTask, params: TrainParams, progress: (stage: string, share: number) => Promise<void>): Promise<TrainingResult> {
  const snapshot = await buildSnapshot(ctx, siteId, task, (s) => progress('snapshot', 0.2 * s));
  const counts: Record<string, number> = {};
  for (const r of snapshot.rows) counts[r.label] = (counts[r.label] ?? 0) + 1;
  // Conversion keeps the positive class last, so column 1 is the conversion probability.
  const classNames = task === 'conversion' ? CONVERSION_CLASSES.filter((c) => trainableClasses(counts).includes(c)) : trainableClasses(counts);
  if (classNames.length < 2) throw new TrainingDataError(`not enough labelled sessions: at least two classes need ${MIN_CLASS_ROWS} sessions each (have ${JSON.stringify(counts)})`);
  const rows = snapshot.rows.filter((r) => classNames.includes(r.label));
  const kept = { ...snapshot, rows };
  const d = snapshot.featureNames.length;
  const x = matrix(rows.length, d);
  rows.forEach((r, i) => x.data.set(r.features, i * d));
  const y = Int32Array.from(rows, (r) => classNames.indexOf(r.label));
  const k = classNames.length;

  await progress('split', 0.2);
  const split = holdoutSplit(kept, y, k, params.seed);
  const xTrain = takeRows(x, split.train);
  const yTrain = Int32Array.from(split.train, (i) => y[i]!);
  const xTest = takeRows(x, split.test);
  const yTest = Int32Array.from(split.test, (i) => y[i]!);

  const metric = TASK_METRIC[task];
  const budgetMs = params.budgetSeconds * 1000;
  const maxTrials = params.maxTrials ?? 200;
  const searchStart = Date.now();
  const selection = await selectModel(xTrain, yTrain, k, {
    metric,
    budgetMs,
    seed: params.seed,
    maxTrials,
    kinds: params.kinds ?? [...MODEL_KINDS],
    // Whichever ends the search first: the trial count or the budget.
    onTrial: (done) => progress('select', 0.2 + 0.6 * Math.min(1, Math.max(done / maxTrials, (Date.now() - searchStart) / budgetMs))),
  });

  await progress('fit', 0.8);
  const fitted = fitFinal(selection.best, xTrain, yTrain, k, params.seed);
  await progress('evaluate', 0.9);
  const report = classificationReport(yTest, pipelineProba(fitted, xTest, k), k);
  const holdoutScore = metricOf(report, metric);
  const artifact = toArtifact(fitted, classNames, snapshot.featureNames);

  const champion = await getChampion(ctx.db, siteId, task);
  let promotion: TrainingResult['promotion'] = { promoted: false, reason: 'no_champion', champion_id: null, champion_score: null };
  if (champion) {
    const proba = championProba(champion.artifact as unknown as Artifact, snapshot.featureNames, xTest, classNames);
    const score = proba ? metricOf(classificationReport(yTest, proba, k), metric) : null;
    promotion = { promoted: false, reason: score === null ? 'champion_reads_other_features' : holdoutScore > score ? 'beats_champion' : 'not_better_than_champion', champion_id: champion.id, champion_score: score === null ? null : round(score) };
  }

  await progress('register', 0.95);
  const balance = Object.fromEntries(classNames.map((c) => [c, counts[c]!]));
  const metrics = { metric, holdout_score: round(holdoutScore), holdout: metricsJson(report, classNames) };
  const card = {
    task,
    intended_use: INTENDED_USE[task],
    data: {
      window: snapshot.window,
      sessions_read: snapshot.sessionsRead,
      rows: rows.length,
      class_balance: balance,
      dropped_classes: Object.keys(counts).filter((c) => !classNames.includes(c)).length,
      holdout: { kind: split.kind, rows: split.test.length, ...(split.cutoff ? { cutoff: split.cutoff } : {}) },
      pseudonymized: true,
      consent: 'sessions whose stored consent allows analytics',
    },
    model: {
      kind: selection.best.kind,
      hyperparameters: selection.best.params,
      class_weight: 'balanced',
      calibration: 'platt (20% of the training rows held out)',
      selection: { metric, folds: selection.folds, cv_score: round(selection.best.cv_score), trials: selection.trials.length, budget_seconds: params.budgetSeconds, seed: params.seed },
    },
    metrics,
    features: { count: d, outcome_columns_dropped: task === 'conversion', conversion_sessions_cut_at_first_outcome: task === 'conversion' },
  };
  const modelId = crypto.randomUUID();
  const now = new Date(ctx.clock.now());
  const version = await insertModel(ctx.db, {
    id: modelId,
    siteId,
    task,
    kind: selection.best.kind,
    dataHash: snapshot.dataHash,
    featureNames: snapshot.featureNames,
    classes: classNames,
    metrics,
    card,
    artifact: artifact as unknown as Record<string, unknown>,
    trainingRows: split.train.length,
    at: now,
  });
  await appendAudit(ctx.db, {
    siteId,
    actor: 'system',
    action: 'model.trained',
    subject: `model:${modelId}`,
    details: { run_id: runId, task, version, kind: selection.best.kind, rows: rows.length, sessions_read: snapshot.sessionsRead, data_window: snapshot.window, data_hash: snapshot.dataHash },
    at: now,
  });

  if (!champion || promotion.reason === 'beats_champion') {
    await promote(ctx, siteId, modelId, 'system', true);
    promotion = { ...promotion, promoted: true };
  }
  return { model_id: modelId, version, kind: selection.best.kind, rows: rows.length, holdout_rows: split.test.length, metric, holdout_score: round(holdoutScore) ?? 0, promotion };
}

/** Promotes a model (manual or automatic), audited as model.promoted. Undefined when the model does not exist. */
export async function promote(ctx: AppContext, siteId: string, modelId: string, actor: string, automatic: boolean) {
  const at = new Date(ctx.clock.now());
  const done = await promoteModel(ctx.db, siteId, modelId, at);
  if (!done) return undefined;
  await appendAudit(ctx.db, { siteId, actor, action: 'model.promoted', subject: `model:${modelId}`, details: { task: done.task, version: done.version, retired: done.retired, automatic }, at });
  return done;
}
