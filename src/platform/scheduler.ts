// Periodic jobs whose schedule lives in the database (scheduled_jobs), so it survives restarts and,
// with several nodes on one PostgreSQL, each due run happens on exactly one of them: a node claims a
// due job with a lease it renews while running; a crashed node's lease expires and another takes over.
import crypto from 'node:crypto';
import type { Db } from '../db/client.js';
import type { Clock } from './clock.js';

export interface Job {
  name: string;
  intervalMs: number;
  /** Does the work; its result (JSON) is kept as the job's last_result. */
  run(): Promise<unknown>;
}

export interface JobOutcome {
  status: 'ok' | 'failed';
  result: unknown;
  error: string | null;
}

export interface SchedulerOptions {
  db: Db;
  clock: Clock;
  jobs: Job[];
  /** How often to look for due jobs. */
  pollMs?: number;
  /** How long a claim holds without renewal; renewed every third of it while the job runs. */
  leaseMs?: number;
  /** Delay before a job's first run on a fresh schedule. */
  firstRunDelayMs?: number;
  onError?: (job: string, err: unknown) => void;
  /** Called after each run with its outcome and duration (metrics). */
  onRun?: (job: string, status: 'ok' | 'failed', seconds: number) => void;
}

export interface Scheduler {
  /** Runs every due job this node can claim, one after another; returns the names it ran. */
  tick(): Promise<string[]>;
  /** Runs one job now, unless another node is running it (null then). */
  runNow(name: string): Promise<JobOutcome | null>;
  /** Stops polling and waits for a running job to finish. */
  stop(): Promise<void>;
}

/** Registers the jobs (keeping an existing next_run_at) and returns a scheduler that has not started polling. */
export async function createScheduler(opts: SchedulerOptions): Promise<Scheduler & { start(): void }> {
  const { db, clock, jobs } = opts;
  const leaseMs = opts.leaseMs ?? 5 * 60_000;
  const nodeId = `${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
  const now = () => new Date(clock.now());
  for (const job of jobs) {
    await db
      .insertInto('scheduled_jobs')
      .values({ name: job.name, interval_seconds: Math.ceil(job.intervalMs / 1000), next_run_at: new Date(clock.now() + (opts.firstRunDelayMs ?? 0)) })
      .onConflict((oc) => oc.column('name').doUpdateSet({ interval_seconds: Math.ceil(job.intervalMs / 1000) }))
      .execute();
  }

  /** Takes the job's lease when it is due (or at once, forced) and no live lease is held. */
  async function claim(job: Job, force = false): Promise<boolean> {
    const t = now();
    const claimed = await db
      .updateTable('scheduled_jobs')
      .set({ locked_by: nodeId, locked_until: new Date(t.getTime() + leaseMs), last_started_at: t })
      .where('name', '=', job.name)
      .$if(!force, (qb) => qb.where('next_run_at', '<=', t))
      .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', t)]))
      .returning('name')
      .executeTakeFirst();
    return claimed !== undefined;
  }

  async function runClaimed(job: Job): Promise<JobOutcome> {
    const renew = setInterval(() => {
      db.updateTable('scheduled_jobs')
        .set({ locked_until: new Date(clock.now() + leaseMs) })
        .where('name', '=', job.name)
        .where('locked_by', '=', nodeId)
        .execute()
        .catch((err: unknown) => opts.onError?.(job.name, err));
    }, Math.max(1000, leaseMs / 3));
    renew.unref();
    const started = performance.now();
    let status: 'ok' | 'failed' = 'ok';
    let result: unknown = null;
    let error: string | null = null;
    try {
      result = await job.run();
    } catch (err) {
      status = 'failed';
      error = (err as Error).message ?? String(err);
      opts.onError?.(job.name, err);
    } finally {
      clearInterval(renew);
    }
    opts.onRun?.(job.name, status, (performance.now() - started) / 1000);
    const t = now();
    // The next run counts from the end of this one, so a slow run never queues another behind it.
    await db
      .updateTable('scheduled_jobs')
      .set({
        next_run_at: new Date(t.getTime() + job.intervalMs),
        locked_by: null,
        locked_until: null,
        last_finished_at: t,
        last_status: status,
        last_error: error,
        last_result: JSON.stringify(result ?? null),
      })
      .where('name', '=', job.name)
      .where('locked_by', '=', nodeId)
      .execute();
    return { status, result, error };
  }

  let running: Promise<string[]> | undefined;
  async function tickOnce(): Promise<string[]> {
    const ran: string[] = [];
    for (const job of jobs) {
      if (!(await claim(job))) continue;
      await runClaimed(job);
      ran.push(job.name);
    }
    return ran;
  }
  const tick = (): Promise<string[]> => {
    running ??= tickOnce().finally(() => { running = undefined; });
    return running;
  };

  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  return {
    tick,
    async runNow(name) {
      const job = jobs.find((j) => j.name === name);
      if (!job) throw new Error(`No scheduled job "${name}"`);
      return (await claim(job, true)) ? runClaimed(job) : null;
    },
    start() {
      const loop = () => {
        if (stopped) return;
        tick()
          .catch((err: unknown) => opts.onError?.('scheduler', err))
          .finally(() => { if (!stopped) timer = setTimeout(loop, opts.pollMs ?? 30_000).unref(); });
      };
      timer = setTimeout(loop, 0).unref();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running?.catch(() => {});
    },
  };
}

/** The schedule as stored, for the operations view. */
export function listScheduledJobs(db: Db) {
  return db.selectFrom('scheduled_jobs').selectAll().orderBy('name').execute();
}

