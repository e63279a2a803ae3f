// Per-session behaviour state, updated in O(1) per stored event (no rescans) and kept for live
// sessions only (bounded, least recently used evicted). Intent scoring reads it.
import type { StoredBatch } from './sessionizer.js';

export interface SessionState {
  sessionId: string;
  siteId: string;
  visitorId: string;
  startedAt: number;
  lastAt: number;
  pages: number;
  events: number;
  clicks: number;
  maxScroll: number;
  engagedMs: number;
  formsStarted: number;
  formsSubmitted: number;
  conversions: number;
  customEvents: number;
  mouseHesitations: number;
  /** Time spent per data-augur-section, ms. */
  sections: Record<string, number>;
  /** Page paths in visit order (last 50). */
  path: string[];
  lastUrl: string;
  deviceType: string;
}

export interface SessionStates {
  get(sessionId: string): SessionState | undefined;
  apply(stored: StoredBatch[]): SessionState[];
  size(): number;
}

const MAX_PATH = 50;

export function createSessionStates(maxSessions = 50_000): SessionStates {
  const states = new Map<string, SessionState>();
  return {
    get: (id) => states.get(id),
    size: () => states.size,
    apply(stored) {
      const touched = new Set<SessionState>();
      for (const { batch, events } of stored) {
        let s = states.get(batch.session_id);
        if (s) states.delete(batch.session_id); // re-inserted below: most recently used last
        s ??= newState(batch.session_id, batch.site_id, batch.visitor_id, String(batch.device.device_type), events[0]?.ts ?? 0);
        for (const e of events) {
          s.events += 1;
          s.startedAt = Math.min(s.startedAt, e.ts);
          s.lastAt = Math.max(s.lastAt, e.ts);
          const d = e.data;
          switch (e.type) {
            case 'page_view':
              s.pages += 1;
              s.lastUrl = e.url;
              s.path.push(new URL(e.url).pathname);
              if (s.path.length > MAX_PATH) s.path.shift();
              break;
            case 'page_leave':
              s.engagedMs += Number(d.engaged_ms ?? 0);
              s.maxScroll = Math.max(s.maxScroll, Number(d.max_scroll ?? 0));
              break;
            case 'click':
              s.clicks += 1;
              break;
            case 'scroll':
              s.maxScroll = Math.max(s.maxScroll, Number(d.depth ?? 0));
              break;
            case 'section':
              s.sections[String(d.section)] = (s.sections[String(d.section)] ?? 0) + Number(d.visible_ms ?? 0);
              break;
            case 'form':
              if (d.action === 'focus') s.formsStarted += 1;
              if (d.action === 'submit') s.formsSubmitted += 1;
              break;
            case 'mouse':
              s.mouseHesitations += Number(d.hesitations ?? 0);
              break;
            case 'conversion':
              s.conversions += 1;
              break;
            case 'custom':
              s.customEvents += 1;
              break;
          }
        }
        states.set(batch.session_id, s);
        touched.add(s);
      }
      while (states.size > maxSessions) states.delete(states.keys().next().value!);
      return [...touched];
    },
  };
}

function newState(sessionId: string, siteId: string, visitorId: string, deviceType: string, ts: number): SessionState {
  return {
    sessionId,
    siteId,
    visitorId,
    startedAt: ts,
    lastAt: ts,
    pages: 0,
    events: 0,
    clicks: 0,
    maxScroll: 0,
    engagedMs: 0,
    formsStarted: 0,
    formsSubmitted: 0,
    conversions: 0,
    customEvents: 0,
    mouseHesitations: 0,
    sections: Object.create(null) as Record<string, number>,
    path: [],
    lastUrl: '',
    deviceType,
  };
}
