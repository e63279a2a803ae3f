// Wire format of the ingest API (docs/tracking-protocol.md). The envelope is validated by the
// route; each event separately, so one bad event never blocks the good ones of its batch.
import { Type, type Static, type TSchema } from '@sinclair/typebox';

export const MAX_EVENTS_PER_BATCH = 100;
export const INGEST_BODY_LIMIT = 64 * 1024;

const ClientId = Type.String({ pattern: '^[A-Za-z0-9_-]{8,64}$' });
const Url = Type.String({ maxLength: 2048, pattern: '^https?://' });
const Count = Type.Integer({ minimum: 0, maximum: 1_000_000_000 });
const Short = (max: number) => Type.String({ maxLength: max });
const Props = Type.Record(Type.String({ maxLength: 64 }), Type.Union([Type.String({ maxLength: 256 }), Type.Number(), Type.Boolean(), Type.Null()]), { maxProperties: 20 });
const strict = { additionalProperties: false } as const;

export const Consent = Type.Object(
  { analytics: Type.Optional(Type.Boolean()), marketing: Type.Optional(Type.Boolean()), personalization: Type.Optional(Type.Boolean()), necessary: Type.Optional(Type.Boolean()) },
  strict,
);

export const DeviceContext = Type.Object(
  {
    screen_w: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })),
    screen_h: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })),
    viewport_w: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })),
    viewport_h: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })),
    language: Type.Optional(Short(35)),
    timezone: Type.Optional(Short(64)),
    ua_mobile: Type.Optional(Type.Boolean()),
    ua_platform: Type.Optional(Short(32)),
    ua_brands: Type.Optional(Type.Array(Short(64), { maxItems: 5 })),
    webdriver: Type.Optional(Type.Boolean()),
  },
  strict,
);

export type DeviceContext = Static<typeof DeviceContext>;

export const TrackEnvelope = Type.Object(
  {
    site: Type.String({ pattern: '^pk_[A-Za-z0-9_-]{8,64}$' }),
    visitor_id: Type.Optional(ClientId),
    session_id: Type.Optional(ClientId),
    consent: Type.Optional(Consent),
    sent_at: Type.Integer({ minimum: 0, maximum: 32503680000000 }),
    context: Type.Optional(DeviceContext),
    events: Type.Optional(Type.Array(Type.Unknown(), { minItems: 1, maxItems: MAX_EVENTS_PER_BATCH })),
    event: Type.Optional(Type.Unknown()),
  },
  { ...strict, $id: 'TrackEnvelope' },
);
export type TrackEnvelope = Static<typeof TrackEnvelope>;

// Per-type payloads; every field bounded, nothing free-form but custom props.
export const EVENT_DATA = {
  page_view: Type.Object({ title: Type.Optional(Short(300)), referrer: Type.Optional(Type.Union([Url, Type.Literal('')])), spa: Type.Optional(Type.Boolean()) }, strict),
  page_leave: Type.Object({ engaged_ms: Type.Optional(Type.Integer({ minimum: 0, maximum: 86_400_000 })), max_scroll: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })) }, strict),
  session_start: Type.Object({}, strict),
  click: Type.Object(
    {
      tag: Short(32),
      id: Type.Optional(Short(128)),
      classes: Type.Optional(Type.Array(Short(64), { maxItems: 10 })),
      augur: Type.Optional(Type.Record(Type.String({ maxLength: 64 }), Short(128), { maxProperties: 10 })),
      href: Type.Optional(Short(2048)),
      target: Type.Optional(Short(32)),
      text: Type.Optional(Short(64)),
      x: Type.Optional(Count),
      y: Type.Optional(Count),
    },
    strict,
  ),
  scroll: Type.Object(
    {
      depth: Type.Union([Type.Literal(25), Type.Literal(50), Type.Literal(75), Type.Literal(90), Type.Literal(100)]),
      reading_wpm: Type.Optional(Type.Number({ minimum: 0, maximum: 5000 })),
      px_per_s: Type.Optional(Type.Number({ minimum: 0, maximum: 1_000_000 })),
    },
    strict,
  ),
  section: Type.Object({ section: Short(64), visible_ms: Type.Integer({ minimum: 0, maximum: 86_400_000 }) }, strict),
  form: Type.Object(
    {
      action: Type.Union([Type.Literal('focus'), Type.Literal('submit'), Type.Literal('abandon')]),
      form: Type.Optional(Short(128)),
      fields: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000 })),
      filled: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000 })),
      field: Type.Optional(Short(128)),
    },
    strict,
  ),
  mouse: Type.Object(
    {
      distance_px: Type.Optional(Type.Number({ minimum: 0, maximum: 1e9 })),
      avg_speed_px_s: Type.Optional(Type.Number({ minimum: 0, maximum: 1e7 })),
      hesitations: Type.Optional(Count),
      samples: Type.Optional(Count),
      duration_ms: Type.Optional(Type.Integer({ minimum: 0, maximum: 86_400_000 })),
    },
    strict,
  ),
  custom: Type.Object({ name: Short(64), props: Type.Optional(Props) }, strict),
  identify: Type.Object({ customer_id: Type.String({ minLength: 1, maxLength: 128 }), traits: Type.Optional(Props) }, strict),
  conversion: Type.Object({ type: Type.String({ minLength: 1, maxLength: 64 }), value: Type.Optional(Type.Number({ minimum: 0, maximum: 1e12 })), currency: Type.Optional(Type.String({ pattern: '^[A-Za-z]{3}$' })) }, strict),
  survey: Type.Object({ question: Type.String({ minLength: 1, maxLength: 64 }), answer: Type.String({ minLength: 1, maxLength: 64 }) }, strict),
} satisfies Record<string, TSchema>;

export type EventType = keyof typeof EVENT_DATA;
export const EVENT_TYPES = Object.keys(EVENT_DATA) as EventType[];
export type ConsentCategory = 'necessary' | 'analytics' | 'marketing' | 'personalization';

/** One event of a batch, for one type. */
export function eventSchema(type: EventType) {
  return Type.Object(
    {
      event_id: Type.String({ format: 'uuid' }),
      type: Type.Literal(type),
      ts: Type.Integer({ minimum: 0, maximum: 32503680000000 }),
      url: Url,
      category: Type.Optional(Type.Union([Type.Literal('analytics'), Type.Literal('marketing'), Type.Literal('personalization')])),
      data: Type.Optional(EVENT_DATA[type]),
    },
    strict,
  );
}

export interface TrackEvent {
  event_id: string;
  type: EventType;
  ts: number;
  url: string;
  category?: 'analytics' | 'marketing' | 'personalization';
  data?: Record<string, unknown>;
}

export const IngestAnswer = Type.Object({
  accepted: Type.Integer(),
  rejected: Type.Array(Type.Object({ index: Type.Integer(), event_id: Type.Optional(Type.String()), code: Type.String(), message: Type.String() })),
  dropped: Type.Object({ consent: Type.Integer(), bot: Type.Integer() }),
  server_time: Type.Integer(),
});
export type IngestAnswer = Static<typeof IngestAnswer>;

/** A queue message (tracking/ingest.ts IngestBatch), checked again by the worker that reads it. */
export const IngestBatchSchema = Type.Object({
  site_id: Type.String({ format: 'uuid' }),
  visitor_id: Type.String({ minLength: 1, maxLength: 255 }),
  session_id: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
  cookieless: Type.Boolean(),
  consent: Type.Record(Type.String(), Type.Boolean()),
  device: Type.Object({ device_type: Type.String({ maxLength: 20 }), browser: Type.String({ maxLength: 50 }), os: Type.String({ maxLength: 50 }) }),
  events: Type.Array(
    Type.Object({
      event_id: Type.String({ format: 'uuid' }),
      type: Type.Union(EVENT_TYPES.map((t) => Type.Literal(t))),
      ts: Type.Integer({ minimum: 0 }),
      url: Type.String({ maxLength: 500 }),
      data: Type.Object({}),
    }),
    { minItems: 1, maxItems: MAX_EVENTS_PER_BATCH },
  ),
});
