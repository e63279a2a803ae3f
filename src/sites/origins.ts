// The CORS allow-list: CORS_ORIGINS plus every site's allowed origins. Cached briefly;
// a site change on this node clears it at once, other nodes pick it up within the TTL.
import type { AppContext } from '../context.js';

const TTL_MS = 30_000;
const caches = new WeakMap<AppContext, { at: number; origins: Promise<Set<string>> }>();

export function invalidateOrigins(ctx: AppContext): void {
  caches.delete(ctx);
}

async function load(ctx: AppContext): Promise<Set<string>> {
  const rows = await ctx.db.selectFrom('sites').select('allowed_origins').execute();
  return new Set([...ctx.config.corsOrigins, ...rows.flatMap((r) => r.allowed_origins)]);
}

export async function isAllowedOrigin(ctx: AppContext, origin: string): Promise<boolean> {
  let entry = caches.get(ctx);
  if (!entry || ctx.clock.now() - entry.at > TTL_MS) {
    entry = { at: ctx.clock.now(), origins: load(ctx) };
    caches.set(ctx, entry);
    entry.origins.catch(() => caches.delete(ctx));
  }
  return (await entry.origins).has(origin);
}
