// Intent model training and registry: POST …/intent/train (site.manage: training reads every consented session of
// the site) answers 202 with a run id and trains in the background; GET …/intent/training-runs/:runId (progress);
// GET …/intent/models, GET …/intent/models/:id (card and metrics, never the artifact); POST …/intent/models/:id/promote.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppContext } from '../context.js';
import { canManageSite, canReadAnalytics } from '../auth/index.js';
import { actorLabel } from '../audit/index.js';
import { notFound } from '../errors.js';
import { actorOf, SiteParams, Uuid, withErrors } from '../platform/http.js';
import { promote } from './training/pipeline.js';
import { getModel, getRun, listModels } from './training/queries.js';
import { settleTraining, startTraining } from './training/runs.js';
import { MODEL_KINDS } from './training/select.js';

const strict = { additionalProperties: false } as const;
const Task = Type.Union([Type.Literal('visit_reason'), Type.Literal('conversion')]);
const NullableString = Type.Union([Type.String(), Type.Null()]);
const TrainBody = Type.Object(
  {
    task: Type.Optional(Task),
    budget_seconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 3600, default: 60, description: 'Time for the hyperparameter search' })),
    seed: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 ** 31 - 1, description: 'Seed of splits and search (default 42)' })),
    max_trials: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, description: 'Search trials at most; fixed counts repeat exactly' })),
    kinds: Type.Optional(Type.Array(Type.Union(MODEL_KINDS.map((k) => Type.Literal(k))), { minItems: 1, uniqueItems: true, description: 'Model families to try (all by default)' })),
  },
  strict,
);
const Run = Type.Object({
  id: Type.String(),
  task: Task,
  status: Type.String(),
  stage: Type.String(),
  progress: Type.Number(),
  requested_by: Type.String(),
  params: Type.Record(Type.String(), Type.Unknown()),
  result: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
  error: NullableString,
  created_at: Type.String(),
  started_at: NullableString,
  finished_at: NullableString,
});
const ModelSummary = Type.Object({
  id: Type.String(),
  task: Task,
  version: Type.Integer(),
  kind: Type.String(),
  status: Type.String(),
  traffic_share: Type.Number(),
  shadow: Type.Boolean(),
  data_hash: Type.String(),
  training_rows: Type.Integer(),
  created_at: Type.String(),
  promoted_at: NullableString,
  metrics: Type.Record(Type.String(), Type.Unknown()),
});
const ModelDetail = Type.Intersect([
  ModelSummary,
  Type.Object({ feature_names: Type.Array(Type.String()), classes: Type.Array(Type.String()), card: Type.Record(Type.String(), Type.Unknown()) }),
]);
const RunParams = Type.Object({ siteId: Uuid, runId: Uuid }, strict);
const ModelParams = Type.Object({ siteId: Uuid, id: Uuid }, strict);
const ModelsQuery = Type.Object({ task: Type.Optional(Task) }, strict);

const iso = (d: Date | null) => (d ? d.toISOString() : null);
function modelView<T extends { created_at: Date; promoted_at: Date | null; site_id: string }>(m: T) {
  const { site_id: _site, ...rest } = m;
  return { ...rest, created_at: m.created_at.toISOString(), promoted_at: iso(m.promoted_at) };
}

export function intentRoutes(untyped: FastifyInstance, ctx: AppContext): void {
  const app = untyped.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['intent'];
  app.addHook('onClose', () => settleTraining(ctx));

  app.post('/api/v1/sites/:siteId/intent/train', {
    schema: {
      tags,
      summary: 'Train an intent model from the site\'s consented, labelled sessions (in the background); 202 with the run id',
      params: SiteParams,
      body: TrainBody,
      response: withErrors({ 202: Type.Object({ run_id: Type.String(), status_url: Type.String() }) }, 401, 403, 404, 409, 422),
    },
    handler: async (req, reply) => {
      const actor = actorOf(req);
      await canManageSite(ctx, req, actor, req.params.siteId);
      const b = req.body;
      const runId = await startTraining(ctx, {
        siteId: req.params.siteId,
        task: b.task ?? 'visit_reason',
        requestedBy: actorLabel(actor),
        budgetSeconds: b.budget_seconds ?? 60,
        seed: b.seed ?? 42,
        maxTrials: b.max_trials,
        kinds: b.kinds,
      });
      return reply.code(202).send({ run_id: runId, status_url: `/api/v1/sites/${req.params.siteId}/intent/training-runs/${runId}` });
    },
  });

  app.get('/api/v1/sites/:siteId/intent/training-runs/:runId', {
    schema: { tags, summary: 'A training run: status, stage, progress, and its result or error', params: RunParams, response: withErrors({ 200: Run }, 401, 403, 404) },
    handler: async (req) => {
      await canReadAnalytics(ctx, req, actorOf(req), req.params.siteId);
      const run = await getRun(ctx.db, req.params.siteId, req.params.runId);
      if (!run) throw notFound('TRAINING_RUN_NOT_FOUND', 'No such training run on this site');
      const { site_id: _site, ...rest } = run;
      return { ...rest, created_at: run.created_at.toISOString(), started_at: iso(run.started_at), finished_at: iso(run.finished_at) };
    },
  });

  app.get('/api/v1/sites/:siteId/intent/models', {
    schema: { tags, summary: "The site's intent models, newest version first per task (no artifacts)", params: SiteParams, querystring: ModelsQuery, response: withErrors({ 200: Type.Object({ models: Type.Array(ModelSummary) }) }, 401, 403, 404) },
    handler: async (req) => {
      await canReadAnalytics(ctx, req, actorOf(req), req.params.siteId);
      return { models: (await listModels(ctx.db, req.params.siteId, req.query.task)).map(modelView) };
    },
  });

  app.get('/api/v1/sites/:siteId/intent/models/:id', {
    schema: { tags, summary: 'One model: its card, metrics (holdout report, confusion matrix), features and classes; never the artifact', params: ModelParams, response: withErrors({ 200: ModelDetail }, 401, 403, 404) },
    handler: async (req) => {
      await canReadAnalytics(ctx, req, actorOf(req), req.params.siteId);
      const model = await getModel(ctx.db, req.params.siteId, req.params.id);
      if (!model) throw notFound('MODEL_NOT_FOUND', 'No such model on this site');
      return modelView(model);
    },
  });

  app.post('/api/v1/sites/:siteId/intent/models/:id/promote', {
    schema: { tags, summary: "Make this model its task's champion (the previous one is retired); audited", params: ModelParams, response: withErrors({ 200: ModelDetail }, 401, 403, 404) },
    handler: async (req) => {
      const actor = actorOf(req);
      await canManageSite(ctx, req, actor, req.params.siteId);
      if (!(await promote(ctx, req.params.siteId, req.params.id, actorLabel(actor), false))) throw notFound('MODEL_NOT_FOUND', 'No such model on this site');
      return modelView((await getModel(ctx.db, req.params.siteId, req.params.id))!);
    },
  });
}
