// Ingest: POST /api/v1/track/{event,page-view,session} (and the spec's /api/track/… aliases).
// Public, authenticated by the site's public key plus an allowed Origin, or by a site API key.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppContext } from '../context.js';
import { badRequest } from '../errors.js';
import { authorizeSiteSender } from '../sites/index.js';
import { recordedConsent, type Categories } from '../privacy/index.js';
import { siteScriptScope, withErrors } from '../platform/http.js';
import { cookielessVisitorId, dailySalt } from './identity.js';
import { prepareBatch, type Rejection } from './ingest.js';
import { INGEST_BODY_LIMIT, IngestAnswer, TrackEnvelope, type EventType } from './schemas.js';
import type { EventPipeline } from './pipeline.js';
import { isRecord } from '../platform/validation.js';

const ENDPOINTS: { path: string; defaultType?: EventType; summary: string }[] = [
  { path: 'track/event', summary: 'Track one event ("event") or a batch of up to 100 ("events")' },
  { path: 'track/page-view', defaultType: 'page_view', summary: 'Track page views (events default to type page_view)' },
  { path: 'track/session', defaultType: 'session_start', summary: 'Start or describe a session (events default to type session_start)' },
];

export function trackingRoutes(parent: FastifyInstance, ctx: AppContext, pipeline: EventPipeline, recordedConsentCheck = () => true): void {
  parent.register(async (untyped) => {
    siteScriptScope(untyped, INGEST_BODY_LIMIT);
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
          handler: (req, reply) => ingest(ctx, pipeline, req, reply, req.body, defaultType, recordedConsentCheck),
        });
      }
    }
  });
}

async function ingest(ctx: AppContext, pipeline: EventPipeline, req: FastifyRequest, reply: FastifyReply, envelope: TrackEnvelope, defaultType: EventType | undefined, recordedConsentCheck: () => boolean) {
  const rawEvents = envelope.events ?? (envelope.event !== undefined ? [envelope.event] : undefined);
  if (!rawEvents) throw badRequest('TRACK_NO_EVENTS', 'Send "events" (an array of 1 to 100) or "event"');
  const { site, trusted } = await authorizeSiteSender(ctx, req, envelope.site);
  const now = ctx.clock.now();
  const salt = await dailySalt(ctx);
  const userAgent = String(req.headers['user-agent'] ?? '').slice(0, 512);
  const withDefaults = defaultType ? rawEvents.map((e) => (isRecord(e) && e.type === undefined ? { ...e, type: defaultType } : e)) : rawEvents;
  // A decision recorded through the consent API binds the server, whatever the page claims: an
  // event needs both. (Cookieless requests carry no visitor id and so have nothing recorded.)
  const recorded = envelope.visitor_id && recordedConsentCheck() ? await recordedConsent(ctx, site.id, envelope.visitor_id) : null;
  const prepared = prepareBatch(
    {
      envelope: recorded ? { ...envelope, consent: narrowConsent(envelope.consent, recorded) } : envelope,
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

function count(ctx: AppContext, rejected: Rejection[], dropped: { consent: number; bot: number }, accepted: number): void {
  const m = ctx.metrics.trackEvents;
  if (accepted) m.inc({ outcome: 'accepted' }, accepted);
  if (rejected.length) m.inc({ outcome: 'rejected' }, rejected.length);
  if (dropped.consent) m.inc({ outcome: 'dropped_consent' }, dropped.consent);
  if (dropped.bot) m.inc({ outcome: 'dropped_bot' }, dropped.bot);
}

function narrowConsent(claimed: TrackEnvelope['consent'], recorded: Categories): TrackEnvelope['consent'] {
  return {
    analytics: claimed?.analytics === true && recorded.analytics,
    marketing: claimed?.marketing === true && recorded.marketing,
    personalization: claimed?.personalization === true && recorded.personalization,
  };
}

