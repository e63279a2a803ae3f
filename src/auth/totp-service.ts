// TOTP second factor for operators: enroll (secret kept encrypted, inactive), activate
// with a first code (returns recovery codes once), check at sign-in, disable.
import type { AppContext } from '../context.js';
import { badRequest, conflict, forbidden, unauthorized } from '../errors.js';
import { sha256 } from '../platform/crypto.js';
import type { Actor } from './actor.js';
import { verifyPassword } from './passwords.js';
import * as q from './queries.js';
import { openAccount } from './account-fields.js';
import { USERS_TOTP_SECRET } from '../db/encrypted-columns.js';
import { generateRecoveryCodes, generateTotpSecret, normalizeRecoveryCode, otpauthUri, verifyTotp } from './totp.js';

const AAD = USERS_TOTP_SECRET.aad;

type Account = Extract<Actor, { kind: 'user' }>;

async function loadOperator(ctx: AppContext, actor: Account) {
  if (actor.role === 'user') throw forbidden('OPERATOR_REQUIRED', 'Two-factor sign-in is for operator accounts');
  const user = openAccount(ctx.cipher, await q.findUserById(ctx.db, actor.userId));
  if (!user) throw unauthorized('AUTH_TOKEN_INVALID', 'The account no longer exists');
  return user;
}

export async function enrollTotp(ctx: AppContext, actor: Account): Promise<{ secret: string; otpauth_uri: string }> {
  const user = await loadOperator(ctx, actor);
  if (user.totp_enabled_at) throw conflict('TOTP_ALREADY_ENABLED', 'Two-factor sign-in is already on; disable it first to re-enroll');
  const secret = generateTotpSecret();
  await ctx.db.updateTable('users').set({ totp_secret: ctx.cipher.encrypt(secret, AAD), totp_last_step: null }).where('id', '=', user.id).execute();
  return { secret, otpauth_uri: otpauthUri(secret, user.email) };
}

export async function activateTotp(ctx: AppContext, actor: Account, code: string): Promise<{ recovery_codes: string[] }> {
  const user = await loadOperator(ctx, actor);
  if (user.totp_enabled_at) throw conflict('TOTP_ALREADY_ENABLED', 'Two-factor sign-in is already on');
  if (!user.totp_secret) throw badRequest('TOTP_NOT_ENROLLED', 'Call /auth/totp/enroll first');
  const step = verifyTotp(ctx.cipher.decrypt(user.totp_secret, AAD), code, ctx.clock.now(), null);
  if (step === undefined) throw badRequest('TOTP_INVALID', 'The code does not match; check the time on your device');
  const codes = generateRecoveryCodes();
  await ctx.db.transaction().execute(async (trx) => {
    await trx.updateTable('users').set({ totp_enabled_at: new Date(ctx.clock.now()), totp_last_step: step }).where('id', '=', user.id).execute();
    await q.replaceRecoveryCodes(trx, user.id, codes.map((c) => sha256(normalizeRecoveryCode(c))));
  });
  return { recovery_codes: codes };
}

export async function disableTotp(ctx: AppContext, actor: Account, password: string, code: string): Promise<void> {
  const user = await loadOperator(ctx, actor);
  if (!user.totp_enabled_at) throw badRequest('TOTP_NOT_ENABLED', 'Two-factor sign-in is not on');
  if (!(await verifyPassword(user.hashed_password, password))) throw unauthorized('AUTH_INVALID_CREDENTIALS', 'The password is wrong');
  const ok = await checkSecondFactor(ctx, user, /^\d{6}$/.test(code) ? { totp_code: code } : { recovery_code: code });
  if (ok !== 'ok') throw unauthorized('AUTH_TOTP_INVALID', 'The authenticator or recovery code is wrong');
  await ctx.db.transaction().execute(async (trx) => {
    await trx.updateTable('users').set({ totp_secret: null, totp_enabled_at: null, totp_last_step: null }).where('id', '=', user.id).execute();
    await trx.deleteFrom('totp_recovery_codes').where('user_id', '=', user.id).execute();
  });
}

/** Checks a TOTP or recovery code for a user with TOTP on; a used step or code cannot be replayed. */
export async function checkSecondFactor(
  ctx: AppContext,
  user: q.UserRow,
  input: { totp_code?: string; recovery_code?: string },
): Promise<'ok' | 'missing' | 'wrong'> {
  if (input.totp_code && user.totp_secret) {
    const lastStep = user.totp_last_step === null ? null : Number(user.totp_last_step);
    const step = verifyTotp(ctx.cipher.decrypt(user.totp_secret, AAD), input.totp_code, ctx.clock.now(), lastStep);
    if (step === undefined) return 'wrong';
    // Conditional update: two concurrent sign-ins with the same code cannot both win.
    const res = await ctx.db
      .updateTable('users')
      .set({ totp_last_step: step })
      .where('id', '=', user.id)
      .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step as never)]))
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1 ? 'ok' : 'wrong';
  }
  if (input.recovery_code) {
    const used = await q.useRecoveryCode(ctx.db, user.id, sha256(normalizeRecoveryCode(input.recovery_code)), new Date(ctx.clock.now()));
    return used ? 'ok' : 'wrong';
  }
  return 'missing';
}
