import { describe, expect, it } from 'vitest';
import { createSessionStates } from './session-state.js';
import type { StoredBatch } from './sessionizer.js';

let n = 0;
const batch = (sessionId: string, events: [type: string, data?: Record<string, unknown>][], t0 = 1_000_000): StoredBatch => ({
  batch: { site_id: 's', visitor_id: 'v', session_id: sessionId, cookieless: false, consent: {}, device: { device_type: 'mobile', browser: 'Chrome', os: 'Android' }, events: [] },
  events: events.map(([type, data = {}], i) => ({ event_id: String(++n), type: type as never, ts: t0 + i * 1000, url: `https://a.example/p/${i}`, data })),
});

describe('session state', () => {
  it('accumulates behaviour per session, one event at a time', () => {
    const states = createSessionStates();
    states.apply([batch('s1', [['page_view'], ['click', { tag: 'a' }], ['scroll', { depth: 50 }], ['section', { section: 'specs', visible_ms: 1200 }], ['form', { action: 'focus' }]])]);
    const [s] = states.apply([batch('s1', [['page_view'], ['section', { section: 'specs', visible_ms: 300 }], ['form', { action: 'submit' }], ['page_leave', { engaged_ms: 9000, max_scroll: 80 }], ['conversion', { type: 'signup' }]], 2_000_000)]);
    expect(s).toMatchObject({ pages: 2, events: 10, clicks: 1, maxScroll: 80, engagedMs: 9000, formsStarted: 1, formsSubmitted: 1, conversions: 1, sections: { specs: 1500 }, path: ['/p/0', '/p/0'], deviceType: 'mobile', startedAt: 1_000_000, lastAt: 2_004_000 });
  });

  it('keeps at most the configured number of sessions, dropping the least recently active', () => {
    const states = createSessionStates(2);
    states.apply([batch('a', [['page_view']])]);
    states.apply([batch('b', [['page_view']])]);
    states.apply([batch('a', [['click', { tag: 'a' }]])]);
    states.apply([batch('c', [['page_view']])]);
    expect(states.size()).toBe(2);
    expect(states.get('b')).toBeUndefined();
    expect(states.get('a')?.events).toBe(2);
  });
});
