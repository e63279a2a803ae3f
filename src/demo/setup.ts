// The demo site: created on first start so a new user sees data flow at once. Its public key goes
// into the /demo/ pages; an API key for `augur simulate` (which backfills history) is written to
// DATA_DIR/demo.json, readable by this machine's user only.
import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import type { AppContext } from '../context.js';
import { randomToken } from '../platform/crypto.js';
import { createApiKey, revokeApiKey } from '../auth/index.js';
import { invalidateSiteCache } from '../sites/index.js';

export interface DemoSite {
  id: string;
  publicKey: string;
}

export const demoFile = (ctx: AppContext) => path.join(ctx.config.dataDir, 'demo.json');

/** The demo site's origins: the public URL and the loopback names a local user may type. */
function demoOrigins(ctx: AppContext): string[] {
  const origin = new URL(ctx.config.publicUrl).origin;
  const port = ctx.config.port;
  return [...new Set([origin, `http://localhost:${port}`, `http://127.0.0.1:${port}`])];
}

/** The consent banner's settings: the demo's privacy FAQ stands in for a privacy policy. */
const demoPrivacy = (origin: string) => ({ policy_version: '1', policy_url: `${origin}/demo/support.html#faq` });

export async function ensureDemoSite(ctx: AppContext): Promise<DemoSite> {
  const origins = demoOrigins(ctx);
  let site = await ctx.db.selectFrom('sites').select(['id', 'public_key', 'allowed_origins']).where(sql<boolean>`settings->>'demo' = 'true'`).executeTakeFirst();
  if (!site) {
    site = await ctx.db
      .insertInto('sites')
      .values({ name: 'Demo: Northwind Outfitters', allowed_origins: origins, public_key: `pk_${randomToken(18)}`, settings: JSON.stringify({ demo: true, privacy: demoPrivacy(origins[0]!) }) })
      .returning(['id', 'public_key', 'allowed_origins'])
      .executeTakeFirstOrThrow();
  } else if (origins.some((o) => !site!.allowed_origins.includes(o))) {
    await ctx.db.updateTable('sites').set({ allowed_origins: [...new Set([...site.allowed_origins, ...origins])] }).where('id', '=', site.id).execute();
  }
  invalidateSiteCache(ctx);
  await writeDemoFile(ctx, site.id, site.public_key, origins[0]!);
  return { id: site.id, publicKey: site.public_key };
}

/** demo.json holds the simulator's API key, which exists only once: a lost file means a new key. */
async function writeDemoFile(ctx: AppContext, siteId: string, siteKey: string, origin: string): Promise<void> {
  const file = demoFile(ctx);
  try {
    const existing = JSON.parse(fs.readFileSync(file, 'utf8')) as { site_id?: string; site_key?: string; origin?: string; api_key_id?: string };
    if (existing.site_id === siteId && existing.site_key === siteKey && existing.origin === origin) return;
    if (existing.site_id === siteId && existing.api_key_id) await revokeApiKey(ctx, siteId, existing.api_key_id).catch(() => {});
  } catch {
    // No file yet, or unreadable: write a new one.
  }
  const key = await createApiKey(ctx, siteId, 'augur simulate (demo)', 'analyst');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const body = { site_id: siteId, site_key: siteKey, origin, api_key: key.key, api_key_id: key.id };
  fs.writeFileSync(file, `${JSON.stringify(body, null, 2)}\n`, { mode: 0o600 });
}
