// GET /api/v1/sites/:siteId/sessions[/:sessionId]: the stored sessions and their events.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppContext } from '../context.js';
import { canReadAnalytics } from '../auth/index.js';
import { notFound } from '../errors.js';
import { actorOf, SiteParams, Uuid, withErrors } from '../platform/http.js';
import { getSession, listSessions, sessionEvents } from './queries.js';

const Session = Type.Object({
  session_id: Type.String(),
  visitor_id: Type.String(),
  user_id: Type.Union([Type.String(), Type.Null()]),
  start_time: Type.String(),
  end_time: Type.String(),
  duration_ms: Type.Integer(),
  bounce: Type.Boolean(),
  page_count: Type.Integer(),
  event_count: Type.Integer(),
  engaged_ms: Type.Integer(),
  conversions: Type.Integer(),
  entry_page: Type.Union([Type.String(), Type.Null()]),
  exit_page: Type.Union([Type.String(), Type.Null()]),
  referrer: Type.Union([Type.String(), Type.Null()]),
  utm: Type.Record(Type.String(), Type.String()),
  device_type: Type.Union([Type.String(), Type.Null()]),
  browser: Type.Union([Type.String(), Type.Null()]),
  os: Type.Union([Type.String(), Type.Null()]),
  language: Type.Union([Type.String(), Type.Null()]),
  timezone: Type.Union([Type.String(), Type.Null()]),
  device_info: Type.Record(Type.String(), Type.Unknown()),
  consent_status: Type.Record(Type.String(), Type.Boolean()),
  cookieless: Type.Boolean(),
});
const Event = Type.Object({ event_id: Type.String(), event_type: Type.String(), timestamp: Type.String(), page_url: Type.Union([Type.String(), Type.Null()]), event_data: Type.Record(Type.String(), Type.Unknown()) });

type SessionRow = NonNullable<Awaited<ReturnType<typeof getSession>>>;

function toView(s: SessionRow) {
  const utm: Record<string, string> = {};
  for (const k of ['source', 'medium', 'campaign', 'term', 'content'] as const) {
    const v = s[`utm_${k}`];
    if (v) utm[k] = v;
  }
  return {
    session_id: s.session_id,
    visitor_id: s.visitor_id,
    user_id: s.user_id,
    start_time: s.start_time.toISOString(),
    end_time: s.end_time.toISOString(),
    duration_ms: s.end_time.getTime() - s.start_time.getTime(),
    bounce: s.page_count <= 1,
    page_count: s.page_count,
    event_count: s.event_count,
    engaged_ms: Number(s.engaged_ms),
    conversions: s.conversions,
    entry_page: s.entry_page,
    exit_page: s.exit_page,
    referrer: s.referrer,
    utm,
    device_type: s.device_type,
    browser: s.browser,
    os: s.os,
    language: s.language,
    timezone: s.timezone,
    device_info: s.device_info,
    consent_status: s.consent_status,
    cookieless: s.cookieless,
  };
}

export function sessionRoutes(untyped: FastifyInstance, ctx: AppContext): void {
  const app = untyped.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['tracking'];
  app.get('/api/v1/sites/:siteId/sessions', {
    schema: {
      tags,
      summary: 'Recent sessions of a site, newest first',
      params: SiteParams,
      querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }), before: Type.Optional(Type.String({ format: 'date-time' })) }, { additionalProperties: false }),
      response: withErrors({ 200: Type.Object({ sessions: Type.Array(Session) }) }, 401, 403, 404),
    },
    handler: async (req) => {
      await canReadAnalytics(ctx, req, actorOf(req), req.params.siteId);
      const rows = await listSessions(ctx.db, { siteId: req.params.siteId, limit: req.query.limit, before: req.query.before });
      return { sessions: rows.map(toView) };
    },
  });
  app.get('/api/v1/sites/:siteId/sessions/:sessionId', {
    schema: {
      tags,
      summary: 'One session with its events in time order (at most 5,000)',
      params: Type.Object({ siteId: Uuid, sessionId: Type.String({ minLength: 1, maxLength: 255 }) }, { additionalProperties: false }),
      response: withErrors({ 200: Type.Object({ session: Session, events: Type.Array(Event) }) }, 401, 403, 404),
    },
    handler: async (req) => {
      await canReadAnalytics(ctx, req, actorOf(req), req.params.siteId);
      const session = await getSession(ctx.db, req.params.siteId, req.params.sessionId);
      if (!session) throw notFound('SESSION_NOT_FOUND', 'No such session on this site');
      const events = await sessionEvents(ctx.db, req.params.siteId, req.params.sessionId, 5000);
      return { session: toView(session), events: events.map((e) => ({ ...e, timestamp: e.timestamp.toISOString() })) };
    },
  });
}
