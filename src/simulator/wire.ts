// The simulator's view of the ingest wire format (docs/tracking-protocol.md). Kept here rather
// than imported from tracking/ so the simulator stays a pure client of the documented protocol;
// the tests check what it produces against the server's own schemas.

export type EventType =
  | 'page_view' | 'page_leave' | 'session_start' | 'click' | 'scroll' | 'section' | 'form' | 'mouse' | 'custom' | 'identify' | 'conversion' | 'survey';

export interface SimEvent {
  event_id: string;
  type: EventType;
  ts: number;
  url: string;
  data?: Record<string, unknown>;
}

export interface Consent { analytics: boolean; marketing: boolean; personalization: boolean }

export interface DeviceContext {
  screen_w: number;
  screen_h: number;
  viewport_w: number;
  viewport_h: number;
  language: string;
  timezone: string;
  ua_mobile?: boolean;
  ua_platform?: string;
  ua_brands?: string[];
  webdriver: boolean;
}

export interface Envelope {
  site: string;
  visitor_id?: string;
  session_id?: string;
  consent: Consent;
  sent_at: number;
  context: DeviceContext;
  events: SimEvent[];
}

/** The JSON answer of a 202. */
export interface IngestAnswer {
  accepted: number;
  rejected: { index: number; event_id?: string; code: string; message: string }[];
  dropped: Record<string, number>;
  server_time: number;
}
