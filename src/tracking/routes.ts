// Ingest: POST /api/v1/track/{event,page-view,session} (and the spec's /api/track/… aliases).
// Public, authenticated by the site's public key plus an allowed Origin, or by a site API key.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppContext } from '../context.js';
import { badRequest, forbidden } from '../errors.js';
import { siteByPublicKey, type PublicSite } from '../sites/index.js';
import { verifyApiKey } from '../auth/index.js';
import { withErrors } from '../platform/http.js';
import { cookielessVisitorId, dailySalt } from './identity.js';
import { prepareBatch, type Rejection } from './ingest.js';
import { INGEST_BODY_LIMIT, IngestAnswer, TrackEnvelope, type EventType } from './schemas.js';
import type { EventPipeline } from './pipeline.js';

const ENDPOINTS: { path: string; defaultType?: EventType; summary: string }[] = [
  { path: 'track/event', summary: 'Track one event ("event") or a batch of up to 100 ("events")' },
  { path: 'track/page-view', defaultType: 'page_view', summary: 'Track page views (events default to type page_view)' },
  { path: 'track/session', defaultType: 'session_start', summary: 'Start or describe a session (events default to type session_start)' },
];

export function trackingRoutes(parent: FastifyInstance, ctx: AppContext, pipeline: EventPipeline): void {
  parent.register(async (untyped) => {
    // navigator.sendBeacon sends a string as text/plain (no CORS preflight); the body is JSON.
    untyped.addContentTypeParser('text/plain', { parseAs: 'string', bodyLimit: INGEST_BODY_LIMIT }, (_req, body, done) => {
      try {
        done(null, JSON.parse(body as string));
      } catch {
        done(badRequest('BAD_JSON', 'The body is not valid JSON'), undefined);
      }
    });
    // Answers are readable from any page, errors included, so a tracker on a page whose origin is
    // not allowed reads the 403 and stops instead of retrying blind. Nothing here is secret and no
    // credentials are involved; whether the events count is decided by the site's allow-list.
    untyped.addHook('onRequest', async (req, reply) => {
      const origin = req.headers.origin;
      if (typeof origin === 'string' && origin.length <= 300) reply.header('access-control-allow-origin', origin).header('vary', 'Origin');
    });
    const app = untyped.withTypeProvider<TypeBoxTypeProvider>();
    for (const { path, defaultType, summary } of ENDPOINTS) {
      for (const prefix of ['/api/v1/', '/api/']) {
        app.post(`${prefix}${path}`, {
          bodyLimit: INGEST_BODY_LIMIT,
          config: { public: true, rateLimit: { max: ctx.config.ingestRateLimitPerMinute, timeWindow: 60_000 } },
          schema: {
            tags: ['tracking'],
            summary,
            hide: prefix === '/api/',
            description: 'Answers 202 once the events are durable. See docs/tracking-protocol.md for the event types and fields.',
            body: TrackEnvelope,
            response: withErrors({ 202: IngestAnswer }, 403, 413, 415, 429, 503),
          },
          handler: (req, reply) => ingest(ctx, pipeline, req, reply, req.body, defaultType),
        });
      }
    }
  });
}

async function ingest(ctx: AppContext, pipeline: EventPipeline, req: FastifyRequest, reply: FastifyReply, envelope: TrackEnvelope, defaultType?: EventType) {
  const rawEvents = envelope.events ?? (envelope.event !== undefined ? [envelope.event] : undefined);
  if (!rawEvents) throw badRequest('TRACK_NO_EVENTS', 'Send "events" (an array of 1 to 100) or "event"');
  const site = await siteByPublicKey(ctx, envelope.site);
  if (!site) throw forbidden('TRACK_UNKNOWN_SITE', 'No site has this key; copy the snippet from the site settings again');
  const trusted = await authorizeSender(ctx, req, site);
  const now = ctx.clock.now();
  const salt = await dailySalt(ctx);
  const userAgent = String(req.headers['user-agent'] ?? '').slice(0, 512);
  const withDefaults = defaultType ? rawEvents.map((e) => (isObject(e) && e.type === undefined ? { ...e, type: defaultType } : e)) : rawEvents;
  const prepared = prepareBatch(
    {
      envelope,
      site: { id: site.id, cookieless: (site.settings.tracking as { cookieless?: boolean } | undefined)?.cookieless !== false },
      now,
      trusted,
      userAgent,
      dnt: req.headers.dnt === '1',
      gpc: req.headers['sec-gpc'] === '1',
      cookielessId: () => cookielessVisitorId(salt, site.id, req.ip, userAgent),
    },
    withDefaults,
  );
  const { rejected, dropped, batch } = prepared;
  if (rejected.length === rawEvents.length) {
    count(ctx, rejected, dropped, 0);
    throw badRequest('TRACK_BAD_EVENT', `No event was accepted: ${rejected[0]!.message}`, rejected);
  }
  // A 503 here counts nothing: the client sends the same events again.
  if (batch) await pipeline.enqueue(batch);
  count(ctx, rejected, dropped, batch?.events.length ?? 0);
  return reply.code(202).send({ accepted: batch?.events.length ?? 0, rejected, dropped, server_time: now });
}

/** Browsers prove the site by an allowed Origin; servers by the site's API key (which may backfill). */
async function authorizeSender(ctx: AppContext, req: FastifyRequest, site: PublicSite): Promise<boolean> {
  const apiKey = req.headers['x-api-key'];
  if (typeof apiKey === 'string') {
    const actor = await verifyApiKey(ctx, apiKey);
    if (actor.kind !== 'apiKey' || actor.siteId !== site.id) throw forbidden('TRACK_KEY_MISMATCH', 'This API key belongs to another site');
    return true;
  }
  const origin = req.headers.origin;
  if (typeof origin !== 'string' || !site.allowedOrigins.has(origin)) {
    throw forbidden('TRACK_ORIGIN_NOT_ALLOWED', `Origin ${typeof origin === 'string' ? origin : '(none)'} is not allowed for this site; add it to the site's allowed origins, or send server-side with an API key`);
  }
  return false;
}

function count(ctx: AppContext, rejected: Rejection[], dropped: { consent: number; bot: number }, accepted: number): void {
  const m = ctx.metrics.trackEvents;
  if (accepted) m.inc({ outcome: 'accepted' }, accepted);
  if (rejected.length) m.inc({ outcome: 'rejected' }, rejected.length);
  if (dropped.consent) m.inc({ outcome: 'dropped_consent' }, dropped.consent);
  if (dropped.bot) m.inc({ outcome: 'dropped_bot' }, dropped.bot);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
