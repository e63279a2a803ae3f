// Small helpers shared by the benchmarks: child servers, statistics, machine info, results files.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

export const here = path.dirname(fileURLToPath(import.meta.url)); // dist/bench
export const root = path.resolve(here, '../..');

/**
 * Spawns a Node script and resolves with its first stdout line parsed as JSON. The child gets
 * BENCH_CHILD=1 and a stdin pipe that closes when this process ends, however it ends.
 */
export function spawnWithReadyLine<T>(args: string[], env: NodeJS.ProcessEnv = process.env, timeoutMs = 120_000): Promise<{ child: ChildProcess; line: T }> {
  const child = spawn(process.execPath, args, { env: { ...env, BENCH_CHILD: '1' }, stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${args.join(' ')}: no ready line within ${timeoutMs} ms`));
    }, timeoutMs);
    const lines = readline.createInterface({ input: child.stdout! });
    lines.once('line', (line) => {
      clearTimeout(timer);
      resolve({ child, line: JSON.parse(line) as T });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${args.join(' ')} exited with ${code} before it was ready`));
    });
  });
}

/**
 * Starts each backend's server in turn (start answers {skip} when it cannot run, e.g. PostgreSQL unreachable: noted
 * in `skipped`), runs fn on it, and stops it however fn ends; stopping drops its scratch database.
 */
export async function withEachServer<B extends string, S extends { child: ChildProcess }>(
  backends: B[],
  start: (backend: B) => Promise<S | { skip: string }>,
  skipped: Record<string, string>,
  fn: (server: S, backend: B) => Promise<void>,
): Promise<void> {
  for (const backend of backends) {
    const server = await start(backend);
    if ('skip' in server) {
      skipped[backend] = server.skip;
      console.log(`SKIP ${backend}: ${server.skip}`);
      continue;
    }
    try {
      await fn(server, backend);
    } finally {
      await stop(server.child);
    }
  }
}

/** SIGTERM, then the exit code (null when killed by a signal). */
export function stop(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

/** Nearest-rank percentile, p in [0, 100]; values need not be sorted. */
export function percentile(values: ArrayLike<number>, p: number): number {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export const median = (values: ArrayLike<number>) => percentile(values, 50);
export const round = (n: number, digits = 2) => (Number.isFinite(n) ? Number(n.toFixed(digits)) : n);

export function machine() {
  return {
    date: new Date().toISOString(),
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    loadavg: os.loadavg().map((n) => round(n)),
  };
}

/** The value after a command-line flag (`--name value`), or undefined. */
export function flagValue(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

/** The commit measured, marked "+dirty" when the working tree differs from it. */
export function gitCommit(): string | undefined {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'web', 'bench'], { encoding: 'utf8' }).trim() !== '';
    return dirty ? `${head}+dirty` : head;
  } catch {
    return undefined;
  }
}

export function writeResults(name: string, data: unknown): string {
  const dir = path.join(root, 'bench/results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.json`);
  fs.writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
  return path.relative(root, file);
}

/** Prints rows as an aligned text table. */
export function table(rows: Array<Record<string, string | number>>): void {
  if (rows.length === 0) return;
  const cols = Object.keys(rows[0]!);
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c] ?? '').length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i === 0 ? cell.padEnd(width[i]!) : cell.padStart(width[i]!))).join('  ');
  console.log(line(cols));
  for (const r of rows) console.log(line(cols.map((c) => String(r[c] ?? ''))));
}

/** utime + stime of a process in seconds (all its threads), from /proc; undefined elsewhere. */
export function cpuSeconds(pid: number | undefined): number | undefined {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

/**
 * A keep-alive HTTP/1.1 connection that sends one prepared request at a time and reads only the
 * status line, Content-Length and body of the answer (Fastify always sends a Content-Length). It
 * costs the load generator a fraction of what node:http does, which matters when it shares two
 * cores with the server. A dropped connection answers status 0 and reconnects.
 */
export class Connection {
  private socket!: net.Socket;
  private buffer: Buffer = Buffer.alloc(0);
  private done?: (status: number, body: Buffer) => void;
  private closed = false;

  constructor(private readonly port: number) {
    this.connect();
  }

  get idle() {
    return !this.done;
  }

  send(request: Buffer, done: (status: number, body: Buffer) => void) {
    this.done = done;
    this.socket.write(request);
  }

  close() {
    this.closed = true;
    this.socket.destroy();
  }

  private connect() {
    this.buffer = Buffer.alloc(0);
    this.socket = net.connect(this.port, '127.0.0.1').setNoDelay(true);
    this.socket.on('data', (chunk: Buffer) => this.read(chunk));
    this.socket.on('error', () => {});
    this.socket.on('close', () => {
      this.answer(0, Buffer.alloc(0));
      if (!this.closed) this.connect();
    });
  }

  private read(chunk: Buffer) {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    const headEnd = this.buffer.indexOf('\r\n\r\n');
    if (headEnd < 0) return;
    const head = this.buffer.toString('latin1', 0, headEnd);
    const bodyLength = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
    if (this.buffer.length < headEnd + 4 + bodyLength) return;
    const body = this.buffer.subarray(headEnd + 4, headEnd + 4 + bodyLength);
    this.buffer = this.buffer.subarray(headEnd + 4 + bodyLength);
    this.answer(Number(head.slice(9, 12)), body); // "HTTP/1.1 200 OK"
  }

  private answer(status: number, body: Buffer) {
    const done = this.done;
    this.done = undefined;
    done?.(status, body);
  }
}

export interface PacedOptions {
  port: number;
  seconds: number;
  /** Requests per second. */
  rate: number;
  /** At most this many requests in flight (one per connection). */
  connections: number;
  /** The bytes of request number i (0-based), built when it is sent. */
  request(i: number): Buffer;
  /** Every answer (status 0: the connection dropped). */
  onAnswer?(i: number, status: number, body: Buffer): void;
}

export interface PacedRun {
  /** Milliseconds from when each 2xx request was due to its answer. */
  latencies: number[];
  counts: { requests: number; non2xx: number; errors: number; timeouts: number };
  seconds: number;
}

/**
 * Open-loop load at a fixed rate: request i is due at start + i/rate whether or not earlier
 * ones have answered (it waits for a free connection if all are busy), and its latency counts
 * from when it was due, so queueing in this client or in the server is included and a stall
 * cannot hide itself (no coordinated omission). autocannon's overallRate is not this: each
 * connection sends its share of the second back to back and then waits for the next second,
 * so the server sees bursts at full concurrency.
 */
export function pacedLoad(opts: PacedOptions): Promise<PacedRun> {
  const connections = Array.from({ length: opts.connections }, () => new Connection(opts.port));
  const total = Math.round(opts.seconds * opts.rate);
  const latencies: number[] = [];
  const counts = { requests: 0, non2xx: 0, errors: 0, timeouts: 0 };
  const waiting: number[] = []; // numbers of requests waiting for a free connection
  let nextWaiting = 0;
  let sent = 0;
  const start = performance.now();
  const dueAt = (i: number) => start + (i * 1000) / opts.rate;
  return new Promise((resolve) => {
    const dispatch = (conn: Connection, i: number) =>
      conn.send(opts.request(i), (status, body) => {
        if (status >= 200 && status < 300) latencies.push(performance.now() - dueAt(i));
        else if (status === 0) counts.errors++;
        else counts.non2xx++;
        opts.onAnswer?.(i, status, body);
        if (nextWaiting < waiting.length) dispatch(conn, waiting[nextWaiting++]!);
        if (++counts.requests === total) {
          connections.forEach((c) => c.close());
          resolve({ latencies, counts, seconds: (performance.now() - start) / 1000 });
        }
      });
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - start) * opts.rate) / 1000) + 1);
      for (; sent < due; sent++) {
        const conn = connections.find((c) => c.idle);
        if (conn) dispatch(conn, sent);
        else waiting.push(sent);
      }
      if (sent < total) setTimeout(tick, 1);
    };
    tick();
  });
}

// autocannon ships no types; this is the part the benchmarks use.
export interface AutocannonResult {
  duration: number;
  requests: { total: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}
interface AutocannonInstance {
  on(event: 'response', fn: (client: unknown, statusCode: number, bytes: number, ms: number) => void): void;
}
type Autocannon = (opts: Record<string, unknown>, cb: (err: Error | null, result: AutocannonResult) => void) => AutocannonInstance;
export const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;
