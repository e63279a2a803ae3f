import { describe, expect, it } from 'vitest';
import { checkEvent, clockOffset, prepareBatch, stripUrl, type PrepareInput } from './ingest.js';

const NOW = Date.parse('2026-06-01T12:00:00Z');
const UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/130.0 Safari/537.36';
let n = 0;
const ev = (type: string, data?: Record<string, unknown>, ts = NOW) => ({ event_id: `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`, type, ts, url: 'https://a.example/x?utm_medium=cpc&token=secret#frag', ...(data ? { data } : {}) });
const input = (over: Partial<PrepareInput> = {}, envelope: Record<string, unknown> = {}): PrepareInput => ({
  envelope: { site: 'pk_testtesttest', sent_at: NOW, visitor_id: 'visitor_1234', session_id: 'session_1234', consent: { analytics: true }, ...envelope } as PrepareInput['envelope'],
  site: { id: '11111111-1111-4111-8111-111111111111', cookieless: true },
  now: NOW,
  trusted: false,
  userAgent: UA,
  dnt: false,
  gpc: false,
  cookielessId: () => 'c_hash',
  ...over,
});

describe('stripUrl', () => {
  it('keeps origin, path, hash routes and UTM only', () => {
    expect(stripUrl('https://a.example/p/1?utm_source=news&utm_campaign=fall&email=x%40y.z#section')).toEqual({ url: 'https://a.example/p/1', utm: { source: 'news', campaign: 'fall' } });
    expect(stripUrl('https://a.example/app#/cart?id=3').url).toBe('https://a.example/app#/cart');
    expect(stripUrl(`https://a.example/${'x'.repeat(900)}`).url).toHaveLength(500);
  });
});

describe('clockOffset', () => {
  it('trusts clocks within 5 minutes and corrects larger errors to the minute', () => {
    expect(clockOffset(NOW - 299_000, NOW)).toBe(0);
    expect(clockOffset(NOW - 3_600_400, NOW)).toBe(3_600_000);
    expect(clockOffset(NOW + 7_200_000, NOW)).toBe(-7_200_000);
  });
});

describe('checkEvent', () => {
  it('names the problem of a bad event', () => {
    expect(checkEvent({ ...ev('scroll', { depth: 33 }) }, 0)).toMatchObject({ code: 'TRACK_BAD_EVENT', message: expect.stringContaining('depth') });
    expect(checkEvent({ ...ev('click') }, 1)).toMatchObject({ message: 'event: a click event needs data' });
    expect(checkEvent({ ...ev('form', { action: 'submit', value: 'secret' }) }, 2)).toMatchObject({ message: expect.stringContaining('unknown field "value"') });
    expect(checkEvent('nope', 3)).toMatchObject({ index: 3, message: expect.stringContaining('type: must be one of') });
  });
});

describe('prepareBatch', () => {
  it('keeps consented events under the client ids, with privacy stripping', () => {
    const { batch, rejected, dropped } = prepareBatch(input(), [ev('page_view', { referrer: 'https://google.com/search?q=me' })]);
    expect(rejected).toEqual([]);
    expect(dropped).toEqual({ consent: 0, bot: 0 });
    expect(batch).toMatchObject({ visitor_id: 'visitor_1234', session_id: 'session_1234', cookieless: false, device: { device_type: 'desktop', browser: 'Chrome', os: 'Windows' } });
    expect(batch!.events[0]).toMatchObject({ url: 'https://a.example/x', data: { referrer: 'https://google.com/search', utm: { medium: 'cpc' } } });
  });

  it('without analytics consent keeps only page views, under the cookieless id', () => {
    const { batch, dropped } = prepareBatch(input({}, { consent: undefined }), [ev('page_view'), ev('click', { tag: 'a' }), ev('page_leave', { engaged_ms: 10 })]);
    expect(dropped.consent).toBe(1);
    expect(batch).toMatchObject({ visitor_id: 'c_hash', cookieless: true });
    expect(batch!.session_id).toBeUndefined();
    expect(batch!.events.map((e) => e.type)).toEqual(['page_view', 'page_leave']);
  });

  it('in consent-only mode keeps nothing before consent', () => {
    const { batch, dropped } = prepareBatch(input({ site: { id: 's', cookieless: false } }, { consent: undefined }), [ev('page_view')]);
    expect(batch).toBeUndefined();
    expect(dropped.consent).toBe(1);
  });

  it('honours Do Not Track without a choice, and Global Privacy Control for marketing', () => {
    expect(prepareBatch(input({ dnt: true }, { consent: undefined }), [ev('page_view')]).dropped.consent).toBe(1);
    const marketing = { ...ev('custom', { name: 'ad_click' }), category: 'marketing' };
    const consented = { consent: { analytics: true, marketing: true } };
    expect(prepareBatch(input({}, consented), [marketing]).batch?.events).toHaveLength(1);
    expect(prepareBatch(input({ gpc: true }, consented), [{ ...marketing, event_id: ev('x').event_id }]).dropped.consent).toBe(1);
  });

  it('drops bots, headless browsers and webdriver-driven pages', () => {
    expect(prepareBatch(input({ userAgent: 'Mozilla/5.0 (compatible; bingbot/2.0)' }), [ev('page_view')]).dropped.bot).toBe(1);
    expect(prepareBatch(input({ userAgent: 'Mozilla/5.0 HeadlessChrome/130.0' }), [ev('page_view')]).dropped.bot).toBe(1);
    expect(prepareBatch(input({}, { context: { webdriver: true } }), [ev('page_view')]).dropped.bot).toBe(1);
  });

  it('rejects timestamps outside the window; an API key may backfill 400 days', () => {
    const old = ev('page_view', undefined, NOW - 3 * 86_400_000);
    expect(prepareBatch(input(), [old]).rejected[0]).toMatchObject({ code: 'TRACK_TIMESTAMP_OUT_OF_RANGE', index: 0 });
    expect(prepareBatch(input({ trusted: true }), [old]).batch?.events).toHaveLength(1);
    expect(prepareBatch(input(), [ev('page_view', undefined, NOW + 600_000)]).rejected).toHaveLength(1);
  });

  it('shifts events from a client whose clock is hours off', () => {
    const clientNow = NOW - 3 * 3_600_000;
    const { batch } = prepareBatch(input({}, { sent_at: clientNow }), [ev('page_view', undefined, clientNow - 1000)]);
    expect(batch!.events[0]!.ts).toBe(NOW - 1000);
  });
});
