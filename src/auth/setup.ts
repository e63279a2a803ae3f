// The first instance admin: created by `augur create-admin`, or through POST /api/v1/setup
// with the one-time setup token printed at first start. There is never a default password.
import type { AppContext } from '../context.js';
import { badRequest, conflict, unauthorized } from '../errors.js';
import { randomToken, safeEqual, sha256 } from '../platform/crypto.js';
import { hashPassword, passwordProblem } from './passwords.js';
import * as q from './queries.js';
import { openAccount, sealAccount } from './account-fields.js';

const SETUP_KEY = 'setup_token';
const SETUP_TTL_MS = 24 * 3_600_000;

export interface AdminInput {
  email: string;
  username: string;
  password: string;
}

export async function createAdmin(ctx: AppContext, input: AdminInput): Promise<q.UserRow> {
  const problem = passwordProblem(input.password, input.email);
  if (problem) throw badRequest('AUTH_WEAK_PASSWORD', problem);
  const hashed = await hashPassword(input.password);
  const user = await ctx.db
    .insertInto('users')
    .values({ ...sealAccount(ctx, null, input), hashed_password: hashed, role: 'admin', site_id: null })
    .onConflict((oc) => oc.doNothing())
    .returningAll()
    .executeTakeFirst();
  if (!user) throw conflict('AUTH_ACCOUNT_EXISTS', 'An account with this email or username already exists');
  await ctx.db.deleteFrom('instance_state').where('key', '=', SETUP_KEY).execute();
  return openAccount(ctx.cipher, user);
}

/** When no admin exists yet, makes a fresh one-time setup token (stored hashed) and returns it. */
export async function issueSetupToken(ctx: AppContext): Promise<string | undefined> {
  if (await q.anyAdminExists(ctx.db)) return undefined;
  const token = randomToken(24);
  const value = JSON.stringify({ hash: sha256(token), expires_at: ctx.clock.now() + SETUP_TTL_MS });
  await ctx.db
    .insertInto('instance_state')
    .values({ key: SETUP_KEY, value })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at: new Date(ctx.clock.now()) }))
    .execute();
  return token;
}

export async function completeSetup(ctx: AppContext, token: string, input: AdminInput): Promise<q.UserRow> {
  const row = await ctx.db.selectFrom('instance_state').select('value').where('key', '=', SETUP_KEY).executeTakeFirst();
  const stored = row?.value as { hash: string; expires_at: number } | undefined;
  if (!stored || stored.expires_at < ctx.clock.now() || !safeEqual(stored.hash, sha256(token))) {
    throw unauthorized('SETUP_TOKEN_INVALID', 'The setup token is wrong, used or expired; restart Augur to print a new one');
  }
  if (await q.anyAdminExists(ctx.db)) throw conflict('SETUP_DONE', 'Setup is already complete');
  return createAdmin(ctx, input);
}
