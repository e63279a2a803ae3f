// Turns request credentials into an Actor: "Authorization: Bearer <jwt>" for accounts,
// "Authorization: Bearer ak_…" or "X-API-Key: ak_…" for API keys.
import type { AppContext } from '../context.js';
import { unauthorized } from '../errors.js';
import type { Actor } from './actor.js';
import { verifyApiKey } from './apikeys.js';
import { isSessionRevoked } from './sessions.js';

export async function authenticate(ctx: AppContext, headers: Record<string, string | string[] | undefined>): Promise<Actor> {
  const apiKeyHeader = headers['x-api-key'];
  const authorization = headers.authorization ?? bearerSubprotocol(headers['sec-websocket-protocol']);
  if (typeof apiKeyHeader === 'string') return verifyApiKey(ctx, apiKeyHeader);
  if (typeof authorization !== 'string' || authorization === '') {
    throw unauthorized('AUTH_REQUIRED', 'Sign in: send "Authorization: Bearer <access token>" or an API key');
  }
  const match = /^Bearer\s+(\S+)$/i.exec(authorization);
  if (!match) throw unauthorized('AUTH_BAD_HEADER', 'The Authorization header must be "Bearer <token>"');
  const credential = match[1]!;
  if (credential.startsWith('ak_')) return verifyApiKey(ctx, credential);
  const claims = await ctx.tokens.verify(credential);
  if (await isSessionRevoked(ctx, claims.sid)) throw unauthorized('AUTH_SESSION_REVOKED', 'This session was signed out; sign in again');
  return { kind: 'user', userId: Number(claims.sub), email: claims.email, role: claims.role, familyId: claims.sid };
}

/** Browsers cannot set headers on a WebSocket; they may offer the token as subprotocol "bearer.<token>". */
function bearerSubprotocol(header: string | string[] | undefined): string | undefined {
  if (typeof header !== 'string') return undefined;
  const offered = header.split(',').map((p) => p.trim()).find((p) => p.startsWith('bearer.'));
  return offered ? `Bearer ${offered.slice('bearer.'.length)}` : undefined;
}
