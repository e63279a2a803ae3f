// From a validated envelope to a batch ready for the pipeline: per-event validation, clock
// correction, consent and bot filtering, privacy stripping, visitor identity. Pure: no I/O.
import { isbot } from 'isbot';
import { compileStrict, describeValidationError } from '../platform/validation.js';
import { EVENT_DATA, EVENT_TYPES, eventSchema, type ConsentCategory, type EventType, type TrackEnvelope, type TrackEvent } from './schemas.js';
import { deviceFacts, type DeviceFacts } from './identity.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
export const MAX_FUTURE_MS = 5 * MINUTE;
export const MAX_PAST_MS = DAY;
export const MAX_BACKFILL_MS = 400 * DAY;
/** Client clocks closer than this to ours are trusted as they are, so a retry keeps its timestamp. */
const SKEW_TOLERANCE_MS = 5 * MINUTE;
const MAX_URL = 500;

export interface SiteInfo {
  id: string;
  /** Cookieless aggregate page views before consent (the default), or nothing before consent. */
  cookieless: boolean;
}

export interface StoredEvent {
  event_id: string;
  type: EventType;
  ts: number;
  url: string;
  data: Record<string, unknown>;
}

/** What the pipeline carries: one visitor's events of one request (JSON-serializable for NATS). */
export interface IngestBatch {
  site_id: string;
  visitor_id: string;
  /** Undefined for cookieless visitors: the writer assigns their session. */
  session_id?: string;
  cookieless: boolean;
  consent: Record<string, boolean>;
  device: DeviceFacts & Record<string, unknown>;
  events: StoredEvent[];
}

export interface Rejection {
  index: number;
  event_id?: string;
  code: string;
  message: string;
}

export interface PrepareInput {
  envelope: TrackEnvelope;
  site: SiteInfo;
  now: number;
  /** Authenticated with an API key: server-side tracking may backfill. */
  trusted: boolean;
  userAgent: string;
  dnt: boolean;
  gpc: boolean;
  /** Computes the cookieless visitor id (it needs today's salt and the IP). */
  cookielessId: () => string;
}

export interface Prepared {
  batch?: IngestBatch;
  rejected: Rejection[];
  dropped: { consent: number; bot: number };
}

const validators = new Map(EVENT_TYPES.map((type) => [type, compileStrict<TrackEvent>(eventSchema(type))]));

/** Validates one raw event; a rejection says why in words a developer can act on. */
export function checkEvent(raw: unknown, index: number): TrackEvent | Rejection {
  const eventId = typeof raw === 'object' && raw !== null && typeof (raw as { event_id?: unknown }).event_id === 'string' ? String((raw as { event_id: string }).event_id).slice(0, 64) : undefined;
  const type = typeof raw === 'object' && raw !== null ? (raw as { type?: unknown }).type : undefined;
  const validate = typeof type === 'string' ? validators.get(type as EventType) : undefined;
  if (!validate) return { index, event_id: eventId, code: 'TRACK_BAD_EVENT', message: `type: must be one of ${EVENT_TYPES.join(', ')}` };
  if (!validate(raw)) {
    const { message } = describeValidationError(validate.errors ?? [], 'event');
    return { index, event_id: eventId, code: 'TRACK_BAD_EVENT', message };
  }
  if (EVENT_DATA[type as EventType].required?.length && raw.data === undefined) {
    return { index, event_id: eventId, code: 'TRACK_BAD_EVENT', message: `event: a ${type} event needs data` };
  }
  return { ...raw, event_id: raw.event_id.toLowerCase() };
}

export function categoryOf(event: TrackEvent, cookieless: boolean): ConsentCategory {
  if ((event.type === 'page_view' || event.type === 'page_leave') && cookieless) return 'necessary';
  return event.type === 'custom' ? (event.category ?? 'analytics') : 'analytics';
}

/** The consent the visitor's browser reports, narrowed by Global Privacy Control. */
export function effectiveConsent(claimed: TrackEnvelope['consent'], gpc: boolean): Record<string, boolean> {
  return {
    necessary: true,
    analytics: claimed?.analytics === true,
    marketing: claimed?.marketing === true && !gpc,
    personalization: claimed?.personalization === true,
  };
}

/**
 * Shift by the client's clock error only when it is large (rounded to the minute), so an event
 * retried later keeps its exact timestamp (and so its row key).
 */
export function clockOffset(sentAt: number, now: number): number {
  const skew = now - sentAt;
  return Math.abs(skew) <= SKEW_TOLERANCE_MS ? 0 : Math.round(skew / MINUTE) * MINUTE;
}

/** Keeps origin and path (and a hash route like #/cart); drops the query but for utm_* parameters. */
export function stripUrl(raw: string): { url: string; utm: Record<string, string> } {
  const u = new URL(raw);
  const utm: Record<string, string> = {};
  for (const [k, v] of u.searchParams) if (k.startsWith('utm_') && ['source', 'medium', 'campaign', 'term', 'content'].includes(k.slice(4))) utm[k.slice(4)] = v.slice(0, 200);
  const hashRoute = u.hash.startsWith('#/') ? u.hash.split('?')[0]! : '';
  return { url: `${u.origin}${u.pathname}${hashRoute}`.slice(0, MAX_URL), utm };
}

function storedData(event: TrackEvent, utm: Record<string, string>): Record<string, unknown> {
  const data: Record<string, unknown> = { ...(event.data ?? {}) };
  if (event.type === 'page_view') {
    if (typeof data.referrer === 'string' && data.referrer) data.referrer = stripUrl(data.referrer).url;
    else delete data.referrer;
    if (Object.keys(utm).length) data.utm = utm;
  }
  if (event.type === 'click' && typeof data.href === 'string' && /^https?:\/\//.test(data.href)) {
    try { data.href = stripUrl(data.href).url; } catch { delete data.href; }
  }
  if (event.type === 'custom' && event.category) data.category = event.category;
  return data;
}

export function isBot(userAgent: string, webdriver: boolean | undefined): boolean {
  return webdriver === true || userAgent.trim() === '' || isbot(userAgent);
}

export function prepareBatch(input: PrepareInput, rawEvents: unknown[]): Prepared {
  const { envelope, site, now } = input;
  const rejected: Rejection[] = [];
  const dropped = { consent: 0, bot: 0 };
  const valid: { event: TrackEvent; index: number }[] = [];
  rawEvents.forEach((raw, index) => {
    const checked = checkEvent(raw, index);
    if ('code' in checked) rejected.push(checked);
    else valid.push({ event: checked, index });
  });
  if (isBot(input.userAgent, envelope.context?.webdriver)) {
    dropped.bot = valid.length;
    return { rejected, dropped };
  }
  const consent = effectiveConsent(envelope.consent, input.gpc);
  // Do Not Track without any explicit choice: nothing at all.
  const optedOut = input.dnt && !consent.analytics && !consent.marketing && !consent.personalization;
  const offset = clockOffset(envelope.sent_at, now);
  const oldest = now - (input.trusted ? MAX_BACKFILL_MS : MAX_PAST_MS);
  const events: StoredEvent[] = [];
  for (const { event, index } of valid) {
    const ts = event.ts + offset;
    if (ts > now + MAX_FUTURE_MS || ts < oldest) {
      rejected.push({ index, event_id: event.event_id, code: 'TRACK_TIMESTAMP_OUT_OF_RANGE', message: `ts: ${new Date(ts).toISOString()} is too far in the ${ts > now ? 'future' : 'past'}` });
      continue;
    }
    const category = categoryOf(event, site.cookieless);
    if (optedOut || (category !== 'necessary' && !consent[category])) {
      dropped.consent += 1;
      continue;
    }
    const { url, utm } = stripUrl(event.url);
    events.push({ event_id: event.event_id, type: event.type, ts, url, data: storedData(event, utm) });
  }
  rejected.sort((a, b) => a.index - b.index);
  if (events.length === 0) return { rejected, dropped };

  const identified = consent.analytics && envelope.visitor_id !== undefined && envelope.session_id !== undefined;
  const context = envelope.context ?? {};
  const { webdriver: _ignored, ...deviceContext } = context;
  return {
    batch: {
      site_id: site.id,
      visitor_id: identified ? envelope.visitor_id! : input.cookielessId(),
      ...(identified ? { session_id: envelope.session_id! } : {}),
      cookieless: !identified,
      consent,
      device: { ...deviceFacts(input.userAgent, context), ...deviceContext },
      events,
    },
    rejected,
    dropped,
  };
}
