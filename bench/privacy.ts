// Privacy benchmark (npm run bench:privacy). Targets (issue 4):
//   - erasure of a subject with 100k events completes in < 5 s on PostgreSQL (operator DELETE …/privacy/data);
//   - export of the same streams in < 10 s without holding it all in memory (the server's peak RSS is reported);
//   - the recorded-consent check on the ingest hot path costs < 5 % of ingest throughput.
// Side by side in the same run: the erasure without migration 0007's visitor index, and of a background visitor
// (40 events); exports of 40, 10k, 100k and 300k events (time follows size; memory must not); ingest with the check
// off and on, for visitors seen before (cache warm) and for a new visitor on every request (cache cold), and with
// the check on without the visitor index (what the index costs writes). Orders alternate round by round.
// The server is its own process (bench/privacy-server.ts) on a scratch database filled by bench/privacy-seed.ts.
// Flags: --db postgres|pglite|both (postgres), --background n (1,000,000 events), --rounds n (3), --duration s
// (10, per ingest phase), --connections n (32), --quick (background 200k, 2 rounds, 5 s), --no-export,
// --no-erase, --no-ingest.
import crypto from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { flagValue, gitCommit, here, machine, median, round, spawnWithReadyLine, stop, table, withEachServer, writeResults } from './lib.js';
import { EVENTS_PER_REQUEST, requestFactory } from './ingest-load.js';
import { call, eraseOnce, exportOnce, ingestOnce, type EraseRun, type ExportRun, type IngestRun, type Server } from './privacy-phases.js';
import { backgroundVisitorPrefix, type SeedSpec } from './privacy-seed.js';

type Backend = 'pglite' | 'postgres';
const ORIGIN = 'https://bench.example.com';
const ERASE_TARGET_MS = 5000;
const EXPORT_TARGET_MS = 10_000;
const CONSENT_TARGET_PCT = 5;
/** Exports side by side: a background visitor, and subjects up to three times the target's size (memory must not follow). */
const BACKGROUND_EXPORT = '40 events';
const EXPORT_SIZES = [
  { label: '10k events', events: 10_000 },
  { label: '100k events', events: 100_000 },
  { label: '300k events', events: 300_000 },
];
const ERASED = '100k events';
/** What an export may keep live in the server's heap: a buffered 100k-event export would hold its 37 MB and more. */
const LIVE_LIMIT_MB = 16;
/** The ingest pair that measures what the visitor index costs writes (check on in both). */
const NO_INDEX = 'typical, check on, no visitor index';
const WITH_INDEX = 'typical, check on, visitor index';
/** Ingest requests per second no phase exceeds here: how many visitors get a recorded decision in advance. */
const MAX_RPS = 2500;

function parseArgs(argv: string[]) {
  const value = (name: string) => flagValue(argv, name);
  const quick = argv.includes('--quick');
  const db = value('--db') ?? 'postgres';
  if (!['pglite', 'postgres', 'both'].includes(db)) throw new Error('--db must be pglite, postgres or both');
  return {
    backends: (db === 'both' ? ['postgres', 'pglite'] : [db]) as Backend[],
    backgroundEvents: Number(value('--background') ?? (quick ? 200_000 : 1_000_000)),
    rounds: Number(value('--rounds') ?? (quick ? 2 : 3)),
    ingestSeconds: Number(value('--duration') ?? (quick ? 5 : 10)),
    connections: Number(value('--connections') ?? 32),
    export: !argv.includes('--no-export'),
    erase: !argv.includes('--no-erase'),
    ingest: !argv.includes('--no-ingest'),
  };
}
const settings = parseArgs(process.argv.slice(2));
const rotate = <T>(items: T[], r: number) => items.map((_, i) => items[(i + r) % items.length]!);

async function startServer(backend: Backend): Promise<Server | { skip: string }> {
  const { child, line } = await spawnWithReadyLine<{ port?: number; database?: string; skip?: string }>(['--expose-gc', path.join(here, 'privacy-server.js'), backend]);
  if (line.skip) {
    await stop(child);
    return { skip: line.skip };
  }
  const base = `http://127.0.0.1:${line.port}`;
  // An operator signs up and creates the site through the API, so the erasures and exports run as its owner.
  const signup = await call<{ access_token: string }>({ base }, 'POST', '/api/v1/auth/register', { email: 'bench@example.com', username: 'bench', password: 'a-long-enough-bench-password' });
  const auth = { authorization: `Bearer ${signup.access_token}` };
  const site = await call<{ id: string; public_key: string }>({ base }, 'POST', '/api/v1/sites', { name: 'Privacy bench', allowed_origins: [ORIGIN] }, auth);
  return { backend, child, port: line.port!, database: line.database, base, auth, siteId: site.id, publicKey: site.public_key, origin: ORIGIN };
}

interface Results {
  seeds: Record<string, unknown>[];
  exports: ExportRun[];
  erasures: EraseRun[];
  ingest: IngestRun[];
  notes: string[];
}

async function benchBackend(s: Server, out: Results) {
  const seed = crypto.randomBytes(3).toString('hex');
  // Subjects of 100 events a session; the 100k one is also the one erased.
  const subjects = EXPORT_SIZES.map(({ label, events }) => ({ label, visitor: `subject_${seed}_${label.split(' ')[0]}`, events, sessions: events / 100 }));
  const big = subjects.find((x) => x.label === ERASED)!;
  const ingestTags = { typical: `${seed}t`, cold: `${seed}c` };
  const phasesPerPattern = { typical: 4, cold: 2 };
  const budget = MAX_RPS * settings.ingestSeconds * (settings.rounds + 1);
  const spec: SeedSpec = {
    siteId: s.siteId,
    seed,
    backgroundEvents: settings.backgroundEvents,
    subjects,
    ingestVisitors: settings.ingest
      ? [
          { prefix: `bv_${ingestTags.typical}_`, count: Math.ceil((budget * phasesPerPattern.typical) / EVENTS_PER_REQUEST) + 64 },
          { prefix: `bv_${ingestTags.cold}_r`, count: budget * phasesPerPattern.cold },
        ]
      : [],
  };
  console.log(`\n== ${s.backend}: seeding ${settings.backgroundEvents.toLocaleString('en')} background events, subjects of ${subjects.map((x) => x.label).join(', ')}, consent for ${spec.ingestVisitors.reduce((n, v) => n + v.count, 0).toLocaleString('en')} ingest visitors`);
  const seeded = await call<Record<string, number>>(s, 'POST', '/bench/seed', spec);
  out.seeds.push({ backend: s.backend, ...seeded });
  console.log(`seeded in ${round(seeded.ms! / 1000, 1)} s: ${JSON.stringify(seeded)}`);
  const definition = (await call<{ definition?: string; existed: boolean }>(s, 'POST', '/bench/visitor-index', { present: true })).definition;
  let indexPresent = Boolean(definition);
  if (!definition) out.notes.push(`${s.backend}: no idx_user_events_visitor in the schema; runs without the visitor index only`);
  const setIndex = async (present: boolean) => {
    if (present === indexPresent || !definition) return;
    const r = await call<{ ms: number; partitions: number }>(s, 'POST', '/bench/visitor-index', { present, definition });
    console.log(`  visitor index ${present ? `created on ${r.partitions} partitions` : 'dropped'} (${r.ms} ms)`);
    indexPresent = present;
  };
  const withIndex = definition ? [true, false] : [false];

  if (settings.export) {
    const sizes: [string, string][] = [[BACKGROUND_EXPORT, `${backgroundVisitorPrefix(seed)}7`], ...subjects.map((x): [string, string] => [x.label, x.visitor])];
    for (let r = 1; r <= settings.rounds; r++) {
      for (const [size, visitor] of rotate(sizes, r)) {
        const run = await exportOnce(s, size, r, visitor);
        out.exports.push(run);
        console.log(`export ${size} round ${r}: ${run.status} ${run.totalMs} ms (first byte ${run.ttfbMs} ms), ${round(run.bytes / 1e6, 1)} MB, ${run.events} events, ${run.sessions} sessions; server RSS ${run.rssBeforeMb} MB before, peak ${run.peakRssMb} MB (+${run.rssGrowthMb} MB; heap: peak +${run.heapGrowthMb.heapUsed} MB, live after ${run.heapGrowthMb.fullGcs} full collections +${run.heapGrowthMb.liveAfterFullGc ?? '-'} MB)`);
      }
    }
  }

  if (settings.erase) {
    let subjectPresent = true;
    const configs = [...withIndex.map((index) => ({ what: `100k events${index ? '' : ', no visitor index'}`, index, big: true })), { what: 'background visitor (40 events)', index: true, big: false }];
    for (let r = 1; r <= settings.rounds; r++) {
      for (const c of rotate(configs, r)) {
        await setIndex(c.index && Boolean(definition));
        let visitor = `${backgroundVisitorPrefix(seed)}${100 + r}`;
        if (c.big) {
          visitor = big.visitor;
          if (!subjectPresent) {
            const again = await call<{ ms: number }>(s, 'POST', '/bench/subject', big);
            console.log(`  subject stored again in ${round(again.ms / 1000, 1)} s`);
          }
        }
        const run = await eraseOnce(s, c.what, r, visitor, indexPresent);
        if (c.big) subjectPresent = false;
        out.erasures.push(run);
        console.log(`erase ${c.what} round ${r}: ${run.status} ${run.ms} ms, erased ${JSON.stringify(run.erased)}; its events were on ${run.pages} of ${run.totalPages} heap pages`);
      }
    }
    await setIndex(true);
  }

  if (settings.ingest) {
    const factories = { typical: requestFactory(s.publicKey, { tag: ingestTags.typical }), cold: requestFactory(s.publicKey, { tag: ingestTags.cold, visitorPerRequest: true }) };
    // Compared in pairs run back to back (in alternating order), so drift in the machine's load hits both alike.
    const run = (config: string, pattern: 'typical' | 'cold', check: boolean, index: boolean) => ({ config, pattern, check, index });
    const pairs = [
      [run('typical, check off', 'typical', false, true), run('typical, check on', 'typical', true, true)],
      [run('cold, check off', 'cold', false, true), run('cold, check on', 'cold', true, true)],
      ...(definition ? [[run(NO_INDEX, 'typical', true, false), run(WITH_INDEX, 'typical', true, true)]] : []),
    ];
    for (const pattern of ['typical', 'cold'] as const) {
      const w = await ingestOnce(s, `warm-up ${pattern}`, 0, factories[pattern], true, indexPresent, Math.min(3, settings.ingestSeconds), settings.connections);
      console.log(`warm-up ${pattern}: ${w.eventsPerSecond} events/s`);
    }
    for (let r = 1; r <= settings.rounds; r++) {
      for (const pair of rotate(pairs, r)) {
        for (const c of r % 2 ? pair : [...pair].reverse()) {
          await setIndex(c.index && Boolean(definition));
          const result = await ingestOnce(s, c.config, r, factories[c.pattern], c.check, indexPresent, settings.ingestSeconds, settings.connections);
          out.ingest.push(result);
          const lost = result.eventsAcked - result.rows;
          console.log(
            `ingest ${c.config} round ${r}: ${result.eventsPerSecond} events/s (${result.requestsPerSecond} req/s), p50 ${result.p50} ms, p99 ${result.p99} ms, ` +
              `CPU µs/request: server ${result.serverUsPerRequest}${result.dbUsPerRequest !== undefined ? `, postgres backends ${result.dbUsPerRequest}` : ''}; other processes ${result.othersCpuPct}% of a core` +
              `${result.failed ? `; FAILED requests ${result.failed}` : ''}${lost > 0 ? `; ${lost} acknowledged events without a row` : ''}`,
          );
        }
      }
    }
    await setIndex(true);
  }
  const verdict = await call<{ ok: boolean; entries: number }>(s, 'GET', '/bench/audit-verify');
  out.notes.push(`${s.backend}: audit chain after the run: ${verdict.ok ? 'verifies' : 'BROKEN'} (${verdict.entries} entries)`);
}

const stats = (xs: number[]) => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs) });
/**
 * Extra CPU per request (server and PostgreSQL) of `a` over `b`, in % of b's: what the difference would cost in
 * throughput where the cores are the limit. Less disturbed than throughput by other processes taking turns.
 */
const cpuCost = (a: { serverUsPerRequest: number; dbUsPerRequest?: number }, b: { serverUsPerRequest: number; dbUsPerRequest?: number }) =>
  round((100 * (a.serverUsPerRequest + (a.dbUsPerRequest ?? 0) - b.serverUsPerRequest - (b.dbUsPerRequest ?? 0))) / (b.serverUsPerRequest + (b.dbUsPerRequest ?? 0)), 1);

function summariseBackend(out: Results, backend: Backend) {
  const exports = out.exports.filter((r) => r.backend === backend);
  const erasures = out.erasures.filter((r) => r.backend === backend && r.status === 200);
  const ingest = out.ingest.filter((r) => r.backend === backend && r.round > 0);
  const exportOf = (size: string) => {
    const rs = exports.filter((e) => e.size === size);
    if (rs.length === 0) return undefined;
    const growth = stats(rs.map((e) => e.rssGrowthMb));
    const live = rs.flatMap((e) => (e.heapGrowthMb.liveAfterFullGc === undefined ? [] : [e.heapGrowthMb.liveAfterFullGc]));
    return {
      runs: rs.length,
      ms: median(rs.map((e) => e.totalMs)),
      ttfbMs: median(rs.map((e) => e.ttfbMs)),
      mb: round(median(rs.map((e) => e.bytes)) / 1e6, 1),
      events: median(rs.map((e) => e.events)),
      rssBeforeMb: median(rs.map((e) => e.rssBeforeMb)),
      rssGrowthMb: growth.median,
      maxRssGrowthMb: growth.max,
      heapGrowthMb: median(rs.map((e) => e.heapGrowthMb.heapUsed)),
      maxLiveGrowthMb: live.length ? Math.max(...live) : undefined,
    };
  };
  const eraseOf = (what: string) => {
    const rs = erasures.filter((e) => e.what === what);
    return rs.length ? { runs: rs.length, ...stats(rs.map((e) => e.ms)), events: median(rs.map((e) => e.erased!.events)) } : undefined;
  };
  const ingestOf = (config: string) => {
    const rs = ingest.filter((e) => e.config === config);
    if (rs.length === 0) return undefined;
    const db = rs.map((e) => e.dbUsPerRequest).filter((v): v is number => v !== undefined);
    return { runs: rs.length, eventsPerSecond: median(rs.map((e) => e.eventsPerSecond)), p50: median(rs.map((e) => e.p50)), p99: median(rs.map((e) => e.p99)), serverUsPerRequest: median(rs.map((e) => e.serverUsPerRequest)), dbUsPerRequest: db.length ? median(db) : undefined, failed: rs.reduce((n, e) => n + e.failed, 0), unstored: rs.reduce((n, e) => n + Math.max(0, e.eventsAcked - e.rows), 0) };
  };
  /** a/b per round (both ran in each round, so drift between rounds cancels), and the median of those ratios. */
  const pairedRatio = (a: string, b: string) => {
    const ratios = ingest.filter((e) => e.config === a).flatMap((e) => {
      const other = ingest.find((o) => o.round === e.round && o.config === b);
      return other ? [e.eventsPerSecond / other.eventsPerSecond] : [];
    });
    return { ratio: round(median(ratios), 3), perRound: ratios.map((x) => round(x, 3)) };
  };
  const consent = (pattern: 'typical' | 'cold') => {
    const [off, on] = [ingestOf(`${pattern}, check off`), ingestOf(`${pattern}, check on`)];
    if (!off || !on) return undefined;
    const { ratio, perRound } = pairedRatio(`${pattern}, check on`, `${pattern}, check off`);
    const costPct = round(100 * (1 - ratio), 1);
    return { off, on, ratioOnOff: ratio, perRound, costPct, cpuCostPct: cpuCost(on, off), pass: costPct < CONSENT_TARGET_PCT && on.failed === 0 && on.unstored === 0 };
  };

  const [big, bigNoIndex, bg] = [eraseOf('100k events'), eraseOf('100k events, no visitor index'), eraseOf('background visitor (40 events)')];
  const headline = big ?? bigNoIndex;
  const exportsBySize = [BACKGROUND_EXPORT, ...EXPORT_SIZES.map((x) => x.label)].flatMap((label) => {
    const r = exportOf(label);
    return r ? [{ label, ...r }] : [];
  });
  const target = exportsBySize.find((x) => x.label === ERASED);
  const largest = exportsBySize[exportsBySize.length - 1];
  const growthRatio = target && largest && largest !== target ? round(largest.maxRssGrowthMb / Math.max(1, target.maxRssGrowthMb), 2) : undefined;
  const live = exportsBySize.flatMap((x) => (x.maxLiveGrowthMb === undefined ? [] : [x.maxLiveGrowthMb]));
  const maxLive = live.length ? Math.max(...live) : undefined;
  const withIndex = ingestOf(WITH_INDEX);
  const noIndex = ingestOf(NO_INDEX);
  const indexCost = withIndex && noIndex ? pairedRatio(WITH_INDEX, NO_INDEX) : undefined;
  return {
    erasure: headline && {
      withIndex: big,
      withoutIndex: bigNoIndex,
      backgroundVisitor: bg,
      ratioWithoutToWith: big && bigNoIndex ? round(bigNoIndex.median / big.median, 2) : undefined,
      ratioToBackgroundVisitor: bg ? round(headline.median / bg.median, 1) : undefined,
      target: `< ${ERASE_TARGET_MS} ms`,
      pass: headline.median < ERASE_TARGET_MS,
    },
    export: target && {
      sizes: exportsBySize,
      growthRatioLargestTo100k: growthRatio,
      sizeRatioLargestTo100k: largest ? round(largest.mb / target.mb, 2) : undefined,
      maxLiveGrowthMb: maxLive,
      target: `100k events < ${EXPORT_TARGET_MS} ms, and live heap (after full collections) < ${LIVE_LIMIT_MB} MB above the start for every size`,
      pass: target.ms < EXPORT_TARGET_MS && maxLive !== undefined && maxLive < LIVE_LIMIT_MB,
    },
    consent: { typical: consent('typical'), cold: consent('cold'), target: `< ${CONSENT_TARGET_PCT} % of ingest throughput` },
    visitorIndexIngestCost: indexCost && { with: withIndex!, without: noIndex!, ratio: indexCost.ratio, perRound: indexCost.perRound, costPct: round(100 * (1 - indexCost.ratio), 1), cpuCostPct: cpuCost(withIndex!, noIndex!) },
  };
}
type Summary = ReturnType<typeof summariseBackend>;

function print(backend: Backend, s: Summary) {
  console.log(`\n${backend}: medians of ${settings.rounds} round(s)`);
  const e = s.erasure;
  if (e) {
    const rows: [string, typeof e.withIndex][] = [['100k events', e.withIndex], ['100k events, no visitor index', e.withoutIndex], ['background visitor, 40 events (reference)', e.backgroundVisitor]];
    table(rows.flatMap(([what, r]) => (r ? [{ erasure: what, 'median ms': r.median, min: r.min, max: r.max, 'events erased': r.events }] : [])));
    console.log(`erasure of 100k events ${e.target}: ${e.pass ? 'PASS' : 'FAIL'}; without / with the visitor index ${e.ratioWithoutToWith ?? '-'}×; 100k / 40 events ${e.ratioToBackgroundVisitor ?? '-'}×`);
  }
  const x = s.export;
  if (x) {
    table(x.sizes.map((r) => ({ export: r.label, 'median ms': r.ms, 'first byte ms': r.ttfbMs, MB: r.mb, 'RSS before MB': r.rssBeforeMb, 'peak RSS growth MB': r.rssGrowthMb, max: r.maxRssGrowthMb, 'peak heap growth MB': r.heapGrowthMb, 'live heap growth MB (max)': r.maxLiveGrowthMb ?? '-' })));
    console.log(`export: ${x.target}: ${x.pass ? 'PASS' : 'FAIL'} (largest / 100k: size ${x.sizeRatioLargestTo100k}×, peak RSS growth ${x.growthRatioLargestTo100k ?? '-'}×, live heap at most +${x.maxLiveGrowthMb ?? '-'} MB)`);
  }
  for (const pattern of ['typical', 'cold'] as const) {
    const c = s.consent[pattern];
    if (!c) continue;
    const row = (what: string, r: typeof c.on) => ({ [`ingest, ${pattern} visitors`]: what, 'events/s': r.eventsPerSecond, 'p50 ms': r.p50, 'p99 ms': r.p99, 'server µs/req': r.serverUsPerRequest, 'postgres backends µs/req': r.dbUsPerRequest ?? '-' });
    table([row('check off', c.off), row('check on', c.on)]);
    console.log(`consent check, ${pattern} visitors: on / off ${c.ratioOnOff} (per round ${c.perRound.join(', ')}), cost ${c.costPct} % of throughput (${s.consent.target}): ${c.pass ? 'PASS' : 'FAIL'}; CPU per request +${c.cpuCostPct} %`);
  }
  const v = s.visitorIndexIngestCost;
  if (v) console.log(`visitor index, ingest (typical, check on): ${v.with.eventsPerSecond} events/s with it, ${v.without.eventsPerSecond} without; with / without ${v.ratio} (per round ${v.perRound.join(', ')}): ${v.costPct} % slower; CPU per request +${v.cpuCostPct} %`);
}

async function main() {
  const info = { ...machine(), commit: gitCommit() };
  console.log(`Privacy benchmark — ${info.cpus} CPUs, Node ${info.node}, load average ${info.loadavg.join(' ')}; ${JSON.stringify(settings)}`);
  const out: Results = { seeds: [], exports: [], erasures: [], ingest: [], notes: [] };
  const skipped: Record<string, string> = {};
  await withEachServer(settings.backends, startServer, skipped, (server) => benchBackend(server, out));
  const summary: Partial<Record<Backend, Summary>> = {};
  for (const backend of settings.backends) {
    if (skipped[backend]) continue;
    summary[backend] = summariseBackend(out, backend);
    print(backend, summary[backend]!);
  }
  for (const note of out.notes) console.log(note);
  const loadavgEnd = os.loadavg().map((n) => round(n));
  console.log(`\nload average at the end: ${loadavgEnd.join(' ')}`);
  const file = writeResults('privacy', { benchmark: 'privacy', machine: { ...info, loadavgEnd }, settings, summary, skipped, ...out });
  console.log(`wrote ${file}`);
}

await main();
