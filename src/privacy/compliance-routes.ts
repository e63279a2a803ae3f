// GET/PUT /api/v1/sites/:siteId/privacy/retention: the site's retention policy and when the purge
// runs next; GET …/retention/purges: what the purge removed (the dashboard's retention view);
// GET …/privacy/score: the privacy compliance checklist.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppContext } from '../context.js';
import { canManagePrivacy, canViewSite } from '../auth/index.js';
import { actorLabel } from '../audit/index.js';
import { actorOf, SiteParams, withErrors } from '../platform/http.js';
import { DEFAULT_RETENTION, retentionPolicy, setRetentionPolicy } from './retention.js';
import { listPurges, retentionSchedule } from './retention-queries.js';
import { privacyScore } from './score.js';

const months = (min: number, max: number, description: string) => Type.Integer({ minimum: min, maximum: max, description });
const Policy = Type.Object(
  {
    events_months: months(1, 120, 'Raw events (page views, clicks, …)'),
    sessions_months: months(1, 120, 'Sessions and their aggregates'),
    consent_months: months(1, 120, 'Consent decisions; at least as long as events and sessions'),
    chat_months: months(1, 120, 'Conversations and messages'),
    audit_months: months(12, 240, "Audit entries of this site (the log's oldest entries go first)"),
  },
  { additionalProperties: false },
);
const NullableString = Type.Union([Type.String(), Type.Null()]);
const PolicyView = Type.Object({
  policy: Policy,
  defaults: Policy,
  is_default: Type.Boolean(),
  updated_at: NullableString,
  schedule: Type.Object({
    interval_minutes: Type.Union([Type.Integer(), Type.Null()]),
    next_run_at: NullableString,
    last_finished_at: NullableString,
    last_status: NullableString,
  }),
});
const Purge = Type.Object({
  id: Type.Integer(),
  run_id: Type.String(),
  data_kind: Type.String(),
  rows_purged: Type.Integer(),
  cutoff: Type.String(),
  partitions: Type.Array(Type.String()),
  finished_at: Type.String(),
});
const Score = Type.Object({
  score: Type.Integer({ minimum: 0, maximum: 100, description: 'Weighted share of the decidable checks that pass' }),
  checks: Type.Array(
    Type.Object({
      id: Type.String(),
      title: Type.String(),
      ok: Type.Union([Type.Boolean(), Type.Null()], { description: 'null: not decidable yet' }),
      weight: Type.Integer(),
      detail: Type.String(),
      fix: NullableString,
    }),
  ),
});
const PurgeQuery = Type.Object(
  { limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }), before_id: Type.Optional(Type.Integer({ minimum: 1 })) },
  { additionalProperties: false },
);

export function complianceRoutes(untyped: FastifyInstance, ctx: AppContext): void {
  const app = untyped.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['privacy'];

  async function view(siteId: string) {
    const { is_default, updated_at, ...policy } = await retentionPolicy(ctx.db, siteId);
    return { policy, defaults: { ...DEFAULT_RETENTION }, is_default, updated_at, schedule: await retentionSchedule(ctx.db) };
  }

  app.get('/api/v1/sites/:siteId/privacy/retention', {
    schema: { tags, summary: "The site's retention policy (months per kind of data) and the purge schedule", params: SiteParams, response: withErrors({ 200: PolicyView }, 401, 403, 404) },
    handler: async (req) => {
      await canViewSite(ctx, req, actorOf(req), req.params.siteId);
      return view(req.params.siteId);
    },
  });

  app.put('/api/v1/sites/:siteId/privacy/retention', {
    schema: { tags, summary: "Set the site's retention policy (audited); the next scheduled purge applies it", params: SiteParams, body: Policy, response: withErrors({ 200: PolicyView }, 401, 403, 404) },
    handler: async (req) => {
      const actor = actorOf(req);
      await canManagePrivacy(ctx, req, actor, req.params.siteId);
      await setRetentionPolicy(ctx, req.params.siteId, req.body, actorLabel(actor));
      return view(req.params.siteId);
    },
  });

  app.get('/api/v1/sites/:siteId/privacy/retention/purges', {
    schema: {
      tags,
      summary: 'What the retention purge removed from this site, newest first; page with before_id',
      params: SiteParams,
      querystring: PurgeQuery,
      response: withErrors({ 200: Type.Object({ purges: Type.Array(Purge), next_before_id: Type.Union([Type.Integer(), Type.Null()]) }) }, 401, 403, 404),
    },
    handler: async (req) => {
      await canViewSite(ctx, req, actorOf(req), req.params.siteId);
      return listPurges(ctx.db, req.params.siteId, req.query.limit, req.query.before_id);
    },
  });

  app.get('/api/v1/sites/:siteId/privacy/score', {
    schema: { tags, summary: 'The privacy compliance score: a checklist of settings and jobs, each with what to fix', params: SiteParams, response: withErrors({ 200: Score }, 401, 403, 404) },
    handler: async (req) => {
      await canViewSite(ctx, req, actorOf(req), req.params.siteId);
      return privacyScore(ctx, req.params.siteId);
    },
  });
}
