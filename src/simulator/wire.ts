// The simulator's view of the ingest wire format (docs/tracking-protocol.md): the server's own
// types, narrowed to what the simulator always sends.
import type { DeviceContext as WireContext, TrackEnvelope, TrackEvent } from '../tracking/index.js';

export type { EventType, IngestAnswer } from '../tracking/index.js';

export type SimEvent = Omit<TrackEvent, 'category'>;
export interface Consent { analytics: boolean; marketing: boolean; personalization: boolean }
export type DeviceContext = WireContext & { screen_w: number; screen_h: number; viewport_w: number; viewport_h: number; language: string; timezone: string; webdriver: boolean };

export type Envelope = Omit<TrackEnvelope, 'events' | 'event' | 'consent' | 'context'> & { consent: Consent; context: DeviceContext; events: SimEvent[] };
