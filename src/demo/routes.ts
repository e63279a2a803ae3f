// GET /demo/…: the demo site's pages, with its public key filled into the tracker snippet.
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { notFound } from '../errors.js';
import { webDir } from '../platform/paths.js';

const DEMO_DIR = path.join(webDir, 'demo');
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'application/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

export function demoRoutes(app: FastifyInstance, siteKey: () => string | undefined): void {
  const files = new Map<string, Buffer>();
  app.get('/demo', { config: { public: true }, schema: { hide: true } }, async (_req, reply) => reply.redirect('/demo/'));
  app.get('/demo/*', {
    config: { public: true },
    schema: { hide: true },
    handler: async (req, reply) => {
      const rel = (req.params as { '*': string })['*'] || 'index.html';
      const file = path.resolve(DEMO_DIR, rel);
      const type = TYPES[path.extname(file)];
      // Only plain files inside the demo folder.
      if (!file.startsWith(DEMO_DIR + path.sep) || !type || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
        throw notFound('NOT_FOUND', `No demo page ${rel}`);
      }
      let body = files.get(file);
      if (!body) {
        body = fs.readFileSync(file);
        files.set(file, body);
      }
      const key = siteKey();
      const out = type.startsWith('text/html') && key ? body.toString('utf8').replaceAll('{{SITE_KEY}}', key) : body;
      return reply.type(type).header('cache-control', 'no-cache').send(out);
    },
  });
}
