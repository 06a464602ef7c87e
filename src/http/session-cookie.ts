// The session cookie and the shapes shared by the auth, users and pages code: HttpOnly (no
// script reads it), SameSite=Lax (no cross-site POST carries it), Secure behind HTTPS.
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SignedIn } from '../auth/login.js';
import { SESSION_COOKIE } from '../auth/sessions.js';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import type { Member } from '../users/index.js';
import type { Principal } from '../auth/principal.js';

export function isSecureRequest(ctx: AppContext, req: FastifyRequest): boolean {
  return ctx.config.publicUrl.startsWith('https:') || req.protocol === 'https';
}

export function setSessionCookie(ctx: AppContext, req: FastifyRequest, reply: FastifyReply, token: string, expiresAt: number): void {
  void reply.setCookie(SESSION_COOKIE, token, {
    httpOnly: true, sameSite: 'lax', path: '/', secure: isSecureRequest(ctx, req), expires: new Date(expiresAt),
  });
}

export function clearSessionCookie(ctx: AppContext, req: FastifyRequest, reply: FastifyReply): void {
  void reply.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'lax', path: '/', secure: isSecureRequest(ctx, req) });
}

export const clientInfo = (req: FastifyRequest) => ({ ip: req.ip ?? null, userAgent: req.headers['user-agent'] ?? null });

/** Session-only endpoints (sign-out, password change): an API key has no password or session. */
export function requireUserSession(p: Principal): { userId: number; sessionId: string; workspaceId: number } {
  if (p.kind !== 'user' || p.userId === null || p.sessionId === null) {
    throw new AppError('forbidden', 'this endpoint needs a signed-in user session, not an API key');
  }
  return { userId: p.userId, sessionId: p.sessionId, workspaceId: p.workspaceId };
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const NullableTime = Type.Union([Type.String({ format: 'date-time' }), Type.Null()]);

export const MemberSchema = Type.Object({
  id: Type.Integer(),
  email: Type.String(),
  name: Type.Union([Type.String(), Type.Null()]),
  role: Type.String(),
  created_at: Type.String({ format: 'date-time' }),
  last_login_at: NullableTime,
  last_seen_at: { ...NullableTime, description: 'Latest request made with one of their current sessions in this workspace (updated at most once a minute)' },
});

export const memberJson = (m: Member) => ({
  id: m.id, email: m.email, name: m.name, role: m.role, created_at: new Date(m.createdAt).toISOString(), last_login_at: iso(m.lastLoginAt), last_seen_at: iso(m.lastSeenAt),
});

export const WorkspaceRefSchema = Type.Object({ id: Type.Integer(), name: Type.String(), slug: Type.String() });

export const SessionSchema = Type.Object({
  user: MemberSchema,
  workspace: WorkspaceRefSchema,
  role: Type.String(),
  csrf_token: Type.String({ description: 'Send as X-CSRF-Token on every state-changing request made with the session cookie' }),
});

export const sessionJson = (s: SignedIn) => ({
  user: memberJson(s.member),
  workspace: { id: s.workspace.id, name: s.workspace.name, slug: s.workspace.slug },
  role: s.member.role,
  csrf_token: s.csrfToken,
});

export { iso, NullableTime };
