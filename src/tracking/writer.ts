// The batch writer: many requests' events in one statement. Events are inserted idempotently
// (ON CONFLICT DO NOTHING on their key) and only the rows actually inserted update sessions, so
// at-least-once delivery gives exactly-once rows and exact session counts.
import { sql } from 'kysely';
import type { Db } from '../db/client.js';
import { randomToken } from '../platform/crypto.js';
import type { IngestBatch } from './ingest.js';
import { SESSION_TIMEOUT_MS, sessionMeta, upsertSessionsCte, type StoredBatch } from './sessionizer.js';

export interface WriterState {
  /** Months (YYYY-MM) whose user_events partition is known to exist. */
  partitions: Set<string>;
  /** Cookieless visitor → its current session, so most batches need no lookup. */
  cookieless: Map<string, { sessionId: string; lastTs: number }>;
}

export const newWriterState = (): WriterState => ({ partitions: new Set(), cookieless: new Map() });
const MAX_COOKIELESS_CACHE = 100_000;

/**
 * Writes the batches in one statement (one implicit transaction: events and sessions commit
 * together or not at all); returns what was stored, for live views and session state.
 */
export async function writeBatches(db: Db, state: WriterState, batches: IngestBatch[]): Promise<StoredBatch[]> {
  const withSessions = await assignCookielessSessions(db, state, batches);
  await ensurePartitions(db, state, withSessions.flatMap((b) => b.events.map((e) => e.ts)));
  const rows = withSessions.flatMap((b) =>
    b.events.map((e) => ({ event_id: e.event_id, session_id: b.session_id, site_id: b.site_id, visitor_id: b.visitor_id, event_type: e.type, event_data: e.data, timestamp: new Date(e.ts).toISOString(), page_url: e.url })),
  );
  if (rows.length === 0) return [];
  const insert = () => sql<{ event_id: string; ts: number }>`
    WITH ins AS (
      INSERT INTO user_events (event_id, session_id, site_id, visitor_id, event_type, event_data, timestamp, page_url)
      SELECT event_id, session_id, site_id, visitor_id, event_type, event_data, timestamp, page_url
      FROM json_to_recordset(${JSON.stringify(rows)}::json) AS r(event_id uuid, session_id varchar, site_id uuid, visitor_id varchar, event_type varchar, event_data jsonb, timestamp timestamptz, page_url varchar)
      ON CONFLICT DO NOTHING
      RETURNING event_id, session_id, event_type, event_data, timestamp, page_url
    ),
    ${upsertSessionsCte(sessionMeta(withSessions))}
    SELECT event_id, (extract(epoch from timestamp) * 1000)::float8 AS ts FROM ins`.execute(db);
  const inserted = await insert().catch(async (err: { code?: string }) => {
    // The retention purge dropped a month partition this process thought it had: make it again.
    if (err.code !== '23514') throw err;
    state.partitions.clear();
    await ensurePartitions(db, state, rows.map((r) => Date.parse(r.timestamp)));
    return insert();
  });
  const fresh = new Set(inserted.rows.map((r) => `${r.event_id}|${Math.round(r.ts)}`));
  return withSessions
    .map((batch) => ({ batch, events: batch.events.filter((e) => fresh.has(`${e.event_id}|${e.ts}`)) }))
    .filter((s) => s.events.length > 0);
}

/**
 * Cookieless visitors carry no session id: continue their latest session when it saw them in
 * the last 30 minutes, else start a new one.
 */
async function assignCookielessSessions(db: Db, state: WriterState, batches: IngestBatch[]): Promise<(IngestBatch & { session_id: string })[]> {
  const unknown = batches.filter((b) => !b.session_id && !state.cookieless.has(`${b.site_id}|${b.visitor_id}`));
  if (unknown.length > 0) {
    const rows = await sql<{ site_id: string; visitor_id: string; session_id: string; end_time: Date }>`
      SELECT DISTINCT ON (site_id, visitor_id) site_id, visitor_id, session_id, end_time FROM user_sessions
      WHERE site_id = ANY(${[...new Set(unknown.map((b) => b.site_id))]}::uuid[]) AND visitor_id = ANY(${unknown.map((b) => b.visitor_id)}::varchar[]) AND cookieless
      ORDER BY site_id, visitor_id, end_time DESC`.execute(db);
    for (const r of rows.rows) state.cookieless.set(`${r.site_id}|${r.visitor_id}`, { sessionId: r.session_id, lastTs: new Date(r.end_time).getTime() });
  }
  return batches.map((b) => {
    if (b.session_id) return b as IngestBatch & { session_id: string };
    const key = `${b.site_id}|${b.visitor_id}`;
    const first = Math.min(...b.events.map((e) => e.ts));
    const last = Math.max(...b.events.map((e) => e.ts));
    const current = state.cookieless.get(key);
    const sessionId = current && first - current.lastTs <= SESSION_TIMEOUT_MS ? current.sessionId : `c_${randomToken(16)}`;
    state.cookieless.delete(key); // re-insert: the Map's order is least recently used first
    state.cookieless.set(key, { sessionId, lastTs: Math.max(last, current?.sessionId === sessionId ? current.lastTs : 0) });
    if (state.cookieless.size > MAX_COOKIELESS_CACHE) state.cookieless.delete(state.cookieless.keys().next().value!);
    return { ...b, session_id: sessionId };
  });
}

const monthOf = (ms: number) => new Date(ms).toISOString().slice(0, 7);

/** Creates the monthly partitions the events need (once per month per process). */
export async function ensurePartitions(db: Db, state: WriterState, timestamps: number[]): Promise<void> {
  const months = new Set(timestamps.map(monthOf));
  for (const month of months) {
    if (state.partitions.has(month)) continue;
    const [y, m] = month.split('-').map(Number) as [number, number];
    const from = `${month}-01 00:00:00+00`;
    const to = `${m === 12 ? y + 1 : y}-${String(m === 12 ? 1 : m + 1).padStart(2, '0')}-01 00:00:00+00`;
    const name = `user_events_${month.replace('-', '_')}`;
    try {
      await sql.raw(`CREATE TABLE IF NOT EXISTS ${name} PARTITION OF user_events FOR VALUES FROM ('${from}') TO ('${to}')`).execute(db);
    } catch (err) {
      // Another node created it between our check and our CREATE: that is what we wanted.
      if ((err as { code?: string }).code !== '42P07') throw err;
    }
    state.partitions.add(month);
  }
}
