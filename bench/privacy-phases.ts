// The measurements of bench/privacy.ts against one running privacy-server: a subject's export streamed over HTTP
// (time to last byte, the server's RSS before and at its peak), an erasure through the DELETE route (time to the
// receipt), and ingest throughput with the recorded-consent check on and off.
import fs from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { percentile, round } from './lib.js';
import { maxLoad, type Requests } from './ingest-load.js';
import { cpuMark, cpuSince, othersCpuPct } from './ingest-measure.js';

export interface Server {
  backend: 'pglite' | 'postgres';
  child: ChildProcess;
  port: number;
  /** The scratch PostgreSQL database's name (PostgreSQL only). */
  database?: string;
  base: string;
  /** Bearer header of the site's owner. */
  auth: Record<string, string>;
  siteId: string;
  publicKey: string;
  origin: string;
}

export async function call<T>(server: Pick<Server, 'base'>, method: string, route: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  const res = await fetch(`${server.base}${route}`, { method, headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
  if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Resident and peak resident memory of a process in MB, from /proc (Linux). */
function memory(pid: number): { rssMb: number; peakMb: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMb: round(kb('VmRSS') / 1024, 1), peakMb: round(kb('VmHWM') / 1024, 1) };
}

/** Sets the process's peak RSS (VmHWM) back to its current RSS, so the next peak is the next operation's. */
function resetPeak(pid: number): boolean {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

const dataUrl = (s: Server, visitor: string, reason: string) =>
  `/api/v1/sites/${s.siteId}/privacy/data?visitor_id=${encodeURIComponent(visitor)}&reason=${encodeURIComponent(reason)}`;

export interface ExportRun {
  backend: Server['backend'];
  size: string;
  round: number;
  visitor: string;
  status: number;
  ttfbMs: number;
  totalMs: number;
  bytes: number;
  events: number;
  sessions: number;
  rssBeforeMb: number;
  peakRssMb: number;
  /** Peak minus before: what the export added to the server's memory at most. */
  rssGrowthMb: number;
  /**
   * Peaks of the server's process.memoryUsage() during the export, minus before (sampled every 5 ms); and the most
   * heap in use right after any full collection during it (what was live, not garbage), minus before.
   */
  heapGrowthMb: { heapUsed: number; external: number; arrayBuffers: number; liveAfterFullGc?: number; fullGcs: number };
  peakMeasured: boolean;
}

/** One export, read to its last byte; the body is parsed afterwards to count what came. */
export async function exportOnce(s: Server, size: string, round_: number, visitor: string): Promise<ExportRun> {
  const pid = s.child.pid!;
  await call(s, 'POST', '/bench/gc');
  // Pages the collection freed leave the RSS over a moment; the peak counts from what is resident after that.
  await new Promise((r) => setTimeout(r, 200));
  const peakMeasured = resetPeak(pid);
  const before = memory(pid);
  const { before: heapBefore } = await call<{ before: Record<string, number> }>(s, 'POST', '/bench/memory/start');
  const t0 = performance.now();
  const res = await fetch(`${s.base}${dataUrl(s, visitor, 'Benchmark: subject access request')}`, { headers: s.auth });
  const ttfbMs = performance.now() - t0;
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    chunks.push(Buffer.from(chunk));
    bytes += chunk.length;
  }
  const totalMs = performance.now() - t0;
  const after = memory(pid);
  const { peak, liveAfterFullGc } = await call<{ peak: Record<string, number>; liveAfterFullGc: number[] }>(s, 'POST', '/bench/memory/stop');
  const mb = (k: string) => round(((peak[k] ?? 0) - (heapBefore[k] ?? 0)) / 1048576, 1);
  const live = liveAfterFullGc.length ? round((Math.max(...liveAfterFullGc) - heapBefore.heapUsed!) / 1048576, 1) : undefined;
  const body = res.status === 200 ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { events: unknown[]; sessions: unknown[] }) : undefined;
  return {
    backend: s.backend,
    size,
    round: round_,
    visitor,
    status: res.status,
    ttfbMs: round(ttfbMs, 1),
    totalMs: round(totalMs, 0),
    bytes,
    events: body?.events.length ?? 0,
    sessions: body?.sessions.length ?? 0,
    rssBeforeMb: before.rssMb,
    peakRssMb: after.peakMb,
    rssGrowthMb: round(after.peakMb - before.rssMb, 1),
    heapGrowthMb: { heapUsed: mb('heapUsed'), external: mb('external'), arrayBuffers: mb('arrayBuffers'), liveAfterFullGc: live, fullGcs: liveAfterFullGc.length },
    peakMeasured,
  };
}

export interface EraseRun {
  backend: Server['backend'];
  what: string;
  round: number;
  visitor: string;
  visitorIndex: boolean;
  status: number;
  ms: number;
  erased?: { events: number; sessions: number; consent_records: number };
  /** Heap pages holding the visitor's events before the erasure, of all the events partitions' pages. */
  pages?: number;
  totalPages?: number;
}

/** One erasure through the operator route, timed from the request to the receipt. */
export async function eraseOnce(s: Server, what: string, round_: number, visitor: string, visitorIndex: boolean): Promise<EraseRun> {
  const where = await call<{ pages: number; totalPages: number }>(s, 'GET', `/bench/spread?visitor=${encodeURIComponent(visitor)}`);
  const t0 = performance.now();
  const res = await fetch(`${s.base}${dataUrl(s, visitor, 'Benchmark: erasure request')}`, { method: 'DELETE', headers: s.auth });
  const text = await res.text();
  const ms = performance.now() - t0;
  const erased = res.status === 200 ? (JSON.parse(text) as { erased: EraseRun['erased'] }).erased : undefined;
  if (!erased) console.warn(`  erasure of ${visitor}: ${res.status} ${text}`);
  return { backend: s.backend, what, round: round_, visitor, visitorIndex, status: res.status, ms: round(ms, 0), erased, ...where };
}

export interface IngestRun {
  backend: Server['backend'];
  config: string;
  round: number;
  check: boolean;
  visitorIndex: boolean;
  seconds: number;
  eventsAcked: number;
  eventsPerSecond: number;
  requestsPerSecond: number;
  rows: number;
  p50: number;
  p99: number;
  failed: number;
  /** CPU time per acknowledged request: the server process (all threads) and the PostgreSQL backends of its database. */
  serverUsPerRequest: number;
  dbUsPerRequest?: number;
  othersCpuPct: number;
}

/** One closed-loop ingest phase into the emptied current month, with the check switched as asked. */
export async function ingestOnce(s: Server, config: string, round_: number, requests: Requests, check: boolean, visitorIndex: boolean, seconds: number, connections: number): Promise<IngestRun> {
  await call(s, 'POST', '/bench/consent-check', { on: check });
  await call(s, 'POST', '/bench/ingest-reset');
  const mark = cpuMark(s.child.pid, s.backend === 'postgres', s.database);
  const load = await maxLoad(s.port, s.origin, requests, connections, seconds);
  const cpu = cpuSince(mark);
  const { rows } = await call<{ rows: number }>(s, 'GET', '/bench/ingest-rows');
  let eventsAcked = 0;
  for (const accepted of load.acked.values()) eventsAcked += accepted;
  const n = load.acked.size;
  const perRequest = (pct: number | undefined) => (pct === undefined ? undefined : round(((pct / 100) * load.seconds * 1e6) / n, 0));
  const sorted = Float64Array.from(load.latencies).sort();
  return {
    backend: s.backend,
    config,
    round: round_,
    check,
    visitorIndex,
    seconds: round(load.seconds),
    eventsAcked,
    eventsPerSecond: round(eventsAcked / load.seconds, 0),
    requestsPerSecond: round(n / load.seconds, 0),
    rows,
    p50: round(percentile(sorted, 50)),
    p99: round(percentile(sorted, 99)),
    failed: Object.values(load.statuses).reduce((a, b) => a + b, 0) + load.errors + load.timeouts,
    serverUsPerRequest: perRequest(cpu.serverCpuPct)!,
    dbUsPerRequest: perRequest(cpu.dbCpuPct),
    othersCpuPct: othersCpuPct(cpu),
  };
}
