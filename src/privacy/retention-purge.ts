// The scheduled retention purge. Each kind of data goes in bounded batches, each its own short
// transaction, so no lock is held for long and a crash loses at most one batch of progress.
// Whole month partitions of user_events are dropped when every site's cutoff is past them:
// one quick catalog change instead of millions of row deletes.
import crypto from 'node:crypto';
import { sql } from 'kysely';
import type { AppContext } from '../context.js';
import type { Db } from '../db/client.js';
import { appendAudit, pruneAuditPrefix } from '../audit/index.js';
import { allRetentionPolicies, monthsBefore, DEFAULT_RETENTION, type RetentionPolicy } from './retention.js';

export const RETENTION_JOB = 'privacy.retention';

export type PurgedKind = 'events' | 'sessions' | 'consent_records' | 'audit_entries';

export interface PurgeReport {
  run_id: string;
  started_at: string;
  finished_at: string;
  purged: Record<PurgedKind, number>;
  partitions_dropped: string[];
}

interface PurgeRow {
  siteId: string | null;
  kind: PurgedKind;
  rows: number;
  cutoff: Date;
  partitions?: string[];
}

const PARTITION = /^user_events_(\d{4})_(\d{2})$/;

export async function runRetention(ctx: AppContext, batchRows = ctx.config.retentionBatchRows): Promise<PurgeReport> {
  const runId = crypto.randomUUID();
  const started = new Date(ctx.clock.now());
  const policies = await allRetentionPolicies(ctx.db);
  const cutoffs = (kind: keyof RetentionPolicy) => new Map([...policies].map(([site, p]) => [site, monthsBefore(started, p[kind])]));
  const rows: PurgeRow[] = [];

  const eventCutoffs = cutoffs('events_months');
  const dropped = await dropExpiredPartitions(ctx.db, eventCutoffs, started, rows);
  for (const [siteId, cutoff] of eventCutoffs) {
    const n = await inBatches(batchRows, (limit) => sql`
      DELETE FROM user_events WHERE (event_id, timestamp) IN (
        SELECT event_id, timestamp FROM user_events WHERE site_id = ${siteId} AND timestamp < ${cutoff} LIMIT ${limit})`.execute(ctx.db));
    rows.push({ siteId, kind: 'events', rows: n, cutoff });
  }
  for (const [siteId, cutoff] of cutoffs('sessions_months')) {
    const n = await inBatches(batchRows, (limit) => sql`
      DELETE FROM user_sessions WHERE session_id IN (
        SELECT session_id FROM user_sessions WHERE site_id = ${siteId} AND end_time < ${cutoff} LIMIT ${limit})`.execute(ctx.db));
    rows.push({ siteId, kind: 'sessions', rows: n, cutoff });
  }
  for (const [siteId, cutoff] of cutoffs('consent_months')) {
    const n = await inBatches(batchRows, (limit) => sql`
      DELETE FROM consent_records WHERE id IN (
        SELECT id FROM consent_records WHERE site_id = ${siteId} AND created_at < ${cutoff} LIMIT ${limit})`.execute(ctx.db));
    rows.push({ siteId, kind: 'consent_records', rows: n, cutoff });
  }
  const audit = await pruneAuditPrefix(ctx.db, (siteId) => monthsBefore(started, (siteId && policies.get(siteId)?.audit_months) || DEFAULT_RETENTION.audit_months), batchRows);
  rows.push({ siteId: null, kind: 'audit_entries', rows: audit.pruned, cutoff: monthsBefore(started, DEFAULT_RETENTION.audit_months) });

  const finished = new Date(ctx.clock.now());
  const purged = { events: 0, sessions: 0, consent_records: 0, audit_entries: 0 };
  for (const r of rows) purged[r.kind] += r.rows;
  const kept = rows.filter((r) => r.rows > 0);
  if (kept.length > 0) {
    await ctx.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('retention_purges')
        .values(kept.map((r) => ({ run_id: runId, site_id: r.siteId, data_kind: r.kind, rows_purged: r.rows, cutoff: r.cutoff, partitions: r.partitions ?? [], finished_at: finished })))
        .execute();
      await appendAudit(trx, { actor: 'system', action: 'retention.purged', details: { run_id: runId, purged, partitions_dropped: dropped, audit_pruned_through: audit.throughId }, at: finished });
    });
  }
  for (const [kind, n] of Object.entries(purged)) ctx.metrics.retentionPurged.inc({ kind }, n);
  ctx.metrics.retentionPartitionsDropped.inc(dropped.length);
  return { run_id: runId, started_at: started.toISOString(), finished_at: finished.toISOString(), purged, partitions_dropped: dropped };
}

/** Repeats a bounded DELETE until it removes fewer rows than the limit; returns the total. */
async function inBatches(limit: number, batch: (limit: number) => Promise<{ numAffectedRows?: bigint }>): Promise<number> {
  let total = 0;
  for (;;) {
    const n = Number((await batch(limit)).numAffectedRows ?? 0);
    total += n;
    if (n < limit) return total;
  }
}

/**
 * Drops the month partitions of user_events that end before every site's event cutoff (with no
 * site at all, before the default one), recording how many rows each site lost with them.
 */
async function dropExpiredPartitions(db: Db, cutoffs: Map<string, Date>, now: Date, out: PurgeRow[]): Promise<string[]> {
  const earliest = cutoffs.size ? new Date(Math.min(...[...cutoffs.values()].map((d) => d.getTime()))) : monthsBefore(now, DEFAULT_RETENTION.events_months);
  const parts = await sql<{ name: string }>`
    SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = 'user_events'::regclass ORDER BY c.relname`.execute(db);
  const dropped: string[] = [];
  for (const { name } of parts.rows) {
    const m = PARTITION.exec(name);
    if (!m) continue;
    const end = new Date(Date.UTC(Number(m[1]), Number(m[2]), 1)); // the first instant after the month
    if (end > earliest) continue;
    const perSite = await db.transaction().execute(async (trx) => {
      // Waits briefly for writers of the parent table; a busy table is retried on the next run.
      await sql`SET LOCAL lock_timeout = '5s'`.execute(trx);
      const counts = await sql<{ site_id: string; n: string | number }>`SELECT site_id, count(*) AS n FROM ${sql.table(name)} GROUP BY site_id`.execute(trx);
      await sql`DROP TABLE ${sql.table(name)}`.execute(trx);
      return counts.rows;
    }).catch((err: { code?: string }) => {
      if (err.code === '55P03') return undefined; // lock_not_available
      throw err;
    });
    if (!perSite) continue;
    dropped.push(name);
    for (const r of perSite) out.push({ siteId: cutoffs.has(r.site_id) ? r.site_id : null, kind: 'events', rows: Number(r.n), cutoff: cutoffs.get(r.site_id) ?? earliest, partitions: [name] });
  }
  return dropped;
}
