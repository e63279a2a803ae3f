// GET/DELETE /api/v1/privacy/data with an X-Augur-Visitor-Token header: a tracked visitor exports or erases their
// own data (spec 000 "subject-authenticated through a signed visitor token from the widget"). The token, not a
// cookie, authorizes, so answers are readable from any page that sends one. The unversioned /api/privacy/data
// (data-routes.ts) hands requests carrying the header to the same functions.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppContext } from '../context.js';
import { AppError, tooManyRequests } from '../errors.js';
import { withErrors } from '../platform/http.js';
import { siteByPublicKey } from '../sites/index.js';
import { ExportBody, ExportFormat, Receipt } from './data-schemas.js';
import { sendExport } from './export-reply.js';
import { auditExport, eraseSubject, resolveSubject, type OperatorAction } from './subject-data.js';
import { isVisitorTokenRevoked } from './token-revocation.js';
import { VISITOR_TOKEN_HEADER, type VisitorTokenClaims } from './visitor-token.js';

/** Requests per minute, per client IP and per token; erasure is rarer and costlier. */
const LIMITS = { export: 10, erase: 3 } as const;
type Action = keyof typeof LIMITS;

export const SubjectSiteKey = Type.String({ pattern: '^pk_[A-Za-z0-9_-]{8,64}$', description: "The site's public key: when given, the token must be this site's" });
const TokenHeader = Type.Object({ [VISITOR_TOKEN_HEADER]: Type.Optional(Type.String({ maxLength: 512, description: 'The visitor token the consent API handed out' })) });

const rejected = (code: string, message: string) => new AppError(401, code, message);
const REJECTIONS = {
  malformed: () => rejected('VISITOR_TOKEN_INVALID', 'The visitor token is not valid'),
  signature: () => rejected('VISITOR_TOKEN_INVALID', 'The visitor token is not valid'),
  expired: () => rejected('VISITOR_TOKEN_EXPIRED', 'The visitor token has expired; the consent banner gets a new one'),
  wrong_site: () => rejected('VISITOR_TOKEN_WRONG_SITE', 'The visitor token belongs to another site'),
};

export const hasVisitorToken = (req: FastifyRequest) => req.headers[VISITOR_TOKEN_HEADER] !== undefined;

export interface SubjectRights {
  exportData(req: FastifyRequest, reply: FastifyReply, q: { site?: string; format?: ExportFormat }): Promise<unknown>;
  eraseData(req: FastifyRequest, q: { site?: string }): Promise<unknown>;
}

/** The subject's side of the data rights, for the routes here and the unversioned alias. */
export function subjectRights(app: FastifyInstance, ctx: AppContext): SubjectRights {
  const limiter = (action: Action, by: 'ip' | 'token') =>
    app.createRateLimit({
      max: LIMITS[action],
      timeWindow: 60_000,
      // Keyed digests only: neither the IP nor the token is kept readable in the window store.
      keyGenerator: (req) => `subject-${action}-${by}:${ctx.pseudonymize(by === 'ip' ? (req.ip ?? '') : String(req.headers[VISITOR_TOKEN_HEADER]))}`,
    });
  const limiters = { export: [limiter('export', 'ip'), limiter('export', 'token')], erase: [limiter('erase', 'ip'), limiter('erase', 'token')] };

  // Before the token is checked, so forged tokens count too.
  async function limit(req: FastifyRequest, action: Action) {
    for (const check of limiters[action]) {
      const r = await check(req);
      if (!r.isAllowed && r.isExceeded) throw tooManyRequests('RATE_LIMITED', `At most ${r.max} requests of this kind per minute; retry after ${r.ttlInSeconds} s`, r.ttlInSeconds);
    }
  }

  async function authorize(req: FastifyRequest, action: Action, siteKey: string | undefined): Promise<VisitorTokenClaims> {
    await limit(req, action);
    const token = req.headers[VISITOR_TOKEN_HEADER];
    if (typeof token !== 'string' || token === '') throw rejected('VISITOR_TOKEN_REQUIRED', `Send the visitor token in the ${VISITOR_TOKEN_HEADER} header`);
    const expected = siteKey === undefined ? undefined : await siteByPublicKey(ctx, siteKey);
    if (expected === undefined && siteKey !== undefined) throw REJECTIONS.wrong_site();
    const result = ctx.visitorTokens.verify(token, expected?.id);
    if (!result.ok) throw REJECTIONS[result.reason]();
    const { claims } = result;
    if (await isVisitorTokenRevoked(ctx, claims)) {
      throw rejected('VISITOR_TOKEN_REVOKED', 'This visitor token was revoked when its data was erased; the consent banner gets a new one');
    }
    const site = await ctx.db.selectFrom('sites').select('id').where('id', '=', claims.siteId).executeTakeFirst();
    if (!site) throw rejected('VISITOR_TOKEN_INVALID', 'The site of this visitor token no longer exists');
    // The token is the authorization: it names one visitor on one site, and that is all this request reaches.
    req.authzChecked = true;
    return claims;
  }

  const actionOf = (claims: VisitorTokenClaims, token?: VisitorTokenClaims): OperatorAction => ({
    siteId: claims.siteId,
    actor: `visitor:${claims.visitorId}`,
    reason: 'data subject request',
    at: new Date(ctx.clock.now()),
    token,
  });

  return {
    async exportData(req, reply, q) {
      const claims = await authorize(req, 'export', q.site);
      const subject = await resolveSubject(ctx.db, { siteId: claims.siteId, visitorId: claims.visitorId });
      const op = actionOf(claims);
      // Audited before any data leaves.
      await auditExport(ctx, subject, op);
      return sendExport(reply, ctx.db, claims.siteId, subject, op.at, q.format ?? 'json');
    },
    async eraseData(req, q) {
      const claims = await authorize(req, 'erase', q.site);
      const subject = await resolveSubject(ctx.db, { siteId: claims.siteId, visitorId: claims.visitorId });
      // The token that asked is revoked in the erasure's transaction: the request cannot be replayed.
      return eraseSubject(ctx, subject, actionOf(claims, claims));
    },
  };
}

/** Answers readable from any page, for requests that carry a visitor token (it, not a cookie, authorizes). */
export function visitorTokenCors(scope: FastifyInstance): void {
  scope.addHook('onRequest', async (req, reply) => {
    const origin = req.headers.origin;
    if (hasVisitorToken(req) && typeof origin === 'string' && origin.length <= 300) {
      reply.header('access-control-allow-origin', origin).header('access-control-expose-headers', 'content-disposition, retry-after, x-request-id').header('vary', 'Origin');
    }
  });
}

export function subjectDataRoutes(parent: FastifyInstance, ctx: AppContext, rights: SubjectRights): void {
  parent.register(async (scope) => {
    visitorTokenCors(scope);
    const app = scope.withTypeProvider<TypeBoxTypeProvider>();
    const tags = ['privacy'];
    // Not public: without the token header these routes want credentials like any other (and then refuse an
    // operator's, which has its own routes); with it, the token is checked instead (app.ts, visitorToken).
    const config = { visitorToken: true };
    app.get('/api/v1/privacy/data', {
      config,
      schema: {
        tags,
        summary: 'A visitor exports their own data (sessions, events, consent, audit entries) with their visitor token',
        headers: TokenHeader,
        querystring: Type.Object({ site: Type.Optional(SubjectSiteKey), format: Type.Optional(ExportFormat) }, { additionalProperties: false }),
        response: withErrors({ 200: ExportBody }, 401, 429),
      },
      handler: (req, reply) => rights.exportData(req, reply, req.query),
    });
    app.delete('/api/v1/privacy/data', {
      config,
      schema: {
        tags,
        summary: "A visitor erases their own events, sessions and consent records with their visitor token; the token is revoked",
        headers: TokenHeader,
        querystring: Type.Object({ site: Type.Optional(SubjectSiteKey) }, { additionalProperties: false }),
        response: withErrors({ 200: Receipt }, 401, 429),
      },
      handler: (req) => rights.eraseData(req, req.query),
    });
  });
}
