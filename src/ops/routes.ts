// Operations endpoints: /health, /health/ready, /metrics.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.js';
import { ping } from '../db/client.js';
import { forbidden, unauthorized, unavailable } from '../errors.js';
import { safeEqual } from '../platform/crypto.js';
import { checkHealth } from './health.js';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

export function opsRoutes(app: FastifyInstance, ctx: AppContext): void {
  // Until the dashboard lands, the front door is the API documentation.
  app.get('/', { config: { public: true }, schema: { hide: true } }, async (_req, reply) => reply.redirect('/docs'));

  app.get('/health', {
    config: { public: true, rateLimit: false },
    schema: {
      tags: ['operations'],
      summary: 'Status of the server and each configured dependency (503 when any is unhealthy)',
      response: {
        200: Type.Object({ status: Type.String(), timestamp: Type.String(), checks: Type.Record(Type.String(), Type.String()) }),
        503: Type.Object({ status: Type.String(), timestamp: Type.String(), checks: Type.Record(Type.String(), Type.String()) }),
      },
    },
    handler: async (_req, reply) => {
      const health = await checkHealth(ctx);
      return reply.code(health.status === 'healthy' ? 200 : 503).send(health);
    },
  });

  app.get('/health/ready', {
    config: { public: true, rateLimit: false },
    schema: { tags: ['operations'], summary: 'For load balancers: 200 when this node can serve traffic', response: { 200: Type.Object({ ready: Type.Boolean() }) } },
    handler: async () => {
      try {
        await ping(ctx.db);
      } catch {
        throw unavailable('NOT_READY', 'The database is not reachable');
      }
      return { ready: true };
    },
  });

  app.get('/metrics', {
    config: { public: true, rateLimit: false },
    schema: { tags: ['operations'], summary: 'Prometheus metrics (METRICS_TOKEN bearer, or loopback only when unset)' },
    handler: async (req, reply) => {
      if (ctx.config.metricsToken) {
        const given = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
        if (!given || !safeEqual(given, ctx.config.metricsToken)) throw unauthorized('METRICS_TOKEN_REQUIRED', 'Send "Authorization: Bearer <METRICS_TOKEN>"');
      } else if (!LOOPBACK.has(req.socket.remoteAddress ?? '')) {
        throw forbidden('METRICS_LOCAL_ONLY', 'Set METRICS_TOKEN to scrape /metrics from another host');
      }
      return reply.type(ctx.metrics.registry.contentType).send(await ctx.metrics.registry.metrics());
    },
  });
}
