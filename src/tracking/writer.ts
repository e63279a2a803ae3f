// The batch writer: many requests' events in one transaction. Events are inserted idempotently
// (ON CONFLICT DO NOTHING on their key) and only the rows actually inserted update sessions, so
// at-least-once delivery gives exactly-once rows and exact session counts.
import { sql } from 'kysely';
import type { Db } from '../db/client.js';
import { randomToken } from '../platform/crypto.js';
import type { IngestBatch } from './ingest.js';
import { SESSION_TIMEOUT_MS, sessionDeltas, type StoredBatch } from './sessionizer.js';

export interface WriterState {
  /** Months (YYYY-MM) whose user_events partition is known to exist. */
  partitions: Set<string>;
  /** Cookieless visitor → its current session, so most batches need no lookup. */
  cookieless: Map<string, { sessionId: string; lastTs: number }>;
}

export const newWriterState = (): WriterState => ({ partitions: new Set(), cookieless: new Map() });
const MAX_COOKIELESS_CACHE = 100_000;

/** Writes the batches in one transaction; returns what was stored (for sessions, features, live views). */
export async function writeBatches(db: Db, state: WriterState, batches: IngestBatch[]): Promise<StoredBatch[]> {
  const withSessions = await assignCookielessSessions(db, state, batches);
  await ensurePartitions(db, state, withSessions.flatMap((b) => b.events.map((e) => e.ts)));
  const rows = withSessions.flatMap((b) =>
    b.events.map((e) => ({ event_id: e.event_id, session_id: b.session_id, site_id: b.site_id, visitor_id: b.visitor_id, event_type: e.type, event_data: e.data, timestamp: new Date(e.ts).toISOString(), page_url: e.url })),
  );
  if (rows.length === 0) return [];
  const stored = await db.transaction().execute(async (trx) => {
    const inserted = await sql<{ event_id: string; timestamp: Date }>`
      INSERT INTO user_events (event_id, session_id, site_id, visitor_id, event_type, event_data, timestamp, page_url)
      SELECT event_id, session_id, site_id, visitor_id, event_type, event_data, timestamp, page_url
      FROM json_to_recordset(${JSON.stringify(rows)}::json) AS r(event_id uuid, session_id varchar, site_id uuid, visitor_id varchar, event_type varchar, event_data jsonb, timestamp timestamptz, page_url varchar)
      ON CONFLICT DO NOTHING
      RETURNING event_id, timestamp`.execute(trx);
    const fresh = new Set(inserted.rows.map((r) => `${r.event_id}|${new Date(r.timestamp).getTime()}`));
    const result: StoredBatch[] = withSessions.map((batch) => ({ batch, events: batch.events.filter((e) => fresh.has(`${e.event_id}|${e.ts}`)) }));
    await upsertSessions(trx, result);
    return result;
  });
  return stored.filter((s) => s.events.length > 0);
}

async function upsertSessions(trx: Db, stored: StoredBatch[]): Promise<void> {
  const deltas = sessionDeltas(stored);
  if (deltas.length === 0) return;
  // "earlier": this write holds the session's first events so far, so it names the entry page.
  await sql`
    INSERT INTO user_sessions AS s (session_id, site_id, visitor_id, user_id, start_time, end_time, device_info, referrer, consent_status,
      cookieless, entry_page, exit_page, page_count, event_count, engaged_ms, conversions, utm_source, utm_medium, utm_campaign, utm_term,
      utm_content, device_type, browser, os, language, timezone)
    SELECT session_id, site_id, visitor_id, user_id, start_time, end_time, device_info, referrer, consent_status,
      cookieless, entry_page, exit_page, page_count, event_count, engaged_ms, conversions, utm_source, utm_medium, utm_campaign, utm_term,
      utm_content, device_type, browser, os, language, timezone
    FROM json_to_recordset(${JSON.stringify(deltas)}::json) AS r(session_id varchar, site_id uuid, visitor_id varchar, user_id varchar,
      start_time timestamptz, end_time timestamptz, device_info jsonb, referrer varchar, consent_status jsonb, cookieless boolean,
      entry_page varchar, exit_page varchar, page_count int, event_count int, engaged_ms bigint, conversions int, utm_source varchar,
      utm_medium varchar, utm_campaign varchar, utm_term varchar, utm_content varchar, device_type varchar, browser varchar, os varchar,
      language varchar, timezone varchar)
    ON CONFLICT (session_id) DO UPDATE SET
      start_time = LEAST(s.start_time, EXCLUDED.start_time),
      end_time = GREATEST(s.end_time, EXCLUDED.end_time),
      entry_page = CASE WHEN EXCLUDED.entry_page IS NOT NULL AND (s.entry_page IS NULL OR EXCLUDED.start_time < s.start_time) THEN EXCLUDED.entry_page ELSE s.entry_page END,
      referrer = CASE WHEN EXCLUDED.entry_page IS NOT NULL AND (s.entry_page IS NULL OR EXCLUDED.start_time < s.start_time) THEN EXCLUDED.referrer ELSE s.referrer END,
      utm_source = CASE WHEN EXCLUDED.entry_page IS NOT NULL AND (s.entry_page IS NULL OR EXCLUDED.start_time < s.start_time) THEN EXCLUDED.utm_source ELSE s.utm_source END,
      utm_medium = CASE WHEN EXCLUDED.entry_page IS NOT NULL AND (s.entry_page IS NULL OR EXCLUDED.start_time < s.start_time) THEN EXCLUDED.utm_medium ELSE s.utm_medium END,
      utm_campaign = CASE WHEN EXCLUDED.entry_page IS NOT NULL AND (s.entry_page IS NULL OR EXCLUDED.start_time < s.start_time) THEN EXCLUDED.utm_campaign ELSE s.utm_campaign END,
      utm_term = CASE WHEN EXCLUDED.entry_page IS NOT NULL AND (s.entry_page IS NULL OR EXCLUDED.start_time < s.start_time) THEN EXCLUDED.utm_term ELSE s.utm_term END,
      utm_content = CASE WHEN EXCLUDED.entry_page IS NOT NULL AND (s.entry_page IS NULL OR EXCLUDED.start_time < s.start_time) THEN EXCLUDED.utm_content ELSE s.utm_content END,
      exit_page = CASE WHEN EXCLUDED.exit_page IS NOT NULL AND EXCLUDED.end_time >= s.end_time THEN EXCLUDED.exit_page ELSE s.exit_page END,
      page_count = s.page_count + EXCLUDED.page_count,
      event_count = s.event_count + EXCLUDED.event_count,
      engaged_ms = s.engaged_ms + EXCLUDED.engaged_ms,
      conversions = s.conversions + EXCLUDED.conversions,
      user_id = COALESCE(EXCLUDED.user_id, s.user_id),
      consent_status = EXCLUDED.consent_status
    WHERE s.site_id = EXCLUDED.site_id`.execute(trx);
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
