// One HTTP target for the benchmarks, run as its own process so the load generator does not
// share its event loop. Usage: node dist/bench/http-server.js <mode>
//   bare            plain Fastify, no plugins, GET / → a small JSON object (the framework floor)
//   augur-pglite    the real app (openContext + migrate + buildApp) on PGlite in a temp DATA_DIR
//   augur-postgres  the same on a scratch database augur_bench_<random> created beside
//                   BENCH_DATABASE_URL / TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test)
// Augur modes sign up one operator and hand out its access token for GET /api/v1/auth/me.
// Listens on 127.0.0.1:$PORT (default 0 = any free port) and prints one JSON line to stdout:
// {"port":…,"token":…} when ready, or {"skip":"why"} when PostgreSQL is unreachable.
// SIGTERM (or, with BENCH_CHILD set, the end of stdin) closes the server, removes the temp dir
// or drops the scratch database, and exits 0.
import Fastify, { type FastifyInstance } from 'fastify';
import { runChild, scratchPostgres, tempDir } from './child.js';

const mode = process.argv[2] ?? '';

async function bare(): Promise<FastifyInstance> {
  const app = Fastify();
  app.get('/', async () => ({ id: 1, username: 'bench', role: 'operator', status: 'active' }));
  return app;
}

/** The real app; imported lazily so that `bare` starts without loading it. */
async function augur(env: Record<string, string>): Promise<FastifyInstance> {
  const [{ loadConfig }, { openContext, closeContext }, { migrate }, { buildApp }] = await Promise.all([
    import('../src/config.js'),
    import('../src/runtime.js'),
    import('../src/db/migrate.js'),
    import('../src/app.js'),
  ]);
  const config = loadConfig({
    LOG_LEVEL: 'warn',
    ALLOW_SIGNUP: 'true',
    // The per-IP limit would otherwise answer 429 to a load generator on one address.
    RATE_LIMIT_PER_MINUTE: '10000000',
    ACCESS_TOKEN_TTL_SECONDS: '86400',
    ...env,
  });
  const ctx = await openContext(config);
  await migrate(ctx.dbHandle);
  const app = await buildApp(ctx);
  app.addHook('onClose', async () => closeContext(ctx));
  return app;
}

async function augurPglite(): Promise<FastifyInstance> {
  return augur({ DATA_DIR: tempDir() });
}

/** undefined when the server is unreachable (the caller reports a skip). */
async function augurPostgres(): Promise<FastifyInstance | undefined> {
  const url = await scratchPostgres();
  return url ? augur({ DATA_DIR: tempDir(), DATABASE_URL: url }) : undefined;
}

/** Signs up an operator over HTTP and returns its access token. */
async function register(base: string): Promise<string> {
  const res = await fetch(`${base}/api/v1/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'bench@example.com', username: 'bench', password: 'a-long-enough-bench-password' }),
  });
  if (res.status !== 201) throw new Error(`sign-up failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

const starters: Record<string, () => Promise<FastifyInstance | undefined>> = { bare, 'augur-pglite': augurPglite, 'augur-postgres': augurPostgres };
const start = starters[mode];
if (!start) {
  console.error(`usage: http-server.js ${Object.keys(starters).join('|')}`);
  process.exit(2);
}
await runChild(start, async (port) => ({ port, token: mode === 'bare' ? undefined : await register(`http://127.0.0.1:${port}`) }));
