// Reads and deletes over user_sessions / user_events.
import type { Db } from '../db/client.js';

/** Removes a site's events (they have no foreign key to cascade on). */
export async function deleteSiteEvents(db: Db, siteId: string): Promise<void> {
  await db.deleteFrom('user_events').where('site_id', '=', siteId).execute();
}

export interface SessionFilter {
  siteId: string;
  limit: number;
  /** Sessions that ended before this time (ISO), for paging back. */
  before?: string;
}

export async function listSessions(db: Db, f: SessionFilter) {
  let q = db.selectFrom('user_sessions').selectAll().where('site_id', '=', f.siteId);
  if (f.before) q = q.where('end_time', '<', new Date(f.before));
  return q.orderBy('end_time', 'desc').limit(f.limit).execute();
}

export async function getSession(db: Db, siteId: string, sessionId: string) {
  return db.selectFrom('user_sessions').selectAll().where('site_id', '=', siteId).where('session_id', '=', sessionId).executeTakeFirst();
}

export async function sessionEvents(db: Db, siteId: string, sessionId: string, limit: number) {
  return db
    .selectFrom('user_events')
    .select(['event_id', 'event_type', 'event_data', 'timestamp', 'page_url'])
    .where('site_id', '=', siteId)
    .where('session_id', '=', sessionId)
    .orderBy('timestamp')
    .limit(limit)
    .execute();
}
