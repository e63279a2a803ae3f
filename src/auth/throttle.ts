// Login throttling: too many failed sign-ins for one account, or from one IP, within
// the window lock further attempts with 429 + Retry-After until the window ends.
import type { AppContext } from '../context.js';
import { tooManyRequests } from '../errors.js';
import { normalizeForIndex } from '../platform/blind-index.js';

// Counter keys hold a keyed digest, never the email itself (a plain SHA-256 of an email can be
// reversed by hashing a list of addresses).
const accountKey = (ctx: AppContext, scope: string, email: string) => `login:acct:${ctx.pseudonymize(`login|${scope}|${normalizeForIndex('email', email)}`)}`;
const ipKey = (ip: string) => `login:ip:${ip}`;

export async function assertLoginAllowed(ctx: AppContext, scope: string, email: string, ip: string): Promise<void> {
  const [acct, fromIp] = await Promise.all([ctx.counters.peek(accountKey(ctx, scope, email)), ctx.counters.peek(ipKey(ip))]);
  if (acct.count >= ctx.config.loginMaxFailuresPerAccount) {
    throw tooManyRequests('AUTH_THROTTLED', 'Too many failed sign-ins for this account; try again later', acct.resetInMs / 1000);
  }
  if (fromIp.count >= ctx.config.loginMaxFailuresPerIp) {
    throw tooManyRequests('AUTH_THROTTLED', 'Too many failed sign-ins from this address; try again later', fromIp.resetInMs / 1000);
  }
}

export async function recordLoginFailure(ctx: AppContext, scope: string, email: string, ip: string): Promise<void> {
  const windowMs = ctx.config.loginWindowMinutes * 60_000;
  await Promise.all([ctx.counters.increment(accountKey(ctx, scope, email), windowMs), ctx.counters.increment(ipKey(ip), windowMs)]);
}

export async function clearLoginFailures(ctx: AppContext, scope: string, email: string): Promise<void> {
  await ctx.counters.reset(accountKey(ctx, scope, email));
}
