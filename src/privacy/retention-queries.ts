// Reading what the retention purge did, and when it runs next.
import type { Db } from '../db/client.js';
import { RETENTION_JOB } from './retention-purge.js';

export async function retentionSchedule(db: Db) {
  const job = await db.selectFrom('scheduled_jobs').selectAll().where('name', '=', RETENTION_JOB).executeTakeFirst();
  return {
    interval_minutes: job ? Math.round(job.interval_seconds / 60) : null,
    next_run_at: job?.next_run_at.toISOString() ?? null,
    last_finished_at: job?.last_finished_at?.toISOString() ?? null,
    last_status: job?.last_status ?? null,
  };
}

export async function listPurges(db: Db, siteId: string, limit: number, beforeId?: number) {
  let q = db.selectFrom('retention_purges').selectAll().where('site_id', '=', siteId);
  if (beforeId !== undefined) q = q.where('id', '<', beforeId);
  const rows = await q.orderBy('id', 'desc').limit(limit + 1).execute();
  const page = rows.slice(0, limit);
  return {
    purges: page.map((r) => ({
      id: Number(r.id),
      run_id: r.run_id,
      data_kind: r.data_kind,
      rows_purged: Number(r.rows_purged),
      cutoff: r.cutoff.toISOString(),
      partitions: r.partitions,
      finished_at: r.finished_at.toISOString(),
    })),
    next_before_id: rows.length > limit ? Number(page[page.length - 1]!.id) : null,
  };
}
