// One simulated visitor: a pure function of (rng, parameters, start time) that yields the
// visitor's sessions as tracker batches in the protocol's shapes, plus the ground truth.
import type { Rng } from '../platform/random.js';
import { BEHAVIOUR, ENTRY, FORM_SUBMIT, formOf, INTENT_PRIOR, INTENTS, MAX_PAGES, OUTCOMES, PAGES, RETURN_INTENT, TRANSITIONS, type Category, type Intent, type Outcome, type State } from './model.js';
import { dwellMs, pageEvents, type SessionState } from './page.js';
import { pickDevice, pickLocale, RETURN_SOURCE_MIX, SOURCE_MIX, SOURCES, type Device, type DeviceKind, type Locale, type SourceName } from './traffic.js';
import type { Consent, DeviceContext, SimEvent } from './wire.js';

/** The tracker sends its queue at this many events, this long after the first queued one, and on leaving a page. */
export const FLUSH_AT = 20;
export const FLUSH_AFTER_MS = 5000;
const DAY_MS = 86_400_000;
/** Share of survey answers that do not match the true intent (people misclick, or answer loosely). */
const SURVEY_NOISE = 0.1;

export interface SimParams {
  /** The site's origin; pages live under `${origin}/demo/`. */
  origin: string;
  /** Share of consenting visitors who answer the "what brings you here" survey. */
  surveyFraction: number;
  /** Share of visitors who reject consent (cookieless page views only). */
  rejectFraction: number;
}

export interface SimBatch {
  /** When the tracker sends it (at or after the ts of its last event). */
  at: number;
  events: SimEvent[];
}

/** One line of the ground-truth file. */
export interface TruthRecord {
  visitor_id: string | null;
  session_id: string | null;
  session_index: number;
  started_at: string;
  intent: Intent;
  device: DeviceKind;
  entry_page: string;
  referrer: SourceName;
  utm_source: string | null;
  pages: Category[];
  events: number;
  converted: boolean;
  conversion_type: Outcome | null;
  value: number | null;
  survey_answer: string | null;
  consented: boolean;
}

export interface SimSession {
  visitorId: string | null;
  sessionId: string | null;
  consent: Consent;
  context: DeviceContext;
  userAgent: string;
  startedAt: number;
  endedAt: number;
  batches: SimBatch[];
  truth: TruthRecord;
}

export interface SimVisitor {
  intent: Intent;
  consented: boolean;
  sessions: SimSession[];
}

interface Who {
  visitorId: string | null;
  consent: Consent;
  device: Device;
  locale: Locale;
  context: DeviceContext;
  customerId: string | null;
}

/** The locale a fresh visitor rng will give (its first draw): backfill times visits in the visitor's local day. */
export function visitorLocale(rng: Rng): Locale {
  return pickLocale(rng);
}

export function simulateVisitor(rng: Rng, params: SimParams, startedAt: number): SimVisitor {
  const locale = visitorLocale(rng);
  const intent = rng.weighted(INTENT_PRIOR);
  const consented = !rng.chance(params.rejectFraction);
  const device = pickDevice(rng, intent);
  const who: Who = {
    visitorId: consented ? `v_${rng.token(22)}` : null,
    consent: consented ? { analytics: true, marketing: rng.chance(0.5), personalization: rng.chance(0.6) } : { analytics: false, marketing: false, personalization: false },
    device,
    locale,
    context: deviceContext(rng, device, locale),
    // Some buyers sign in at checkout: a fake customer number, never personal data.
    customerId: rng.chance(0.6) ? `cust_${rng.int(100, 99_999)}` : null,
  };
  const answers = consented && rng.chance(params.surveyFraction);
  const surveyAnswer = answers ? (rng.chance(SURVEY_NOISE) ? rng.pick(INTENTS.filter((i) => i !== intent)) : intent) : null;
  const first = simulateSession(rng, params, who, intent, startedAt, rng.weighted(SOURCE_MIX[intent]), surveyAnswer, 1);
  const sessions = [first];
  if (rng.chance(BEHAVIOUR[intent].returnRate)) {
    // A later day: 20 hours to a month later, typically a few days.
    const gap = Math.min(30 * DAY_MS, Math.max(20 * 3_600_000, rng.lognormal(3 * DAY_MS, 0.7)));
    const nextIntent = rng.weighted(RETURN_INTENT[intent]);
    sessions.push(simulateSession(rng, params, who, nextIntent, Math.round(first.endedAt + gap), rng.weighted(RETURN_SOURCE_MIX), null, 2));
  }
  return { intent, consented, sessions };
}

function deviceContext(rng: Rng, device: Device, locale: Locale): DeviceContext {
  const [w, h] = rng.pick(device.screens);
  const viewportW = device.kind === 'desktop' ? w - rng.pick([0, 0, 0, 16, 120, 320]) : w;
  return {
    screen_w: w,
    screen_h: h,
    viewport_w: Math.max(320, viewportW),
    viewport_h: h - device.chromePx,
    language: locale.language,
    timezone: locale.timezone,
    // navigator.userAgentData exists in Chromium-based browsers only.
    ...(device.brands ? { ua_mobile: device.mobile, ua_platform: device.platform, ua_brands: device.brands } : {}),
    webdriver: false,
  };
}

function pageUrl(origin: string, file: string): string {
  return `${origin}/demo/${file}`;
}

function landingUrl(origin: string, file: string, source: SourceName): string {
  const utm = SOURCES[source].utm;
  if (!utm) return pageUrl(origin, file);
  return `${pageUrl(origin, file)}?utm_source=${utm.source}&utm_medium=${utm.medium}&utm_campaign=${utm.campaign}`;
}

function simulateSession(rng: Rng, params: SimParams, who: Who, intent: Intent, startedAt: number, source: SourceName, surveyAnswer: string | null, index: number): SimSession {
  const consented = who.consent.analytics;
  const sessionId = consented ? `s_${rng.token(22)}` : null;
  const state: SessionState = { cart: [], outcomes: [], customerId: who.customerId };
  const viewport = { w: who.context.viewport_w, h: who.context.viewport_h };
  const events: SimEvent[] = [];
  const pages: Category[] = [];
  let category: Category = rng.weighted(ENTRY[intent]);
  let file = rng.pick(PAGES[category]);
  let url = landingUrl(params.origin, file, source);
  let referrer = SOURCES[source].referrer;
  let t = startedAt;
  const entryPage = `/demo/${file}`;
  for (let n = 0; n < MAX_PAGES; n++) {
    pages.push(category);
    let next: State = n === MAX_PAGES - 1 ? 'exit' : rng.weighted(TRANSITIONS[intent][category]);
    // Checkout is submitted exactly when the chain goes on to thanks; other forms are a chance per
    // visit, and the demo's forms (but the newsletter) then lead to thanks.
    const form = formOf(category, file);
    const submit = category === 'checkout' ? next === 'thanks' : Boolean(form) && rng.chance(FORM_SUBMIT[intent][category] ?? 0);
    if (submit && form?.navigates && n < MAX_PAGES - 1) next = 'thanks';
    const nextFile = next === 'exit' ? null : pickNextFile(rng, next, file);
    const nextUrl = nextFile ? pageUrl(params.origin, nextFile) : null;
    const dwell = dwellMs(rng, intent, category);
    const visit = { intent, category, file, url, referrer, start: t, next, nextUrl, nextFile, submit, firstOfSession: n === 0, consented, device: who.device, viewport, surveyAnswer: n === 0 ? surveyAnswer : null };
    events.push(...pageEvents(rng, visit, dwell, state));
    if (next === 'exit' || !nextFile || !nextUrl) break;
    // The next page loads a moment after the click.
    t += dwell + rng.int(150, 1200);
    referrer = url;
    category = next;
    file = nextFile;
    url = nextUrl;
  }
  const endedAt = events.at(-1)!.ts;
  // The most valuable outcome of the session (a purchase over a newsletter sign-up).
  const main = OUTCOMES.map((type) => state.outcomes.find((o) => o.type === type)).find(Boolean);
  const truth: TruthRecord = {
    visitor_id: who.visitorId,
    session_id: sessionId,
    session_index: index,
    started_at: new Date(startedAt).toISOString(),
    intent,
    device: who.device.kind,
    entry_page: entryPage,
    referrer: source,
    utm_source: SOURCES[source].utm?.source ?? null,
    pages,
    events: events.length,
    converted: Boolean(main),
    conversion_type: main?.type ?? null,
    value: main?.value ?? null,
    survey_answer: surveyAnswer,
    consented,
  };
  return { visitorId: who.visitorId, sessionId, consent: who.consent, context: who.context, userAgent: who.device.userAgent, startedAt, endedAt, batches: toBatches(events), truth };
}

/** Another page of the category; product and blog pages prefer one not just seen. */
function pickNextFile(rng: Rng, category: Category, current: string): string {
  const files = PAGES[category];
  const others = files.filter((f) => f !== current);
  return others.length > 0 && files.length > 1 ? rng.pick(others) : rng.pick(files);
}

/** Groups events the way web/tracker sends them: at FLUSH_AT queued events, FLUSH_AFTER_MS after the first queued one, or on leaving the page. */
export function toBatches(events: SimEvent[]): SimBatch[] {
  const batches: SimBatch[] = [];
  let queue: SimEvent[] = [];
  let deadline = Infinity;
  const flush = (at: number) => {
    batches.push({ at, events: queue });
    queue = [];
    deadline = Infinity;
  };
  for (const event of events) {
    if (queue.length > 0 && event.ts >= deadline) flush(deadline);
    queue.push(event);
    if (queue.length === 1) deadline = event.ts + FLUSH_AFTER_MS;
    if (queue.length >= FLUSH_AT || event.type === 'page_leave') flush(event.ts);
  }
  if (queue.length > 0) flush(deadline);
  return batches;
}

/** The session with every timestamp passed through `map` (live mode replays on the wall clock). */
export function retimeSession(session: SimSession, map: (ts: number) => number): SimSession {
  const batches = session.batches.map((b) => ({ at: map(b.at), events: b.events.map((e) => ({ ...e, ts: map(e.ts) })) }));
  const startedAt = map(session.startedAt);
  return { ...session, startedAt, endedAt: map(session.endedAt), batches, truth: { ...session.truth, started_at: new Date(startedAt).toISOString() } };
}
