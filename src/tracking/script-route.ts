// GET /t.js (the tracker), /widget.js (the consent banner) and /survey.js (the survey it loads), built by
// `npm run build` into dist/web. Cached by browsers for an hour (with an ETag for cheap revalidation) and loadable
// from any site's pages.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.js';
import { unavailable } from '../errors.js';
import { builtWebDir } from '../platform/paths.js';

type Script = { body: Buffer; etag: string };

/** Serves the built browser script dist/web/<name> at /<name>, read once on first use. */
function serveBuiltScript(app: FastifyInstance, ctx: AppContext, name: string, what: string): void {
  let script: Script | undefined;
  const load = (): Script => {
    if (!script) {
      const file = path.join(builtWebDir, name);
      if (!fs.existsSync(file)) throw unavailable('SCRIPT_NOT_BUILT', `The ${what} (${name}) is not built; run npm run build`, 60);
      const body = fs.readFileSync(file);
      script = { body, etag: `"${crypto.createHash('sha256').update(body).digest('base64url').slice(0, 16)}"` };
    }
    return script;
  };
  app.get(`/${name}`, {
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

export function scriptRoute(app: FastifyInstance, ctx: AppContext): void {
  serveBuiltScript(app, ctx, 't.js', 'tracker');
  serveBuiltScript(app, ctx, 'widget.js', 'consent banner');
  serveBuiltScript(app, ctx, 'survey.js', 'visit-reason survey');
}
