// What a phase of the ingest benchmark cost and how the writer behaved: CPU time from /proc (Linux)
// of the server process (all threads, PGlite's worker included), the PostgreSQL processes, this
// load-generating process and the whole machine; and the group-commit writer's figures from the
// server's Prometheus metrics.
import fs from 'node:fs';
import os from 'node:os';
import { cpuSeconds, round } from './lib.js';

/** The group-commit writer's own figures, from the server's Prometheus metrics (loopback may scrape). */
export async function writerMetrics(base: string): Promise<{ writes: number; events: number; seconds: number; buckets: Record<string, number> }> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
  const buckets: Record<string, number> = {};
  for (const m of text.matchAll(/^track_write_duration_seconds_bucket\{le="([^"]+)"\} (\S+)$/gm)) buckets[m[1]!] = Number(m[2]);
  return { writes: value('track_write_duration_seconds_count'), events: value('track_write_events_sum'), seconds: value('track_write_duration_seconds_sum'), buckets };
}

/** Per phase: writes, events per write, ms per write, share of the phase the writer was busy, slow writes. */
export function writerSince(before: Awaited<ReturnType<typeof writerMetrics>>, after: Awaited<ReturnType<typeof writerMetrics>>, seconds: number) {
  const writes = after.writes - before.writes;
  if (writes === 0) return undefined;
  const within = (le: string) => (after.buckets[le] ?? 0) - (before.buckets[le] ?? 0);
  return {
    writes,
    eventsPerWrite: round((after.events - before.events) / writes, 1),
    msPerWrite: round(((after.seconds - before.seconds) * 1000) / writes, 2),
    usPerEvent: round(((after.seconds - before.seconds) * 1e6) / (after.events - before.events), 1),
    busyPct: round((100 * (after.seconds - before.seconds)) / seconds, 0),
    over100ms: writes - within('0.1'),
    over250ms: writes - within('0.25'),
  };
}

/** Busy and total CPU time of all cores since boot, in jiffies. */
function machineCpu(): { busy: number; total: number } {
  try {
    const [, ...fields] = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
    const n = fields.map(Number);
    const total = n.reduce((a, b) => a + b, 0);
    return { busy: total - n[3]! - n[4]!, total }; // idle, iowait
  } catch {
    return { busy: NaN, total: NaN };
  }
}
/**
 * CPU seconds so far of each PostgreSQL process; with `database`, only the backends serving it (their title names
 * it), so other databases' work on a shared server is left out, and so are the server's shared processes.
 */
function postgresCpu(database?: string): Map<number, number> {
  const byPid = new Map<number, number>();
  for (const pid of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'postgres') continue;
      if (database && !fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(` ${database} `)) continue;
      byPid.set(Number(pid), cpuSeconds(Number(pid)) ?? 0);
    } catch {
      // exited meanwhile
    }
  }
  return byPid;
}
/** PostgreSQL CPU since a mark: processes started meanwhile count from 0; those that exited meanwhile are missed. */
function postgresCpuSince(mark: Map<number, number>, database?: string): number {
  let sum = 0;
  for (const [pid, seconds] of postgresCpu(database)) sum += seconds - (mark.get(pid) ?? 0);
  return sum;
}
/**
 * Where a phase starts, for cpuSince: the server process `pid`, PostgreSQL's processes when `postgres` (only the
 * backends of `database` when given).
 */
export function cpuMark(pid: number | undefined, postgres: boolean, database?: string) {
  return { at: performance.now(), pid, postgres, database, server: cpuSeconds(pid) ?? NaN, db: postgres ? postgresCpu(database) : new Map<number, number>(), client: process.cpuUsage(), machine: machineCpu() };
}
export function cpuSince(mark: ReturnType<typeof cpuMark>) {
  const seconds = (performance.now() - mark.at) / 1000;
  const client = process.cpuUsage(mark.client);
  const m = machineCpu();
  const pct = (cpu: number) => round((100 * cpu) / seconds, 0);
  return {
    serverCpuPct: pct((cpuSeconds(mark.pid) ?? NaN) - mark.server),
    dbCpuPct: mark.postgres ? pct(postgresCpuSince(mark.db, mark.database)) : undefined,
    clientCpuPct: pct((client.user + client.system) / 1e6),
    /** Of all cores: 100 % = every core busy. */
    machineCpuPct: round((100 * (m.busy - mark.machine.busy)) / (m.total - mark.machine.total), 0),
  };
}
/** CPU used by other processes during a phase (100 % = one core): what the benchmark did not get. */
export function othersCpuPct(c: ReturnType<typeof cpuSince>): number {
  return Math.max(0, round(c.machineCpuPct * os.cpus().length - c.serverCpuPct - (c.dbCpuPct ?? 0) - c.clientCpuPct, 0));
}
