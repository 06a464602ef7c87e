// Walks EVERY registered /api/v1 route, so a route added later without authorisation fails here.
import { beforeAll, expect, it } from 'vitest';
import { addUser } from '../../src/users/index.js';
import { describeEachDb, keyWithRole, useTestEnv } from '../helpers/context.js';
import { login, type BrowserSession } from './helpers.js';

/** Routes anyone may call: first-run setup, sign-in and the API description. */
// ESP feedback webhooks authenticate by the provider's signature (SNS, ECDSA, HMAC, Basic), not by a Postlane key.
const PUBLIC = new Set([
  'GET /api/v1/setup', 'POST /api/v1/setup', 'POST /api/v1/auth/login', 'GET /api/v1/openapi.json',
  'POST /api/v1/webhooks/feedback/ses', 'POST /api/v1/webhooks/feedback/sendgrid',
  'POST /api/v1/webhooks/feedback/mailgun', 'POST /api/v1/webhooks/feedback/postmark',
]);

/**
 * State-changing routes a viewer key may call. Empty: a viewer reads, it never writes. (Sign-out
 * and password change need a user session and answer 403 to any API key.)
 */
// Read-only operations that take a body and are therefore POSTs.
const VIEWER_MAY: Set<string> = new Set(['POST /api/v1/templates/preview', 'POST /api/v1/segments/preview']);

const concrete = (url: string) => url.replace(/:[A-Za-z_]+/g, '1').replace(/\*/g, 'x');

describeEachDb('every /api/v1 route requires authentication and the right role', (dialect) => {
  let viewer: { authorization: string };
  let session: BrowserSession;
  let routes: Array<{ method: string; url: string }>;

  const env = useTestEnv(dialect, { tenants: { t: {} } });
  beforeAll(async () => {
    viewer = await keyWithRole(env.ctx, env.t.workspace.id, 'viewer');
    await addUser(env.ctx, { workspaceId: env.t.workspace.id, role: 'owner', actor: 'cli' }, { email: 'walker@example.com', role: 'owner', password: 'walker-password' });
    session = await login(env.app, 'walker@example.com', 'walker-password');
    routes = env.app.routeTable.filter((r) => r.url.startsWith('/api/v1') && r.method !== 'HEAD' && r.method !== 'OPTIONS');
  });

  it('collects the routes of every domain (a walk over nothing proves nothing)', () => {
    const keys = routes.map((r) => `${r.method} ${r.url}`);
    for (const k of ['GET /api/v1/users', 'DELETE /api/v1/api-keys/:id', 'GET /api/v1/audit-log', 'PATCH /api/v1/workspace', 'POST /api/v1/auth/logout']) {
      expect(keys).toContain(k);
    }
    expect(routes.length).toBeGreaterThan(10);
  });

  it('answers 401 without credentials on every route except the public ones', async () => {
    const open: string[] = [];
    for (const r of routes) {
      const key = `${r.method} ${r.url}`;
      if (PUBLIC.has(key)) continue;
      // A body that fails validation: authentication must still come first.
      const res = await env.app.inject({ method: r.method as 'GET', url: concrete(r.url), payload: r.method === 'GET' || r.method === 'DELETE' ? undefined : { junk: true } });
      if (res.statusCode !== 401) open.push(`${key} → ${res.statusCode}`);
    }
    expect(open).toEqual([]);
  });

  it('answers 401 to a malformed or revoked credential, never 200', async () => {
    for (const authorization of ['Bearer pl_forged', 'Basic YWRtaW46YWRtaW4=', 'Bearer ']) {
      const res = await env.app.inject({ url: '/api/v1/users', headers: { authorization } });
      expect(res.statusCode).toBe(401);
    }
    const res = await env.app.inject({ url: '/api/v1/users', headers: { cookie: 'postlane_session=forged' } });
    expect(res.statusCode).toBe(401);
  });

  it('answers 403 to a viewer key on every state-changing route', async () => {
    const allowed: string[] = [];
    for (const r of routes) {
      const key = `${r.method} ${r.url}`;
      if (r.method === 'GET' || PUBLIC.has(key) || VIEWER_MAY.has(key)) continue;
      const res = await env.app.inject({ method: r.method as 'POST', url: concrete(r.url), headers: viewer, payload: {} });
      if (res.statusCode !== 403) allowed.push(`${key} → ${res.statusCode}`);
    }
    expect(allowed).toEqual([]);
  });

  it('answers 403 csrf_failed to a session without the CSRF header on every state-changing route', async () => {
    const unprotected: string[] = [];
    for (const r of routes) {
      const key = `${r.method} ${r.url}`;
      if (r.method === 'GET' || PUBLIC.has(key)) continue;
      const res = await env.app.inject({ method: r.method as 'POST', url: concrete(r.url), headers: { cookie: session.cookie }, payload: {} });
      if (res.statusCode !== 403 || res.json().error.code !== 'csrf_failed') unprotected.push(`${key} → ${res.statusCode}`);
    }
    expect(unprotected).toEqual([]);
  });

  it('lets a viewer read what a viewer may read, and nothing of users, keys or audit', async () => {
    expect((await env.app.inject({ url: '/api/v1/auth/me', headers: viewer })).statusCode).toBe(200);
    for (const url of ['/api/v1/users', '/api/v1/api-keys', '/api/v1/audit-log']) {
      expect((await env.app.inject({ url, headers: viewer })).statusCode).toBe(403);
    }
  });
});
