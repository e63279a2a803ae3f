// The server of the privacy benchmark (bench/privacy.ts), run as its own process so that its memory (peak RSS
// during an export) and CPU are its own. Usage: node dist/bench/privacy-server.js pglite|postgres
// The real app (openContext + migrate + buildApp) on PGlite in a temp DATA_DIR or on a scratch PostgreSQL
// database beside BENCH_DATABASE_URL / TEST_DATABASE_URL (dropped when this process ends), with sign-up allowed
// so the benchmark can create an operator and a site through the API. Bench-only routes, on 127.0.0.1 only, seed
// data, switch the visitor index and the recorded-consent check, and empty the ingest month between phases.
// Prints one JSON line when ready: {"port":…, "database"?:…} or {"skip":"why"}.
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../src/context.js';
import { benchServerEnv, runChild, scratchPostgres } from './child.js';
import { reseedSubject, seedAll, spread, type SeedSpec, type SubjectSpec } from './privacy-seed.js';

const mode = process.argv[2] ?? '';
let database: string | undefined;
/** Where ingest phases write (the seed leaves the current month empty): emptied between phases. */
const INGEST_SESSION_PREFIX = 'bs\\_%';

async function start(): Promise<FastifyInstance | undefined> {
  const [{ loadConfig }, { openContext, closeContext }, { migrate }, { buildApp }, { verifyAudit }] = await Promise.all([
    import('../src/config.js'),
    import('../src/runtime.js'),
    import('../src/db/migrate.js'),
    import('../src/app.js'),
    import('../src/audit/log.js'),
  ]);
  const env = benchServerEnv('privacy', { ALLOW_SIGNUP: 'true', ACCESS_TOKEN_TTL_SECONDS: '86400' });
  if (mode === 'postgres') {
    const url = await scratchPostgres();
    if (!url) return undefined;
    env.DATABASE_URL = url;
    database = new URL(url).pathname.slice(1);
  } else if (mode !== 'pglite') {
    console.error('usage: privacy-server.js pglite|postgres');
    process.exit(2);
  }
  const ctx = await openContext(loadConfig(env));
  await migrate(ctx.dbHandle);
  let consentCheck = true;
  const app = await buildApp(ctx, { recordedConsentCheck: () => consentCheck });
  app.addHook('onClose', async () => closeContext(ctx));

  let spec: SeedSpec | undefined;
  const timed = async <T>(fn: () => Promise<T>) => {
    const t0 = performance.now();
    const result = await fn();
    return { ms: Math.round(performance.now() - t0), ...result };
  };
  const bench = { config: { public: true } };
  app.post<{ Body: SeedSpec }>('/bench/seed', bench, async (req) => {
    spec = req.body;
    return timed(() => seedAll(ctx.db, req.body));
  });
  app.post<{ Body: SubjectSpec }>('/bench/subject', bench, async (req) => {
    if (!spec) throw new Error('seed first');
    const s = spec;
    return timed(async () => {
      await reseedSubject(ctx.db, s, req.body);
      return spread(ctx.db, s.siteId, req.body.visitor);
    });
  });
  app.get<{ Querystring: { visitor: string } }>('/bench/spread', bench, async (req) => spread(ctx.db, spec!.siteId, req.query.visitor));
  app.post<{ Body: { present: boolean; definition?: string } }>('/bench/visitor-index', bench, async (req) => timed(() => visitorIndex(ctx, req.body.present, req.body.definition)));
  app.post<{ Body: { on: boolean } }>('/bench/consent-check', bench, async (req) => {
    consentCheck = req.body.on;
    return { on: consentCheck };
  });
  app.post('/bench/ingest-reset', bench, async () => {
    const month = new Date().toISOString().slice(0, 7).replace('-', '_');
    await sql.raw(`TRUNCATE user_events_${month}`).execute(ctx.db);
    await sql`DELETE FROM user_sessions WHERE session_id LIKE ${INGEST_SESSION_PREFIX}`.execute(ctx.db);
    return { ok: true };
  });
  app.get('/bench/ingest-rows', bench, async () => {
    const r = await sql<{ n: string }>`SELECT count(*) AS n FROM user_events WHERE timestamp >= date_trunc('month', now())`.execute(ctx.db);
    return { rows: Number(r.rows[0]!.n) };
  });
  app.get('/bench/audit-verify', bench, async () => verifyAudit(ctx.db));
  // Between start and stop: peaks of process.memoryUsage() (sampled every 5 ms), and the heap in use right after
  // each full collection, i.e. what is live. A streamed export keeps that flat; the peaks are garbage not yet collected.
  let watch: { timer: NodeJS.Timeout; observer: PerformanceObserver; peak: Record<string, number>; live: number[] } | undefined;
  app.post('/bench/memory/start', bench, async () => {
    const peak: Record<string, number> = {};
    const live: number[] = [];
    const sample = () => {
      for (const [k, v] of Object.entries(process.memoryUsage())) peak[k] = Math.max(peak[k] ?? 0, v);
    };
    const observer = new PerformanceObserver((list) => {
      const full = list.getEntries().some((e) => (e as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR);
      if (full) live.push(process.memoryUsage().heapUsed);
    });
    observer.observe({ entryTypes: ['gc'] });
    sample();
    watch = { timer: setInterval(sample, 5), observer, peak, live };
    return { before: process.memoryUsage() };
  });
  app.post('/bench/memory/stop', bench, async () => {
    clearInterval(watch?.timer);
    watch?.observer.disconnect();
    return { peak: watch?.peak ?? {}, liveAfterFullGc: watch?.live ?? [] };
  });
  // The benchmark starts this process with --expose-gc, so memory before an export is what is live, not garbage.
  app.post('/bench/gc', bench, async () => {
    (globalThis as { gc?: () => void }).gc?.();
    return { ok: true };
  });
  return app;
}

/**
 * Drops or re-creates migration 0007's (site_id, visitor_id) index on user_events, to measure with and without it
 * in one run. Dropping answers its definition, which re-creating takes back, so the index is the migration's.
 */
async function visitorIndex(ctx: AppContext, present: boolean, definition?: string): Promise<{ definition?: string; existed: boolean; partitions: number }> {
  const found = await sql<{ indexdef: string }>`SELECT indexdef FROM pg_indexes WHERE tablename = 'user_events' AND indexname = 'idx_user_events_visitor'`.execute(ctx.db);
  const existing = found.rows[0]?.indexdef;
  if (!present && existing) await sql`DROP INDEX idx_user_events_visitor`.execute(ctx.db);
  if (present && !existing && definition) {
    // pg_indexes shows a partitioned index as ON ONLY (the parent alone); re-created so it would cover no partition.
    await sql.raw(definition.replace(' ON ONLY ', ' ON ')).execute(ctx.db);
    await sql`ANALYZE user_events`.execute(ctx.db);
  }
  const covered = await sql<{ n: string }>`SELECT count(*) AS n FROM pg_inherits WHERE inhparent = to_regclass('idx_user_events_visitor')`.execute(ctx.db);
  return { definition: existing ?? definition, existed: Boolean(existing), partitions: Number(covered.rows[0]!.n) };
}

// The database's name lets the benchmark count the CPU of its PostgreSQL backends only.
await runChild(start, (port) => ({ port, ...(database ? { database } : {}) }));
