// Cold-start benchmark (npm run bench:coldstart). Target: `augur serve` on an EXISTING data
// directory answers GET /health/ready with 200 within 2 s of the process starting.
// The first start (initdb + migrations) is reported separately. References measured in the
// same run, round by round in rotating order: `node -e 0` (Node's own start and exit) and a
// bare Fastify process (start to first answer); coldstart-phases.ts splits Augur's start into
// imports / open database / migrate / build app / listen.
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { here, machine, median, root, round, spawnWithReadyLine, table, writeResults } from './lib.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const TARGET_MS = 2000;
const POLL_MS = 10;
const MAIN = path.join(root, 'dist/src/main.js');

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'augur-coldstart-'));
// Secrets are generated into DATA_DIR by the first start and read back by the later ones.
const augurEnv: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, HOST: '127.0.0.1', LOG_LEVEL: 'warn' };
delete augurEnv.DATABASE_URL;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer().once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** The exit code, or the signal's name when a signal ended the process. */
const exited = (child: ChildProcess) =>
  new Promise<number | string>((resolve) =>
    child.exitCode !== null || child.signalCode !== null ? resolve(child.exitCode ?? child.signalCode!) : child.once('exit', (code, signal) => resolve(code ?? signal!)),
  );

/** Resolves when GET url answers 200, trying every POLL_MS. */
function pollUntilOk(url: string, child: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (child.exitCode !== null || child.signalCode !== null) return reject(new Error(`process exited (${child.exitCode ?? child.signalCode}) before ${url} answered`));
      if (performance.now() > deadline) return reject(new Error(`${url} did not answer 200 within ${timeoutMs} ms`));
      const req = http.get(url, { agent: false }, (res) => {
        res.resume();
        if (res.statusCode === 200) resolve();
        else setTimeout(attempt, POLL_MS);
      });
      req.on('error', () => setTimeout(attempt, POLL_MS));
    };
    attempt();
  });
}

/** Spawns a server, times it until `path` answers 200, then SIGTERMs it and times the exit. */
async function startServer(args: string[], env: NodeJS.ProcessEnv, urlPath: string) {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, args, { env: { ...env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'inherit'] });
  try {
    await pollUntilOk(`http://127.0.0.1:${port}${urlPath}`, child);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  const readyMs = performance.now() - started;
  const stopping = performance.now();
  child.kill('SIGTERM');
  const exitCode = await exited(child);
  return { readyMs: round(readyMs, 1), shutdownMs: round(performance.now() - stopping, 1), exitCode };
}

async function nodeNoop() {
  const started = performance.now();
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  const exitCode = await exited(child);
  return { exitMs: round(performance.now() - started, 1), exitCode };
}

/** Phase durations (ms) of one in-process start, from coldstart-phases.ts. */
async function phases() {
  const { child, line } = await spawnWithReadyLine<Record<string, number>>([path.join(here, 'coldstart-phases.js')], augurEnv);
  await exited(child);
  const order = ['boot', 'imports', 'openDatabase', 'migrate', 'buildApp', 'listen'];
  return Object.fromEntries(order.map((k, i) => [k, round(line[k]! - (i === 0 ? 0 : line[order[i - 1]!]!), 1)]));
}

const variants = {
  'node -e 0': nodeNoop,
  'bare Fastify': () => startServer([path.join(here, 'http-server.js'), 'bare'], process.env, '/'),
  'augur serve': () => startServer([MAIN, 'serve'], augurEnv, '/health/ready'),
  'augur phases': phases,
};
type Name = keyof typeof variants;

async function main() {
  const info = machine();
  console.log(`Cold-start benchmark — ${info.cpus} CPUs, Node ${info.node}, load average ${info.loadavg.join(' ')}, ${RUNS} runs\n`);
  try {
    const first = await startServer([MAIN, 'serve'], augurEnv, '/health/ready');
    console.log(`first start (new data dir: initdb + migrations): ready in ${first.readyMs} ms, shutdown ${first.shutdownMs} ms, exit code ${first.exitCode}`);

    const names = Object.keys(variants) as Name[];
    const runs = Object.fromEntries(names.map((n) => [n, [] as Array<Record<string, number | string>>])) as Record<Name, Array<Record<string, number | string>>>;
    for (let r = 0; r < RUNS; r++) {
      const order = names.map((_, i) => names[(i + r) % names.length]!);
      for (const name of order) runs[name].push(await variants[name]());
      const s = runs['augur serve'].at(-1)!;
      console.log(`run ${r + 1}: augur serve ready ${s.readyMs} ms, shutdown ${s.shutdownMs} ms (exit ${s.exitCode}); bare Fastify ${runs['bare Fastify'].at(-1)!.readyMs} ms; node -e 0 ${runs['node -e 0'].at(-1)!.exitMs} ms`);
    }

    const stats = (values: number[]) => ({ median: round(median(values), 1), min: round(Math.min(...values), 1), max: round(Math.max(...values), 1) });
    const col = (name: Name, key: string) => runs[name].map((x) => x[key] as number);
    const summary = {
      nodeNoopExit: stats(col('node -e 0', 'exitMs')),
      bareFastifyReady: stats(col('bare Fastify', 'readyMs')),
      augurReady: stats(col('augur serve', 'readyMs')),
      augurShutdown: stats(col('augur serve', 'shutdownMs')),
      augurPhases: Object.fromEntries(Object.keys(runs['augur phases'][0]!).map((k) => [k, stats(col('augur phases', k))])),
      exitCodes: runs['augur serve'].map((x) => x.exitCode),
    };
    const pass = summary.augurReady.median < TARGET_MS && summary.exitCodes.every((c) => c === 0);

    console.log(`\nMedians over ${RUNS} runs (ms):\n`);
    const row = (what: string, s: { median: number; min: number; max: number }) => ({ what, median: s.median, min: s.min, max: s.max, 'vs node -e 0': round(s.median / summary.nodeNoopExit.median), 'vs bare Fastify': round(s.median / summary.bareFastifyReady.median) });
    table([
      row('node -e 0 (start to exit)', summary.nodeNoopExit),
      row('bare Fastify (start to first 200)', summary.bareFastifyReady),
      row('augur serve (start to /health/ready 200)', summary.augurReady),
      row('augur shutdown (SIGTERM to exit)', summary.augurShutdown),
    ]);
    console.log(`\nWhere augur's start goes (in-process, ms):\n`);
    table(Object.entries(summary.augurPhases).map(([phase, s]) => ({ phase, ...s })));
    console.log(`\nfirst start on a new data dir: ${first.readyMs} ms (not part of the target)`);
    console.log(`augur serve ready in ${summary.augurReady.median} ms (median), target < ${TARGET_MS} ms, exit codes ${summary.exitCodes.join(',')}: ${pass ? 'PASS' : 'FAIL'}`);
    const file = writeResults('coldstart', { benchmark: 'coldstart', machine: { ...info, loadavgEnd: os.loadavg().map((n) => round(n)) }, settings: { runs: RUNS, pollMs: POLL_MS, targetMs: TARGET_MS }, first, summary, pass, runs });
    console.log(`wrote ${file}`);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
