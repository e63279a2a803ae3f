// GET/DELETE /api/v1/sites/:siteId/privacy/data (spec 000 GET/DELETE /api/privacy/data, also answered there with
// a site_id parameter): a site owner or admin exports (JSON, or format=zip for CSVs) or erases one subject's
// tracking and consent data. The visitor's own requests, with a visitor token, are in subject-routes.ts.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppContext } from '../context.js';
import { canManagePrivacy } from '../auth/index.js';
import { actorLabel } from '../audit/index.js';
import { actorOf, SiteParams, Uuid, withErrors } from '../platform/http.js';
import { badRequest } from '../errors.js';
import { ExportBody, ExportFormat, Receipt } from './data-schemas.js';
import { sendExport } from './export-reply.js';
import { auditExport, eraseSubject, resolveSubject, type OperatorAction } from './subject-data.js';
import { hasVisitorToken, subjectDataRoutes, subjectRights, SubjectSiteKey, visitorTokenCors, type SubjectRights } from './subject-routes.js';

const SubjectFields = {
  visitor_id: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{1,255}$', description: 'One visitor id (give this or customer_id)' })),
  customer_id: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: "The site's own customer id: every visitor seen with it (sessions identified with it, or consent recorded with it)" })),
  reason: Type.String({ minLength: 3, maxLength: 500, description: "The operator's justification, kept in the audit log" }),
};
const SubjectQuery = Type.Object(SubjectFields, { additionalProperties: false });
const ExportQuery = Type.Object({ ...SubjectFields, format: Type.Optional(ExportFormat) }, { additionalProperties: false });
// The unversioned path serves both sides: an operator (credentials, site_id and reason required) or, with a visitor
// token header, the visitor themselves (subject-routes.ts; then only site and format apply).
const AliasQuery = Type.Object(
  { site_id: Type.Optional(Uuid), ...SubjectFields, reason: Type.Optional(SubjectFields.reason), format: Type.Optional(ExportFormat), site: Type.Optional(SubjectSiteKey) },
  { additionalProperties: false },
);
type Query = Static<typeof SubjectQuery>;
type AliasQuery = Static<typeof AliasQuery>;

export function privacyDataRoutes(untyped: FastifyInstance, ctx: AppContext): void {
  const rights = subjectRights(untyped, ctx);
  subjectDataRoutes(untyped, ctx, rights);
  untyped.register(async (scope) => {
    visitorTokenCors(scope);
    operatorRoutes(scope, ctx, rights);
  });
}

function operatorRoutes(scope: FastifyInstance, ctx: AppContext, rights: SubjectRights): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
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

  async function exportData(req: FastifyRequest, reply: FastifyReply, siteId: string, q: Query & { format?: ExportFormat }) {
    const { subject, op } = await prepare(req, siteId, q);
    // Audited before any data leaves.
    await auditExport(ctx, subject, op);
    return sendExport(reply, ctx.db, siteId, subject, op.at, q.format ?? 'json');
  }

  // The alias's operator side: what its schema cannot require, since the subject side has neither.
  function operatorQuery(q: AliasQuery): { siteId: string; q: Query & { format?: ExportFormat } } {
    const { site_id: siteId, site, reason, ...rest } = q;
    if (site !== undefined) throw badRequest('VALIDATION_FAILED', 'querystring: site is for requests with a visitor token; operators give site_id');
    if (siteId === undefined || reason === undefined) throw badRequest('VALIDATION_FAILED', "querystring must have required properties 'site_id' and 'reason'");
    return { siteId, q: { ...rest, reason } };
  }
  function subjectQuery(q: AliasQuery): { site?: string; format?: ExportFormat } {
    const { site, format, ...operatorOnly } = q;
    const given = Object.keys(operatorOnly);
    // A visitor reaches their own data only: naming a subject or a site id is an operator's request.
    if (given.length) throw badRequest('VALIDATION_FAILED', `querystring: ${given.join(', ')} cannot be used with a visitor token`);
    return { site, format };
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
      querystring: ExportQuery,
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

  // The spec's unversioned paths: an operator with the site as a parameter, or a visitor with their token.
  app.get('/api/privacy/data', {
    config: { visitorToken: true },
    schema: { tags, hide: true, querystring: AliasQuery, response: withErrors({ 200: ExportBody }, 401, 403, 404, 429) },
    handler: (req, reply) => {
      if (hasVisitorToken(req)) return rights.exportData(req, reply, subjectQuery(req.query));
      const { siteId, q } = operatorQuery(req.query);
      return exportData(req, reply, siteId, q);
    },
  });
  app.delete('/api/privacy/data', {
    config: { visitorToken: true },
    schema: { tags, hide: true, querystring: AliasQuery, response: withErrors({ 200: Receipt }, 401, 403, 404, 429) },
    handler: (req) => {
      if (hasVisitorToken(req)) return rights.eraseData(req, subjectQuery(req.query));
      const { siteId, q } = operatorQuery(req.query);
      return eraseData(req, siteId, q);
    },
  });
}
