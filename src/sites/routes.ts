// /api/v1/sites/*: sites, members, invitations, API keys.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppContext } from '../context.js';
import { SITE_ROLES } from '../db/schema.js';
import { canDeleteSite, canManageApiKeys, canManageMembers, canManageSite, canOperate, canViewSite, createApiKey, listApiKeys, revokeApiKey } from '../auth/index.js';
import { actorOf, Email, SiteParams, Uuid, withErrors } from '../platform/http.js';
import * as sites from './service.js';

const strict = { additionalProperties: false } as const;
const Role = Type.Union(SITE_ROLES.map((r) => Type.Literal(r)));
const Origins = Type.Array(Type.String({ maxLength: 300 }), { maxItems: 100 });
const Settings = Type.Record(Type.String(), Type.Unknown());
const SiteView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  allowed_origins: Type.Array(Type.String()),
  public_key: Type.String(),
  settings: Settings,
  created_at: Type.String(),
  updated_at: Type.Union([Type.String(), Type.Null()]),
  role: Type.Optional(Role),
});
const ApiKeyView = Type.Object({
  id: Type.String(),
  site_id: Type.String(),
  name: Type.String(),
  role: Role,
  prefix: Type.String(),
  created_at: Type.String(),
  last_used_at: Type.Union([Type.String(), Type.Null()]),
  revoked_at: Type.Union([Type.String(), Type.Null()]),
});
const MemberParams = Type.Object({ siteId: Uuid, userId: Type.Integer({ minimum: 1 }) }, strict);

export function siteRoutes(untyped: FastifyInstance, ctx: AppContext): void {
  // Handlers see request parts typed from their schemas.
  const app = untyped.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['sites'];

  app.post('/api/v1/sites', {
    schema: {
      tags,
      summary: 'Create a site; you become its owner',
      body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }), allowed_origins: Type.Optional(Origins), settings: Type.Optional(Settings) }, strict),
      response: withErrors({ 201: SiteView }, 401, 403),
    },
    handler: async (req, reply) => {
      const account = canOperate(req, actorOf(req));
      return reply.code(201).send(await sites.createSite(ctx, account.userId, req.body));
    },
  });

  app.get('/api/v1/sites', {
    schema: { tags, summary: 'Sites you can see, with your role on each', response: withErrors({ 200: Type.Object({ sites: Type.Array(SiteView) }) }, 401) },
    handler: async (req) => {
      const actor = actorOf(req);
      req.authzChecked = true; // the query itself is scoped to the actor's memberships
      return { sites: await sites.listSites(ctx, actor) };
    },
  });

  app.get('/api/v1/sites/:siteId', {
    schema: { tags, params: SiteParams, response: withErrors({ 200: SiteView }, 401, 404) },
    handler: async (req) => {
      const { siteId } = req.params;
      const role = await canViewSite(ctx, req, actorOf(req), siteId);
      return sites.getSite(ctx, siteId, role);
    },
  });

  app.patch('/api/v1/sites/:siteId', {
    schema: {
      tags,
      summary: 'Rename a site, change its allowed origins or settings',
      params: SiteParams,
      body: Type.Object({ name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })), allowed_origins: Type.Optional(Origins), settings: Type.Optional(Settings) }, { ...strict, minProperties: 1 }),
      response: withErrors({ 200: SiteView }, 401, 403, 404),
    },
    handler: async (req) => {
      const { siteId } = req.params;
      const actor = actorOf(req);
      const role = await canManageSite(ctx, req, actor, siteId);
      return sites.updateSite(ctx, siteId, req.body, role, actor);
    },
  });

  app.post('/api/v1/sites/:siteId/rotate-key', {
    schema: { tags, summary: 'Issue a new public site key; the old one stops working', params: SiteParams, response: withErrors({ 200: SiteView }, 401, 403, 404) },
    handler: async (req) => {
      const { siteId } = req.params;
      const actor = actorOf(req);
      const role = await canManageSite(ctx, req, actor, siteId);
      return sites.rotateSiteKey(ctx, siteId, role, actor);
    },
  });

  app.delete('/api/v1/sites/:siteId', {
    schema: { tags, summary: 'Delete a site and everything it holds (owners only)', params: SiteParams, response: withErrors({ 204: Type.Null() }, 401, 403, 404) },
    handler: async (req, reply) => {
      const { siteId } = req.params;
      const actor = actorOf(req);
      await canDeleteSite(ctx, req, actor, siteId);
      await sites.deleteSite(ctx, siteId, actor);
      return reply.code(204).send();
    },
  });

  app.get('/api/v1/sites/:siteId/members', {
    schema: { tags, params: SiteParams, response: withErrors({ 200: Type.Object({ members: Type.Array(Type.Any()), invites: Type.Array(Type.Any()) }) }, 401, 404) },
    handler: async (req) => {
      const { siteId } = req.params;
      await canViewSite(ctx, req, actorOf(req), siteId);
      return sites.listMembers(ctx, siteId);
    },
  });

  app.post('/api/v1/sites/:siteId/members', {
    schema: {
      tags,
      summary: 'Add an operator by email; people without an account get an invitation link (shown once)',
      params: SiteParams,
      body: Type.Object({ email: Email, role: Role }, strict),
      response: withErrors({ 201: Type.Object({ status: Type.String() }, { additionalProperties: true }) }, 401, 403, 404, 409),
    },
    handler: async (req, reply) => {
      const { siteId } = req.params;
      const actor = actorOf(req);
      const role = await canManageMembers(ctx, req, actor, siteId);
      const { email, role: newRole } = req.body;
      return reply.code(201).send(await sites.addMember(ctx, siteId, role, actor, email, newRole));
    },
  });

  app.patch('/api/v1/sites/:siteId/members/:userId', {
    schema: { tags, params: MemberParams, body: Type.Object({ role: Role }, strict), response: withErrors({ 204: Type.Null() }, 401, 403, 404, 409) },
    handler: async (req, reply) => {
      const { siteId, userId } = req.params;
      const actor = actorOf(req);
      const role = await canManageMembers(ctx, req, actor, siteId);
      await sites.changeMemberRole(ctx, siteId, role, userId, req.body.role, actor);
      return reply.code(204).send();
    },
  });

  app.delete('/api/v1/sites/:siteId/members/:userId', {
    schema: { tags, params: MemberParams, response: withErrors({ 204: Type.Null() }, 401, 403, 404, 409) },
    handler: async (req, reply) => {
      const { siteId, userId } = req.params;
      const actor = actorOf(req);
      const role = await canManageMembers(ctx, req, actor, siteId);
      await sites.removeMember(ctx, siteId, role, userId, actor);
      return reply.code(204).send();
    },
  });

  app.delete('/api/v1/sites/:siteId/invites/:inviteId', {
    schema: { tags, params: Type.Object({ siteId: Uuid, inviteId: Uuid }, strict), response: withErrors({ 204: Type.Null() }, 401, 403, 404) },
    handler: async (req, reply) => {
      const { siteId, inviteId } = req.params;
      await canManageMembers(ctx, req, actorOf(req), siteId);
      await sites.revokeInvite(ctx, siteId, inviteId);
      return reply.code(204).send();
    },
  });

  app.get('/api/v1/sites/:siteId/api-keys', {
    schema: { tags: ['api-keys'], params: SiteParams, response: withErrors({ 200: Type.Object({ api_keys: Type.Array(ApiKeyView) }) }, 401, 403, 404) },
    handler: async (req) => {
      const { siteId } = req.params;
      await canManageApiKeys(ctx, req, actorOf(req), siteId);
      return { api_keys: await listApiKeys(ctx, siteId) };
    },
  });

  app.post('/api/v1/sites/:siteId/api-keys', {
    schema: {
      tags: ['api-keys'],
      summary: 'Create a server-to-server key; the key is in this response only',
      params: SiteParams,
      body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }), role: Role }, strict),
      response: withErrors({ 201: Type.Composite([ApiKeyView, Type.Object({ key: Type.String() })]) }, 401, 403, 404),
    },
    handler: async (req, reply) => {
      const { siteId } = req.params;
      const actor = actorOf(req);
      const role = await canManageApiKeys(ctx, req, actor, siteId);
      const { name, role: keyRole } = req.body;
      // A key may not carry more power than the person creating it.
      sites.assertMayGrant(role, keyRole);
      return reply.code(201).send(await createApiKey(ctx, siteId, name, keyRole, actor));
    },
  });

  app.delete('/api/v1/sites/:siteId/api-keys/:keyId', {
    schema: { tags: ['api-keys'], params: Type.Object({ siteId: Uuid, keyId: Uuid }, strict), response: withErrors({ 204: Type.Null() }, 401, 403, 404) },
    handler: async (req, reply) => {
      const { siteId, keyId } = req.params;
      const actor = actorOf(req);
      await canManageApiKeys(ctx, req, actor, siteId);
      await revokeApiKey(ctx, siteId, keyId, actor);
      return reply.code(204).send();
    },
  });
}
