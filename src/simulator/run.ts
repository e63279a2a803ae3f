// Runs a simulation against a server: live (visitors arrive now, sessions play on the wall
// clock) or backfill (sessions spread over past days, sent as fast as the rate allows).
import fs from 'node:fs';
import path from 'node:path';
import { createRng } from '../platform/random.js';
import { emptyStats, pacer, semaphore, sendBatch, sleep, type RetryPolicy, type SendStats, type Target } from './sender.js';
import { pickStartTime } from './traffic.js';
import { retimeSession, simulateVisitor, visitorLocale, type SimParams, type SimSession } from './visitor.js';

const DAY_MS = 86_400_000;

export interface SimulationOptions extends Target {
  visitors: number;
  /** Live: visitors per second (Poisson arrivals). Backfill: requests per second. */
  rate: number;
  /** Backfill over the past D days; live when absent. */
  days?: number;
  /** Live: dwell times are divided by this. */
  speed: number;
  seed: number | string;
  surveyFraction: number;
  rejectFraction: number;
  truthFile: string;
  /** Requests in flight at most. */
  concurrency?: number;
  progressEveryMs?: number;
  /** Live: a returning visitor comes back at most this long (wall clock) after its first session. */
  liveReturnCapMs?: number;
  /** The clock for ts and sent_at (tests align it with a server's clock). */
  now?: () => number;
  retry?: RetryPolicy;
}

export interface SimulationSummary {
  mode: 'live' | 'backfill';
  visitors: number;
  sessions: number;
  skippedSessions: number;
  eventsSent: number;
  accepted: number;
  rejected: number;
  rejectedByCode: Record<string, number>;
  dropped: Record<string, number>;
  requests: number;
  retries: number;
  errors: number;
  failedBatches: number;
  failures: Record<string, number>;
  samples: string[];
  /** Why the run stopped early, if it did. */
  aborted?: string;
  elapsedMs: number;
  eventsPerSecond: number;
  truthFile: string;
  /** False when a batch was finally refused or lost: the process should exit non-zero. */
  ok: boolean;
}

interface Run {
  options: SimulationOptions;
  params: SimParams;
  stats: SendStats;
  now: () => number;
  withSlot: <T>(work: () => Promise<T>) => Promise<T>;
  truth: fs.WriteStream;
  visitors: number;
  sessions: number;
  skipped: number;
}

const visitorRng = (seed: number | string, i: number) => createRng(`${seed}:visitor:${i}`);

export async function runSimulation(options: SimulationOptions, log: (line: string) => void = console.log): Promise<SimulationSummary> {
  const started = performance.now();
  fs.mkdirSync(path.dirname(options.truthFile), { recursive: true });
  const run: Run = {
    options,
    params: { origin: options.origin, surveyFraction: options.surveyFraction, rejectFraction: options.rejectFraction },
    stats: emptyStats(),
    now: options.now ?? Date.now,
    withSlot: semaphore(options.concurrency ?? 64),
    truth: fs.createWriteStream(options.truthFile),
    visitors: 0,
    sessions: 0,
    skipped: 0,
  };
  const mode = options.days === undefined ? 'live' : 'backfill';
  log(mode === 'live'
    ? `Simulating ${options.visitors} visitors live at ${options.rate}/s (speed ×${options.speed}, seed ${options.seed}) → ${options.url}`
    : `Backfilling ${options.visitors} visitors over the past ${options.days} days at ≤ ${options.rate} requests/s (seed ${options.seed}) → ${options.url}`);
  const timer = setInterval(() => log(progressLine(run, performance.now() - started)), options.progressEveryMs ?? 5000);
  try {
    if (mode === 'live') await runLive(run);
    else await runBackfill(run, options.days!);
  } finally {
    clearInterval(timer);
    await new Promise<void>((resolve, reject) => run.truth.end((err?: Error | null) => (err ? reject(err) : resolve())));
  }
  const summary = summarize(run, mode, performance.now() - started);
  for (const line of summaryLines(summary)) log(line);
  return summary;
}

function writeTruth(run: Run, session: SimSession): void {
  run.sessions++;
  run.truth.write(`${JSON.stringify(session.truth)}\n`);
}

/** Sends each batch when the tracker would: at its time on the (retimed) wall clock. */
async function playSession(run: Run, session: SimSession): Promise<void> {
  for (const batch of session.batches) {
    if (run.stats.abort) return;
    await sleep(batch.at - run.now());
    await sendBatch(run.options, session, batch, run.stats, run.now, run.withSlot, run.options.retry);
  }
}

/**
 * Visitors arrive as a Poisson process now; each session plays on the wall clock, compressed by speed.
 * Only the schedule (ts, send times) is compressed: durations measured inside events (engaged_ms,
 * visible_ms, reading speed) keep their simulated values, so features built on them stay realistic.
 */
async function runLive(run: Run): Promise<void> {
  const { options } = run;
  const arrivals = createRng(`${options.seed}:arrivals`);
  const capMs = options.liveReturnCapMs ?? 60_000;
  const playing: Promise<void>[] = [];
  for (let i = 0; i < options.visitors && !run.stats.abort; i++) {
    if (i > 0) await sleep(arrivals.exponential(options.rate) * 1000);
    const wallStart = run.now();
    const visitor = simulateVisitor(visitorRng(options.seed, i), run.params, wallStart);
    run.visitors++;
    playing.push((async () => {
      let wallEnd = wallStart;
      for (const [k, simulated] of visitor.sessions.entries()) {
        // A return days later cannot be waited for live: it comes back soon after, still linked by visitor_id.
        const gap = k === 0 ? 0 : Math.min(capMs, (simulated.startedAt - visitor.sessions[k - 1]!.endedAt) / options.speed);
        const wallSessionStart = k === 0 ? wallStart : wallEnd + gap;
        await sleep(wallSessionStart - run.now());
        const session = retimeSession(simulated, (ts) => Math.round(wallSessionStart + (ts - simulated.startedAt) / options.speed));
        writeTruth(run, session);
        await playSession(run, session);
        wallEnd = session.endedAt;
      }
    })());
  }
  await Promise.all(playing);
}

/** Sessions over the past `days`, sent in order of their start (the next ones lazily), many at once. */
async function runBackfill(run: Run, days: number): Promise<void> {
  const { options } = run;
  const now = run.now();
  const from = now - days * DAY_MS;
  // Start times first (cheap), so visitors can be generated lazily in chronological order.
  const startRng = createRng(`${options.seed}:starts`);
  const starts = Array.from({ length: options.visitors }, (_, i) => ({ i, at: pickStartTime(startRng, from, now, visitorLocale(visitorRng(options.seed, i))) }));
  starts.sort((a, b) => a.at - b.at || a.i - b.i);
  const pace = pacer(options.rate);
  let next = 0;
  const queue: SimSession[] = [];
  const take = (): SimSession | undefined => {
    while (queue.length === 0 && next < starts.length) {
      const { i, at } = starts[next++]!;
      const visitor = simulateVisitor(visitorRng(options.seed, i), run.params, at);
      run.visitors++;
      for (const session of visitor.sessions) {
        // The first session ends by now; a return that would lie in the future has not happened yet.
        if (session.endedAt <= now) queue.push(session);
        else if (session.truth.session_index === 1) queue.push(retimeSession(session, (ts) => ts - (session.endedAt - now) - 1000));
        else run.skipped++;
      }
    }
    return queue.shift();
  };
  const worker = async () => {
    for (let session = take(); session && !run.stats.abort; session = take()) {
      writeTruth(run, session);
      for (const batch of session.batches) {
        await pace();
        await sendBatch(run.options, session, batch, run.stats, run.now, run.withSlot, run.options.retry);
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 64 }, worker));
}

function summarize(run: Run, mode: 'live' | 'backfill', elapsedMs: number): SimulationSummary {
  const s = run.stats;
  return {
    mode,
    visitors: run.visitors,
    sessions: run.sessions,
    skippedSessions: run.skipped,
    eventsSent: s.eventsSent,
    accepted: s.accepted,
    rejected: s.rejected,
    rejectedByCode: s.rejectedByCode,
    dropped: s.dropped,
    requests: s.requests,
    retries: s.retries,
    errors: s.errors,
    failedBatches: s.failedBatches,
    failures: s.failures,
    samples: s.samples,
    ...(s.abort ? { aborted: s.abort } : {}),
    elapsedMs: Math.round(elapsedMs),
    eventsPerSecond: Math.round((s.eventsSent / Math.max(elapsedMs, 1)) * 1000 * 10) / 10,
    truthFile: run.options.truthFile,
    ok: s.failedBatches === 0 && s.errors === 0 && !s.abort,
  };
}

const fmt = (n: number) => n.toLocaleString('en-US');
const byKey = (counts: Record<string, number>) => Object.entries(counts).map(([k, n]) => `${k} ${fmt(n)}`).join(', ') || 'none';

function progressLine(run: Run, elapsedMs: number): string {
  const s = run.stats;
  const dropped = Object.values(s.dropped).reduce((a, b) => a + b, 0);
  return `[${Math.round(elapsedMs / 1000)}s] visitors ${fmt(run.visitors)}/${fmt(run.options.visitors)} · sessions ${fmt(run.sessions)} · events ${fmt(s.eventsSent)} sent, ${fmt(s.accepted)} accepted, ${fmt(s.rejected)} rejected, ${fmt(dropped)} dropped · ${fmt(s.requests)} requests · ${fmt(s.errors + s.failedBatches)} failed`;
}

export function summaryLines(s: SimulationSummary): string[] {
  const lines = [
    '',
    `Simulation (${s.mode}) finished in ${(s.elapsedMs / 1000).toFixed(1)} s`,
    `  visitors      ${fmt(s.visitors)}`,
    `  sessions      ${fmt(s.sessions)}${s.skippedSessions ? ` (${fmt(s.skippedSessions)} return visits would lie in the future: not sent)` : ''}`,
    `  events sent   ${fmt(s.eventsSent)} (${s.eventsPerSecond} events/s)`,
    `  accepted      ${fmt(s.accepted)}`,
    `  rejected      ${fmt(s.rejected)}${s.rejected ? ` (${byKey(s.rejectedByCode)})` : ''}`,
    `  dropped       ${byKey(s.dropped)}`,
    `  requests      ${fmt(s.requests)} (${fmt(s.retries)} retries)`,
    `  errors        ${fmt(s.errors)} lost, ${fmt(s.failedBatches)} refused${Object.keys(s.failures).length ? ` (${byKey(s.failures)})` : ''}`,
    `  ground truth  ${s.truthFile}`,
  ];
  if (s.samples.length) lines.push('  server said:', ...s.samples.map((m) => `    ${m}`));
  if (s.aborted) lines.push(`Stopped early: ${s.aborted}`);
  return lines;
}
