// GET/DELETE /api/v1/sites/:siteId/privacy/data (spec 000 GET/DELETE /api/privacy/data, also answered there with
// a site_id parameter): a site owner or admin exports or erases one subject's tracking and consent data.
import { Readable } from 'node:stream';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppContext } from '../context.js';
import { canManagePrivacy } from '../auth/index.js';
import { actorLabel } from '../audit/index.js';
import { actorOf, SiteParams, Uuid, withErrors } from '../platform/http.js';
import { badRequest } from '../errors.js';
import { auditExport, eraseSubject, exportSubject, resolveSubject, type OperatorAction } from './subject-data.js';

const SubjectFields = {
  visitor_id: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{1,255}$', description: 'One visitor id (give this or customer_id)' })),
  customer_id: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: "The site's own customer id: every visitor seen with it (sessions identified with it, or consent recorded with it)" })),
  reason: Type.String({ minLength: 3, maxLength: 500, description: "The operator's justification, kept in the audit log" }),
};
const SubjectQuery = Type.Object(SubjectFields, { additionalProperties: false });
const AliasQuery = Type.Object({ site_id: Uuid, ...SubjectFields }, { additionalProperties: false });
type Query = Static<typeof SubjectQuery>;

const ExportBody = Type.Object(
  {
    subject: Type.Object({ visitor_ids: Type.Array(Type.String()), customer_id: Type.Optional(Type.String()) }),
    generated_at: Type.String(),
    sessions: Type.Array(Type.Record(Type.String(), Type.Unknown())),
    events: Type.Array(Type.Record(Type.String(), Type.Unknown())),
    consent: Type.Array(Type.Record(Type.String(), Type.Unknown())),
    audit: Type.Array(Type.Record(Type.String(), Type.Unknown())),
  },
  { description: 'Streamed as an attachment' },
);
const Receipt = Type.Object({
  receipt_id: Type.String({ format: 'uuid' }),
  erased: Type.Object({ events: Type.Integer(), sessions: Type.Integer(), consent_records: Type.Integer() }),
});

export function privacyDataRoutes(untyped: FastifyInstance, ctx: AppContext): void {
  const app = untyped.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['privacy'];

  async function prepare(req: FastifyRequest, siteId: string, q: Query) {
    const actor = actorOf(req);
    await canManagePrivacy(ctx, req, actor, siteId);
    if ((q.visitor_id === undefined) === (q.customer_id === undefined)) {
      throw badRequest('PRIVACY_SUBJECT_REQUIRED', 'Give exactly one of visitor_id and customer_id');
    }
    const subject = await resolveSubject(ctx.db, { siteId, visitorId: q.visitor_id, customerId: q.customer_id });
    const op: OperatorAction = { siteId, actor: actorLabel(actor), reason: q.reason, at: new Date(ctx.clock.now()) };
    return { subject, op };
  }

  async function exportData(req: FastifyRequest, reply: FastifyReply, siteId: string, q: Query) {
    const { subject, op } = await prepare(req, siteId, q);
    // Audited before any data leaves.
    await auditExport(ctx, subject, op);
    const day = op.at.toISOString().slice(0, 10);
    return reply
      .header('content-type', 'application/json; charset=utf-8')
      .header('content-disposition', `attachment; filename="augur-subject-data-${day}.json"`)
      .header('cache-control', 'no-store')
      .send(Readable.from(exportSubject(ctx.db, siteId, subject, op.at)));
  }

  async function eraseData(req: FastifyRequest, siteId: string, q: Query) {
    const { subject, op } = await prepare(req, siteId, q);
    return eraseSubject(ctx, subject, op);
  }

  app.get('/api/v1/sites/:siteId/privacy/data', {
    schema: {
      tags,
      summary: "Export everything stored about one subject (visitor or customer id): sessions, events, consent, audit entries",
      params: SiteParams,
      querystring: SubjectQuery,
      response: withErrors({ 200: ExportBody }, 401, 403, 404),
    },
    handler: (req, reply) => exportData(req, reply, req.params.siteId, req.query),
  });
  app.delete('/api/v1/sites/:siteId/privacy/data', {
    schema: {
      tags,
      summary: "Erase one subject's events, sessions and consent records in one transaction; answers a receipt",
      params: SiteParams,
      querystring: SubjectQuery,
      response: withErrors({ 200: Receipt }, 401, 403, 404),
    },
    handler: (req) => eraseData(req, req.params.siteId, req.query),
  });

  // The spec's unversioned paths, with the site as a parameter.
  app.get('/api/privacy/data', {
    schema: { tags, hide: true, querystring: AliasQuery, response: withErrors({ 200: ExportBody }, 401, 403, 404) },
    handler: (req, reply) => { const { site_id: siteId, ...q } = req.query; return exportData(req, reply, siteId, q); },
  });
  app.delete('/api/privacy/data', {
    schema: { tags, hide: true, querystring: AliasQuery, response: withErrors({ 200: Receipt }, 401, 403, 404) },
    handler: (req) => { const { site_id: siteId, ...q } = req.query; return eraseData(req, siteId, q); },
  });
}
