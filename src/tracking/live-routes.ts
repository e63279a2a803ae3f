// WS /api/v1/sites/:siteId/live: every stored batch of a site, as it is committed, for live
// dashboards. Browsers cannot set headers on a WebSocket, so the access token may come as the
// subprotocol "bearer.<token>" next to "augur.live.v1" (see auth/authenticate.ts).
import type { FastifyInstance } from 'fastify';
import '@fastify/websocket';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppContext } from '../context.js';
import { canReadAnalytics } from '../auth/index.js';
import { actorOf, SiteParams, withErrors } from '../platform/http.js';

export const LIVE_PROTOCOL = 'augur.live.v1';
/** A client this far behind is skipped rather than buffered without bound. */
const MAX_BUFFERED_BYTES = 1 << 20;

export function liveRoutes(untyped: FastifyInstance, ctx: AppContext): void {
  const app = untyped.withTypeProvider<TypeBoxTypeProvider>();
  const tags: string[] = ['tracking'];
  app.get(
    '/api/v1/sites/:siteId/live',
    {
      websocket: true,
      schema: {
        tags,
        summary: `WebSocket: the site's events as they are stored (subprotocols "${LIVE_PROTOCOL}", "bearer.<access token>")`,
        params: SiteParams,
        response: withErrors({}, 401, 403, 404),
      },
      // Checked before the upgrade, so a refusal is a plain HTTP 401/403/404.
      preHandler: async (req) => {
        await canReadAnalytics(ctx, req, actorOf(req), req.params.siteId);
      },
    },
    (socket, req) => {
      const siteId = req.params.siteId;
      socket.send(JSON.stringify({ type: 'hello', site_id: siteId, server_time: ctx.clock.now() }));
      const unsubscribe = ctx.live.subscribe(`site.${siteId}`, (message) => {
        if (socket.readyState !== socket.OPEN || socket.bufferedAmount > MAX_BUFFERED_BYTES) return;
        socket.send(JSON.stringify(message));
      });
      socket.on('close', unsubscribe);
      // Clients only listen; anything they send is ignored.
      socket.on('message', () => {});
    },
  );
}
