// Login throttling: too many failed sign-ins for one account, or from one IP, within
// the window lock further attempts with 429 + Retry-After until the window ends.
import type { AppContext } from '../context.js';
import { tooManyRequests } from '../errors.js';
import { sha256 } from '../platform/crypto.js';

// Counter keys hold a digest, never the email itself.
const accountKey = (scope: string, email: string) => `login:acct:${sha256(`${scope}|${email.toLowerCase()}`).slice(0, 32)}`;
const ipKey = (ip: string) => `login:ip:${ip}`;

export async function assertLoginAllowed(ctx: AppContext, scope: string, email: string, ip: string): Promise<void> {
  const [acct, fromIp] = await Promise.all([ctx.counters.peek(accountKey(scope, email)), ctx.counters.peek(ipKey(ip))]);
  if (acct.count >= ctx.config.loginMaxFailuresPerAccount) {
    throw tooManyRequests('AUTH_THROTTLED', 'Too many failed sign-ins for this account; try again later', acct.resetInMs / 1000);
  }
  if (fromIp.count >= ctx.config.loginMaxFailuresPerIp) {
    throw tooManyRequests('AUTH_THROTTLED', 'Too many failed sign-ins from this address; try again later', fromIp.resetInMs / 1000);
  }
}

export async function recordLoginFailure(ctx: AppContext, scope: string, email: string, ip: string): Promise<void> {
  const windowMs = ctx.config.loginWindowMinutes * 60_000;
  await Promise.all([ctx.counters.increment(accountKey(scope, email), windowMs), ctx.counters.increment(ipKey(ip), windowMs)]);
}

export async function clearLoginFailures(ctx: AppContext, scope: string, email: string): Promise<void> {
  await ctx.counters.reset(accountKey(scope, email));
}
