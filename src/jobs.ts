// The periodic jobs of every feature (retention purge, audit chain check), run by the database-held scheduler on roles all and worker.
import type { AppContext } from './context.js';
import { createScheduler, type Scheduler } from './platform/scheduler.js';
import { verifyAudit } from './audit/index.js';
import { AUDIT_VERIFY_JOB, RETENTION_JOB, runRetention } from './privacy/index.js';

/** The scheduler with every job registered, not yet polling (`augur purge` runs one job through it). */
export function createJobs(ctx: AppContext, log: (msg: string, err: unknown) => void) {
  return createScheduler({
    db: ctx.db,
    clock: ctx.clock,
    // The first purge a minute after a fresh install's start, not during it.
    firstRunDelayMs: 60_000,
    jobs: [
      { name: RETENTION_JOB, intervalMs: ctx.config.retentionIntervalMinutes * 60_000, run: () => runRetention(ctx) },
      // Re-walks the audit chain daily; the privacy score reports the verdict.
      { name: AUDIT_VERIFY_JOB, intervalMs: 86_400_000, run: () => verifyAudit(ctx.db) },
    ],
    onError: (job, err) => log(`scheduled job ${job} failed`, err),
    onRun: (job, status, seconds) => {
      ctx.metrics.jobRuns.inc({ job, status });
      ctx.metrics.jobDuration.observe({ job }, seconds);
    },
  });
}

export async function startJobs(ctx: AppContext, log: (msg: string, err: unknown) => void): Promise<Scheduler> {
  const scheduler = await createJobs(ctx, log);
  scheduler.start();
  return scheduler;
}
