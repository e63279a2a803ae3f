// HTTP benchmark (npm run bench:http). Target: an authenticated JSON GET (JWT verify + one
// indexed DB read: GET /api/v1/auth/me) at 2,000 requests/s has p99 < 10 ms on PGlite and on
// PostgreSQL, reported as a ratio to a bare Fastify route measured in the same run.
// Each server is its own process (bench/http-server.ts). The fixed-rate rounds use a paced,
// open-loop generator (below); the max-throughput round uses autocannon. Targets run round by
// round in rotating order so that machine noise hits every target alike.
import os from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { autocannon, cpuSeconds, here, machine, median, pacedLoad, percentile, round, spawnWithReadyLine, stop, table, writeResults } from './lib.js';


const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const settings = {
  rate: env('BENCH_RATE', 2000),
  connections: env('BENCH_CONNECTIONS', 20),
  rounds: env('BENCH_ROUNDS', 3),
  durationSeconds: env('BENCH_DURATION', 10),
  warmupSeconds: env('BENCH_WARMUP', 3),
  maxDurationSeconds: env('BENCH_MAX_DURATION', 10),
  /** paced (default) or autocannon: which generator drives the fixed-rate rounds. */
  generator: process.env.BENCH_GENERATOR === 'autocannon' ? 'autocannon' : 'paced',
  p99TargetMs: 10,
};

interface Target {
  name: string;
  url: string;
  headers: Record<string, string>;
  child: ChildProcess;
}

interface Round {
  p50: number;
  p90: number;
  p99: number;
  max: number;
  rps: number;
  requests: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** Server process CPU time (user+system, all threads) per request, in microseconds; Linux only. */
  serverCpuUsPerRequest?: number;
  /** This (load-generating) process's CPU time per request, in microseconds. */
  clientCpuUsPerRequest: number;
}

/** Per target: medians over the fixed-rate rounds, the uncapped round's rate, ratios to bare. */
interface Summary {
  p50: number;
  p99: number;
  rps: number;
  maxRps: number;
  serverCpuUsPerRequest: number;
  failedRequests: number;
  p99VsBare: number;
  maxRpsVsBare: number;
  /** p99 under target, the rate reached (within 2 %), and no failed request. */
  pass: boolean;
}

async function startTarget(mode: string): Promise<Target | { skip: string }> {
  const { child, line } = await spawnWithReadyLine<{ port?: number; token?: string; skip?: string }>([path.join(here, 'http-server.js'), mode]);
  if (line.skip) {
    await stop(child);
    return { skip: line.skip };
  }
  const url = `http://127.0.0.1:${line.port}${line.token ? '/api/v1/auth/me' : '/'}`;
  const headers: Record<string, string> = line.token ? { authorization: `Bearer ${line.token}` } : {};
  const check = await fetch(url, { headers });
  if (check.status !== 200) throw new Error(`${mode}: GET ${url} answered ${check.status} ${await check.text()}`);
  return { name: mode, url, headers, child };
}

/** CPU time used so far by the server process and by this one, to charge to a run. */
function cpuMark(target: Target) {
  return { server: cpuSeconds(target.child.pid), client: process.cpuUsage() };
}

function summarise(target: Target, latencies: number[], cpu: ReturnType<typeof cpuMark>, seconds: number, counts: { requests: number; non2xx: number; errors: number; timeouts: number }): Round {
  const serverAfter = cpuSeconds(target.child.pid);
  const client = process.cpuUsage(cpu.client);
  const sorted = Float64Array.from(latencies).sort();
  const at = (p: number) => round(percentile(sorted, p));
  return {
    p50: at(50),
    p90: at(90),
    p99: at(99),
    max: at(100),
    rps: round(counts.requests / seconds, 0),
    ...counts,
    ...(cpu.server !== undefined && serverAfter !== undefined ? { serverCpuUsPerRequest: round(((serverAfter - cpu.server) * 1e6) / counts.requests, 0) } : {}),
    clientCpuUsPerRequest: round((client.user + client.system) / counts.requests, 0),
  };
}

/** The fixed-rate rounds: bench/lib.ts pacedLoad (open loop, latency counted from when each request was due). */
async function paced(target: Target, seconds: number, rate: number): Promise<Round> {
  const url = new URL(target.url);
  const headers = Object.entries({ host: url.host, ...target.headers }).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  const request = Buffer.from(`GET ${url.pathname} HTTP/1.1\r\n${headers}\r\n`);
  const cpu = cpuMark(target);
  const run = await pacedLoad({ port: Number(url.port), seconds, rate, connections: settings.connections, request: () => request });
  return summarise(target, run.latencies, cpu, run.seconds, run.counts);
}

/** One autocannon run (uncapped, or with its bursty overallRate); latencies from every 2xx response, sub-millisecond. */
function hammer(target: Target, seconds: number, rate?: number): Promise<Round> {
  const latencies: number[] = [];
  const cpu = cpuMark(target);
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      { url: target.url, headers: target.headers, connections: settings.connections, duration: seconds, ...(rate ? { overallRate: rate } : {}) },
      (err, r) => (err ? reject(err) : resolve(summarise(target, latencies, cpu, r.duration, { requests: r.requests.total, non2xx: r.non2xx, errors: r.errors, timeouts: r.timeouts }))),
    );
    instance.on('response', (_client, status, _bytes, ms) => {
      if (status >= 200 && status < 300) latencies.push(ms);
    });
  });
}

const fixedRate = (t: Target, seconds: number) => (settings.generator === 'paced' ? paced(t, seconds, settings.rate) : hammer(t, seconds, settings.rate));

const describe = (r: Round) =>
  `p50 ${r.p50} ms  p99 ${r.p99} ms  max ${r.max} ms  ${r.rps} req/s` +
  (r.serverCpuUsPerRequest !== undefined ? `  CPU µs/req: server ${r.serverCpuUsPerRequest}, load generator ${r.clientCpuUsPerRequest}` : '') +
  (r.non2xx || r.errors || r.timeouts ? `  non-2xx ${r.non2xx} errors ${r.errors} timeouts ${r.timeouts}` : '');

async function main() {
  const info = machine();
  console.log(`HTTP benchmark — ${info.cpus} CPUs, Node ${info.node}, load average ${info.loadavg.join(' ')}`);
  console.log(`fixed rate ${settings.rate} req/s (${settings.generator}, up to ${settings.connections} connections), ${settings.rounds} rounds × ${settings.durationSeconds} s, warm-up ${settings.warmupSeconds} s\n`);

  const targets: Target[] = [];
  const skipped: Record<string, string> = {};
  try {
    for (const mode of ['bare', 'augur-pglite', 'augur-postgres']) {
      const t = await startTarget(mode);
      if ('skip' in t) {
        skipped[mode] = t.skip;
        console.log(`SKIP ${mode}: ${t.skip}`);
      } else targets.push(t);
    }

    for (const t of targets) {
      console.log(`warm-up ${t.name}: ${describe(await fixedRate(t, settings.warmupSeconds))}`);
    }

    const rounds: Record<string, Round[]> = Object.fromEntries(targets.map((t) => [t.name, []]));
    for (let r = 0; r < settings.rounds; r++) {
      // Rotate the order each round so no target always runs first (or right after another).
      const order = targets.map((_, i) => targets[(i + r) % targets.length]!);
      for (const t of order) {
        const result = await fixedRate(t, settings.durationSeconds);
        rounds[t.name]!.push(result);
        console.log(`round ${r + 1} ${t.name.padEnd(14)} ${describe(result)}`);
      }
    }

    const max: Record<string, Round> = {};
    for (const t of targets) {
      max[t.name] = await hammer(t, settings.maxDurationSeconds);
      console.log(`max throughput ${t.name.padEnd(14)} ${describe(max[t.name]!)}`);
    }

    const summary: Record<string, Summary> = {};
    const bare = { p99: median(rounds.bare!.map((x) => x.p99)), maxRps: max.bare!.rps };
    for (const t of targets) {
      const rs = rounds[t.name]!;
      const s = {
        p50: median(rs.map((x) => x.p50)),
        p99: median(rs.map((x) => x.p99)),
        rps: median(rs.map((x) => x.rps)),
        maxRps: max[t.name]!.rps,
        serverCpuUsPerRequest: median(rs.map((x) => x.serverCpuUsPerRequest ?? NaN)),
        failedRequests: rs.reduce((n, x) => n + x.non2xx + x.errors + x.timeouts, 0),
      };
      const pass = s.p99 < settings.p99TargetMs && s.rps >= settings.rate * 0.98 && s.failedRequests === 0;
      summary[t.name] = { ...s, p99VsBare: round(s.p99 / bare.p99), maxRpsVsBare: round(s.maxRps / bare.maxRps), pass };
    }

    console.log(`\nMedians over ${settings.rounds} rounds at ${settings.rate} req/s; max req/s from one uncapped round; ratios to bare Fastify in this run.\n`);
    table(
      Object.entries(summary).map(([name, s]) => ({
        target: name,
        'p50 ms': s.p50,
        'p99 ms': s.p99,
        'req/s': s.rps,
        'max req/s': s.maxRps,
        'server CPU µs/req': s.serverCpuUsPerRequest,
        'p99/bare': s.p99VsBare,
        'max/bare': s.maxRpsVsBare,
        [`p99<${settings.p99TargetMs}ms`]: name === 'bare' ? '(ref)' : s.pass ? 'PASS' : 'FAIL',
      })),
    );
    for (const [name, why] of Object.entries(skipped)) console.log(`${name}: SKIPPED (${why})`);

    const loadavgEnd = os.loadavg().map((n) => round(n));
    console.log(`\nload average at the end: ${loadavgEnd.join(' ')} (other processes on this machine add noise; compare ratios, not absolute figures)`);
    const file = writeResults('http', { benchmark: 'http', machine: { ...info, loadavgEnd }, settings, skipped, summary, rounds, max });
    console.log(`wrote ${file}`);
  } finally {
    await Promise.all(targets.map((t) => stop(t.child)));
  }
}

await main();
