// Authentication and authorisation for every /api route: a Bearer API key or a session cookie
// (with a CSRF header on state changes), then a `resource:action` permission check.
import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler, RouteOptions } from 'fastify';
import { authenticateApiKey } from '../auth/api-keys.js';
import { can, type Principal } from '../auth/principal.js';
import type { Permission } from '../auth/permissions.js';
import { findSession, SESSION_COOKIE } from '../auth/sessions.js';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { safeEqual } from '../lib/crypto.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyInstance {
    /** preHandler that requires a principal holding `permission`. */
    authorize(permission: Permission): preHandlerAsyncHookHandler;
    /** preHandler that requires any authenticated principal. */
    authenticate: preHandlerAsyncHookHandler;
    /** preHandler that requires a signed-in user session (sign-out, password change): 403 for API keys. */
    authenticateUser: preHandlerAsyncHookHandler;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export async function resolvePrincipal(ctx: AppContext, req: FastifyRequest): Promise<Principal | null> {
  const header = req.headers.authorization;
  if (header) {
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m) throw new AppError('unauthorized', 'Authorization header must be "Bearer <api key>"');
    const key = await authenticateApiKey(ctx.db, ctx.clock, m[1] as string);
    if (!key) throw new AppError('unauthorized', 'invalid or revoked API key');
    return {
      kind: 'api_key', workspaceId: key.workspaceId, role: key.role, userId: null, apiKeyId: key.apiKeyId,
      sessionId: null, csrfToken: null, actor: `api_key:${key.apiKeyId}`,
    };
  }
  const cookie = (req.cookies as Record<string, string | undefined> | undefined)?.[SESSION_COOKIE];
  if (cookie) {
    const s = await findSession(ctx.db, ctx.clock, cookie, { idleTimeoutMs: ctx.config.sessionIdleMinutes ? ctx.config.sessionIdleMinutes * 60_000 : null });
    if (!s) return null;
    return {
      kind: 'user', workspaceId: s.workspaceId, role: s.role, userId: s.userId, apiKeyId: null,
      sessionId: s.id, csrfToken: s.csrfToken, actor: `user:${s.userId}`,
    };
  }
  return null;
}

async function ensurePrincipal(ctx: AppContext, req: FastifyRequest): Promise<Principal> {
  if (!req.principal) req.principal = await resolvePrincipal(ctx, req);
  const p = req.principal;
  if (!p) throw new AppError('unauthorized', 'sign in or send "Authorization: Bearer <api key>"');
  // CVE-2025-58430 (listmonk): a CSRF token that exists must also be checked.
  if (p.kind === 'user' && !SAFE_METHODS.has(req.method)) {
    const sent = req.headers['x-csrf-token'];
    if (typeof sent !== 'string' || !p.csrfToken || !safeEqual(sent, p.csrfToken)) {
      throw new AppError('csrf_failed', 'missing or wrong X-CSRF-Token header');
    }
  }
  return p;
}

// Handlers made by authHooks carry this mark so hoistAuthHooks can find them on any route.
const AUTH_HOOK = Symbol('postlane.authHook');
const mark = <T extends object>(fn: T): T => Object.assign(fn, { [AUTH_HOOK]: true });
const isAuthHook = (fn: unknown): boolean => typeof fn === 'function' && (fn as unknown as Record<symbol, unknown>)[AUTH_HOOK] === true;

export function authHooks(ctx: AppContext) {
  const authenticate: preHandlerAsyncHookHandler = mark(async (req: FastifyRequest, _reply: FastifyReply) => {
    await ensurePrincipal(ctx, req);
  });
  const authorize = (permission: Permission): preHandlerAsyncHookHandler =>
    mark(async (req: FastifyRequest, _reply: FastifyReply) => {
      const p = await ensurePrincipal(ctx, req);
      if (!can(p, permission)) throw new AppError('forbidden', `your role (${p.role}) lacks ${permission}`, { permission });
    });
  const authenticateUser: preHandlerAsyncHookHandler = mark(async (req: FastifyRequest, _reply: FastifyReply) => {
    const p = await ensurePrincipal(ctx, req);
    if (p.kind !== 'user') throw new AppError('forbidden', 'this endpoint needs a signed-in user session, not an API key');
  });
  return { authenticate, authenticateUser, authorize };
}

/**
 * onRoute hook: routes declare `preHandler: app.authorize(…)`, but fastify runs preHandlers
 * after reading and validating the body. Moving the auth hooks to onRequest means an
 * unauthenticated or unauthorised caller is turned away before any body is read (an import
 * upload is not streamed for nobody) and never learns the body schema from a 400.
 */
export function hoistAuthHooks(route: RouteOptions): void {
  const pre = route.preHandler;
  const list = Array.isArray(pre) ? pre : pre ? [pre] : [];
  const auth = list.filter(isAuthHook);
  if (auth.length === 0) return;
  const rest = list.filter((h) => !isAuthHook(h));
  route.preHandler = rest.length ? rest : undefined;
  const on = route.onRequest;
  const onList = Array.isArray(on) ? on : on ? [on] : [];
  route.onRequest = [...onList, ...auth] as unknown as RouteOptions['onRequest'];
}

/** The principal of an authorised request (routes behind authorize() always have one). */
export function principalOf(req: FastifyRequest): Principal {
  if (!req.principal) throw new AppError('unauthorized');
  return req.principal;
}
