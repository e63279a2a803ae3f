// `augur train intent [--site <id>] [--task visit_reason|conversion] [--budget-seconds N] [--seed N] [--max-trials N]`:
// trains in the foreground, one site after another (every site when --site is absent), and prints each result.
import { parseArgs } from 'node:util';
import type { AppContext } from '../../context.js';
import type { IntentTask } from '../../db/schema.js';
import { AppError } from '../../errors.js';
import { runTraining } from './pipeline.js';
import { queueTraining } from './runs.js';

export const TRAIN_USAGE = `Usage: augur train intent [--site <site id>] [--task visit_reason|conversion] [--budget-seconds N] [--seed N] [--max-trials N]`;

export interface TrainArgs {
  siteId?: string;
  task: IntentTask;
  budgetSeconds: number;
  seed: number;
  maxTrials?: number;
}

/** Parses the arguments after `train`; a string is the usage error. */
export function parseTrainArgs(args: string[]): TrainArgs | string {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: { site: { type: 'string' }, task: { type: 'string' }, 'budget-seconds': { type: 'string' }, seed: { type: 'string' }, 'max-trials': { type: 'string' } },
    });
  } catch (err) {
    return (err as Error).message; // an unknown option or a missing value
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1 || positionals[0] !== 'intent') return 'train needs what to train: intent';
  const task = values.task ?? 'visit_reason';
  if (task !== 'visit_reason' && task !== 'conversion') return '--task is visit_reason or conversion';
  const int = (v: string | undefined, def: number | undefined, min: number, max: number) => (v === undefined ? def : /^\d+$/.test(v) && +v >= min && +v <= max ? +v : NaN);
  const budgetSeconds = int(values['budget-seconds'], 60, 1, 86_400)!;
  const seed = int(values.seed, 42, 0, 2 ** 31 - 1)!;
  const maxTrials = int(values['max-trials'], undefined, 1, 200);
  if ([budgetSeconds, seed, maxTrials].some((v) => Number.isNaN(v))) return '--budget-seconds, --seed and --max-trials take whole numbers in range';
  return { siteId: values.site, task, budgetSeconds, seed, maxTrials };
}

/** Trains the chosen sites; a site without enough labels is reported and skipped. Returns how many runs failed. */
export async function trainFromCli(ctx: AppContext, a: TrainArgs, log: (line: string) => void): Promise<number> {
  const sites = a.siteId ? [a.siteId] : (await ctx.db.selectFrom('sites').select('id').orderBy('created_at').execute()).map((s) => s.id);
  let failed = 0;
  for (const siteId of sites) {
    let runId: string;
    try {
      runId = await queueTraining(ctx, { siteId, task: a.task, requestedBy: 'cli', budgetSeconds: a.budgetSeconds, seed: a.seed, maxTrials: a.maxTrials });
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      log(`${siteId}: skipped (${err.code}: ${err.message})`);
      if (a.siteId) failed++;
      continue;
    }
    try {
      const r = await runTraining(ctx, runId, siteId, a.task, { budgetSeconds: a.budgetSeconds, seed: a.seed, maxTrials: a.maxTrials });
      log(`${siteId}: model v${r.version} (${r.kind}) on ${r.rows} sessions, holdout ${r.metric} ${r.holdout_score} on ${r.holdout_rows}; ${r.promotion.promoted ? 'promoted to champion' : `left as candidate (${r.promotion.reason}, champion ${r.promotion.champion_score})`}`);
    } catch (err) {
      failed++;
      log(`${siteId}: training failed: ${(err as Error).message}`);
    }
  }
  return failed;
}
