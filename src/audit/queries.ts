// Reading the audit log: one site's entries, newest first, a page at a time.
import type { Db } from '../db/client.js';

export interface AuditView {
  id: number;
  site_id: string | null;
  actor: string;
  action: string;
  subject: string | null;
  details: Record<string, unknown>;
  created_at: string;
  prev_hash: string;
  hash: string;
}

export interface AuditPage {
  entries: AuditView[];
  /** Pass as before_id for the next (older) page; null on the last page. */
  next_before_id: number | null;
}

export interface AuditFilter {
  /** One action, or every action of a family when it ends with a dot ("privacy."). */
  action?: string;
  actor?: string;
  subject?: string;
  since?: Date;
  until?: Date;
  limit: number;
  beforeId?: number;
}

export async function listSiteAudit(db: Db, siteId: string, opts: AuditFilter): Promise<AuditPage> {
  let q = db.selectFrom('audit_log').selectAll().where('site_id', '=', siteId);
  if (opts.action?.endsWith('.')) q = q.where('action', 'like', `${opts.action.replace(/[\\%_]/g, '\\$&')}%`);
  else if (opts.action) q = q.where('action', '=', opts.action);
  if (opts.actor) q = q.where('actor', '=', opts.actor);
  if (opts.subject) q = q.where('subject', '=', opts.subject);
  if (opts.since) q = q.where('created_at', '>=', opts.since);
  if (opts.until) q = q.where('created_at', '<', opts.until);
  if (opts.beforeId !== undefined) q = q.where('id', '<', opts.beforeId);
  const rows = await q.orderBy('id', 'desc').limit(opts.limit + 1).execute();
  const page = rows.slice(0, opts.limit);
  return {
    entries: page.map((r) => ({ ...r, id: Number(r.id), created_at: r.created_at.toISOString() })),
    next_before_id: rows.length > opts.limit ? Number(page[page.length - 1]!.id) : null,
  };
}
