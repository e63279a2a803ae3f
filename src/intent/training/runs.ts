// Starting training runs: refuse early what cannot train (no labels, a run already going), record the run, and run
// it in the background of this process. Pending runs are awaited on shutdown so none is cut off mid-write.
import crypto from 'node:crypto';
import type { AppContext } from '../../context.js';
import type { IntentTask } from '../../db/schema.js';
import { AppError, conflict } from '../../errors.js';
import { MIN_CLASS_ROWS, runTraining, trainableClasses, type TrainParams } from './pipeline.js';
import { activeRun, createRun, labelCounts } from './queries.js';

const pending = new WeakMap<AppContext, Set<Promise<unknown>>>();
/**
 * A run still queued or running after this long died with its process (the budget is at most an hour, the snapshot
 * minutes): it no longer blocks a new run.
 */
const STALE_RUN_MS = 3 * 3_600_000;

export interface TrainRequest extends TrainParams {
  siteId: string;
  task: IntentTask;
  /** The actor label (ids only). */
  requestedBy: string;
}

/** Checks that the site can train this task and records a queued run; returns its id. */
export async function queueTraining(ctx: AppContext, req: TrainRequest): Promise<string> {
  const counts = await labelCounts(ctx.db, req.siteId, req.task);
  if (trainableClasses(counts).length < 2) {
    const what = req.task === 'visit_reason' ? 'survey answers ("What brings you here today?")' : 'sessions with and without a conversion';
    throw new AppError(422, 'INTENT_NOT_ENOUGH_LABELS', `Not enough labelled sessions to train: at least two classes need ${MIN_CLASS_ROWS} consented sessions each; collect more ${what} first`, [counts]);
  }
  if (await activeRun(ctx.db, req.siteId, req.task, new Date(ctx.clock.now() - STALE_RUN_MS))) throw conflict('TRAINING_IN_PROGRESS', 'A training run for this task is already queued or running');
  const id = crypto.randomUUID();
  const { siteId, task, requestedBy, ...params } = req;
  await createRun(ctx.db, { id, siteId, task, requestedBy, params: { ...params }, at: new Date(ctx.clock.now()) });
  return id;
}

/** Queues a run and starts it in the background; the caller polls training_runs for progress. */
export async function startTraining(ctx: AppContext, req: TrainRequest): Promise<string> {
  const id = await queueTraining(ctx, req);
  const { siteId, task, requestedBy: _by, ...params } = req;
  let set = pending.get(ctx);
  if (!set) pending.set(ctx, (set = new Set()));
  // The failure is already written to the run; nothing else listens for it.
  const run: Promise<unknown> = runTraining(ctx, id, siteId, task, params).catch(() => undefined).finally(() => set.delete(run));
  set.add(run);
  return id;
}

/** Waits for the background runs of this context (on shutdown). */
export async function settleTraining(ctx: AppContext): Promise<void> {
  await Promise.all([...(pending.get(ctx) ?? [])]);
}
