import { expect, it } from 'vitest';
import { describeEachDb, useTestEnv } from '../helpers/context.js';
import { toSession } from './helpers.js';

describeEachDb('first-run pages', (dialect) => {
  const env = useTestEnv(dialect);

  it('sends a fresh install from / and /login to /setup, which serves the SPA with a strict CSP', async () => {
    for (const url of ['/', '/login']) {
      const res = await env.app.inject(url);
      expect(res.statusCode).toBe(302);
      expect(res.headers.location).toBe('/setup');
    }
    const setup = await env.app.inject('/setup');
    expect(setup.headers['content-type']).toMatch(/text\/html/);
    const csp = String(setup.headers['content-security-policy']);
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).toMatch(/frame-ancestors 'none'/);
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    // No inline script: every <script> has a src (built or not).
    expect(setup.body.match(/<script(?![^>]*\ssrc=)[^>]*>/g)).toBeNull();
  });

  it('answers page addresses with the SPA but never API, tracking or probe paths (history fallback)', async () => {
    const page = await env.app.inject('/campaigns/42');
    expect(page.headers['content-type']).toMatch(/text\/html/);
    for (const url of ['/api/v1/nope', '/t/zzz', '/u', '/assets/missing.js', '/metricsx/../api/v1/x']) {
      const res = await env.app.inject(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.headers['content-type'], url).toMatch(/json/);
    }
    expect((await env.app.inject({ method: 'POST', url: '/campaigns/42' })).statusCode).toBe(404);
  });

  it('prevents login CSRF and setup hijacking: setup and sign-in refuse form-encoded bodies', async () => {
    const form = await env.app.inject({
      method: 'POST', url: '/api/v1/setup', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'email=mallory%40evil.test&password=mallory-password',
    });
    expect(form.statusCode).toBe(415);
    expect((await env.app.inject('/api/v1/setup')).json()).toEqual({ needed: true });
    const login = await env.app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'text/plain' }, payload: '{"email":"a@b.c","password":"x"}' });
    expect(login.statusCode).toBe(415);
  });

  it('after setup: /setup goes to /login, / needs a session and then serves the SPA', async () => {
    const res = await env.app.inject({
      method: 'POST', url: '/api/v1/setup',
      payload: { email: 'owner@example.org', password: 'owner-password', workspace_name: 'Co' },
    });
    expect(res.statusCode, res.body).toBe(201);
    const s = toSession(res);
    expect((await env.app.inject('/setup')).headers.location).toBe('/login');
    expect((await env.app.inject('/')).headers.location).toBe('/login');
    expect((await env.app.inject('/login')).headers['content-type']).toMatch(/text\/html/);
    expect((await env.app.inject({ url: '/login', headers: { cookie: s.cookie } })).headers.location).toBe('/');
    const home = await env.app.inject({ url: '/', headers: { cookie: s.cookie } });
    expect(home.headers['content-type']).toMatch(/text\/html/);
    expect(home.headers['content-security-policy']).toBeDefined();
    // A stray or forged Authorization header does not break the page: it just is not a session.
    expect((await env.app.inject({ url: '/', headers: { authorization: 'Bearer nope' } })).headers.location).toBe('/login');
  });
});
