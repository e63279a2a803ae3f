// Public endpoints called from a site's pages (ingest, consent) prove which site they speak for:
// browsers by the site's public key from an allowed Origin, servers by a site API key.
import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../context.js';
import { forbidden } from '../errors.js';
import { verifyApiKey } from '../auth/index.js';
import { siteByPublicKey, type PublicSite } from './cache.js';

export interface SiteSender {
  site: PublicSite;
  /** Authenticated with an API key (server-side): may backfill. */
  trusted: boolean;
}

export async function authorizeSiteSender(ctx: AppContext, req: FastifyRequest, publicKey: string): Promise<SiteSender> {
  const site = await siteByPublicKey(ctx, publicKey);
  if (!site) throw forbidden('TRACK_UNKNOWN_SITE', 'No site has this key; copy the snippet from the site settings again');
  const apiKey = req.headers['x-api-key'];
  if (typeof apiKey === 'string') {
    const actor = await verifyApiKey(ctx, apiKey);
    if (actor.kind !== 'apiKey' || actor.siteId !== site.id) throw forbidden('TRACK_KEY_MISMATCH', 'This API key belongs to another site');
    return { site, trusted: true };
  }
  const origin = senderOrigin(req);
  if (typeof origin !== 'string' || !site.allowedOrigins.has(origin)) {
    throw forbidden('TRACK_ORIGIN_NOT_ALLOWED', `Origin ${typeof origin === 'string' ? origin : '(none)'} is not allowed for this site; add it to the site's allowed origins, or send server-side with an API key`);
  }
  return { site, trusted: false };
}

/**
 * The page's origin. Browsers omit Origin on same-origin GET requests (a page served by Augur itself, like the demo,
 * reading the banner configuration); the Referer's origin stands in for it there.
 */
function senderOrigin(req: FastifyRequest): string | undefined {
  const origin = req.headers.origin;
  if (typeof origin === 'string' || (req.method !== 'GET' && req.method !== 'HEAD')) return origin;
  const referer = req.headers.referer;
  if (typeof referer !== 'string') return undefined;
  try {
    return new URL(referer).origin;
  } catch {
    return undefined;
  }
}
