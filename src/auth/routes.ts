// /api/v1/auth/* and /api/v1/setup: validate → authenticate → canX → domain call → reply.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppContext } from '../context.js';
import { canActAsAccount } from './access.js';
import { actorOf, Email, withErrors } from '../platform/http.js';
import { PASSWORD_MAX } from './passwords.js';
import { login, logout, publicUser, refresh, register } from './service.js';
import { completeSetup } from './setup.js';
import { activateTotp, disableTotp, enrollTotp } from './totp-service.js';
import { findPublicUserById } from './queries.js';
import { openAccount } from './account-fields.js';
import { unauthorized } from '../errors.js';

const strict = { additionalProperties: false } as const;
const Password = Type.String({ minLength: 1, maxLength: PASSWORD_MAX });
const Username = Type.String({ minLength: 2, maxLength: 100, pattern: '^[A-Za-z0-9._-]+$' });

const UserView = Type.Object({
  id: Type.Integer(),
  email: Type.String(),
  username: Type.String(),
  first_name: Type.Union([Type.String(), Type.Null()]),
  last_name: Type.Union([Type.String(), Type.Null()]),
  role: Type.String(),
  status: Type.String(),
  site_id: Type.Union([Type.String(), Type.Null()]),
  language: Type.Union([Type.String(), Type.Null()]),
  timezone: Type.Union([Type.String(), Type.Null()]),
  totp_enabled: Type.Boolean(),
  created_at: Type.String(),
  last_login: Type.Union([Type.String(), Type.Null()]),
});
const TokenPair = Type.Object({
  access_token: Type.String(),
  refresh_token: Type.String(),
  token_type: Type.Literal('bearer'),
  expires_in: Type.Integer(),
  user: UserView,
});

const authLimit = (max: number) => ({ rateLimit: { max, timeWindow: 60_000 } });

export function authRoutes(untyped: FastifyInstance, ctx: AppContext): void {
  // Handlers see request parts typed from their schemas.
  const app = untyped.withTypeProvider<TypeBoxTypeProvider>();
  const meta = (req: { ip: string; headers: Record<string, unknown> }) => ({
    ip: req.ip,
    origin: typeof req.headers.origin === 'string' ? req.headers.origin : undefined,
  });

  app.post('/api/v1/auth/register', {
    config: { public: true, ...authLimit(10) },
    schema: {
      tags: ['auth'],
      summary: 'Create an account: an end user of a site (site_key), an invited operator (invite_token), or an operator when sign-up is open',
      body: Type.Object(
        {
          email: Email,
          username: Username,
          password: Password,
          first_name: Type.Optional(Type.String({ maxLength: 100 })),
          last_name: Type.Optional(Type.String({ maxLength: 100 })),
          language: Type.Optional(Type.String({ pattern: '^[a-z]{2}(-[A-Z]{2})?$' })),
          timezone: Type.Optional(Type.String({ maxLength: 50 })),
          site_key: Type.Optional(Type.String({ maxLength: 64 })),
          invite_token: Type.Optional(Type.String({ maxLength: 128 })),
        },
        strict,
      ),
      response: withErrors({ 201: TokenPair }, 401, 403, 409, 429),
    },
    handler: async (req, reply) => reply.code(201).send(await register(ctx, req.body, meta(req))),
  });

  app.post('/api/v1/auth/login', {
    config: { public: true, ...authLimit(30) },
    schema: {
      tags: ['auth'],
      summary: 'Sign in; operators with two-factor sign-in also send totp_code or recovery_code',
      body: Type.Object(
        {
          email: Email,
          password: Password,
          site_key: Type.Optional(Type.String({ maxLength: 64 })),
          totp_code: Type.Optional(Type.String({ pattern: '^\\d{6}$' })),
          recovery_code: Type.Optional(Type.String({ maxLength: 32 })),
        },
        strict,
      ),
      response: withErrors({ 200: TokenPair }, 401, 403, 429),
    },
    handler: async (req) => login(ctx, req.body, meta(req)),
  });

  app.post('/api/v1/auth/refresh', {
    config: { public: true, ...authLimit(60) },
    schema: {
      tags: ['auth'],
      summary: 'Swap a refresh token for a new pair (the old one stops working; reusing it signs the session out)',
      body: Type.Object({ refresh_token: Type.String({ minLength: 1, maxLength: 128 }) }, strict),
      response: withErrors({ 200: TokenPair }, 401),
    },
    handler: async (req) => refresh(ctx, req.body.refresh_token),
  });

  app.post('/api/v1/auth/logout', {
    schema: {
      tags: ['auth'],
      summary: 'Sign out this session, or every session with {"everywhere": true}',
      body: Type.Optional(Type.Object({ everywhere: Type.Optional(Type.Boolean()) }, strict)),
      response: withErrors({ 204: Type.Null() }, 401, 403),
    },
    handler: async (req, reply) => {
      const account = canActAsAccount(req, actorOf(req));
      await logout(ctx, account, Boolean(req.body?.everywhere));
      return reply.code(204).send();
    },
  });

  app.get('/api/v1/auth/me', {
    schema: { tags: ['auth'], summary: 'The signed-in account', response: withErrors({ 200: UserView }, 401, 403) },
    handler: async (req) => {
      const account = canActAsAccount(req, actorOf(req));
      const user = openAccount(ctx.cipher, await findPublicUserById(ctx.db, account.userId));
      if (!user || user.status !== 'active') throw unauthorized('AUTH_ACCOUNT_DISABLED', 'This account can no longer sign in');
      return publicUser(user);
    },
  });

  app.post('/api/v1/auth/totp/enroll', {
    schema: {
      tags: ['auth'],
      summary: 'Start two-factor enrollment: returns the secret and an otpauth:// URI for the authenticator app',
      response: withErrors({ 200: Type.Object({ secret: Type.String(), otpauth_uri: Type.String() }) }, 401, 403, 409),
    },
    handler: async (req) => enrollTotp(ctx, canActAsAccount(req, actorOf(req))),
  });

  app.post('/api/v1/auth/totp/activate', {
    schema: {
      tags: ['auth'],
      summary: 'Finish enrollment with a first code; returns ten one-time recovery codes, shown only now',
      body: Type.Object({ code: Type.String({ pattern: '^\\d{6}$' }) }, strict),
      response: withErrors({ 200: Type.Object({ recovery_codes: Type.Array(Type.String()) }) }, 401, 403, 409),
    },
    handler: async (req) => activateTotp(ctx, canActAsAccount(req, actorOf(req)), req.body.code),
  });

  app.post('/api/v1/auth/totp/disable', {
    config: authLimit(10),
    schema: {
      tags: ['auth'],
      summary: 'Turn two-factor sign-in off (needs the password and a current or recovery code)',
      body: Type.Object({ password: Password, code: Type.String({ minLength: 6, maxLength: 32 }) }, strict),
      response: withErrors({ 204: Type.Null() }, 401, 403),
    },
    handler: async (req, reply) => {
      await disableTotp(ctx, canActAsAccount(req, actorOf(req)), req.body.password, req.body.code);
      return reply.code(204).send();
    },
  });

  app.post('/api/v1/setup', {
    config: { public: true, ...authLimit(10) },
    schema: {
      tags: ['auth'],
      summary: 'Create the first instance admin with the one-time setup token printed at first start',
      body: Type.Object({ setup_token: Type.String({ minLength: 1, maxLength: 128 }), email: Email, username: Username, password: Password }, strict),
      response: withErrors({ 201: UserView }, 401, 409, 429),
    },
    handler: async (req, reply) => {
      const { setup_token, ...admin } = req.body;
      return reply.code(201).send(publicUser(await completeSetup(ctx, setup_token, admin)));
    },
  });
}
