// GET /api/v1/audit/verify (instance admins) and GET /api/v1/sites/:siteId/audit (site owners/admins).
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppContext } from '../context.js';
import { canAdminInstance, canManageSite } from '../auth/index.js';
import { actorOf, SiteParams, withErrors } from '../platform/http.js';
import { verifyAudit } from './log.js';
import { listSiteAudit } from './queries.js';

const NullableString = Type.Union([Type.String(), Type.Null()]);
const Entry = Type.Object({
  id: Type.Integer(),
  site_id: NullableString,
  actor: Type.String(),
  action: Type.String(),
  subject: NullableString,
  details: Type.Record(Type.String(), Type.Unknown()),
  created_at: Type.String(),
  prev_hash: Type.String(),
  hash: Type.String(),
});
const Verdict = Type.Object({
  ok: Type.Boolean(),
  entries: Type.Integer({ description: 'Entries checked before the first bad one (all of them when ok)' }),
  first_bad_id: Type.Optional(Type.Integer()),
  reason: Type.Optional(Type.Union([Type.Literal('hash_mismatch'), Type.Literal('chain_broken')])),
  pruned_through_id: Type.Optional(Type.Integer({ description: 'Entries up to this id were removed by the retention policy; the chain is verified from the anchor they left' })),
});
const ListQuery = Type.Object(
  {
    action: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'An action (privacy.erased), or a family with a trailing dot (privacy.)' })),
    actor: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'user:<id>, apikey:<id>, visitor:<id> or system' })),
    subject: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'e.g. visitor:<id>' })),
    since: Type.Optional(Type.String({ format: 'date-time' })),
    until: Type.Optional(Type.String({ format: 'date-time' })),
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
    before_id: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
);

export function auditRoutes(untyped: FastifyInstance, ctx: AppContext): void {
  const app = untyped.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['audit'];

  app.get('/api/v1/audit/verify', {
    schema: { tags, summary: 'Re-walk the whole audit chain and report the first edited or missing entry', response: withErrors({ 200: Verdict }, 401, 403) },
    handler: async (req) => {
      canAdminInstance(req, actorOf(req));
      const { ok, entries, firstBadId, reason, prunedThroughId } = await verifyAudit(ctx.db);
      return {
        ok,
        entries,
        ...(firstBadId !== undefined ? { first_bad_id: firstBadId, reason } : {}),
        ...(prunedThroughId !== undefined ? { pruned_through_id: prunedThroughId } : {}),
      };
    },
  });

  app.get('/api/v1/sites/:siteId/audit', {
    schema: {
      tags,
      summary: "The site's audit entries, newest first, filtered by action, actor, subject and time; page with before_id",
      params: SiteParams,
      querystring: ListQuery,
      response: withErrors({ 200: Type.Object({ entries: Type.Array(Entry), next_before_id: Type.Union([Type.Integer(), Type.Null()]) }) }, 401, 403, 404),
    },
    handler: async (req) => {
      const { siteId } = req.params;
      await canManageSite(ctx, req, actorOf(req), siteId);
      const { before_id: beforeId, since, until, ...filters } = req.query;
      return listSiteAudit(ctx.db, siteId, { ...filters, beforeId, since: since ? new Date(since) : undefined, until: until ? new Date(until) : undefined });
    },
  });
}
