// Access tokens are stateless, so signing out also marks the session (the token family)
// revoked for as long as an access token can live, and every request checks the mark.
// The marks live where the counters do: in memory, or in Redis so every node sees them.
import type { AppContext } from '../context.js';

const key = (familyId: string) => `session-revoked:${familyId}`;

export async function markSessionsRevoked(ctx: AppContext, familyIds: Iterable<string>): Promise<void> {
  const ttlMs = ctx.config.accessTokenTtlSeconds * 1000;
  await Promise.all([...new Set(familyIds)].map((id) => ctx.counters.increment(key(id), ttlMs)));
}

export async function isSessionRevoked(ctx: AppContext, familyId: string): Promise<boolean> {
  return (await ctx.counters.peek(key(familyId))).count > 0;
}
