// Sites (one Augur serves many websites), their members and invitations.
import type { AppContext } from '../context.js';
import type { Db } from '../db/client.js';
import { normalizeOrigin } from '../config.js';
import type { SiteRole } from '../db/schema.js';
import { badRequest, conflict, forbidden, notFound } from '../errors.js';
import { randomToken, sha256 } from '../platform/crypto.js';
import { findAccountByEmail, openAccount, type Actor } from '../auth/index.js';
import { indexOf, open, seal, SITE_INVITES_EMAIL } from '../db/encrypted-columns.js';
import { invalidateSiteCache } from './cache.js';
import { deleteSiteEvents } from '../tracking/index.js';
import { actorLabel, appendAudit } from '../audit/index.js';

const INVITE_TTL_MS = 7 * 86_400_000;

export interface SiteView {
  id: string;
  name: string;
  allowed_origins: string[];
  public_key: string;
  settings: Record<string, unknown>;
  created_at: string;
  updated_at: string | null;
  role?: SiteRole;
}

type SiteRow = { id: string; name: string; allowed_origins: string[]; public_key: string; settings: Record<string, unknown>; created_at: Date; updated_at: Date | null };

function toSiteView(row: SiteRow, role?: SiteRole): SiteView {
  return {
    id: row.id,
    name: row.name,
    allowed_origins: row.allowed_origins,
    public_key: row.public_key,
    settings: row.settings,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at?.toISOString() ?? null,
    ...(role ? { role } : {}),
  };
}

export function normalizeOrigins(origins: string[]): string[] {
  const out = origins.map((o) => {
    const n = normalizeOrigin(o);
    if (!n) throw badRequest('SITE_BAD_ORIGIN', `"${o}" is not an origin; use scheme://host[:port] such as https://www.example.com`);
    return n;
  });
  return [...new Set(out)];
}

const newPublicKey = () => `pk_${randomToken(18)}`;

export async function createSite(ctx: AppContext, ownerId: number, input: { name: string; allowed_origins?: string[]; settings?: Record<string, unknown> }): Promise<SiteView> {
  const origins = normalizeOrigins(input.allowed_origins ?? []);
  const site = await ctx.db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('sites')
      .values({ name: input.name, allowed_origins: origins, public_key: newPublicKey(), settings: JSON.stringify(input.settings ?? {}) })
      .returningAll()
      .executeTakeFirstOrThrow();
    await trx.insertInto('site_members').values({ site_id: row.id, user_id: ownerId, role: 'owner' }).execute();
    await appendAudit(trx, { siteId: row.id, actor: `user:${ownerId}`, action: 'site.created', at: new Date(ctx.clock.now()) });
    return row;
  });
  invalidateSiteCache(ctx);
  return toSiteView(site, 'owner');
}

export async function listSites(ctx: AppContext, actor: Actor): Promise<SiteView[]> {
  if (actor.kind === 'apiKey') {
    const row = await ctx.db.selectFrom('sites').selectAll().where('id', '=', actor.siteId).executeTakeFirst();
    return row ? [toSiteView(row, actor.role)] : [];
  }
  if (actor.role === 'admin') {
    const rows = await ctx.db.selectFrom('sites').selectAll().orderBy('name').execute();
    return rows.map((r) => toSiteView(r, 'owner'));
  }
  const rows = await ctx.db
    .selectFrom('sites')
    .innerJoin('site_members', 'site_members.site_id', 'sites.id')
    .selectAll('sites')
    .select('site_members.role')
    .where('site_members.user_id', '=', actor.userId)
    .orderBy('sites.name')
    .execute();
  return rows.map(({ role, ...site }) => toSiteView(site, role));
}

export async function getSite(ctx: AppContext, siteId: string, role: SiteRole): Promise<SiteView> {
  const row = await ctx.db.selectFrom('sites').selectAll().where('id', '=', siteId).executeTakeFirst();
  if (!row) throw notFound('SITE_NOT_FOUND', 'No such site');
  return toSiteView(row, role);
}

export async function updateSite(ctx: AppContext, siteId: string, patch: { name?: string; allowed_origins?: string[]; settings?: Record<string, unknown> }, role: SiteRole, by: Actor): Promise<SiteView> {
  const now = new Date(ctx.clock.now());
  const row = await ctx.db.transaction().execute(async (trx) => {
    const updated = await trx
      .updateTable('sites')
      .set({
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.allowed_origins !== undefined ? { allowed_origins: normalizeOrigins(patch.allowed_origins) } : {}),
        ...(patch.settings !== undefined ? { settings: JSON.stringify(patch.settings) } : {}),
        updated_at: now,
      })
      .where('id', '=', siteId)
      .returningAll()
      .executeTakeFirst();
    if (!updated) throw notFound('SITE_NOT_FOUND', 'No such site');
    // Field names only: values may be personal (settings are free-form).
    const fields = Object.keys(patch).filter((k) => patch[k as keyof typeof patch] !== undefined).sort();
    await appendAudit(trx, { siteId, actor: actorLabel(by), action: 'site.updated', details: { fields, ...(patch.settings ? { settings: Object.keys(patch.settings).sort() } : {}) }, at: now });
    return updated;
  });
  invalidateSiteCache(ctx);
  return toSiteView(row, role);
}

export async function rotateSiteKey(ctx: AppContext, siteId: string, role: SiteRole, by: Actor): Promise<SiteView> {
  const now = new Date(ctx.clock.now());
  const row = await ctx.db.transaction().execute(async (trx) => {
    const updated = await trx.updateTable('sites').set({ public_key: newPublicKey(), updated_at: now }).where('id', '=', siteId).returningAll().executeTakeFirst();
    if (!updated) throw notFound('SITE_NOT_FOUND', 'No such site');
    await appendAudit(trx, { siteId, actor: actorLabel(by), action: 'site.key_rotated', at: now });
    return updated;
  });
  invalidateSiteCache(ctx);
  return toSiteView(row, role);
}

export async function deleteSite(ctx: AppContext, siteId: string, by: Actor): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    // Events carry no foreign key (it would slow every insert); sessions and the rest cascade.
    await deleteSiteEvents(trx, siteId);
    await trx.deleteFrom('sites').where('id', '=', siteId).execute();
    // The audit log has no foreign key either: the site's history outlives it.
    await appendAudit(trx, { siteId, actor: actorLabel(by), action: 'site.deleted', at: new Date(ctx.clock.now()) });
  });
  invalidateSiteCache(ctx);
}

export interface MemberView {
  user_id: number;
  email: string;
  username: string;
  role: SiteRole;
  created_at: string;
}

export async function listMembers(ctx: AppContext, siteId: string): Promise<{ members: MemberView[]; invites: { id: string; email: string; role: SiteRole; expires_at: string }[] }> {
  const members = await ctx.db
    .selectFrom('site_members')
    .innerJoin('users', 'users.id', 'site_members.user_id')
    .select(['users.id as user_id', 'users.email', 'users.username', 'site_members.role', 'site_members.created_at'])
    .where('site_members.site_id', '=', siteId)
    .orderBy('site_members.created_at')
    .execute();
  const invites = await ctx.db
    .selectFrom('site_invites')
    .select(['id', 'email', 'role', 'expires_at'])
    .where('site_id', '=', siteId)
    .where('accepted_at', 'is', null)
    .where('expires_at', '>', new Date(ctx.clock.now()))
    .execute();
  return {
    members: members.map((m) => ({ ...openAccount(ctx.cipher, m), created_at: m.created_at.toISOString() })),
    invites: invites.map((i) => ({ ...i, email: open(ctx.cipher, SITE_INVITES_EMAIL, i.email), expires_at: i.expires_at.toISOString() })),
  };
}

/** Only owners may grant, change or take away the owner role. */
function assertMayAssign(actorRole: SiteRole, from: SiteRole | undefined, to: SiteRole | undefined) {
  if ((from === 'owner' || to === 'owner') && actorRole !== 'owner') {
    throw forbidden('OWNER_REQUIRED', 'Only an owner may grant or change the owner role');
  }
}

/** Used for API keys: a key may carry the creator's role or a lesser one, never more. */
export function assertMayGrant(actorRole: SiteRole, granted: SiteRole): void {
  assertMayAssign(actorRole, undefined, granted);
}

/** Adds an existing operator, or creates an invitation whose token is returned once. */
export async function addMember(ctx: AppContext, siteId: string, actorRole: SiteRole, by: Actor, email: string, role: SiteRole) {
  assertMayAssign(actorRole, undefined, role);
  const now = new Date(ctx.clock.now());
  const audit = (trx: Db, action: string, subject: string) => appendAudit(trx, { siteId, actor: actorLabel(by), action, subject, details: { role }, at: now });
  const user = await findAccountByEmail(ctx, null, email);
  if (user) {
    await ctx.db.transaction().execute(async (trx) => {
      const inserted = await trx.insertInto('site_members').values({ site_id: siteId, user_id: user.id, role }).onConflict((oc) => oc.doNothing()).executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 0) throw conflict('MEMBER_EXISTS', 'This person is already a member; change their role instead');
      await audit(trx, 'member.added', `user:${user.id}`);
    });
    return { status: 'added' as const, user_id: user.id, role };
  }
  const token = `inv_${randomToken(24)}`;
  const expires = new Date(now.getTime() + INVITE_TTL_MS);
  const invite = await ctx.db.transaction().execute(async (trx) => {
    const created = await trx
      .insertInto('site_invites')
      .values({
        site_id: siteId,
        email: seal(ctx.cipher, SITE_INVITES_EMAIL, email),
        email_index: indexOf(ctx.blindIndex, SITE_INVITES_EMAIL, null, email),
        role,
        token_hash: sha256(token),
        invited_by: by.kind === 'user' ? by.userId : null,
        expires_at: expires,
      })
      .returning(['id'])
      .executeTakeFirstOrThrow();
    await audit(trx, 'member.invited', `invite:${created.id}`);
    return created;
  });
  return {
    status: 'invited' as const,
    invite_id: invite.id,
    role,
    invite_token: token,
    invite_url: `${ctx.config.publicUrl}/app/accept-invite?token=${token}`,
    expires_at: expires.toISOString(),
  };
}

/** Refuses a change that would take the owner role from the site's last owner. */
async function assertKeepsAnOwner(db: Db, siteId: string, from: SiteRole, to: SiteRole | undefined): Promise<void> {
  if (from !== 'owner' || to === 'owner') return;
  const row = await db.selectFrom('site_members').select((eb) => eb.fn.countAll<number>().as('n')).where('site_id', '=', siteId).where('role', '=', 'owner').executeTakeFirstOrThrow();
  if (Number(row.n) <= 1) throw conflict('LAST_OWNER', 'A site needs at least one owner; make someone else owner first');
}

async function currentRole(db: Db, siteId: string, userId: number): Promise<SiteRole> {
  const row = await db.selectFrom('site_members').select('role').where('site_id', '=', siteId).where('user_id', '=', userId).executeTakeFirst();
  if (!row) throw notFound('MEMBER_NOT_FOUND', 'This person is not a member of the site');
  return row.role;
}

/**
 * Runs a membership change with the site row locked: without the lock two owners demoting
 * or removing each other at once both pass the last-owner check and leave no owner.
 */
function withSiteLocked<T>(ctx: AppContext, siteId: string, fn: (trx: Db) => Promise<T>): Promise<T> {
  return ctx.db.transaction().execute(async (trx) => {
    await trx.selectFrom('sites').select('id').where('id', '=', siteId).forUpdate().execute();
    return fn(trx);
  });
}

export async function changeMemberRole(ctx: AppContext, siteId: string, actorRole: SiteRole, userId: number, role: SiteRole, by: Actor): Promise<void> {
  await withSiteLocked(ctx, siteId, async (trx) => {
    const from = await currentRole(trx, siteId, userId);
    assertMayAssign(actorRole, from, role);
    await assertKeepsAnOwner(trx, siteId, from, role);
    await trx.updateTable('site_members').set({ role }).where('site_id', '=', siteId).where('user_id', '=', userId).execute();
    await appendAudit(trx, { siteId, actor: actorLabel(by), action: 'member.role_changed', subject: `user:${userId}`, details: { from, to: role }, at: new Date(ctx.clock.now()) });
  });
}

export async function removeMember(ctx: AppContext, siteId: string, actorRole: SiteRole, userId: number, by: Actor): Promise<void> {
  await withSiteLocked(ctx, siteId, async (trx) => {
    const from = await currentRole(trx, siteId, userId);
    assertMayAssign(actorRole, from, undefined);
    await assertKeepsAnOwner(trx, siteId, from, undefined);
    await trx.deleteFrom('site_members').where('site_id', '=', siteId).where('user_id', '=', userId).execute();
    await appendAudit(trx, { siteId, actor: actorLabel(by), action: 'member.removed', subject: `user:${userId}`, details: { role: from }, at: new Date(ctx.clock.now()) });
  });
}

export async function revokeInvite(ctx: AppContext, siteId: string, inviteId: string): Promise<void> {
  const res = await ctx.db.deleteFrom('site_invites').where('id', '=', inviteId).where('site_id', '=', siteId).where('accepted_at', 'is', null).executeTakeFirst();
  if (Number(res.numDeletedRows) !== 1) throw notFound('INVITE_NOT_FOUND', 'No open invitation with this id');
}
