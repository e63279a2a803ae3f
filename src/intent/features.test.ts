import { describe, expect, it } from 'vitest';
import { createRng } from '../platform/random.js';
import { deviceFacts } from '../tracking/identity.js';
import { simulateVisitor, type SimSession } from '../simulator/visitor.js';
import { createFeatureState, FEATURE_COUNT, FEATURE_NAMES, MAX_TRACKED_PAGES, namedVector, OUTCOME_FEATURES, setContext, update, vector, type FeatureEvent, type FeatureState } from './features.js';
import { createPageCategorizer } from './page-categories.js';
import { sequence, tokenNames } from './sequence.js';

const T0 = Date.UTC(2026, 2, 14, 9, 30); // Saturday 10:30 in Berlin (CET, before the switch to summer time)
const ORIGIN = 'https://shop.example';
const at = (s: number) => T0 + s * 1000;
const ev = (type: string, s: number, path: string, data?: Record<string, unknown>): FeatureEvent => ({ type, ts: at(s), url: `${ORIGIN}${path}`, ...(data ? { data } : {}) });

function feed(events: FeatureEvent[], state = createFeatureState()): FeatureState {
  for (const e of events) update(state, e);
  return state;
}

// Home (newsletter link) → pricing (no page_leave: credited until the next view) → cart.
const STREAM: FeatureEvent[] = [
  ev('page_view', 0, '/?utm_source=nl&utm_medium=email', { referrer: '' }),
  ev('scroll', 5, '/', { depth: 50, reading_wpm: 200 }),
  ev('click', 8, '/', { tag: 'a', href: `${ORIGIN}/pricing` }),
  ev('page_leave', 9, '/', { engaged_ms: 9000, max_scroll: 60 }),
  ev('page_view', 10, '/pricing', { referrer: `${ORIGIN}/` }),
  ev('click', 20, '/pricing', { tag: 'button', augur: { action: 'billing-toggle' } }),
  ev('scroll', 25, '/pricing', { depth: 75, reading_wpm: 300, px_per_s: 100 }),
  ev('form', 30, '/pricing', { action: 'focus', form: 'trial-form' }),
  ev('page_view', 70, '/cart', { referrer: `${ORIGIN}/pricing` }),
  ev('click', 75, '/cart', { tag: 'button', augur: { action: 'add-to-cart', product: '2' } }),
  ev('custom', 75, '/cart', { name: 'add_to_cart', props: { product_id: '2' } }),
  ev('survey', 80, '/cart', { question: 'visit_reason', answer: 'buy' }),
  ev('mouse', 90, '/cart', { hesitations: 2, duration_ms: 30_000, avg_speed_px_s: 300 }),
  ev('page_leave', 100, '/cart', { engaged_ms: 20_000, max_scroll: 100 }),
];
const CONTEXT = { device_type: 'desktop', browser: 'Firefox', os: 'Linux', language: 'de-DE', timezone: 'Europe/Berlin', previousSessions: 2 };

describe('intent features', () => {
  it('names every column once', () => {
    expect(new Set(FEATURE_NAMES).size).toBe(FEATURE_COUNT);
    expect(vector(createFeatureState())).toHaveLength(FEATURE_COUNT);
    for (const name of OUTCOME_FEATURES) expect(FEATURE_NAMES).toContain(name);
  });

  it('computes a hand-built session', () => {
    const f = namedVector(feed(STREAM, createFeatureState({ context: CONTEXT })));
    const share = (s: number) => s / 89;
    expect(f).toMatchObject({
      duration_s: 100, pages: 3, unique_pages: 3, events: 13, engaged_s: 89,
      events_page_view: 3, events_page_leave: 2, events_click: 3, events_scroll: 2, events_form: 1, events_mouse: 1, events_custom: 1, events_conversion: 0,
      clicks: 3, link_clicks: 1, cta_clicks: 2, clicks_per_page: 1,
      scroll_max: 100, reading_wpm: 250, scroll_px_per_s: 100,
      form_focus: 1, form_submit: 0, hesitations_per_min: 4, mouse_speed: 300,
      pages_home: 1, pages_pricing: 1, pages_cart: 1, pages_product: 0,
      time_s_home: 9, time_s_pricing: 60, time_s_cart: 20,
      entry_home: 1, entry_pricing: 0, bigram_to_thanks: 0,
      weekend: 1, timezone_known: 1,
      device_desktop: 1, device_mobile: 0, browser_firefox: 1, browser_chrome: 0, os_linux: 1, lang_de: 1, region_europe: 1,
      referrer_direct: 1, utm_email: 1, utm_none: 0, visitor_known: 1, returning: 1,
      add_to_cart: 1, reached_cart: 1, reached_pricing: 1, reached_checkout: 0, conversions: 0, bounce: 0,
    });
    expect(f.click_through_rate).toBeCloseTo(1 / 3, 12);
    expect(f.scroll_mean).toBeCloseTo((60 + 75 + 100) / 3, 12);
    expect([f.share_home, f.share_pricing, f.share_cart]).toEqual([share(9), share(60), share(20)].map((x) => expect.closeTo(x, 12)));
    expect(f.hour_sin).toBeCloseTo(0.3826834323650899, 12); // 10:30 local
    expect(f.hour_cos).toBeCloseTo(-0.9238795325112867, 12);
    expect(f.weekday_sin).toBeCloseTo(Math.sin((2 * Math.PI * 6) / 7), 12);
    expect(f.engagement).toBeCloseTo(0.6013617587428577, 12); // worked out by hand from the formula in docs/models.md
    const bigrams = FEATURE_NAMES.filter((n) => /^bigram_\d+$/.test(n)).reduce((sum, n) => sum + f[n]!, 0);
    expect(bigrams).toBe(2);
  });

  it('keeps the token sequence, newest last, padded with 0', () => {
    const s = feed(STREAM);
    expect(tokenNames(sequence(s, 10))).toEqual(['<pad>', '<pad>', 'page:home', 'event:link_click', 'page:pricing', 'event:cta_click', 'event:scroll_deep', 'event:form_focus', 'page:cart', 'event:add_to_cart']);
    expect(tokenNames(sequence(s, 3))).toEqual(['event:form_focus', 'page:cart', 'event:add_to_cart']);
    // A short ring keeps only the newest tokens.
    expect(tokenNames(sequence(feed(STREAM, createFeatureState({ sequenceLength: 4 }))))).toEqual(['event:scroll_deep', 'event:form_focus', 'page:cart', 'event:add_to_cart']);
  });

  it('reads the local time in the visitor time zone, UTC when unknown or invalid', () => {
    const hourOf = (timezone?: string, ts = T0) => {
      const s = createFeatureState({ context: timezone ? { timezone } : {} });
      update(s, { type: 'page_view', ts, url: `${ORIGIN}/` });
      const f = namedVector(s);
      return { hour: Math.round(((Math.atan2(f.hour_sin!, f.hour_cos!) / (2 * Math.PI)) * 24 + 24) * 2) / 2 % 24, known: f.timezone_known, weekend: f.weekend };
    };
    expect(hourOf('Europe/Berlin')).toEqual({ hour: 10.5, known: 1, weekend: 1 });
    expect(hourOf('America/New_York')).toEqual({ hour: 5.5, known: 1, weekend: 1 }); // EDT (UTC−4) since 8 March, while Berlin is still on CET
    expect(hourOf('Asia/Tokyo', Date.UTC(2026, 2, 14, 20, 0))).toEqual({ hour: 5, known: 1, weekend: 1 }); // Sunday morning
    expect(hourOf('Europe/Berlin', Date.UTC(2026, 6, 6, 9, 30))).toEqual({ hour: 11.5, known: 1, weekend: 0 }); // CEST, a Monday
    expect(hourOf(undefined)).toEqual({ hour: 9.5, known: 0, weekend: 1 });
    expect(hourOf('Mars/Olympus_Mons')).toEqual({ hour: 9.5, known: 0, weekend: 1 });
    expect(hourOf('../../etc/passwd')).toEqual({ hour: 9.5, known: 0, weekend: 1 });
  });

  it('marks a single page without interaction as a bounce, and only that', () => {
    const one = feed([ev('page_view', 0, '/blog/a'), ev('page_leave', 30, '/blog/a', { engaged_ms: 30_000 })]);
    expect(namedVector(one)).toMatchObject({ bounce: 1, pages: 1, time_s_blog: 30, share_blog: 1, entry_blog: 1 });
    update(one, ev('click', 31, '/blog/a', { tag: 'p' }));
    expect(namedVector(one).bounce).toBe(0);
    expect(namedVector(createFeatureState()).bounce).toBe(0); // no page yet: nothing to bounce from
  });

  it('classifies the source of the landing page only', () => {
    const f = namedVector(feed([ev('page_view', 0, '/products/1?utm_medium=cpc', { referrer: 'https://www.google.com/' }), ev('page_view', 5, '/products', { referrer: 'https://t.co/x' })]));
    expect(f).toMatchObject({ referrer_search: 1, referrer_social: 0, utm_paid: 1, entry_product: 1, pages_listing: 1 });
  });

  it('keeps outcome columns apart from the hashed navigation buckets', () => {
    const s = feed([ev('page_view', 0, '/checkout'), ev('form', 5, '/checkout', { action: 'submit' }), ev('conversion', 6, '/checkout', { type: 'purchase', value: 99 }), ev('page_view', 7, '/thanks')]);
    const f = namedVector(s);
    expect(f).toMatchObject({ bigram_to_thanks: 1, conversions: 1, form_submit: 1, pages_thanks: 1 });
    expect(f.conversion_value_log1p).toBeCloseTo(Math.log1p(99), 12);
    expect(FEATURE_NAMES.filter((n) => /^bigram_\d+$/.test(n)).every((n) => f[n] === 0)).toBe(true);
  });

  it('uses the first context seen, filling in what was missing', () => {
    const s = createFeatureState({ context: { browser: 'Safari' } });
    setContext(s, { ...deviceFacts('Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0'), timezone: 'Asia/Tokyo' });
    expect(s.context).toEqual({ browser: 'Safari', device_type: 'desktop', os: 'Linux', timezone: 'Asia/Tokyo' });
  });

  it('keeps the state bounded however long the session (O(1) per event)', () => {
    const footprint = (s: FeatureState) =>
      JSON.stringify(s, (_, v: unknown) => (v instanceof Map ? [...v] : ArrayBuffer.isView(v) ? Array.from(v as Float64Array) : v === s.categorizer ? undefined : v)).length;
    const run = (n: number) => {
      const s = createFeatureState({ categorizer: createPageCategorizer() });
      const t0 = performance.now();
      for (let i = 0; i < n; i++) {
        update(s, ev(i % 4 === 0 ? 'page_view' : i % 4 === 1 ? 'click' : i % 4 === 2 ? 'scroll' : 'page_leave', i, `/p/${i >> 2}`, { tag: 'a', depth: 50, engaged_ms: 900 }));
      }
      return { s, ms: performance.now() - t0 };
    };
    const small = run(1_000);
    const large = run(10_000);
    expect(large.s.pageViews.size).toBe(MAX_TRACKED_PAGES);
    expect(namedVector(large.s)).toMatchObject({ pages: 2_500, clicks: 2_500, unique_pages: MAX_TRACKED_PAGES + 1 });
    // Same structure, only longer numbers: nothing grows with the number of events.
    expect(footprint(large.s)).toBeLessThan(footprint(small.s) * 1.2);
    expect(large.ms).toBeLessThan(1_000);
  });

  it('is deterministic: the same events give the same vector, simulated sessions give finite values', () => {
    const sessions: SimSession[] = Array.from({ length: 60 }, (_, i) => simulateVisitor(createRng(`features:${i}`), { origin: ORIGIN, surveyFraction: 0.3, rejectFraction: 0.2 }, T0 + i * 60_000).sessions).flat();
    const vectorOf = (session: SimSession) => {
      const s = createFeatureState({ context: { ...deviceFacts(session.userAgent), language: session.context.language, timezone: session.context.timezone } });
      for (const batch of session.batches) for (const e of batch.events) update(s, e);
      return vector(s);
    };
    for (const session of sessions) {
      const a = vectorOf(session);
      expect(a.every(Number.isFinite)).toBe(true);
      expect(vectorOf(session)).toEqual(a);
    }
    const withPages = sessions.map(vectorOf).filter((v) => v[FEATURE_NAMES.indexOf('pages')]! > 1);
    expect(withPages.length).toBeGreaterThan(10);
  });
});
