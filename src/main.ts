// CLI: augur serve | migrate | create-admin | simulate | train | purge | rotate-keys. (Later features add bench, import.)
import { parseArgs } from 'node:util';
import { buildApp } from './app.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { migrate } from './db/migrate.js';
import { personalFieldsStep, rotateFieldKeys } from './db/field-encryption.js';
import type { AppContext } from './context.js';
import { closeContext, openContext } from './runtime.js';
import { createAdmin, issueSetupToken } from './auth/setup.js';
import { AppError } from './errors.js';
import { readPassword } from './platform/prompt.js';
import { startTrackingWorker } from './tracking/pipeline.js';
import { createJobs, startJobs } from './jobs.js';
import { RETENTION_JOB } from './privacy/index.js';
import { parseSimulateArgs, runSimulation, SIMULATE_USAGE } from './simulator/index.js';
import { parseTrainArgs, trainFromCli, TRAIN_USAGE } from './intent/training/cli.js';

const USAGE = `Usage: augur <command>

  serve          start the server (migrates first); --role all|api|worker (default all)
  migrate        apply pending database migrations and exit
  create-admin   --email you@example.com --username you   (password from a prompt or stdin)
  simulate       --visitors N --rate R/s [--days D]   synthetic traffic through the ingest API (--help for more)
  train intent   [--site ID] [--task visit_reason|conversion] [--budget-seconds N]   train and register intent models
  purge          run the retention purge now (it also runs on its schedule inside serve)
  rotate-keys    re-encrypt stored personal fields with the first key of ENCRYPTION_KEYS

Configuration comes from environment variables; see README.md.`;

type Role = 'all' | 'api' | 'worker';

function parseRole(args: string[]): Role {
  const { values } = parseArgs({ args, options: { role: { type: 'string', default: 'all' } } });
  if (values.role !== 'all' && values.role !== 'api' && values.role !== 'worker') throw new UsageError(`--role must be all, api or worker, got "${values.role}"`);
  return values.role;
}

async function serve(config: Config, args: string[]): Promise<void> {
  const role = parseRole(args);
  if (role === 'worker' && !config.queueUrl) throw new UsageError('--role worker reads events from NATS JetStream: set QUEUE_URL=nats://…');
  const started = performance.now();
  const ctx = await openContext(config);
  const applied = await migrateDatabase(ctx);
  // With NATS, "all" runs a worker beside the API; without it the API writes events itself.
  const worker = ctx.nats && role !== 'api' ? await startTrackingWorker(ctx, (err) => console.error('event write failed; the batch will be retried:', (err as Error).message)) : undefined;
  // Periodic jobs (retention) run beside the event writers; the schedule in the database keeps one run per due time.
  const jobs = role !== 'api' ? await startJobs(ctx, (msg, err) => console.error(`${msg}:`, (err as Error).message)) : undefined;
  if (role === 'worker') {
    handleWorkerSignals(async () => {
      await jobs?.stop();
      await worker!.stop();
      await closeContext(ctx);
    }, config.shutdownTimeoutMs);
    console.log(`Augur worker is consuming events from ${config.queueUrl} (migrations applied: ${applied.length})`);
    return;
  }
  // Before listening: once /health/ready answers, everything a new user needs is printed.
  const setupToken = await issueSetupToken(ctx);
  const app = await buildApp(ctx);
  if (worker) app.addHook('onClose', () => worker.stop());
  if (jobs) app.addHook('onClose', () => jobs.stop());
  app.addHook('onClose', async () => closeContext(ctx));
  await app.listen({ host: config.host, port: config.port });
  // At once: /health/ready already answers, and a SIGTERM before this would kill the process
  // without closing the database.
  handleSignals(app, config.shutdownTimeoutMs);
  const storage = ctx.dbHandle.kind === 'pglite' ? `embedded PostgreSQL in ${config.dataDir}` : 'PostgreSQL (DATABASE_URL)';
  app.log.info({ storage, role, queue: config.queueUrl ? 'nats' : 'in-process', migrationsApplied: applied, startupMs: Math.round(performance.now() - started) }, 'Augur is ready');
  console.log(`\nAugur is running at ${config.publicUrl}`);
  if (config.demoSite) console.log(`  demo site:  ${config.publicUrl}/demo/   (traffic: npx augur simulate --visitors 50 --rate 2)`);
  console.log(`  API docs:   ${config.publicUrl}/docs   (OpenAPI: ${config.publicUrl}/openapi.json)`);
  console.log(`  health:     ${config.publicUrl}/health`);
  console.log(`  storage:    ${storage}`);
  if (setupToken) {
    console.log(`\nNo admin account yet. Create one with either:`);
    console.log(`  npx augur create-admin --email you@example.com --username you   (with the server stopped)`);
    console.log(`  or POST ${config.publicUrl}/api/v1/setup with {"setup_token":"${setupToken}","email":…,"username":…,"password":…}`);
    console.log(`  (this one-time setup token expires in 24 hours; restart to get a new one)\n`);
  }
}

/** A worker has no HTTP server: on a signal it stops pulling, finishes its batch (acked), and exits. */
function handleWorkerSignals(stop: () => Promise<void>, timeoutMs: number): void {
  let stopping = false;
  const shutdown = () => {
    if (stopping) process.exit(1);
    stopping = true;
    setTimeout(() => process.exit(1), timeoutMs).unref();
    stop().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

/** SIGTERM/SIGINT: stop accepting, finish in-flight requests, run onClose hooks (queues, DB), exit 0. */
function handleSignals(app: Awaited<ReturnType<typeof buildApp>>, timeoutMs: number): void {
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) {
      app.log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    closing = true;
    app.log.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      app.log.error({ timeoutMs }, 'shutdown took too long; exiting');
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    app.close().then(
      () => process.exit(0),
      (err) => {
        app.log.error({ err }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

async function runMigrate(config: Config): Promise<void> {
  const ctx = await openContext(config);
  try {
    const applied = await migrateDatabase(ctx);
    console.log(applied.length ? `Applied migrations: ${applied.join(', ')}` : 'The database is up to date');
  } finally {
    await closeContext(ctx);
  }
}

async function runCreateAdmin(config: Config, args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { email: { type: 'string' }, username: { type: 'string' } } });
  if (!values.email || !values.username) throw new UsageError('create-admin needs --email and --username');
  const password = await readPassword('Password for the new admin: ');
  const ctx = await openContext(config);
  try {
    await migrateDatabase(ctx);
    const user = await createAdmin(ctx, { email: values.email, username: values.username, password });
    console.log(`Created admin #${user.id} (${user.username}). Sign in with POST ${config.publicUrl}/api/v1/auth/login`);
  } finally {
    await closeContext(ctx);
  }
}

async function runSimulate(config: Config, args: string[]): Promise<void> {
  const parsed = parseSimulateArgs(args, config);
  if ('help' in parsed) return console.log(SIMULATE_USAGE);
  if ('error' in parsed) throw new UsageError(`${parsed.error}\n(augur simulate --help lists its options)`);
  const summary = await runSimulation(parsed.options, (line) => console.log(line));
  if (!summary.ok) process.exitCode = 1;
}

async function runTrain(config: Config, args: string[]): Promise<void> {
  const parsed = parseTrainArgs(args);
  if (typeof parsed === 'string') throw new UsageError(`${parsed}\n${TRAIN_USAGE}`);
  const ctx = await openContext(config);
  try {
    await migrateDatabase(ctx);
    if ((await trainFromCli(ctx, parsed, (line) => console.log(line))) > 0) process.exitCode = 1;
  } finally {
    await closeContext(ctx);
  }
}

async function runPurge(config: Config): Promise<void> {
  const ctx = await openContext(config);
  try {
    await migrateDatabase(ctx);
    const jobs = await createJobs(ctx, () => {});
    const outcome = await jobs.runNow(RETENTION_JOB);
    if (!outcome) return console.log('The retention purge is running on another node; try again when it has finished');
    if (outcome.status === 'failed') throw new Error(`The retention purge failed: ${outcome.error}`);
    console.log(JSON.stringify(outcome.result, null, 2));
  } finally {
    await closeContext(ctx);
  }
}

/** SQL migrations, then the post-migration step (encrypts personal fields of rows from before 0006). */
function migrateDatabase(ctx: AppContext): Promise<number[]> {
  return migrate(ctx.dbHandle, undefined, [personalFieldsStep(ctx)]);
}

async function runRotateKeys(config: Config): Promise<void> {
  const ctx = await openContext(config);
  try {
    await migrateDatabase(ctx);
    const report = await rotateFieldKeys(ctx.db, ctx.cipher);
    for (const [column, n] of Object.entries(report.rotated)) if (n > 0) console.log(`  ${column}: ${n}`);
    const total = Object.values(report.rotated).reduce((a, b) => a + b, 0);
    console.log(`Re-encrypted ${total} values with key "${ctx.cipher.activeKeyId}".`);
    if (report.remaining > 0) {
      console.log(`${report.remaining} rows still hold values under another key (written meanwhile by a node with the old ENCRYPTION_KEYS?); restart every node with the new keys and run rotate-keys again.`);
      process.exitCode = 1;
    } else {
      console.log('Every encrypted value is on the active key. Keep older keys as long as backups made with them may be restored.');
    }
  } finally {
    await closeContext(ctx);
  }
}

class UsageError extends Error {}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help') {
    console.log(USAGE);
    return;
  }
  const config = loadConfig();
  switch (command) {
    case 'serve':
      return serve(config, rest);
    case 'migrate':
      return runMigrate(config);
    case 'create-admin':
      return runCreateAdmin(config, rest);
    case 'simulate':
      return runSimulate(config, rest);
    case 'train':
      return runTrain(config, rest);
    case 'purge':
      return runPurge(config);
    case 'rotate-keys':
      return runRotateKeys(config);
    default:
      throw new UsageError(`Unknown command "${command}"`);
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof UsageError) {
    console.error(err.message);
    if (err instanceof UsageError) console.error(`\n${USAGE}`);
    process.exit(2);
  }
  if (err instanceof AppError) {
    console.error(`${err.code}: ${err.message}`);
    process.exit(1);
  }
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
