// Authorization: small canX(ctx, actor, siteId) checks, one per route. A non-member is
// told the site does not exist (404) so site ids cannot be probed; a member without the
// permission gets 403. Every check marks the request, and app.ts refuses to answer a
// non-public route that never ran one.
import type { AppContext } from '../context.js';
import type { SiteRole } from '../db/schema.js';
import { forbidden, notFound } from '../errors.js';
import type { Actor } from './actor.js';

export type Permission =
  | 'site.view'
  | 'site.manage'
  | 'site.delete'
  | 'members.manage'
  | 'apikeys.manage'
  | 'analytics.read'
  | 'chat.handle'
  | 'privacy.manage';

const GRANTS: Record<SiteRole, readonly Permission[]> = {
  owner: ['site.view', 'site.manage', 'site.delete', 'members.manage', 'apikeys.manage', 'analytics.read', 'chat.handle', 'privacy.manage'],
  admin: ['site.view', 'site.manage', 'members.manage', 'apikeys.manage', 'analytics.read', 'chat.handle', 'privacy.manage'],
  analyst: ['site.view', 'analytics.read'],
  agent: ['site.view', 'chat.handle'],
  viewer: ['site.view', 'analytics.read'],
};

export const roleHas = (role: SiteRole, permission: Permission) => GRANTS[role].includes(permission);

/** Marks that an authorization decision was made for this request (see app.ts). */
export interface AuthzMark {
  authzChecked?: boolean;
}

/** The actor's role on the site: instance admins act as owners everywhere. */
export async function siteRoleOf(ctx: AppContext, actor: Actor, siteId: string): Promise<SiteRole | null> {
  if (actor.kind === 'apiKey') return actor.siteId === siteId ? actor.role : null;
  if (actor.role === 'admin') {
    const site = await ctx.db.selectFrom('sites').select('id').where('id', '=', siteId).executeTakeFirst();
    return site ? 'owner' : null;
  }
  if (actor.role === 'user') return null; // end users are never site members
  const row = await ctx.db
    .selectFrom('site_members')
    .select('role')
    .where('site_id', '=', siteId)
    .where('user_id', '=', actor.userId)
    .executeTakeFirst();
  return row?.role ?? null;
}

async function requireOnSite(ctx: AppContext, req: AuthzMark, actor: Actor, siteId: string, permission: Permission): Promise<SiteRole> {
  req.authzChecked = true;
  const role = await siteRoleOf(ctx, actor, siteId);
  if (!role) throw notFound('SITE_NOT_FOUND', 'No such site, or you are not a member of it');
  if (!roleHas(role, permission)) throw forbidden('FORBIDDEN', `Your role (${role}) may not do this (${permission})`);
  return role;
}

type SiteCheck = (ctx: AppContext, req: AuthzMark, actor: Actor, siteId: string) => Promise<SiteRole>;
const check = (permission: Permission): SiteCheck => (ctx, req, actor, siteId) => requireOnSite(ctx, req, actor, siteId, permission);

export const canViewSite = check('site.view');
export const canManageSite = check('site.manage');
export const canDeleteSite = check('site.delete');
export const canManageMembers = check('members.manage');
export const canManageApiKeys = check('apikeys.manage');
export const canReadAnalytics = check('analytics.read');
export const canHandleChats = check('chat.handle');
/** Exporting and erasing a tracked subject's data (owners and admins). */
export const canManagePrivacy = check('privacy.manage');

/** Any signed-in account acting on itself (profile, logout, TOTP). API keys have no self. */
export function canActAsAccount(req: AuthzMark, actor: Actor): Extract<Actor, { kind: 'user' }> {
  req.authzChecked = true;
  if (actor.kind !== 'user') throw forbidden('ACCOUNT_REQUIRED', 'This endpoint needs a signed-in account, not an API key');
  return actor;
}

/** Operators and instance admins: the dashboard's people, who may create sites. */
export function canOperate(req: AuthzMark, actor: Actor): Extract<Actor, { kind: 'user' }> {
  const account = canActAsAccount(req, actor);
  if (account.role === 'user') throw forbidden('OPERATOR_REQUIRED', 'Only operator accounts may do this');
  return account;
}

/** Instance admins only: operations over the whole instance (the audit chain). */
export function canAdminInstance(req: AuthzMark, actor: Actor): Extract<Actor, { kind: 'user' }> {
  const account = canOperate(req, actor);
  if (account.role !== 'admin') throw forbidden('ADMIN_REQUIRED', 'Only instance admins may do this');
  return account;
}
