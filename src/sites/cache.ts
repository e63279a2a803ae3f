// Cached site facts read on every request: the CORS allow-list (CORS_ORIGINS plus every site's
// allowed origins) and sites by public key (the ingest path). A site change on this node clears
// both at once; other nodes pick it up within the TTL.
import type { AppContext } from '../context.js';

const TTL_MS = 30_000;
const MAX_KEYS = 10_000;

export interface PublicSite {
  id: string;
  allowedOrigins: Set<string>;
  settings: Record<string, unknown>;
}

interface Cache {
  originsAt: number;
  origins?: Promise<Set<string>>;
  keys: Map<string, { at: number; site: Promise<PublicSite | undefined> }>;
}

const caches = new WeakMap<AppContext, Cache>();

function cacheOf(ctx: AppContext): Cache {
  let cache = caches.get(ctx);
  if (!cache) {
    cache = { originsAt: 0, keys: new Map() };
    caches.set(ctx, cache);
  }
  return cache;
}

export function invalidateSiteCache(ctx: AppContext): void {
  caches.delete(ctx);
}

export async function isAllowedOrigin(ctx: AppContext, origin: string): Promise<boolean> {
  const cache = cacheOf(ctx);
  if (!cache.origins || ctx.clock.now() - cache.originsAt > TTL_MS) {
    cache.originsAt = ctx.clock.now();
    cache.origins = ctx.db
      .selectFrom('sites')
      .select('allowed_origins')
      .execute()
      .then((rows) => new Set([...ctx.config.corsOrigins, ...rows.flatMap((r) => r.allowed_origins)]));
    cache.origins.catch(() => { cache.origins = undefined; });
  }
  return (await cache.origins).has(origin);
}

/** The site with this public key, or undefined (unknown keys are cached too, against floods). */
export function siteByPublicKey(ctx: AppContext, key: string): Promise<PublicSite | undefined> {
  const cache = cacheOf(ctx);
  const hit = cache.keys.get(key);
  if (hit && ctx.clock.now() - hit.at <= TTL_MS) return hit.site;
  if (cache.keys.size >= MAX_KEYS) cache.keys.clear();
  const site = ctx.db
    .selectFrom('sites')
    .select(['id', 'allowed_origins', 'settings'])
    .where('public_key', '=', key)
    .executeTakeFirst()
    .then((row) => (row ? { id: row.id, allowedOrigins: new Set(row.allowed_origins), settings: row.settings } : undefined));
  cache.keys.set(key, { at: ctx.clock.now(), site });
  site.catch(() => cache.keys.delete(key));
  return site;
}
