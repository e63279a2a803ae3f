// POST/GET /api/privacy/consent (spec 000), with /api/v1 aliases: a visitor's consent decisions,
// sent by the consent banner (or a server with the site's API key); a decision may hand out a visitor token.
// GET /api/v1/privacy/banner: the banner's texts and the site's current policy version.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppContext } from '../context.js';
import { authorizeSiteSender } from '../sites/index.js';
import { siteScriptScope, withErrors } from '../platform/http.js';
import { truncateIp } from '../tracking/index.js';
import { bannerConfig } from './banner.js';
import { currentConsent, recordConsent } from './consent.js';
import { privacyDataRoutes } from './data-routes.js';
import { isVisitorTokenRevoked } from './token-revocation.js';
import { complianceRoutes } from './compliance-routes.js';

const strict = { additionalProperties: false } as const;
const SiteKey = Type.String({ pattern: '^pk_[A-Za-z0-9_-]{8,64}$' });
const VisitorId = Type.String({ pattern: '^[A-Za-z0-9_-]{8,64}$' });
const Categories = Type.Object({ analytics: Type.Boolean(), marketing: Type.Boolean(), personalization: Type.Boolean(), necessary: Type.Optional(Type.Literal(true)) }, strict);
const ConsentState = Type.Object({
  visitor_id: Type.String(),
  categories: Type.Object({ necessary: Type.Boolean(), analytics: Type.Boolean(), marketing: Type.Boolean(), personalization: Type.Boolean() }),
  policy_version: Type.Union([Type.String(), Type.Null()]),
  recorded_at: Type.Union([Type.String(), Type.Null()]),
});
const RecordedConsent = Type.Object({
  ...ConsentState.properties,
  visitor_token: Type.Optional(Type.String({ description: "Lets this visitor export or erase their data (GET/DELETE /api/v1/privacy/data). Only on the visitor id's first decision on the site, or when a valid token of it was sent (refresh)" })),
});
const BannerTexts = Type.Object({
  title: Type.Optional(Type.String()),
  description: Type.Optional(Type.String()),
  analytics: Type.Optional(Type.String()),
  marketing: Type.Optional(Type.String()),
  personalization: Type.Optional(Type.String()),
});
const BannerConfig = Type.Object({
  policy_version: Type.String(),
  policy_url: Type.Union([Type.String(), Type.Null()]),
  texts: Type.Record(Type.String(), BannerTexts),
});
const ConsentBody = Type.Object(
  {
    site: SiteKey,
    visitor_id: VisitorId,
    customer_id: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    categories: Categories,
    policy_version: Type.String({ minLength: 1, maxLength: 64 }),
    source: Type.Optional(Type.Union([Type.Literal('banner'), Type.Literal('settings_link'), Type.Literal('api'), Type.Literal('import')])),
    visitor_token: Type.Optional(Type.String({ maxLength: 512, description: 'The visitor token held for this visitor id, to get a fresh one' })),
  },
  strict,
);

export function privacyRoutes(parent: FastifyInstance, ctx: AppContext): void {
  privacyDataRoutes(parent, ctx);
  complianceRoutes(parent, ctx);
  parent.register(async (scope) => {
    siteScriptScope(scope, 8 * 1024);
    const app = scope.withTypeProvider<TypeBoxTypeProvider>();
    const config = { public: true, rateLimit: { max: ctx.config.ingestRateLimitPerMinute, timeWindow: 60_000 } };
    app.get('/api/v1/privacy/banner', {
      config,
      schema: {
        tags: ['privacy'],
        summary: "The consent banner's configuration: the site's policy version and URL, and its texts per language",
        querystring: Type.Object({ site: SiteKey }, strict),
        response: withErrors({ 200: BannerConfig }, 403, 429),
      },
      handler: async (req) => {
        const { site } = await authorizeSiteSender(ctx, req, req.query.site);
        return bannerConfig(site.settings);
      },
    });
    for (const prefix of ['/api/v1/', '/api/']) {
      const hide = prefix === '/api/';
      app.post(`${prefix}privacy/consent`, {
        config,
        bodyLimit: 8 * 1024,
        schema: {
          tags: ['privacy'],
          summary: "Record a visitor's consent decision (append-only; the latest one is their state)",
          hide,
          body: ConsentBody,
          response: withErrors({ 201: RecordedConsent }, 403, 429),
        },
        handler: async (req, reply) => {
          const { site } = await authorizeSiteSender(ctx, req, req.body.site);
          const { necessary: _always, ...categories } = req.body.categories;
          const refresh = req.body.visitor_token !== undefined && (await holdsToken(ctx, req.body.visitor_token, site.id, req.body.visitor_id));
          const { first, ...state } = await recordConsent(ctx, {
            siteId: site.id,
            visitorId: req.body.visitor_id,
            customerId: req.body.customer_id,
            categories,
            policyVersion: req.body.policy_version,
            source: req.body.source ?? 'banner',
            ipPrefix: truncateIp(req.ip),
          });
          // Trust on first use: a token for an id nobody decided for yet, or for the holder of a valid one. Never
          // for an id that merely is known: that would hand its data to whoever learnt it.
          const token = first || refresh ? ctx.visitorTokens.mint(site.id, req.body.visitor_id).token : undefined;
          return reply.code(201).send({ visitor_id: req.body.visitor_id, ...state, ...(token ? { visitor_token: token } : {}) });
        },
      });
      app.get(`${prefix}privacy/consent`, {
        config,
        schema: {
          tags: ['privacy'],
          summary: "A visitor's current consent (all optional categories off when nothing was recorded)",
          hide,
          querystring: Type.Object({ site: SiteKey, visitor_id: VisitorId }, strict),
          response: withErrors({ 200: ConsentState }, 403, 429),
        },
        handler: async (req) => {
          const { site } = await authorizeSiteSender(ctx, req, req.query.site);
          return { visitor_id: req.query.visitor_id, ...(await currentConsent(ctx, site.id, req.query.visitor_id)) };
        },
      });
    }
  });
}

/** A valid, unrevoked token of this visitor on this site. */
async function holdsToken(ctx: AppContext, token: string, siteId: string, visitorId: string): Promise<boolean> {
  const result = ctx.visitorTokens.verify(token, siteId);
  return result.ok && result.claims.visitorId === visitorId && !(await isVisitorTokenRevoked(ctx, result.claims));
}
