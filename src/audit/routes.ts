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
});
const ListQuery = Type.Object(
  {
    action: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
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
      const { ok, entries, firstBadId, reason } = await verifyAudit(ctx.db);
      return { ok, entries, ...(firstBadId !== undefined ? { first_bad_id: firstBadId, reason } : {}) };
    },
  });

  app.get('/api/v1/sites/:siteId/audit', {
    schema: {
      tags,
      summary: "The site's audit entries, newest first; page with before_id",
      params: SiteParams,
      querystring: ListQuery,
      response: withErrors({ 200: Type.Object({ entries: Type.Array(Entry), next_before_id: Type.Union([Type.Integer(), Type.Null()]) }) }, 401, 403, 404),
    },
    handler: async (req) => {
      const { siteId } = req.params;
      await canManageSite(ctx, req, actorOf(req), siteId);
      const { action, limit, before_id: beforeId } = req.query;
      return listSiteAudit(ctx.db, siteId, { action, limit, beforeId });
    },
  });
}
