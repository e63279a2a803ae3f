// Shared HTTP pieces: request typing, the error response schema, route option helpers.
import { Type, type TSchema } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Actor } from '../auth/index.js';
import { badRequest, unauthorized } from '../errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    actor?: Actor;
    /** Set by the canX checks in auth/access.ts. */
    authzChecked?: boolean;
  }
  interface FastifyContextConfig {
    /** Reachable without credentials. Every other route requires a signed-in actor. */
    public?: boolean;
    /** With an X-Augur-Visitor-Token header the handler checks that token instead of credentials (data rights). */
    visitorToken?: boolean;
  }
}

export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.String(),
      message: Type.String(),
      details: Type.Optional(Type.Array(Type.Any())),
    }),
  },
  { $id: 'ErrorBody' },
);

/** Standard error responses for OpenAPI, merged with a route's success responses. */
export function withErrors(success: Record<number, TSchema>, ...codes: number[]): Record<number, TSchema> {
  const out: Record<number, TSchema> = { ...success };
  for (const code of [400, ...codes]) out[code] = Type.Ref('ErrorBody');
  return out;
}

export function actorOf(req: FastifyRequest): Actor {
  if (!req.actor) throw unauthorized('AUTH_REQUIRED', 'Sign in first');
  return req.actor;
}

export const Email = Type.String({ format: 'email', maxLength: 255 });
export const Uuid = Type.String({ format: 'uuid' });
export const SiteParams = Type.Object({ siteId: Uuid }, { additionalProperties: false });

/**
 * For a plugin scope of endpoints that scripts on customers' pages call (ingest, consent):
 * JSON sent as text/plain is accepted (what navigator.sendBeacon sends, and no CORS preflight), and
 * answers are readable from any page, errors included, so a script on a refused origin reads its
 * 403 and stops instead of retrying blind. Nothing here is secret and no credentials are involved;
 * which origins count is decided by the site's allow-list.
 */
export function siteScriptScope(scope: FastifyInstance, bodyLimit: number): void {
  scope.addContentTypeParser('text/plain', { parseAs: 'string', bodyLimit }, (_req, body, done) => {
    try {
      done(null, JSON.parse(body as string));
    } catch {
      done(badRequest('BAD_JSON', 'The body is not valid JSON'), undefined);
    }
  });
  scope.addHook('onRequest', async (req, reply) => {
    const origin = req.headers.origin;
    if (typeof origin === 'string' && origin.length <= 300) reply.header('access-control-allow-origin', origin).header('vary', 'Origin');
  });
}
