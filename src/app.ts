// buildApp(ctx) → a Fastify instance with every route; it never listens, so tests inject.
import crypto from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import websocket from '@fastify/websocket';
import type { DestinationStream } from 'pino';
import pino from 'pino';
import type { AppContext } from './context.js';
import { AppError, badRequest, tooManyRequests } from './errors.js';
import { authenticate } from './auth/authenticate.js';
import { authRoutes } from './auth/routes.js';
import { siteRoutes } from './sites/routes.js';
import { auditRoutes } from './audit/routes.js';
import { isAllowedOrigin } from './sites/index.js';
import { opsRoutes } from './ops/routes.js';
import { trackingRoutes } from './tracking/routes.js';
import { privacyRoutes } from './privacy/routes.js';
import { intentSurveyRoutes } from './intent/survey-routes.js';
import { intentRoutes } from './intent/routes.js';
import { VISITOR_TOKEN_HEADER } from './privacy/visitor-token.js';
import { sessionRoutes } from './tracking/session-routes.js';
import { liveRoutes, LIVE_PROTOCOL } from './tracking/live-routes.js';
import { scriptRoute } from './tracking/script-route.js';
import { embeddedPipeline, jetStreamPipeline, type EventPipeline } from './tracking/pipeline.js';
import { demoRoutes } from './demo/routes.js';
import { ensureDemoSite } from './demo/setup.js';
import { loggerOptions } from './platform/logger.js';
import { securityHeaders } from './platform/security-headers.js';
import { ErrorBody } from './platform/http.js';
import { createValidatorCompiler, describeValidationError, findUnstorable } from './platform/validation.js';

export interface BuildOptions {
  /** Where logs go; defaults to stdout. Tests pass a stream to assert what is (not) logged. */
  logStream?: DestinationStream;
  /** Replaces the event pipeline (the ingest benchmark compares a naive one). */
  pipeline?: (ctx: AppContext) => EventPipeline;
  /**
   * Bench only (bench/privacy.ts measures what the check costs ingest): while it answers false, ingest skips the
   * recorded-consent lookup. Config and the environment never reach it; without it the check always runs.
   */
  recordedConsentCheck?: () => boolean;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{8,64}$/;
const DEMO_LOCK_ID = 7_346_001;

export async function buildApp(ctx: AppContext, opts: BuildOptions = {}): Promise<FastifyInstance> {
  const logger = pino(loggerOptions(ctx.config.logLevel), opts.logStream);
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    // Per-request access logs only at debug level: at thousands of requests/s they cost more than they tell.
    logController: new LogController({ disableRequestLogging: ctx.config.logLevel !== 'debug' && ctx.config.logLevel !== 'trace' }),
    bodyLimit: ctx.config.bodyLimitBytes,
    trustProxy: ctx.config.trustProxy,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    // Honour a caller's request id when it looks like one, so logs join up across services.
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : crypto.randomUUID();
    },
  });
  app.setValidatorCompiler(createValidatorCompiler());
  // JSON only: Fastify's built-in text/plain parser would hand routes a string (a 400 at best); say 415.
  app.removeContentTypeParser('text/plain');
  app.addSchema(ErrorBody);
  app.setErrorHandler(errorHandler);

  app.addHook('onRoute', (route) => {
    // Plugins' routes that need no credentials: the docs UI and its assets, and the CORS
    // preflight route (browsers never send credentials on a preflight; @fastify/cors answers
    // allowed ones in its own hook, and this route 404s the rest).
    const preflight = route.method === 'OPTIONS' && route.url === '*';
    if (route.url === '/docs' || route.url.startsWith('/docs/') || preflight) route.config = { ...(route.config ?? {}), public: true } as never;
  });
  await app.register(cors, {
    // Bearer tokens, never cookies: CORS grants no ambient authority, so no credentials.
    credentials: false,
    methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['content-type', 'authorization', 'x-api-key', 'x-request-id', VISITOR_TOKEN_HEADER],
    exposedHeaders: ['x-request-id', 'retry-after'],
    maxAge: 600,
    origin: (origin, cb) => {
      if (!origin) return cb(null, false);
      isAllowedOrigin(ctx, origin).then((ok) => cb(null, ok), (err) => cb(err as Error, false));
    },
  });
  await app.register(rateLimit, {
    global: true,
    max: ctx.config.rateLimitPerMinute,
    timeWindow: 60_000,
    ...(ctx.redis ? { redis: ctx.redis, nameSpace: 'augur:rl:' } : {}),
    // Windows are keyed by a keyed digest of the IP, so no address is kept readable, in memory or in Redis.
    keyGenerator: (req) => ctx.pseudonymize(req.ip ?? ''),
    errorResponseBuilder: (_req, c) =>
      tooManyRequests('RATE_LIMITED', `Too many requests; at most ${c.max} per ${c.after}. Retry after ${Math.ceil(c.ttl / 1000)} s`, c.ttl / 1000),
  });

  // Unknown URLs count against the rate limit too, so scanning for routes is throttled.
  app.setNotFoundHandler({ preHandler: app.rateLimit() }, (req, reply) => {
    reply.code(404).send({ error: { code: 'NOT_FOUND', message: `No route ${req.method} ${req.url.split('?')[0]}` } });
  });

  const headers = securityHeaders();
  app.addHook('onRequest', (req, reply, done) => {
    reply.headers(headers);
    reply.header('x-request-id', req.id);
    done();
  });
  // Authentication runs after every onRequest hook, the rate limiter's included (it hooks each
  // route, and route hooks run after app-wide ones), so failed credentials count against the
  // limit too; and still before the body is read.
  app.addHook('preParsing', async (req, _reply, payload) => {
    const config = req.routeOptions.config;
    // Data-rights routes a visitor calls with a visitor token: the handler checks that token instead.
    const byVisitorToken = config.visitorToken && req.headers[VISITOR_TOKEN_HEADER] !== undefined;
    if (req.routeOptions.url && !config.public && !byVisitorToken) req.actor = await authenticate(ctx, req.headers);
    return payload;
  });
  // Text the database cannot store (NUL, unpaired surrogates, absurd nesting) is a 400, not a 500.
  app.addHook('preValidation', async (req) => {
    for (const [context, value] of [['body', req.body], ['querystring', req.query], ['params', req.params]] as const) {
      const problem = findUnstorable(value, context);
      if (problem) throw badRequest('VALIDATION_FAILED', `${problem.path}: ${problem.message}`, [problem]);
    }
  });

  let closing = false;
  app.addHook('preClose', async () => { closing = true; });
  app.addHook('onSend', async (req, reply, payload) => {
    // While shutting down, in-flight answers say "Connection: close" so keep-alive sockets
    // end with their last response instead of holding the process open.
    if (closing) reply.header('connection', 'close');
    // Defence in depth: a non-public route that answered 2xx without running a canX check is
    // a bug. It fails closed (500, nothing disclosed) and loudly, so tests catch it.
    if (!req.routeOptions.url || req.routeOptions.config.public || reply.statusCode >= 400 || req.authzChecked) return payload;
    req.log.error({ route: req.routeOptions.url }, 'route answered without an authorization check');
    reply.code(500);
    return JSON.stringify({ error: { code: 'AUTHZ_NOT_CHECKED', message: `Route ${req.routeOptions.url} has no authorization check` } });
  });

  app.addHook('onResponse', async (req, reply) => {
    const labels = { method: req.method, route: req.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) };
    ctx.metrics.httpRequests.inc(labels);
    ctx.metrics.httpDuration.observe(labels, reply.elapsedTime / 1000);
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Augur API', version: '1', description: 'Self-hosted website intelligence: tracking, intent, personalization, leads, chat, analytics, privacy.' },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT or ak_ API key' },
          apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' },
        },
      },
      security: [{ bearer: [] }, { apiKey: [] }],
    },
    transform: ({ schema, url, route }) => {
      // Public routes need no credentials; say so in the document.
      const publicRoute = (route.config as { public?: boolean } | undefined)?.public;
      return { schema: publicRoute ? { ...schema, security: [] } : schema, url } as never;
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true, uiConfig: { deepLinking: true } });
  app.get('/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());

  await app.register(websocket, {
    options: {
      maxPayload: 64 * 1024,
      // The live protocol is chosen; the bearer token offered beside it is never echoed back.
      handleProtocols: (protocols: Set<string>) => (protocols.has(LIVE_PROTOCOL) ? LIVE_PROTOCOL : false),
    },
  });

  // Events go to JetStream when QUEUE_URL is set, else straight to the database in group commits.
  const pipeline = opts.pipeline ? opts.pipeline(ctx) : ctx.nats ? await jetStreamPipeline(ctx) : embeddedPipeline(ctx);
  ctx.metrics.queueDepth.read = () => pipeline.depth();
  app.addHook('onClose', () => pipeline.close());
  const demo = ctx.config.demoSite ? await ctx.dbHandle.withLock(DEMO_LOCK_ID, () => ensureDemoSite(ctx)) : undefined;

  opsRoutes(app, ctx);
  authRoutes(app, ctx);
  siteRoutes(app, ctx);
  auditRoutes(app, ctx);
  trackingRoutes(app, ctx, pipeline, opts.recordedConsentCheck);
  privacyRoutes(app, ctx);
  intentSurveyRoutes(app, ctx);
  intentRoutes(app, ctx);
  sessionRoutes(app, ctx);
  liveRoutes(app, ctx);
  scriptRoute(app, ctx);
  if (demo) demoRoutes(app, () => demo.publicKey);
  return app;
}

// Fastify's own request errors, as our status, code and message.
const FASTIFY_ERRORS: Record<string, [number, string, string]> = {
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'BAD_JSON', 'The body is not valid JSON'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'BAD_JSON', 'The body is empty but Content-Type says JSON'],
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'BODY_TOO_LARGE', 'The body is larger than this endpoint accepts'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the body as application/json'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'BAD_CONTENT_LENGTH', 'Content-Length does not match the body'],
};

function errorHandler(this: FastifyInstance, err: FastifyError | AppError, req: Parameters<FastifyInstance['errorHandler']>[1], reply: Parameters<FastifyInstance['errorHandler']>[2]) {
  if (err instanceof AppError) {
    if (err.headers) reply.headers(err.headers);
    return reply.code(err.status).send({ error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) } });
  }
  const fe = err as FastifyError;
  if (fe.validation) {
    const { message, details } = describeValidationError(fe.validation, fe.validationContext ?? 'request');
    return reply.code(400).send({ error: { code: 'VALIDATION_FAILED', message, details } });
  }
  const mapped = fe.code ? FASTIFY_ERRORS[fe.code] : undefined;
  if (mapped) return reply.code(mapped[0]).send({ error: { code: mapped[1], message: mapped[2] } });
  if (fe instanceof SyntaxError && fe.statusCode === 400) return reply.code(400).send({ error: { code: 'BAD_JSON', message: `The body is not valid JSON: ${fe.message}` } });
  const status = fe.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    return reply.code(status).send({ error: { code: 'BAD_REQUEST', message: fe.message } });
  }
  req.log.error({ err }, 'request failed');
  return reply.code(500).send({ error: { code: 'INTERNAL_ERROR', message: `Something went wrong on our side; quote request id ${req.id}` } });
}
