// Folds newly stored events into spec 000's user_sessions (plus page count, engaged time,
// entry/exit page, referrer, campaign, conversions). The fold runs in SQL over the rows the
// insert actually returned, in the same statement, so retried events never count twice.
import { sql, type RawBuilder } from 'kysely';
import type { IngestBatch, StoredEvent } from './ingest.js';

export const SESSION_TIMEOUT_MS = 30 * 60_000;

export interface StoredBatch {
  batch: IngestBatch & { session_id: string };
  /** The events actually inserted: retries and duplicates are left out. */
  events: StoredEvent[];
}

/** What a session row takes from its requests rather than its events: the first device seen, the latest consent. */
export interface SessionMeta {
  session_id: string;
  site_id: string;
  visitor_id: string;
  cookieless: boolean;
  consent_status: Record<string, boolean>;
  device_info: Record<string, unknown>;
  device_type: string;
  browser: string;
  os: string;
  language: string | null;
  timezone: string | null;
}

export function sessionMeta(batches: (IngestBatch & { session_id: string })[]): SessionMeta[] {
  const out = new Map<string, SessionMeta>();
  for (const b of batches) {
    const known = out.get(b.session_id);
    if (known) {
      known.consent_status = b.consent;
      continue;
    }
    const { device_type, browser, os, language, timezone, ...rest } = b.device;
    out.set(b.session_id, {
      session_id: b.session_id,
      site_id: b.site_id,
      visitor_id: b.visitor_id,
      cookieless: b.cookieless,
      consent_status: b.consent,
      device_info: { device_type, browser, os, ...rest },
      device_type,
      browser,
      os,
      language: typeof language === 'string' ? language : null,
      timezone: typeof timezone === 'string' ? timezone : null,
    });
  }
  return [...out.values()];
}

// The site part of a URL, to tell an outside referrer from a page of the same site.
const host = (expr: string) => `substring(${expr} from '^https?://([^/?#]+)')`;

/**
 * A data-modifying CTE (named "sessions") that upserts the sessions of the rows in CTE `ins`
 * (event_id, session_id, event_type, event_data, timestamp, page_url), with per-session request
 * facts from the JSON array `meta`. Only a session of the same site is ever updated.
 */
export function upsertSessionsCte(meta: SessionMeta[]): RawBuilder<unknown> {
  return sql`
  agg AS (
    SELECT session_id,
      min(timestamp) AS start_time,
      max(timestamp) AS end_time,
      count(*) FILTER (WHERE event_type = 'page_view')::int AS page_count,
      count(*)::int AS event_count,
      coalesce(sum((event_data->>'engaged_ms')::bigint) FILTER (WHERE event_type = 'page_leave'), 0) AS engaged_ms,
      count(*) FILTER (WHERE event_type = 'conversion')::int AS conversions,
      (array_agg(event_data->>'customer_id' ORDER BY timestamp DESC) FILTER (WHERE event_type = 'identify'))[1] AS user_id,
      (array_agg(page_url ORDER BY timestamp) FILTER (WHERE event_type = 'page_view'))[1] AS entry_page,
      (array_agg(event_data ORDER BY timestamp) FILTER (WHERE event_type = 'page_view'))[1] AS entry_data,
      (array_agg(page_url ORDER BY timestamp DESC) FILTER (WHERE event_type = 'page_view'))[1] AS exit_page
    FROM ins GROUP BY session_id
  ),
  meta AS (
    SELECT * FROM json_to_recordset(${JSON.stringify(meta)}::json) AS m(session_id varchar, site_id uuid, visitor_id varchar,
      cookieless boolean, consent_status jsonb, device_info jsonb, device_type varchar, browser varchar, os varchar, language varchar, timezone varchar)
  ),
  sessions AS (
    INSERT INTO user_sessions AS s (session_id, site_id, visitor_id, user_id, start_time, end_time, device_info, referrer, consent_status,
      cookieless, entry_page, exit_page, page_count, event_count, engaged_ms, conversions, utm_source, utm_medium, utm_campaign, utm_term,
      utm_content, device_type, browser, os, language, timezone)
    SELECT a.session_id, m.site_id, m.visitor_id, a.user_id, a.start_time, a.end_time, m.device_info,
      CASE WHEN ${sql.raw(host("a.entry_data->>'referrer'"))} IS DISTINCT FROM ${sql.raw(host('a.entry_page'))} THEN left(a.entry_data->>'referrer', 500) END,
      m.consent_status, m.cookieless, a.entry_page, a.exit_page, a.page_count, a.event_count, a.engaged_ms, a.conversions,
      a.entry_data->'utm'->>'source', a.entry_data->'utm'->>'medium', a.entry_data->'utm'->>'campaign', a.entry_data->'utm'->>'term',
      a.entry_data->'utm'->>'content', m.device_type, m.browser, m.os, m.language, m.timezone
    FROM agg a JOIN meta m USING (session_id)
    ON CONFLICT (session_id) DO UPDATE SET
      start_time = LEAST(s.start_time, EXCLUDED.start_time),
      end_time = GREATEST(s.end_time, EXCLUDED.end_time),
      entry_page = CASE WHEN ${sql.raw(EARLIER)} THEN EXCLUDED.entry_page ELSE s.entry_page END,
      referrer = CASE WHEN ${sql.raw(EARLIER)} THEN EXCLUDED.referrer ELSE s.referrer END,
      utm_source = CASE WHEN ${sql.raw(EARLIER)} THEN EXCLUDED.utm_source ELSE s.utm_source END,
      utm_medium = CASE WHEN ${sql.raw(EARLIER)} THEN EXCLUDED.utm_medium ELSE s.utm_medium END,
      utm_campaign = CASE WHEN ${sql.raw(EARLIER)} THEN EXCLUDED.utm_campaign ELSE s.utm_campaign END,
      utm_term = CASE WHEN ${sql.raw(EARLIER)} THEN EXCLUDED.utm_term ELSE s.utm_term END,
      utm_content = CASE WHEN ${sql.raw(EARLIER)} THEN EXCLUDED.utm_content ELSE s.utm_content END,
      exit_page = CASE WHEN EXCLUDED.exit_page IS NOT NULL AND EXCLUDED.end_time >= s.end_time THEN EXCLUDED.exit_page ELSE s.exit_page END,
      page_count = s.page_count + EXCLUDED.page_count,
      event_count = s.event_count + EXCLUDED.event_count,
      engaged_ms = s.engaged_ms + EXCLUDED.engaged_ms,
      conversions = s.conversions + EXCLUDED.conversions,
      user_id = COALESCE(EXCLUDED.user_id, s.user_id),
      consent_status = EXCLUDED.consent_status
    WHERE s.site_id = EXCLUDED.site_id
    RETURNING 1
  )`;
}

// These events hold the session's first page view so far, so they name its entry page and campaign.
const EARLIER = 'EXCLUDED.entry_page IS NOT NULL AND (s.entry_page IS NULL OR EXCLUDED.start_time < s.start_time)';
