// GET /t.js: the tracker, built by `npm run build` into dist/web. Cached by browsers for an hour
// (with an ETag for cheap revalidation) and loadable from any site's pages.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.js';
import { unavailable } from '../errors.js';
import { builtWebDir } from '../platform/paths.js';

export function scriptRoute(app: FastifyInstance, ctx: AppContext): void {
  let script: { body: Buffer; etag: string } | undefined;
  const load = () => {
    if (!script) {
      const file = path.join(builtWebDir, 't.js');
      if (!fs.existsSync(file)) throw unavailable('TRACKER_NOT_BUILT', 'The tracker script is not built; run npm run build', 60);
      const body = fs.readFileSync(file);
      script = { body, etag: `"${crypto.createHash('sha256').update(body).digest('base64url').slice(0, 16)}"` };
    }
    return script;
  };
  app.get('/t.js', {
    config: { public: true, rateLimit: { max: ctx.config.ingestRateLimitPerMinute, timeWindow: 60_000 } },
    schema: { hide: true },
    handler: async (req, reply) => {
      const { body, etag } = load();
      reply.header('etag', etag).header('cache-control', 'public, max-age=3600').header('cross-origin-resource-policy', 'cross-origin');
      if (req.headers['if-none-match'] === etag) return reply.code(304).send();
      return reply.type('application/javascript; charset=utf-8').send(body);
    },
  });
}
