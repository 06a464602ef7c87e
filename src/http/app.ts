// buildApp(ctx): the fastify instance with schemas, OpenAPI, auth and every domain's routes.
// It does not listen; main.ts does, and tests use app.inject().
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { AppContext } from '../context.js';
import { authHooks, hoistAuthHooks } from './auth.js';
import { processMetrics } from './metrics-server.js';
import { handleError, errorBody } from './errors.js';
import { registerRoutes } from './routes/index.js';
import { isSpaPath, sendIndex } from './pages/index.js';

declare module 'fastify' {
  interface FastifyInstance {
    ctx: AppContext;
    metrics: Registry;
    /** Every route registered, in order (the permission walk test iterates over it). */
    routeTable: Array<{ method: string; url: string }>;
  }
}

export type App = FastifyInstance;

export interface BuildAppOptions {
  /** Max request body in bytes for JSON routes (imports stream their own bodies). */
  bodyLimit?: number;
}

export async function buildApp(ctx: AppContext, opts: BuildAppOptions = {}): Promise<App> {
  const app = Fastify({
    loggerInstance: ctx.log.child({ component: 'http' }) as unknown as FastifyBaseLogger,
    bodyLimit: opts.bodyLimit ?? 2 * 1024 * 1024,
    trustProxy: ctx.config.trustProxy,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: true } },
  });

  app.decorate('ctx', ctx);
  // The process's own metrics and, when it sends (role all), the send path's (delivery/metrics.ts).
  const { own: metrics, served } = processMetrics();
  app.decorate('metrics', metrics);
  app.decorateRequest('principal', null);
  const { authenticate, authenticateUser, authorize } = authHooks(ctx);
  app.decorate('authenticate', authenticate);
  app.decorate('authenticateUser', authenticateUser);
  app.decorate('authorize', authorize);

  const routeTable: Array<{ method: string; url: string }> = [];
  app.decorate('routeTable', routeTable);
  app.addHook('onRoute', (route) => {
    hoistAuthHooks(route);
    for (const method of [route.method].flat()) routeTable.push({ method, url: route.url });
  });

  app.setErrorHandler(handleError);
  app.setNotFoundHandler((req, reply) => {
    // History routing: a page address (/contacts/42) gets the SPA; API and server paths get JSON.
    if ((req.method === 'GET' || req.method === 'HEAD') && isSpaPath(req.url)) return sendIndex(reply);
    void reply.status(404).send(errorBody('not_found', `no route for ${req.method} ${req.url.split('?')[0]}`));
  });

  await app.register(cookie);
  await app.register(formbody);
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Postlane API', version: '1', description: 'Self-hosted email marketing. Authenticate with `Authorization: Bearer <api key>`.' },
      servers: [{ url: ctx.config.publicUrl }],
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'API key created with `postlane api-key create` or in Settings' },
          session: { type: 'apiKey', in: 'cookie', name: 'postlane_session' },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });

  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true } }, async (_req, reply) => {
    try {
      await ctx.db.selectFrom('instance').select('key').limit(1).execute();
      return { status: 'ready' };
    } catch (err) {
      return reply.status(503).send({ status: 'not_ready', error: (err as Error).message });
    }
  });
  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
    reply.header('content-type', served.contentType);
    return served.metrics();
  });

  await registerRoutes(app, ctx);
  return app;
}
