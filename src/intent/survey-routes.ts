// GET /api/v1/intent/survey: the survey's options and rate for the site's pages (public: site key + allowed origin,
// like GET /api/v1/privacy/banner). PUT /api/v1/sites/:siteId/intent/taxonomy: owners and admins set them.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppContext } from '../context.js';
import { canManageSite } from '../auth/index.js';
import { authorizeSiteSender } from '../sites/index.js';
import { actorOf, SiteParams, siteScriptScope, withErrors } from '../platform/http.js';
import { saveIntentSettings } from './survey-settings.js';
import { intentSettings, MAX_AFTER_PAGES, MAX_LABEL, MAX_OPTIONS } from './taxonomy.js';

const strict = { additionalProperties: false } as const;
const SiteKey = Type.String({ pattern: '^pk_[A-Za-z0-9_-]{8,64}$' });
const Option = Type.Object(
  {
    id: Type.String({ pattern: '^[a-z][a-z0-9_]{0,31}$', description: 'The label stored in survey events and learnt by models' }),
    labels: Type.Record(Type.String({ pattern: '^[a-z]{2}(-[A-Za-z]{2,4})?$' }), Type.String({ minLength: 1, maxLength: MAX_LABEL }), {
      minProperties: 1,
      maxProperties: 20,
      description: 'Label per language (en, de, fr, …); the survey falls back to English, then to the id',
    }),
  },
  strict,
);
const SurveyRate = Type.Number({ minimum: 0, maximum: 1, description: 'Share of consenting visitors asked, decided once per visitor (default 0.05)' });
const AfterPages = Type.Integer({ minimum: 1, maximum: MAX_AFTER_PAGES, description: 'The prompt appears from this page view on (default 2)' });
const IntentSettingsView = Type.Object({ taxonomy: Type.Array(Option), survey_rate: Type.Number(), survey_after_pages: Type.Integer() });

export function intentSurveyRoutes(parent: FastifyInstance, ctx: AppContext): void {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  app.put('/api/v1/sites/:siteId/intent/taxonomy', {
    schema: {
      tags: ['intent'],
      summary: 'Set the intent taxonomy (the survey\'s options) and how often the survey is shown (owners and admins; audited)',
      params: SiteParams,
      body: Type.Object({ taxonomy: Type.Array(Option, { minItems: 2, maxItems: MAX_OPTIONS }), survey_rate: Type.Optional(SurveyRate), survey_after_pages: Type.Optional(AfterPages) }, strict),
      response: withErrors({ 200: IntentSettingsView }, 400, 401, 403, 404),
    },
    handler: async (req) => {
      const actor = actorOf(req);
      await canManageSite(ctx, req, actor, req.params.siteId);
      return saveIntentSettings(ctx, req.params.siteId, req.body, actor);
    },
  });
  parent.register(async (scope) => {
    siteScriptScope(scope, 1024);
    scope.withTypeProvider<TypeBoxTypeProvider>().get('/api/v1/intent/survey', {
      config: { public: true, rateLimit: { max: ctx.config.ingestRateLimitPerMinute, timeWindow: 60_000 } },
      schema: {
        tags: ['intent'],
        summary: 'The visit-reason survey of a site: its options per language, the share of visitors asked and after how many pages',
        querystring: Type.Object({ site: SiteKey }, strict),
        response: withErrors({ 200: IntentSettingsView }, 403, 429),
      },
      handler: async (req) => {
        const { site } = await authorizeSiteSender(ctx, req, req.query.site);
        return intentSettings(site.settings);
      },
    });
  });
}
