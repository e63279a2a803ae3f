// Intent features of one session, computed incrementally: update() folds one event into a bounded state in O(1)
// (amortised: a page's category is looked up once per page view, cached per path), and vector() writes the
// fixed, named columns of FEATURE_NAMES. The live path, the training snapshot and /predict/analyze share it.
// Survey answers never enter: they are the visit-reason label. Columns that are the conversion outcome itself
// are listed in OUTCOME_FEATURES so a conversion model can leave them out.
import type { EventType } from '../tracking/index.js';
import { createPageCategorizer, PAGE_CATEGORIES, pathOf, type PageCategorizer, type PageCategory } from './page-categories.js';
import { createTokenRing, eventTokenId, pageTokenId, pushToken, type EventToken, type TokenRing } from './sequence.js';
import {
  BROWSERS, DEVICE_TYPES, indexIn, LANGUAGES, languageClass, localTime, REGIONS, referrerClass, regionClass, SOURCE_CLASSES, SYSTEMS,
  UTM_CLASSES, utmClass, utmMediumOf, type LocalTime, type SourceClass, type UtmClass,
} from './visit-context.js';

/** An event as stored (tracking's StoredEvent) or as sent (TrackEvent). */
export interface FeatureEvent {
  type: string;
  ts: number;
  url: string;
  data?: Record<string, unknown>;
}

/** What the request context says (tracking's batch.device, plus the visitor's history when known). */
export interface FeatureContext {
  device_type?: string;
  browser?: string;
  os?: string;
  language?: string;
  timezone?: string;
  /** Sessions this visitor had before this one; undefined when unknown (cookieless visitors). */
  previousSessions?: number;
}

const COUNTED_TYPES = ['page_view', 'page_leave', 'session_start', 'click', 'scroll', 'section', 'form', 'mouse', 'custom', 'identify', 'conversion'] as const;
// Every event type is either counted or deliberately left out (survey: the label); a new type fails to compile here.
type Uncounted = Exclude<EventType, (typeof COUNTED_TYPES)[number] | 'survey'>;
const exhaustive: Uncounted extends never ? true : never = true;
void exhaustive;

export const BIGRAM_BUCKETS = 64;
/** Distinct page paths remembered per session (for per-page rates in online-shoppers.ts); more are only counted. */
export const MAX_TRACKED_PAGES = 64;
/** A page without a page_leave is credited with the time to the next page view, at most this long. */
const MAX_FALLBACK_DWELL_MS = 30 * 60_000;
const C = PAGE_CATEGORIES.length;
const CAT_INDEX = new Map<string, number>(PAGE_CATEGORIES.map((c, i) => [c, i]));
const THANKS = CAT_INDEX.get('thanks')!;

export interface FeatureState {
  readonly categorizer: PageCategorizer;
  context: FeatureContext;
  startedAt: number;
  lastAt: number;
  events: number;
  byType: Float64Array;
  pages: number;
  /** Views per distinct path (at most MAX_TRACKED_PAGES paths) and the views of paths beyond that. */
  pageViews: Map<string, number>;
  untrackedViews: number;
  /** Paths of the first and the latest page view (entrance and, so far, exit). */
  entryPath: string | null;
  lastPath: string | null;
  clicks: number;
  linkClicks: number;
  ctaClicks: number;
  pagesWithLinkClick: number;
  scrollMax: number;
  /** Sum of the max scroll of pages already left behind (the current page's is `pageScroll`). */
  scrollSumDone: number;
  wpmSum: number;
  wpmCount: number;
  pxSum: number;
  pxCount: number;
  formFocus: number;
  formSubmit: number;
  formAbandon: number;
  hesitations: number;
  mouseMs: number;
  mouseSpeedSum: number;
  mouseCount: number;
  customEvents: number;
  addToCart: number;
  conversions: number;
  /** Conversions of type purchase (the Online Shoppers label, Revenue). */
  purchases: number;
  conversionValue: number;
  catPages: Float64Array;
  catMs: Float64Array;
  bigrams: Float64Array;
  bigramsToThanks: number;
  entry: number;
  referrer: SourceClass;
  utm: UtmClass;
  /** The page being viewed: category index, when, whether it was left, its max scroll, a link clicked on it. */
  page: { category: number; since: number; left: boolean; scroll: number; linkClicked: boolean } | null;
  tokens: TokenRing;
  localTimeKey: string;
  local: LocalTime | null;
}

export interface FeatureStateOptions {
  /** The site's page categorizer (default rules when absent). Share one per site: it caches per path. */
  categorizer?: PageCategorizer;
  context?: FeatureContext;
  /** Tokens kept for the sequence models (default 50). */
  sequenceLength?: number;
}

let defaultCategorizer: PageCategorizer | undefined;

export function createFeatureState(options: FeatureStateOptions = {}): FeatureState {
  return {
    categorizer: options.categorizer ?? (defaultCategorizer ??= createPageCategorizer()),
    context: { ...options.context },
    startedAt: Infinity,
    lastAt: -Infinity,
    events: 0,
    byType: new Float64Array(COUNTED_TYPES.length),
    pages: 0,
    pageViews: new Map(),
    untrackedViews: 0,
    entryPath: null,
    lastPath: null,
    clicks: 0, linkClicks: 0, ctaClicks: 0, pagesWithLinkClick: 0,
    scrollMax: 0, scrollSumDone: 0, wpmSum: 0, wpmCount: 0, pxSum: 0, pxCount: 0,
    formFocus: 0, formSubmit: 0, formAbandon: 0,
    hesitations: 0, mouseMs: 0, mouseSpeedSum: 0, mouseCount: 0,
    customEvents: 0, addToCart: 0, conversions: 0, purchases: 0, conversionValue: 0,
    catPages: new Float64Array(C),
    catMs: new Float64Array(C),
    bigrams: new Float64Array(BIGRAM_BUCKETS),
    bigramsToThanks: 0,
    entry: -1,
    referrer: 'direct',
    utm: 'none',
    page: null,
    tokens: createTokenRing(options.sequenceLength),
    localTimeKey: '',
    local: null,
  };
}

/** Fills in context facts not known yet (the first batch's device wins, like the session row's). */
export function setContext(state: FeatureState, context: FeatureContext): void {
  for (const [k, v] of Object.entries(context) as [keyof FeatureContext, never][]) {
    if (v !== undefined && v !== null && state.context[k] === undefined) state.context[k] = v;
  }
}

const num = (v: unknown, max = 1e12): number => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.min(v, max) : 0);
const typeIndex = new Map<string, number>(COUNTED_TYPES.map((t, i) => [t, i]));

/** Folds one event into the state. Events of a session should come in time order (as stored batches do). */
export function update(state: FeatureState, event: FeatureEvent): void {
  const t = typeIndex.get(event.type);
  if (t === undefined || !Number.isFinite(event.ts)) return; // survey answers and unknown types are no features
  const d = event.data ?? {};
  state.events += 1;
  state.byType[t]! += 1;
  state.startedAt = Math.min(state.startedAt, event.ts);
  state.lastAt = Math.max(state.lastAt, event.ts);
  const token = (kind: EventToken) => pushToken(state.tokens, eventTokenId(kind));
  switch (event.type as (typeof COUNTED_TYPES)[number]) {
    case 'page_view':
      return pageView(state, event, typeof d.referrer === 'string' ? d.referrer : undefined);
    case 'page_leave': {
      if (state.page) {
        state.catMs[state.page.category]! += num(d.engaged_ms, 86_400_000);
        state.page.left = true;
        state.page.scroll = Math.max(state.page.scroll, num(d.max_scroll, 100));
      }
      state.scrollMax = Math.max(state.scrollMax, num(d.max_scroll, 100));
      return;
    }
    case 'click': {
      state.clicks += 1;
      const augur = d.augur as Record<string, unknown> | undefined;
      const action = typeof augur?.action === 'string' ? augur.action : undefined;
      if (action === 'add-to-cart') state.addToCart += 1;
      const link = typeof d.href === 'string' && d.href !== '';
      if (link) {
        state.linkClicks += 1;
        if (state.page && !state.page.linkClicked) {
          state.page.linkClicked = true;
          state.pagesWithLinkClick += 1;
        }
      }
      if (action) state.ctaClicks += 1;
      return token(action === 'add-to-cart' ? 'add_to_cart' : action ? 'cta_click' : link ? 'link_click' : 'click');
    }
    case 'scroll': {
      const depth = num(d.depth, 100);
      state.scrollMax = Math.max(state.scrollMax, depth);
      if (state.page) state.page.scroll = Math.max(state.page.scroll, depth);
      if (num(d.reading_wpm, 5000) > 0) (state.wpmSum += num(d.reading_wpm, 5000)), (state.wpmCount += 1);
      if (num(d.px_per_s, 1e6) > 0) (state.pxSum += num(d.px_per_s, 1e6)), (state.pxCount += 1);
      if (depth >= 75 && depth < 90) token('scroll_deep'); // once per page: milestones come once each
      return;
    }
    case 'form':
      if (d.action === 'focus') (state.formFocus += 1), token('form_focus');
      else if (d.action === 'submit') (state.formSubmit += 1), token('form_submit');
      else if (d.action === 'abandon') (state.formAbandon += 1), token('form_abandon');
      return;
    case 'mouse':
      state.hesitations += num(d.hesitations, 1e6);
      state.mouseMs += num(d.duration_ms, 86_400_000);
      if (num(d.avg_speed_px_s, 1e7) > 0) (state.mouseSpeedSum += num(d.avg_speed_px_s, 1e7)), (state.mouseCount += 1);
      return;
    case 'custom':
      state.customEvents += 1;
      if (d.name === 'add_to_cart') return; // the add-to-cart click already counted it
      return token('custom');
    case 'identify':
      return token('identify');
    case 'conversion':
      state.conversions += 1;
      if (d.type === 'purchase') state.purchases += 1;
      state.conversionValue += num(d.value);
      return token('conversion');
    case 'section':
    case 'session_start':
      return;
  }
}

function pageView(state: FeatureState, event: FeatureEvent, referrer: string | undefined): void {
  const category = CAT_INDEX.get(state.categorizer.categorize(event.url))!;
  const prev = state.page;
  if (prev) {
    if (!prev.left) state.catMs[prev.category]! += Math.min(MAX_FALLBACK_DWELL_MS, Math.max(0, event.ts - prev.since));
    state.scrollSumDone += prev.scroll;
    if (category === THANKS) state.bigramsToThanks += 1;
    else state.bigrams[BIGRAM_BUCKET[prev.category * C + category]!]! += 1;
  } else {
    state.entry = category;
    state.referrer = referrerClass(referrer, event.url);
    state.utm = utmClass(utmMediumOf(event.url));
  }
  state.pages += 1;
  state.catPages[category]! += 1;
  const path = pathOf(event.url);
  const views = state.pageViews.get(path);
  if (views !== undefined) state.pageViews.set(path, views + 1);
  else if (state.pageViews.size < MAX_TRACKED_PAGES) state.pageViews.set(path, 1);
  else state.untrackedViews += 1;
  state.entryPath ??= path;
  state.lastPath = path;
  state.page = { category, since: event.ts, left: false, scroll: 0, linkClicked: false };
  pushToken(state.tokens, pageTokenId(PAGE_CATEGORIES[category]!));
}

// FNV-1a of "from>to" by name, so buckets stay put if categories are ever appended.
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
const BIGRAM_BUCKET = Int32Array.from({ length: C * C }, (_, k) => fnv1a(`${PAGE_CATEGORIES[Math.floor(k / C)]}>${PAGE_CATEGORIES[k % C]}`) % BIGRAM_BUCKETS);

const names = (prefix: string, list: readonly string[]) => list.map((v) => `${prefix}${v.toLowerCase().replace(/ /g, '_')}`);

/** The vector's columns, in order. */
export const FEATURE_NAMES: readonly string[] = [
  'duration_s', 'pages', 'unique_pages', 'events', 'engaged_s',
  ...names('events_', COUNTED_TYPES),
  'clicks', 'link_clicks', 'cta_clicks', 'clicks_per_page', 'click_through_rate',
  'scroll_max', 'scroll_mean', 'reading_wpm', 'scroll_px_per_s',
  'form_focus', 'form_submit', 'form_abandon', 'hesitations_per_min', 'mouse_speed',
  ...names('pages_', PAGE_CATEGORIES), ...names('time_s_', PAGE_CATEGORIES), ...names('share_', PAGE_CATEGORIES), ...names('entry_', PAGE_CATEGORIES),
  ...Array.from({ length: BIGRAM_BUCKETS }, (_, i) => `bigram_${i}`), 'bigram_to_thanks',
  'hour_sin', 'hour_cos', 'weekday_sin', 'weekday_cos', 'weekend', 'timezone_known',
  ...names('device_', DEVICE_TYPES), ...names('browser_', BROWSERS), ...names('os_', SYSTEMS),
  ...names('lang_', LANGUAGES), ...names('region_', REGIONS),
  ...names('referrer_', SOURCE_CLASSES), ...names('utm_', UTM_CLASSES),
  'visitor_known', 'returning',
  'engagement', 'add_to_cart', 'reached_cart', 'reached_pricing', 'reached_checkout', 'conversions', 'conversion_value_log1p', 'bounce',
];
export const FEATURE_COUNT = FEATURE_NAMES.length;

/** Columns that are the conversion outcome (or follow from it): drop them when the label is conversion. */
export const OUTCOME_FEATURES: readonly string[] = [
  'events_conversion', 'events_identify', 'form_submit', 'pages_thanks', 'time_s_thanks', 'share_thanks', 'entry_thanks', 'bigram_to_thanks', 'conversions', 'conversion_value_log1p',
];

/** The local time of the session's start in the visitor's time zone (UTC when unknown); cached in the state. */
export function sessionLocalTime(state: FeatureState): LocalTime {
  const start = Number.isFinite(state.startedAt) ? state.startedAt : 0;
  const key = `${start}|${state.context.timezone ?? ''}`;
  if (key !== state.localTimeKey || !state.local) {
    state.local = localTime(start, state.context.timezone);
    state.localTimeKey = key;
  }
  return state.local;
}

/** Derived engagement in [0, 1]: saturating time, depth of visit, scrolling and interaction (forms started, not submitted). */
export function engagementScore(s: FeatureState): number {
  const seconds = totalMs(s) / 1000;
  const time = 1 - Math.exp(-seconds / 120);
  const depth = 1 - Math.exp(-Math.max(0, s.pages - 1) / 3);
  const scroll = scrollMean(s) / 100;
  const interaction = 1 - Math.exp(-(s.clicks + 2 * s.formFocus + s.customEvents) / 5);
  return 0.35 * time + 0.25 * depth + 0.2 * scroll + 0.2 * interaction;
}

const totalMs = (s: FeatureState) => s.catMs.reduce((a, b) => a + b, 0);
const scrollMean = (s: FeatureState) => (s.pages === 0 ? 0 : (s.scrollSumDone + (s.page?.scroll ?? 0)) / s.pages);

/** GA's bounce: one page view and no interaction on it. */
export function isBounce(s: FeatureState): boolean {
  return s.pages <= 1 && s.clicks === 0 && s.formFocus + s.formSubmit + s.formAbandon === 0 && s.customEvents === 0 && s.conversions === 0;
}

/** The feature vector (FEATURE_NAMES order), written into `out` when given. */
export function vector(s: FeatureState, out = new Float64Array(FEATURE_COUNT)): Float64Array {
  out.fill(0);
  let k = 0;
  const put = (v: number) => (out[k++] = v);
  const oneHot = (size: number, index: number) => {
    if (index >= 0) out[k + index] = 1;
    k += size;
  };
  const ratio = (a: number, b: number) => (b > 0 ? a / b : 0);
  const total = totalMs(s);
  put(s.pages > 0 || s.events > 0 ? Math.max(0, s.lastAt - s.startedAt) / 1000 : 0);
  put(s.pages);
  put(s.pageViews.size + (s.untrackedViews > 0 ? 1 : 0));
  put(s.events);
  put(total / 1000);
  for (const c of s.byType) put(c);
  put(s.clicks), put(s.linkClicks), put(s.ctaClicks), put(ratio(s.clicks, s.pages)), put(ratio(s.pagesWithLinkClick, s.pages));
  put(s.scrollMax), put(scrollMean(s)), put(ratio(s.wpmSum, s.wpmCount)), put(ratio(s.pxSum, s.pxCount));
  put(s.formFocus), put(s.formSubmit), put(s.formAbandon), put(ratio(s.hesitations, s.mouseMs / 60_000)), put(ratio(s.mouseSpeedSum, s.mouseCount));
  for (const c of s.catPages) put(c);
  for (const ms of s.catMs) put(ms / 1000);
  for (const ms of s.catMs) put(ratio(ms, total));
  oneHot(C, s.entry);
  for (const b of s.bigrams) put(b);
  put(s.bigramsToThanks);
  const local = sessionLocalTime(s);
  put(Math.sin((2 * Math.PI * local.hour) / 24)), put(Math.cos((2 * Math.PI * local.hour) / 24));
  put(Math.sin((2 * Math.PI * local.weekday) / 7)), put(Math.cos((2 * Math.PI * local.weekday) / 7));
  put(local.weekday === 0 || local.weekday === 6 ? 1 : 0), put(local.zoned ? 1 : 0);
  const ctx = s.context;
  oneHot(DEVICE_TYPES.length, ctx.device_type === undefined ? -1 : DEVICE_TYPES.indexOf(ctx.device_type as never));
  oneHot(BROWSERS.length, indexIn(BROWSERS, ctx.browser));
  oneHot(SYSTEMS.length, indexIn(SYSTEMS, ctx.os));
  oneHot(LANGUAGES.length, LANGUAGES.indexOf(languageClass(ctx.language)));
  oneHot(REGIONS.length, REGIONS.indexOf(regionClass(ctx.timezone)));
  oneHot(SOURCE_CLASSES.length, s.pages > 0 ? SOURCE_CLASSES.indexOf(s.referrer) : -1);
  oneHot(UTM_CLASSES.length, s.pages > 0 ? UTM_CLASSES.indexOf(s.utm) : -1);
  const known = ctx.previousSessions !== undefined;
  put(known ? 1 : 0), put(known && ctx.previousSessions! > 0 ? 1 : 0);
  put(engagementScore(s));
  const seen = (c: PageCategory) => (s.catPages[CAT_INDEX.get(c)!]! > 0 ? 1 : 0);
  put(s.addToCart), put(seen('cart')), put(seen('pricing')), put(seen('checkout'));
  put(s.conversions), put(Math.log1p(s.conversionValue)), put(s.pages > 0 && isBounce(s) ? 1 : 0);
  if (k !== FEATURE_COUNT) throw new Error(`features: wrote ${k} columns, FEATURE_NAMES has ${FEATURE_COUNT}`);
  return out;
}

/** The vector as a name → value record (explanations, debugging, tests). */
export function namedVector(s: FeatureState): Record<string, number> {
  const v = vector(s);
  return Object.fromEntries(FEATURE_NAMES.map((n, i) => [n, v[i]!]));
}
