// Server-to-server API keys: "ak_<prefix>_<secret>", shown once, stored as SHA-256,
// scoped to one site and one role, revocable.
import type { AppContext } from '../context.js';
import type { SiteRole } from '../db/schema.js';
import { notFound, unauthorized } from '../errors.js';
import { randomToken, safeEqual, sha256 } from '../platform/crypto.js';
import type { Actor } from './actor.js';
import { actorLabel, appendAudit } from '../audit/index.js';

const KEY_PATTERN = /^ak_([A-Za-z0-9]{12})_([A-Za-z0-9_-]{43})$/;
// last_used_at is bookkeeping: write it at most once a minute per key, not per request.
const LAST_USED_RESOLUTION_MS = 60_000;

export interface ApiKeyView {
  id: string;
  site_id: string;
  name: string;
  role: SiteRole;
  prefix: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

function newKey(): { prefix: string; key: string } {
  const prefix = randomToken(12).replace(/[^A-Za-z0-9]/g, '').padEnd(12, '0').slice(0, 12);
  return { prefix, key: `ak_${prefix}_${randomToken(32)}` };
}

/** `by` is who asks for the key; none means the instance itself (the demo site). */
export async function createApiKey(ctx: AppContext, siteId: string, name: string, role: SiteRole, by?: Actor) {
  const { prefix, key } = newKey();
  const row = await ctx.db.transaction().execute(async (trx) => {
    const created = await trx
      .insertInto('api_keys')
      .values({ site_id: siteId, name, role, prefix, key_hash: sha256(key), created_by: by?.kind === 'user' ? by.userId : null })
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendAudit(trx, { siteId, actor: actorLabel(by), action: 'apikey.created', subject: `apikey:${created.id}`, details: { role }, at: new Date(ctx.clock.now()) });
    return created;
  });
  return { ...toView(row), key };
}

export async function listApiKeys(ctx: AppContext, siteId: string): Promise<ApiKeyView[]> {
  const rows = await ctx.db.selectFrom('api_keys').selectAll().where('site_id', '=', siteId).orderBy('created_at', 'desc').execute();
  return rows.map(toView);
}

export async function revokeApiKey(ctx: AppContext, siteId: string, keyId: string, by?: Actor): Promise<void> {
  const now = new Date(ctx.clock.now());
  await ctx.db.transaction().execute(async (trx) => {
    const res = await trx
      .updateTable('api_keys')
      .set({ revoked_at: now })
      .where('id', '=', keyId)
      .where('site_id', '=', siteId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) throw notFound('API_KEY_NOT_FOUND', 'No active API key with this id on this site');
    await appendAudit(trx, { siteId, actor: actorLabel(by), action: 'apikey.revoked', subject: `apikey:${keyId}`, at: now });
  });
}

export async function verifyApiKey(ctx: AppContext, key: string): Promise<Actor> {
  const match = KEY_PATTERN.exec(key);
  if (!match) throw unauthorized('API_KEY_INVALID', 'The API key is malformed');
  const row = await ctx.db.selectFrom('api_keys').selectAll().where('prefix', '=', match[1]!).executeTakeFirst();
  if (!row || !safeEqual(row.key_hash, sha256(key))) throw unauthorized('API_KEY_INVALID', 'The API key is not valid');
  if (row.revoked_at) throw unauthorized('API_KEY_REVOKED', 'The API key was revoked');
  const now = ctx.clock.now();
  if (!row.last_used_at || now - row.last_used_at.getTime() > LAST_USED_RESOLUTION_MS) {
    await ctx.db.updateTable('api_keys').set({ last_used_at: new Date(now) }).where('id', '=', row.id).execute();
  }
  return { kind: 'apiKey', keyId: row.id, siteId: row.site_id, role: row.role };
}

function toView(row: { id: string; site_id: string; name: string; role: SiteRole; prefix: string; created_at: Date; last_used_at: Date | null; revoked_at: Date | null }): ApiKeyView {
  return {
    id: row.id,
    site_id: row.site_id,
    name: row.name,
    role: row.role,
    prefix: row.prefix,
    created_at: row.created_at.toISOString(),
    last_used_at: row.last_used_at?.toISOString() ?? null,
    revoked_at: row.revoked_at?.toISOString() ?? null,
  };
}
