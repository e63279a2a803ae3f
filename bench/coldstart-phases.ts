// Where a cold start spends its time: runs the same steps as `augur serve` (imports, open the
// database, migrate, build the app, listen on a free port), then closes and prints one JSON line
// of timestamps in ms since the process started. Configured from the environment like serve.
const marks: Record<string, number> = { boot: performance.now() };
const [{ loadConfig }, { openContext, closeContext }, { migrate }, { buildApp }] = await Promise.all([
  import('../src/config.js'),
  import('../src/runtime.js'),
  import('../src/db/migrate.js'),
  import('../src/app.js'),
]);
marks.imports = performance.now();
const ctx = await openContext(loadConfig());
marks.openDatabase = performance.now();
await migrate(ctx.dbHandle);
marks.migrate = performance.now();
const app = await buildApp(ctx);
marks.buildApp = performance.now();
await app.listen({ host: '127.0.0.1', port: 0 });
marks.listen = performance.now();
await app.close();
await closeContext(ctx);
marks.close = performance.now();
console.log(JSON.stringify(marks));
