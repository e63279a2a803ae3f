// Ingest benchmark (npm run bench:ingest). Targets (batches of 20 events per request, 60 s):
//   - sustained ingest with zero loss (rows in the database = events acknowledged):
//     ≥ 20,000 events/s into PostgreSQL, ≥ 10,000 events/s into PGlite;
//   - p99 acknowledgement < 25 ms at half that load (PostgreSQL 500 req/s, PGlite 250 req/s);
//   - side by side in the same run: a naive path (bench/naive-pipeline.ts: one transaction per
//     event, no batching) on the same database, as a ratio;
//   - the tracker's gzipped size and main-thread cost per event in Chromium (bench/tracker-cost.ts).
// Each backend's server is its own process (bench/ingest-server.ts). Per round: the real pipeline
// and the naive one closed-loop (autocannon) for the maximum, then both open-loop at the half
// target rate (bench/lib.ts pacedLoad) — or, when the naive path cannot sustain that, both at
// half the naive maximum, so latency is still compared at one offered load. Orders rotate round
// by round. Before each phase the event tables are emptied; after it, the rows are checked
// against the acknowledgements, request by request (event ids encode the request number).
// Flags: --db pglite|postgres|both, --duration s (60), --quick (10 s, 2 rounds),
// --naive-duration s (min(duration, 20)), --rounds n (1), --connections n (32), --no-naive,
// --no-tracker. BENCH_CPU_PROF=dir writes the server's CPU profiles there.
import os from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { flagValue, gitCommit, here, machine, percentile, round, spawnWithReadyLine, stop, table, withEachServer, writeResults } from './lib.js';
import { EVENTS_PER_REQUEST, maxLoad, pacedIngest, requestFactory, type LoadResult, type Requests } from './ingest-load.js';
import { cpuMark, cpuSince, othersCpuPct, writerMetrics, writerSince } from './ingest-measure.js';
import { trackerCost, trackerSize, type TrackerCost } from './tracker-cost.js';

type Backend = 'pglite' | 'postgres';
type Pipeline = 'group' | 'naive';
/** max: closed loop; paced: open loop at half the target; paced-low: open loop at a rate the naive path sustains. */
type PhaseKind = 'max' | 'paced' | 'paced-low';

/** The middle value, or the mean of the two middle values (with 2 rounds, nearest-rank would pick the lower one). */
function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : round((s[m - 1]! + s[m]!) / 2, 2);
}

const TARGETS: Record<Backend, { eventsPerSecond: number }> = { postgres: { eventsPerSecond: 20_000 }, pglite: { eventsPerSecond: 10_000 } };
const P99_TARGET_MS = 25;

function parseArgs(argv: string[]) {
  const value = (name: string) => flagValue(argv, name);
  const quick = argv.includes('--quick');
  const duration = Number(value('--duration') ?? (quick ? 10 : 60));
  const db = value('--db') ?? 'both';
  if (!['pglite', 'postgres', 'both'].includes(db)) throw new Error('--db must be pglite, postgres or both');
  return {
    backends: (db === 'both' ? ['pglite', 'postgres'] : [db]) as Backend[],
    durationSeconds: duration,
    naiveDurationSeconds: Number(value('--naive-duration') ?? Math.min(duration, 20)),
    rounds: Number(value('--rounds') ?? (quick ? 2 : 1)),
    connections: Number(value('--connections') ?? 32),
    pacedConnections: 64,
    warmupSeconds: quick ? 3 : 5,
    naive: !argv.includes('--no-naive'),
    tracker: !argv.includes('--no-tracker'),
    eventsPerRequest: EVENTS_PER_REQUEST,
  };
}
const settings = parseArgs(process.argv.slice(2));

interface Server {
  backend: Backend;
  child: ChildProcess;
  port: number;
  publicKey: string;
  origin: string;
  base: string;
}

async function startServer(backend: Backend): Promise<Server | { skip: string }> {
  const { child, line } = await spawnWithReadyLine<{ port?: number; publicKey?: string; origin?: string; skip?: string }>([
    ...(process.env.BENCH_CPU_PROF ? [`--cpu-prof`, `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []),
    path.join(here, 'ingest-server.js'),
    backend,
  ]);
  if (line.skip) {
    await stop(child);
    return { skip: line.skip };
  }
  return { backend, child, port: line.port!, publicKey: line.publicKey!, origin: line.origin!, base: `http://127.0.0.1:${line.port}` };
}

async function call<T>(server: Server, method: string, route: string, body?: unknown): Promise<T> {
  const res = await fetch(`${server.base}${route}`, { method, ...(body ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}) });
  if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

interface Phase {
  backend: Backend;
  pipeline: Pipeline;
  phase: PhaseKind;
  round: number;
  /** Offered requests/s (paced phases). */
  offeredRps?: number;
  seconds: number;
  requests: number;
  ackedRequests: number;
  eventsAcked: number;
  eventsPerSecond: number;
  requestsPerSecond: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  non2xx: Record<string, number>;
  errors: number;
  timeouts: number;
  /** Rows in user_events after the phase. */
  rows: number;
  sessions: number;
  /** Acknowledged events with no row (must be 0). */
  lost: number;
  /** Rows of requests never acknowledged (answers cut off when the load stopped: harmless, a client would retry). */
  storedUnacked: number;
  serverCpuPct: number;
  dbCpuPct?: number;
  clientCpuPct: number;
  machineCpuPct: number;
  /** Other processes on the machine (100 = one core), i.e. noise. */
  othersCpuPct: number;
  /** The group-commit writer (real pipeline only). */
  writer?: ReturnType<typeof writerSince>;
}

async function runPhase(server: Server, requests: Requests, pipeline: Pipeline, phase: PhaseKind, round_: number, seconds: number, rate?: number): Promise<Phase> {
  await call(server, 'POST', '/bench/pipeline', { pipeline });
  await call(server, 'POST', '/bench/reset');
  const metricsBefore = await writerMetrics(server.base);
  const mark = cpuMark(server.child.pid, server.backend === 'postgres');
  const load: LoadResult =
    phase === 'max'
      ? await maxLoad(server.port, server.origin, requests, settings.connections, seconds)
      : await pacedIngest(server.port, server.origin, requests, settings.pacedConnections, seconds, rate!);
  const cpu = cpuSince(mark);
  const othersPct = othersCpuPct(cpu);
  const writer = writerSince(metricsBefore, await writerMetrics(server.base), load.seconds);
  const rows = await call<{ total: number; sessions: number; seqs: [number, number][] }>(server, 'GET', '/bench/rows');
  const stored = new Map(rows.seqs);
  let lost = 0;
  let eventsAcked = 0;
  for (const [seq, accepted] of load.acked) {
    eventsAcked += accepted;
    lost += Math.max(0, accepted - (stored.get(seq) ?? 0));
    if (accepted !== EVENTS_PER_REQUEST) console.warn(`  request ${seq} acknowledged ${accepted} of ${EVENTS_PER_REQUEST} events`);
  }
  let storedUnacked = 0;
  for (const [seq, n] of stored) if (!load.acked.has(seq)) storedUnacked += n;
  const sorted = Float64Array.from(load.latencies).sort();
  const at = (p: number) => round(percentile(sorted, p));
  return {
    backend: server.backend,
    pipeline,
    phase,
    round: round_,
    ...(rate ? { offeredRps: rate } : {}),
    seconds: round(load.seconds),
    requests: load.requests,
    ackedRequests: load.acked.size,
    eventsAcked,
    eventsPerSecond: round(eventsAcked / load.seconds, 0),
    requestsPerSecond: round(load.acked.size / load.seconds, 0),
    p50: at(50),
    p90: at(90),
    p99: at(99),
    max: at(100),
    non2xx: load.statuses,
    errors: load.errors,
    timeouts: load.timeouts,
    rows: rows.total,
    sessions: rows.sessions,
    lost,
    storedUnacked,
    ...cpu,
    othersCpuPct: othersPct,
    ...(writer ? { writer } : {}),
  };
}

const failures = (p: Phase) => Object.values(p.non2xx).reduce((a, b) => a + b, 0) + p.errors + p.timeouts;
const describe = (p: Phase) =>
  `${p.eventsPerSecond} events/s (${p.requestsPerSecond} req/s)  p50 ${p.p50} ms  p99 ${p.p99} ms  max ${p.max} ms  rows ${p.rows}  lost ${p.lost}` +
  (p.storedUnacked ? `  stored-unacked ${p.storedUnacked}` : '') +
  (failures(p) ? `  non-2xx ${JSON.stringify(p.non2xx)} errors ${p.errors} timeouts ${p.timeouts}` : '') +
  (p.writer ? `  writer: ${p.writer.eventsPerWrite} events/write, ${p.writer.msPerWrite} ms/write (${p.writer.usPerEvent} µs/event), busy ${p.writer.busyPct}%, writes > 100 ms: ${p.writer.over100ms}` : '') +
  `\n    CPU%: server ${p.serverCpuPct}${p.dbCpuPct !== undefined ? `, postgres ${p.dbCpuPct}` : ''}, load generator ${p.clientCpuPct}, other processes ${p.othersCpuPct} (100 = one core)`;

/** Rotates a list by r places, so no phase always runs first. */
const rotate = <T>(items: T[], r: number) => items.map((_, i) => items[(i + r) % items.length]!);

async function benchBackend(server: Server, phases: Phase[], skipped: Record<string, string>) {
  const requests = requestFactory(server.publicKey);
  const target = TARGETS[server.backend];
  const rate = target.eventsPerSecond / 2 / EVENTS_PER_REQUEST;
  const pipelines: Pipeline[] = settings.naive ? ['group', 'naive'] : ['group'];
  const secondsOf = (p: Pipeline) => (p === 'group' ? settings.durationSeconds : settings.naiveDurationSeconds);
  console.log(`\n== ${server.backend} (target ≥ ${target.eventsPerSecond} events/s; p99 < ${P99_TARGET_MS} ms at ${rate} req/s = ${rate * EVENTS_PER_REQUEST} events/s)`);
  for (const p of pipelines) {
    const w = await runPhase(server, requests, p, 'max', 0, p === 'group' ? settings.warmupSeconds : Math.min(settings.warmupSeconds, 3));
    console.log(`warm-up ${p}: ${describe(w)}`);
  }
  for (let r = 1; r <= settings.rounds; r++) {
    const maxByPipeline: Partial<Record<Pipeline, Phase>> = {};
    for (const p of rotate(pipelines, r)) {
      const result = await runPhase(server, requests, p, 'max', r, secondsOf(p));
      maxByPipeline[p] = result;
      phases.push(result);
      console.log(`round ${r} ${p} max: ${describe(result)}`);
    }
    let naiveSustains = true;
    for (const p of rotate(pipelines, r)) {
      // Open loop beyond what the server sustains only measures the backlog growing; say so instead.
      const max = maxByPipeline[p]!;
      if (p === 'naive' && max.requestsPerSecond < rate * 1.05) {
        naiveSustains = false;
        skipped[`${server.backend} naive paced`] = `its maximum (${max.requestsPerSecond} req/s) is below the offered ${rate} req/s`;
        console.log(`round ${r} naive paced ${rate} req/s: skipped, its maximum is ${max.requestsPerSecond} req/s`);
        continue;
      }
      const result = await runPhase(server, requests, p, 'paced', r, secondsOf(p), rate);
      phases.push(result);
      console.log(`round ${r} ${p} paced ${rate} req/s: ${describe(result)}`);
    }
    if (!naiveSustains) {
      // Latency side by side at a load both paths sustain: half of the naive path's maximum.
      const low = Math.max(1, Math.floor(maxByPipeline.naive!.requestsPerSecond / 2));
      for (const p of rotate(pipelines, r)) {
        const result = await runPhase(server, requests, p, 'paced-low', r, settings.naiveDurationSeconds, low);
        phases.push(result);
        console.log(`round ${r} ${p} paced ${low} req/s (half the naive maximum): ${describe(result)}`);
      }
    }
  }
}

interface Summary {
  backend: Backend;
  pipeline: Pipeline;
  phase: PhaseKind;
  rounds: number;
  eventsPerSecond: number;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  lost: number;
  failed: number;
  target: string;
  pass?: boolean;
}

function summarise(phases: Phase[]): Summary[] {
  const out: Summary[] = [];
  for (const backend of settings.backends) {
    for (const phase of ['max', 'paced', 'paced-low'] as PhaseKind[]) {
      for (const pipeline of ['group', 'naive'] as Pipeline[]) {
        const rs = phases.filter((p) => p.backend === backend && p.phase === phase && p.pipeline === pipeline && p.round > 0);
        if (rs.length === 0) continue;
        const s = {
          backend,
          pipeline,
          phase,
          rounds: rs.length,
          eventsPerSecond: median(rs.map((x) => x.eventsPerSecond)),
          requestsPerSecond: median(rs.map((x) => x.requestsPerSecond)),
          p50: median(rs.map((x) => x.p50)),
          p99: median(rs.map((x) => x.p99)),
          lost: rs.reduce((n, x) => n + x.lost, 0),
          failed: rs.reduce((n, x) => n + failures(x), 0),
        };
        const target = TARGETS[backend].eventsPerSecond;
        const offered = median(rs.map((x) => x.offeredRps ?? 0));
        if (pipeline === 'naive') out.push({ ...s, target: '(baseline)' });
        else if (phase === 'max') out.push({ ...s, target: `≥ ${target} ev/s, 0 lost`, pass: s.eventsPerSecond >= target && s.lost === 0 && s.failed === 0 });
        else if (phase === 'paced-low') out.push({ ...s, target: `(half naive max, vs naive)` });
        else out.push({ ...s, target: `p99 < ${P99_TARGET_MS} ms`, pass: s.p99 < P99_TARGET_MS && s.requestsPerSecond >= offered * 0.98 && s.lost === 0 && s.failed === 0 });
      }
    }
  }
  return out;
}

async function main() {
  const info = { ...machine(), commit: gitCommit() };
  console.log(`Ingest benchmark — ${info.cpus} CPUs, Node ${info.node}, load average ${info.loadavg.join(' ')}`);
  console.log(
    `${settings.rounds} round(s); real pipeline ${settings.durationSeconds} s per phase, naive ${settings.naiveDurationSeconds} s; max: autocannon ${settings.connections} connections; ` +
      `paced: open loop, up to ${settings.pacedConnections} connections; ${EVENTS_PER_REQUEST} events per request`,
  );
  const phases: Phase[] = [];
  const skipped: Record<string, string> = {};
  let tracker: { size?: ReturnType<typeof trackerSize>; cost?: (TrackerCost & { rowsStored: number }) | { error: string } } = {};
  await withEachServer(settings.backends, startServer, skipped, async (server, backend) => {
    await benchBackend(server, phases, skipped);
    if (settings.tracker && backend === settings.backends[settings.backends.length - 1]) {
      tracker = await measureTracker(server);
    }
  });

  const summary = summarise(phases);
  console.log(`\nMedians over ${settings.rounds} round(s) (max: closed loop; paced: open loop at half the target). Loss = acknowledged events without a row.\n`);
  table(
    summary.map((s) => ({
      backend: s.backend,
      pipeline: s.pipeline === 'group' ? 'augur' : 'naive',
      phase: s.phase,
      'events/s': s.eventsPerSecond,
      'req/s': s.requestsPerSecond,
      'p50 ms': s.p50,
      'p99 ms': s.p99,
      lost: s.lost,
      failed: s.failed,
      target: s.target,
      result: s.pass === undefined ? '' : s.pass ? 'PASS' : 'FAIL',
    })),
  );
  const ratios: Record<string, { eventsPerSecond?: number; p99AtSameLoad?: number; sameLoadRps?: number; sameLoadIsHalfTarget?: boolean }> = {};
  for (const backend of settings.backends) {
    const find = (pipeline: Pipeline, phase: PhaseKind) => summary.find((s) => s.backend === backend && s.pipeline === pipeline && s.phase === phase);
    const [ours, naive] = [find('group', 'max'), find('naive', 'max')];
    if (!ours || !naive) continue;
    const sameLoad: PhaseKind = find('naive', 'paced') ? 'paced' : 'paced-low';
    const [oursPaced, naivePaced] = [find('group', sameLoad), find('naive', sameLoad)];
    const offered = median(phases.filter((p) => p.backend === backend && p.phase === sameLoad && p.round > 0).map((p) => p.offeredRps ?? 0));
    ratios[backend] = {
      eventsPerSecond: round(ours.eventsPerSecond / naive.eventsPerSecond, 1),
      ...(oursPaced && naivePaced ? { p99AtSameLoad: round(naivePaced.p99 / oursPaced.p99, 1), sameLoadRps: offered, sameLoadIsHalfTarget: sameLoad === 'paced' } : {}),
    };
    const r = ratios[backend]!;
    console.log(
      `${backend}: augur / naive max throughput = ${r.eventsPerSecond}×` +
        (r.p99AtSameLoad ? `; naive p99 / augur p99 at ${offered} req/s${sameLoad === 'paced' ? '' : ' (half the naive maximum; it cannot sustain half the target)'} = ${r.p99AtSameLoad}×` : ''),
    );
  }
  for (const [what, why] of Object.entries(skipped)) console.log(`${what}: SKIPPED (${why})`);

  if (tracker.size) {
    const s = tracker.size;
    console.log(`\nTracker dist/web/t.js: ${s.bytes} bytes, ${s.gzipBytes} bytes gzipped (${round(s.gzipBytes / 1024, 1)} KB)`);
  } else if (settings.tracker) console.log('\nTracker: not built (dist/web/t.js missing)');
  if (tracker.cost && 'error' in tracker.cost) console.log(`Tracker main-thread cost: not measured (${tracker.cost.error})`);
  else if (tracker.cost) {
    const c = tracker.cost;
    console.log(`Tracker main-thread cost in Chromium (medians of ${c.rounds} rounds × ${c.eventsPerRound} events; tracker page minus the same page without it):`);
    table(c.rows.map((r) => ({ event: r.what, 'sync µs/event': r.syncUs, 'main-thread µs/event (incl. sends)': r.taskUs, 'plain page sync µs': r.baselineSyncUs, 'plain page task µs': r.baselineTaskUs })));
    console.log(`tracker requests: ${c.trackerRequests.ok} answered 2xx, ${c.trackerRequests.failed} failed; ${c.eventsSent} events sent, ${c.rowsStored} rows stored`);
  }

  const loadavgEnd = os.loadavg().map((n) => round(n));
  console.log(`\nload average at the end: ${loadavgEnd.join(' ')} (the load generator, the server and PostgreSQL share these cores)`);
  const file = writeResults('ingest', { benchmark: 'ingest', machine: { ...info, loadavgEnd }, settings, targets: { ...TARGETS, p99Ms: P99_TARGET_MS }, summary, ratios, skipped, tracker, phases });
  console.log(`wrote ${file}`);
}

async function measureTracker(server: Server) {
  const size = trackerSize();
  if (!size) return {};
  try {
    await call(server, 'POST', '/bench/pipeline', { pipeline: 'group' });
    await call(server, 'POST', '/bench/reset');
    const cost = await trackerCost({ base: server.base, publicKey: server.publicKey, allowOrigin: (origin) => call(server, 'POST', '/bench/origin', { origin }).then(() => {}) });
    // What the page sent was stored: its clicks and custom events, plus its page view and session start.
    const rows = await call<{ total: number }>(server, 'GET', '/bench/rows');
    return { size, cost: { ...cost, rowsStored: rows.total } };
  } catch (err) {
    console.error(err);
    return { size, cost: { error: (err as Error).message } };
  }
}

await main();
