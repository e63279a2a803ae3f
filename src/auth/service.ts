// Sign-up, sign-in, token refresh with rotation and reuse detection, sign-out.
import crypto from 'node:crypto';
import type { AppContext } from '../context.js';
import type { UserRole } from '../db/schema.js';
import { badRequest, conflict, forbidden, unauthorized } from '../errors.js';
import { sha256 } from '../platform/crypto.js';
import type { Actor } from './actor.js';
import { hashPassword, passwordProblem, verifyNothing, verifyPassword } from './passwords.js';
import * as q from './queries.js';
import { assertLoginAllowed, clearLoginFailures, recordLoginFailure } from './throttle.js';
import { newRefreshToken } from './tokens.js';
import { checkSecondFactor } from './totp-service.js';
import { markSessionsRevoked } from './sessions.js';
import { appendAudit } from '../audit/index.js';
import { accountEmailIndex, findAccountByEmail, openAccount, sealAccount } from './account-fields.js';

export interface PublicUser {
  id: number;
  email: string;
  username: string;
  first_name: string | null;
  last_name: string | null;
  role: UserRole;
  status: string;
  site_id: string | null;
  language: string | null;
  timezone: string | null;
  totp_enabled: boolean;
  created_at: string;
  last_login: string | null;
}

export interface TokenPair {
  access_token: string;
  refresh_token: string;
  token_type: 'bearer';
  expires_in: number;
  user: PublicUser;
}

export interface RequestMeta {
  ip: string;
  origin?: string;
}

export function publicUser(u: Pick<q.UserRow, (typeof q.PUBLIC_USER_COLUMNS)[number]>): PublicUser {
  return {
    id: u.id,
    email: u.email,
    username: u.username,
    first_name: u.first_name,
    last_name: u.last_name,
    role: u.role,
    status: u.status,
    site_id: u.site_id,
    language: u.language,
    timezone: u.timezone,
    totp_enabled: u.totp_enabled_at !== null,
    created_at: u.created_at.toISOString(),
    last_login: u.last_login?.toISOString() ?? null,
  };
}

/** Starts a new token family (one sign-in) or continues one, and returns both tokens. */
export async function issueTokens(ctx: AppContext, user: q.UserRow, familyId: string = crypto.randomUUID()): Promise<TokenPair> {
  const refresh = newRefreshToken();
  const expiresAt = new Date(ctx.clock.now() + ctx.config.refreshTokenTtlDays * 86_400_000);
  await q.insertRefreshToken(ctx.db, { familyId, userId: user.id, tokenHash: sha256(refresh), expiresAt });
  const access = await ctx.tokens.sign({ userId: user.id, email: user.email, role: user.role, familyId });
  return { access_token: access.token, refresh_token: refresh, token_type: 'bearer', expires_in: access.expiresIn, user: publicUser(user) };
}

export interface RegisterInput {
  email: string;
  username: string;
  password: string;
  first_name?: string;
  last_name?: string;
  language?: string;
  timezone?: string;
  site_key?: string;
  invite_token?: string;
}

/**
 * Three ways in: with a site key an end user (role "user") joins that site; with an invite
 * token an operator joins the inviting site; with neither, an operator signs up only when
 * ALLOW_SIGNUP is on.
 */
export async function register(ctx: AppContext, input: RegisterInput, meta: RequestMeta): Promise<TokenPair> {
  const problem = passwordProblem(input.password, input.email);
  if (problem) throw badRequest('AUTH_WEAK_PASSWORD', problem);
  if (input.site_key && input.invite_token) throw badRequest('AUTH_AMBIGUOUS', 'Send either site_key or invite_token, not both');

  let siteId: string | null = null;
  let role: UserRole = 'operator';
  let invite: { id: string; site_id: string; role: 'owner' | 'admin' | 'analyst' | 'agent' | 'viewer' } | undefined;
  if (input.site_key) {
    const site = await q.findSiteByPublicKey(ctx.db, input.site_key);
    if (!site) throw unauthorized('SITE_KEY_INVALID', 'Unknown site key');
    if (meta.origin !== undefined && !site.allowed_origins.includes(meta.origin)) {
      throw forbidden('ORIGIN_NOT_ALLOWED', 'This origin is not allowed for the site');
    }
    siteId = site.id;
    role = 'user';
  } else if (input.invite_token) {
    invite = await ctx.db
      .selectFrom('site_invites')
      .select(['id', 'site_id', 'role', 'email_index'])
      .where('token_hash', '=', sha256(input.invite_token))
      .where('accepted_at', 'is', null)
      .where('expires_at', '>', new Date(ctx.clock.now()))
      .executeTakeFirst()
      .then((row) => {
        if (!row) throw unauthorized('INVITE_INVALID', 'The invitation is unknown, used or expired');
        // Invitations are for operators: compare blind indexes in the operators' scope (any letter case).
        if (row.email_index !== accountEmailIndex(ctx, null, input.email)) throw forbidden('INVITE_EMAIL_MISMATCH', 'Sign up with the email address the invitation was sent to');
        return row;
      });
  } else if (!ctx.config.allowSignup) {
    throw forbidden('SIGNUP_DISABLED', 'Sign-up is closed; ask a site owner for an invitation');
  }

  const hashed = await hashPassword(input.password);
  const now = new Date(ctx.clock.now());
  const user = await ctx.db.transaction().execute(async (trx) => {
    const created = await trx
      .insertInto('users')
      .values({
        site_id: siteId,
        ...sealAccount(ctx, siteId, input),
        hashed_password: hashed,
        language: input.language ?? 'en',
        timezone: input.timezone ?? 'UTC',
        role,
        last_login: now,
      })
      .onConflict((oc) => oc.doNothing())
      .returningAll()
      .executeTakeFirst();
    if (!created) throw conflict('AUTH_ACCOUNT_EXISTS', 'An account with this email or username already exists');
    if (invite) {
      await trx.insertInto('site_members').values({ site_id: invite.site_id, user_id: created.id, role: invite.role }).execute();
      await trx.updateTable('site_invites').set({ accepted_at: now }).where('id', '=', invite.id).execute();
    }
    return created;
  });
  return issueTokens(ctx, openAccount(ctx.cipher, user));
}

export interface LoginInput {
  email: string;
  password: string;
  site_key?: string;
  totp_code?: string;
  recovery_code?: string;
}

export async function login(ctx: AppContext, input: LoginInput, meta: RequestMeta): Promise<TokenPair> {
  let siteId: string | null = null;
  if (input.site_key) {
    const site = await q.findSiteByPublicKey(ctx.db, input.site_key);
    if (!site) throw unauthorized('SITE_KEY_INVALID', 'Unknown site key');
    siteId = site.id;
  }
  const scope = siteId ?? 'operators';
  await assertLoginAllowed(ctx, scope, input.email, meta.ip);

  const user = await findAccountByEmail(ctx, siteId, input.email);
  const passwordOk = user ? await verifyPassword(user.hashed_password, input.password) : await verifyNothing(input.password);
  if (!user || !passwordOk) {
    await recordLoginFailure(ctx, scope, input.email, meta.ip);
    throw unauthorized('AUTH_INVALID_CREDENTIALS', 'Email or password is wrong');
  }
  if (user.status !== 'active') throw forbidden('AUTH_ACCOUNT_DISABLED', `This account is ${user.status}`);

  if (user.totp_enabled_at) {
    const ok = await checkSecondFactor(ctx, user, input);
    if (ok === 'missing') throw unauthorized('AUTH_TOTP_REQUIRED', 'Enter the 6-digit code from your authenticator app (totp_code) or a recovery code');
    if (ok === 'wrong') {
      await recordLoginFailure(ctx, scope, input.email, meta.ip);
      throw unauthorized('AUTH_TOTP_INVALID', 'The authenticator or recovery code is wrong or was already used');
    }
  }

  await clearLoginFailures(ctx, scope, input.email);
  const now = new Date(ctx.clock.now());
  await ctx.db.updateTable('users').set({ last_login: now }).where('id', '=', user.id).execute();
  await appendAudit(ctx.db, { siteId: user.site_id, actor: `user:${user.id}`, action: 'auth.login', at: now });
  return issueTokens(ctx, { ...user, last_login: now });
}

/** Swaps a refresh token for a new pair. Presenting an already-rotated token revokes its whole family. */
export async function refresh(ctx: AppContext, refreshToken: string): Promise<TokenPair> {
  const now = new Date(ctx.clock.now());
  const row = await q.findRefreshToken(ctx.db, sha256(refreshToken));
  if (!row) throw unauthorized('AUTH_REFRESH_INVALID', 'Unknown refresh token; sign in again');
  if (row.revoked_at) throw unauthorized('AUTH_REFRESH_REVOKED', 'This session was signed out; sign in again');
  if (row.rotated_at || !(await q.markRotated(ctx.db, row.id, now))) {
    await q.revokeFamily(ctx.db, row.family_id, now);
    await markSessionsRevoked(ctx, [row.family_id]);
    throw unauthorized('AUTH_REFRESH_REUSED', 'This refresh token was already used; the session has been revoked for safety. Sign in again');
  }
  if (row.expires_at.getTime() <= now.getTime()) throw unauthorized('AUTH_REFRESH_EXPIRED', 'The session has expired; sign in again');
  const user = openAccount(ctx.cipher, await q.findUserById(ctx.db, row.user_id));
  if (!user || user.status !== 'active') {
    await q.revokeFamily(ctx.db, row.family_id, now);
    await markSessionsRevoked(ctx, [row.family_id]);
    throw unauthorized('AUTH_ACCOUNT_DISABLED', 'This account can no longer sign in');
  }
  return issueTokens(ctx, user, row.family_id);
}

/** Ends this session (the access token's family), or every session of the account, at once. */
export async function logout(ctx: AppContext, actor: Extract<Actor, { kind: 'user' }>, everywhere: boolean): Promise<void> {
  const now = new Date(ctx.clock.now());
  const families = everywhere ? await q.revokeAllForUser(ctx.db, actor.userId, now) : [actor.familyId];
  if (!everywhere) await q.revokeFamily(ctx.db, actor.familyId, now);
  await markSessionsRevoked(ctx, [...families, actor.familyId]);
}
