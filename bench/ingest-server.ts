// The ingest benchmark's server, run as its own process so the load generator does not share its
// event loop. Usage: node dist/bench/ingest-server.js pglite|postgres
//   pglite    the real app (openContext + migrate + buildApp) on PGlite in a temp DATA_DIR
//   postgres  the same on a scratch database augur_bench_<random> created beside
//             BENCH_DATABASE_URL / TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test),
//             dropped at exit
// One site is inserted (allowed origin https://bench.example.com). The event pipeline can be
// switched at run time between the real one (group commit, src/tracking/pipeline.ts) and the
// naive baseline (bench/naive-pipeline.ts), so both write into the same database.
// Bench-only routes (public; this process only ever listens on 127.0.0.1):
//   POST /bench/pipeline {"pipeline":"group"|"naive"}  switch (waits until nothing is in flight)
//   POST /bench/reset                                  wait until idle, TRUNCATE user_events, user_sessions
//   GET  /bench/rows                                   wait until idle, then {total, sessions, seqs:[[seq, rows]…]}
//                                                      (seq: the request number the bench encodes in event ids)
//   POST /bench/origin {"origin":"http://…"}           allow one more origin (the tracker page)
// Prints one JSON line when ready: {"port","publicKey","origin","kind"}, or {"skip":"why"}.
// SIGTERM (or, with BENCH_CHILD set, the end of stdin) closes the server, removes the temp dir or
// drops the scratch database, and exits 0.
import crypto from 'node:crypto';
import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import { benchServerEnv, runChild, scratchPostgres } from './child.js';
import type { AppContext } from '../src/context.js';
import type { EventPipeline } from '../src/tracking/pipeline.js';

const mode = process.argv[2] ?? '';
const BENCH_ORIGIN = 'https://bench.example.com';
const PUBLIC_KEY = `pk_bench_${crypto.randomBytes(8).toString('hex')}`;

/** Resolves when no request has been in the pipeline for a few consecutive checks. */
async function idle(inFlight: () => number): Promise<void> {
  // Requests whose client went away (the end of an autocannon run) may still be on their way in.
  await new Promise((r) => setTimeout(r, 200));
  for (let quiet = 0; quiet < 3; ) {
    await new Promise((r) => setTimeout(r, 50));
    quiet = inFlight() === 0 ? quiet + 1 : 0;
  }
}

async function start(): Promise<{ app: FastifyInstance; ctx: AppContext } | undefined> {
  const [{ loadConfig }, { openContext, closeContext }, { migrate }, { buildApp }, { embeddedPipeline }, { naivePipeline }, { invalidateSiteCache }] = await Promise.all([
    import('../src/config.js'),
    import('../src/runtime.js'),
    import('../src/db/migrate.js'),
    import('../src/app.js'),
    import('../src/tracking/pipeline.js'),
    import('./naive-pipeline.js'),
    import('../src/sites/index.js'),
  ]);
  const env = benchServerEnv('ingest');
  for (const name of ['TRACK_QUEUE_MAX_EVENTS', 'DATABASE_POOL_MAX']) if (process.env[name]) env[name] = process.env[name]!;
  if (mode === 'postgres') {
    const url = await scratchPostgres();
    if (!url) return undefined;
    env.DATABASE_URL = url;
  } else if (mode !== 'pglite') {
    console.error('usage: ingest-server.js pglite|postgres');
    process.exit(2);
  }
  const ctx = await openContext(loadConfig(env));
  await migrate(ctx.dbHandle);
  await ctx.db.insertInto('sites').values({ name: 'Bench', allowed_origins: [BENCH_ORIGIN], public_key: PUBLIC_KEY } as never).execute();

  // Both pipelines exist side by side; requests go to the current one.
  let current: 'group' | 'naive' = 'group';
  let inFlight = 0;
  let pipelines!: Record<'group' | 'naive', EventPipeline>;
  const switchable = (c: AppContext): EventPipeline => {
    pipelines = { group: embeddedPipeline(c), naive: naivePipeline(c) };
    return {
      async enqueue(batch) {
        inFlight++;
        try {
          await pipelines[current].enqueue(batch);
        } finally {
          inFlight--;
        }
      },
      depth: () => pipelines.group.depth() + pipelines.naive.depth(),
      close: async () => {
        await pipelines.group.close();
        await pipelines.naive.close();
      },
    };
  };
  const app = await buildApp(ctx, { pipeline: switchable });
  app.addHook('onClose', async () => closeContext(ctx));

  const bench = { config: { public: true } };
  app.post<{ Body: { pipeline: 'group' | 'naive' } }>('/bench/pipeline', bench, async (req) => {
    await idle(() => inFlight);
    current = req.body.pipeline === 'naive' ? 'naive' : 'group';
    return { pipeline: current };
  });
  app.post('/bench/reset', bench, async () => {
    await idle(() => inFlight);
    await sql`TRUNCATE user_events, user_sessions`.execute(ctx.db);
    return { ok: true };
  });
  app.get('/bench/rows', bench, async () => {
    await idle(() => inFlight);
    // Event ids end in <request seq: 8 hex><event index: 4 hex> (bench/ingest-load.ts eventId).
    const perSeq = await sql<{ seq: string; n: number }>`SELECT substr(event_id::text, 25, 8) AS seq, count(*)::int AS n FROM user_events GROUP BY 1`.execute(ctx.db);
    const sessions = await sql<{ n: number }>`SELECT count(*)::int AS n FROM user_sessions`.execute(ctx.db);
    return {
      total: perSeq.rows.reduce((n, r) => n + r.n, 0),
      sessions: sessions.rows[0]!.n,
      seqs: perSeq.rows.map((r) => [parseInt(r.seq, 16), r.n]),
    };
  });
  app.post<{ Body: { origin: string } }>('/bench/origin', bench, async (req) => {
    await sql`UPDATE sites SET allowed_origins = array_append(allowed_origins, ${req.body.origin}) WHERE public_key = ${PUBLIC_KEY}`.execute(ctx.db);
    invalidateSiteCache(ctx);
    return { ok: true };
  });
  return { app, ctx };
}

let kind = '';
await runChild(
  async () => {
    const started = await start();
    kind = started?.ctx.dbHandle.kind ?? '';
    return started?.app;
  },
  (port) => ({ port, publicKey: PUBLIC_KEY, origin: BENCH_ORIGIN, kind }),
);
