// Revocation of visitor tokens. An erasure revokes the token that asked for it and every token of the erased
// visitor issued before it, so neither a replayed request nor an older copy of a token reaches data the visitor
// creates afterwards. Only keyed digests are stored (visitor_token_revocations), and rows go once expired.
import type { AppContext } from '../context.js';
import type { Db } from '../db/client.js';
import { VISITOR_TOKEN_TTL_MS, type VisitorTokenClaims } from './visitor-token.js';

const tokenDigest = (ctx: AppContext, tokenId: string) => ctx.pseudonymize(`visitor-token:${tokenId}`);
const subjectDigest = (ctx: AppContext, siteId: string, visitorId: string) => ctx.pseudonymize(`visitor-token-subject:${siteId}|${visitorId}`);

/** Revokes the visitors' tokens issued before `at`, and `token` itself; in the caller's transaction. */
export async function revokeVisitorTokens(trx: Db, ctx: AppContext, siteId: string, visitorIds: string[], at: Date, token?: VisitorTokenClaims): Promise<void> {
  const until = new Date(at.getTime() + VISITOR_TOKEN_TTL_MS);
  const rows: { digest: string; issued_before: Date | null; expires_at: Date }[] = visitorIds.map((v) => ({ digest: subjectDigest(ctx, siteId, v), issued_before: at, expires_at: until }));
  if (token) rows.push({ digest: tokenDigest(ctx, token.tokenId), issued_before: null, expires_at: new Date(token.expiresAt) });
  if (rows.length) {
    await trx
      .insertInto('visitor_token_revocations')
      .values(rows)
      .onConflict((oc) =>
        oc.column('digest').doUpdateSet((eb) => ({
          issued_before: eb.fn('greatest', [eb.ref('visitor_token_revocations.issued_before'), eb.ref('excluded.issued_before')]),
          expires_at: eb.fn('greatest', [eb.ref('visitor_token_revocations.expires_at'), eb.ref('excluded.expires_at')]),
        })),
      )
      .execute();
  }
  // Housekeeping: rows whose tokens have all expired protect nothing.
  await trx.deleteFrom('visitor_token_revocations').where('expires_at', '<', at).execute();
}

/** True when the token was revoked, itself or by an erasure of its visitor after it was issued. */
export async function isVisitorTokenRevoked(ctx: AppContext, claims: VisitorTokenClaims): Promise<boolean> {
  const row = await ctx.db
    .selectFrom('visitor_token_revocations')
    .select('digest')
    .where((eb) =>
      eb.or([
        eb('digest', '=', tokenDigest(ctx, claims.tokenId)),
        eb.and([eb('digest', '=', subjectDigest(ctx, claims.siteId, claims.visitorId)), eb('issued_before', '>', new Date(claims.issuedAt))]),
      ]),
    )
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
