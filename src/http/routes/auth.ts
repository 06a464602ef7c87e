// First-run setup and browser sign-in: /api/v1/setup, /api/v1/auth/{login,logout,me,password}.
// Setup and login are the only public API routes; everything else needs a session or a key.
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { AppError } from '../../errors.js';
import { recordAudit } from '../../audit/index.js';
import { changePassword, completeSetup, isSetupNeeded, signIn } from '../../auth/login.js';
import { deleteSession } from '../../auth/sessions.js';
import { MAX_PASSWORD_LENGTH } from '../../users/policy.js';
import { getMember } from '../../users/index.js';
import { getWorkspace } from '../../workspaces/index.js';
import { principalOf } from '../auth.js';
import {
  clearSessionCookie, clientInfo, memberJson, MemberSchema, requireUserSession, SessionSchema, sessionJson, setSessionCookie, WorkspaceRefSchema,
} from '../session-cookie.js';

const Password = Type.String({ minLength: 1, maxLength: MAX_PASSWORD_LENGTH });

/**
 * Setup and sign-in take JSON only. An HTML form on another site can post urlencoded bodies
 * without a CORS preflight but not JSON, so it can neither sign a victim into the attacker's
 * account (login CSRF) nor claim a fresh install's setup from the admin's browser.
 */
const requireJson = async (req: FastifyRequest) => {
  if (!/^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? '')) {
    throw new AppError('bad_request', 'send the body as application/json', null, 415);
  }
};

export const authRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const ctx = app.ctx;

  app.get('/setup', {
    schema: { tags: ['auth'], summary: 'Whether first-run setup is still needed (no user exists yet)', security: [], response: { 200: Type.Object({ needed: Type.Boolean() }) } },
  }, async () => ({ needed: await isSetupNeeded(ctx.db) }));

  app.post('/setup', {
    schema: {
      tags: ['auth'],
      summary: 'Create the first owner (and workspace) and sign in; 409 once any user exists',
      security: [],
      body: Type.Object({
        email: Type.String({ maxLength: 320 }),
        password: Password,
        name: Type.Optional(Type.String({ maxLength: 200 })),
        workspace_name: Type.Optional(Type.String({ maxLength: 200 })),
        postal_address: Type.Optional(Type.String({ maxLength: 1000 })),
      }, { additionalProperties: false }),
      response: { 201: SessionSchema },
    },
    preValidation: requireJson,
  }, async (req, reply) => {
    const b = req.body;
    const s = await completeSetup(ctx, { email: b.email, password: b.password, name: b.name, workspaceName: b.workspace_name, postalAddress: b.postal_address }, clientInfo(req));
    setSessionCookie(ctx, req, reply, s.token, s.expiresAt);
    return reply.status(201).send(sessionJson(s));
  });

  app.post('/auth/login', {
    schema: {
      tags: ['auth'],
      summary: 'Sign in with email and password; sets the session cookie (rate limited per IP and per email)',
      security: [],
      body: Type.Object({
        email: Type.String({ maxLength: 320 }),
        password: Password,
        workspace: Type.Optional(Type.String({ maxLength: 100, description: 'Workspace slug (default: your oldest membership)' })),
      }, { additionalProperties: false }),
      response: { 200: SessionSchema },
    },
    preValidation: requireJson,
  }, async (req, reply) => {
    const s = await signIn(ctx, req.body, clientInfo(req));
    setSessionCookie(ctx, req, reply, s.token, s.expiresAt);
    return sessionJson(s);
  });

  app.post('/auth/logout', {
    schema: { tags: ['auth'], summary: 'Sign out: ends this session and clears the cookie', response: { 204: Type.Null() } },
    preHandler: app.authenticateUser,
  }, async (req, reply) => {
    const s = requireUserSession(principalOf(req));
    await deleteSession(ctx.db, s.sessionId);
    await recordAudit(ctx.db, ctx.clock, { workspaceId: s.workspaceId, actor: `user:${s.userId}`, action: 'auth.logout', targetType: 'user', targetId: s.userId, ip: req.ip });
    clearSessionCookie(ctx, req, reply);
    return reply.status(204).send(null);
  });

  app.get('/auth/me', {
    schema: {
      tags: ['auth'],
      summary: 'The caller: user (null for an API key), workspace, role and the CSRF token of the session',
      response: {
        200: Type.Object({
          user: Type.Union([MemberSchema, Type.Null()]),
          api_key_id: Type.Union([Type.Integer(), Type.Null()]),
          workspace: WorkspaceRefSchema,
          role: Type.String(),
          csrf_token: Type.Union([Type.String(), Type.Null()]),
        }),
      },
    },
    preHandler: app.authenticate,
  }, async (req) => {
    const p = principalOf(req);
    const w = await getWorkspace(ctx.db, p.workspaceId);
    const member = p.userId === null ? null : await getMember(ctx.db, p.workspaceId, p.userId);
    return {
      user: member ? memberJson(member) : null,
      api_key_id: p.apiKeyId,
      workspace: { id: p.workspaceId, name: w?.name ?? '', slug: w?.slug ?? '' },
      role: p.role,
      csrf_token: p.csrfToken,
    };
  });

  app.post('/auth/password', {
    schema: {
      tags: ['auth'],
      summary: 'Change your password: needs the current one; ends every session and signs this one in again',
      body: Type.Object({ current_password: Password, new_password: Password }, { additionalProperties: false }),
      response: { 200: SessionSchema },
    },
    preHandler: app.authenticateUser,
  }, async (req, reply) => {
    const s = requireUserSession(principalOf(req));
    const fresh = await changePassword(ctx, s, { currentPassword: req.body.current_password, newPassword: req.body.new_password }, clientInfo(req));
    setSessionCookie(ctx, req, reply, fresh.token, fresh.expiresAt);
    return sessionJson(fresh);
  });
};
