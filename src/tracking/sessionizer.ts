// Folds newly stored events into per-session changes (spec 000 user_sessions plus page count,
// duration, entry/exit page, engagement, campaign). Pure: the writer applies the result.
import type { IngestBatch, StoredEvent } from './ingest.js';

export const SESSION_TIMEOUT_MS = 30 * 60_000;

export interface SessionDelta {
  session_id: string;
  site_id: string;
  visitor_id: string;
  user_id: string | null;
  start_time: string;
  end_time: string;
  device_info: Record<string, unknown>;
  consent_status: Record<string, boolean>;
  cookieless: boolean;
  referrer: string | null;
  entry_page: string | null;
  exit_page: string | null;
  page_count: number;
  event_count: number;
  engaged_ms: number;
  conversions: number;
  utm_source: string | null;
  utm_medium: string | null;
  utm_campaign: string | null;
  utm_term: string | null;
  utm_content: string | null;
  device_type: string;
  browser: string;
  os: string;
  language: string | null;
  timezone: string | null;
}

export interface StoredBatch {
  batch: IngestBatch & { session_id: string };
  /** The events actually inserted: retries and duplicates are left out, so counts stay exact. */
  events: StoredEvent[];
}

const hostOf = (url: string) => {
  try {
    return new URL(url).host;
  } catch {
    return '';
  }
};

/** One delta per session, however many batches of it a write holds. */
export function sessionDeltas(stored: StoredBatch[]): SessionDelta[] {
  const deltas = new Map<string, SessionDelta & { entryTs: number; exitTs: number; startTs: number; endTs: number }>();
  for (const { batch, events } of stored) {
    if (events.length === 0) continue;
    let d = deltas.get(batch.session_id);
    if (!d) {
      const { device_type, browser, os, language, timezone, ...deviceInfo } = batch.device;
      d = {
        session_id: batch.session_id,
        site_id: batch.site_id,
        visitor_id: batch.visitor_id,
        user_id: null,
        start_time: '',
        end_time: '',
        startTs: Infinity,
        endTs: -Infinity,
        device_info: { device_type, browser, os, ...deviceInfo },
        consent_status: batch.consent,
        cookieless: batch.cookieless,
        referrer: null,
        entry_page: null,
        exit_page: null,
        entryTs: Infinity,
        exitTs: -Infinity,
        page_count: 0,
        event_count: 0,
        engaged_ms: 0,
        conversions: 0,
        utm_source: null,
        utm_medium: null,
        utm_campaign: null,
        utm_term: null,
        utm_content: null,
        device_type,
        browser,
        os,
        language: typeof language === 'string' ? language : null,
        timezone: typeof timezone === 'string' ? timezone : null,
      };
      deltas.set(batch.session_id, d);
    }
    d.consent_status = batch.consent;
    for (const e of events) {
      d.event_count += 1;
      d.startTs = Math.min(d.startTs, e.ts);
      d.endTs = Math.max(d.endTs, e.ts);
      if (e.type === 'page_view') {
        d.page_count += 1;
        if (e.ts < d.entryTs) setEntry(d, e);
        if (e.ts >= d.exitTs) {
          d.exitTs = e.ts;
          d.exit_page = e.url;
        }
      } else if (e.type === 'page_leave') {
        d.engaged_ms += Number(e.data.engaged_ms ?? 0);
      } else if (e.type === 'conversion') {
        d.conversions += 1;
      } else if (e.type === 'identify') {
        d.user_id = String(e.data.customer_id);
      }
    }
  }
  return [...deltas.values()].map(({ entryTs: _e, exitTs: _x, startTs, endTs, ...d }) => ({
    ...d,
    start_time: new Date(startTs).toISOString(),
    end_time: new Date(endTs).toISOString(),
  }));
}

function setEntry(d: SessionDelta & { entryTs: number }, e: StoredEvent): void {
  d.entryTs = e.ts;
  d.entry_page = e.url;
  const referrer = typeof e.data.referrer === 'string' ? e.data.referrer : '';
  // Only another site counts as where the visit came from.
  d.referrer = referrer && hostOf(referrer) !== hostOf(e.url) ? referrer.slice(0, 500) : null;
  const utm = (e.data.utm ?? {}) as Record<string, string>;
  d.utm_source = utm.source ?? null;
  d.utm_medium = utm.medium ?? null;
  d.utm_campaign = utm.campaign ?? null;
  d.utm_term = utm.term ?? null;
  d.utm_content = utm.content ?? null;
}
