import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { describeEachDb, openTestContext, testApp, useTestEnv } from '../helpers/context.js';
import { login, sessionCookieOf, toSession } from './helpers.js';

describeEachDb('first-run setup, sign-in and sessions', (dialect) => {
  const clock = new ManualClock();
  const OWNER = { email: 'Ada@Example-Corp.io', password: 'correct horse battery' };
  const env = useTestEnv(dialect, { clock });

  it('reports setup as needed, creates the owner and workspace, signs them in, then refuses a second setup', async () => {
    expect((await env.app.inject('/api/v1/setup')).json()).toEqual({ needed: true });
    const short = await env.app.inject({ method: 'POST', url: '/api/v1/setup', payload: { email: OWNER.email, password: 'short' } });
    expect(short.statusCode).toBe(400);
    expect(short.json().error.message).toMatch(/at least 10 characters/);
    expect((await env.app.inject('/api/v1/setup')).json()).toEqual({ needed: true });

    const res = await env.app.inject({ method: 'POST', url: '/api/v1/setup', payload: { ...OWNER, name: 'Ada', postal_address: '1 Main St' } });
    expect(res.statusCode, res.body).toBe(201);
    const s = toSession(res);
    expect(s.body).toMatchObject({ role: 'owner', user: { email: 'ada@example-corp.io', name: 'Ada' }, workspace: { name: 'Example-corp' } });
    expect((await env.app.inject('/api/v1/setup')).json()).toEqual({ needed: false });

    const again = await env.app.inject({ method: 'POST', url: '/api/v1/setup', payload: { email: 'mallory@evil.test', password: 'mallory-password' } });
    expect(again.statusCode).toBe(409);
    const me = await env.app.inject({ url: '/api/v1/auth/me', headers: { cookie: s.cookie } });
    expect(me.json()).toMatchObject({ role: 'owner', csrf_token: s.csrf, user: { email: 'ada@example-corp.io' } });
  });

  it('sets an HttpOnly, SameSite=Lax, Path=/ cookie, not Secure over plain http', async () => {
    const res = await env.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: OWNER });
    expect(res.statusCode).toBe(200);
    const c = sessionCookieOf(res);
    expect(c).toMatch(/HttpOnly/);
    expect(c).toMatch(/SameSite=Lax/);
    expect(c).toMatch(/Path=\//);
    expect(c).not.toMatch(/Secure/);
    expect(res.json()).toMatchObject({ role: 'owner', workspace: { slug: 'example-corp' } });
    const spelled = await env.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { ...OWNER, email: '  ADA@EXAMPLE-CORP.IO ' } });
    expect(spelled.statusCode).toBe(200);
  });

  it('marks the cookie Secure when the request came over https', async () => {
    const res = await env.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: OWNER, headers: { 'x-forwarded-proto': 'https' } });
    // Without trustProxy the forwarded header is ignored: still plain http.
    expect(sessionCookieOf(res)).not.toMatch(/Secure/);
    // Behind a TLS-terminating proxy that is trusted, X-Forwarded-Proto: https makes it Secure.
    env.ctx.config.trustProxy = true;
    const proxied = await testApp(env.ctx);
    try {
      const res2 = await proxied.inject({ method: 'POST', url: '/api/v1/auth/login', payload: OWNER, headers: { 'x-forwarded-proto': 'https' } });
      expect(sessionCookieOf(res2)).toMatch(/Secure/);
    } finally {
      await proxied.close();
      env.ctx.config.trustProxy = false;
    }
    const https = await openTestContext(dialect, { clock, config: { publicUrl: 'https://mail.example.com' } });
    const httpsApp = await testApp(https);
    try {
      const setup = await httpsApp.inject({ method: 'POST', url: '/api/v1/setup', payload: OWNER });
      expect(sessionCookieOf(setup)).toMatch(/Secure/);
    } finally {
      await httpsApp.close();
      await https.destroy();
    }
  });

  it('rejects a wrong password and an unknown email with the same message, and audits both', async () => {
    const wrong = await env.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: OWNER.email, password: 'not the password' }, remoteAddress: '10.0.0.1' });
    const unknown = await env.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'nobody@example.com', password: 'not the password' }, remoteAddress: '10.0.0.1' });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json().error.message).toBe(unknown.json().error.message);
    const actions = await env.ctx.db.selectFrom('audit_log').select(['action', 'details']).where('action', '=', 'auth.login_failed').execute();
    expect(actions.length).toBe(2);
    expect(JSON.stringify(actions)).not.toContain('not the password');
  });

  it('prevents cross-site request forgery: a form POST carrying only the cookie is rejected', async () => {
    const s = await login(env.app, OWNER.email, OWNER.password);
    // What a hostile page's auto-submitting form sends: the cookie (if the browser attaches it), no header.
    const forged = await env.app.inject({
      method: 'PATCH', url: '/api/v1/workspace', headers: { cookie: s.cookie, 'content-type': 'application/json' }, payload: { name: 'pwned' },
    });
    expect(forged.statusCode).toBe(403);
    expect(forged.json().error.code).toBe('csrf_failed');
    const formPost = await env.app.inject({
      method: 'POST', url: '/api/v1/users', headers: { cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'email=mallory%40evil.test&role=owner&password=mallory-password',
    });
    expect(formPost.statusCode).toBe(403);
    expect(formPost.json().error.code).toBe('csrf_failed');
    const wrongToken = await env.app.inject({ method: 'PATCH', url: '/api/v1/workspace', headers: { cookie: s.cookie, 'x-csrf-token': 'x'.repeat(32) }, payload: { name: 'pwned' } });
    expect(wrongToken.statusCode).toBe(403);
    const ok = await env.app.inject({ method: 'PATCH', url: '/api/v1/workspace', headers: s.headers, payload: { name: 'Renamed' } });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().name).toBe('Renamed');
  });

  it('signs out: the session stops working and the sign-out is audited', async () => {
    const s = await login(env.app, OWNER.email, OWNER.password);
    const noCsrf = await env.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { cookie: s.cookie } });
    expect(noCsrf.statusCode).toBe(403);
    const out = await env.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: s.headers });
    expect(out.statusCode).toBe(204);
    expect(String(out.headers['set-cookie'])).toMatch(/postlane_session=;/);
    expect((await env.app.inject({ url: '/api/v1/auth/me', headers: { cookie: s.cookie } })).statusCode).toBe(401);
    const logouts = await env.ctx.db.selectFrom('audit_log').select('action').where('action', '=', 'auth.logout').execute();
    expect(logouts.length).toBe(1);
  });

  it('expires sessions after their lifetime', async () => {
    const s = await login(env.app, OWNER.email, OWNER.password);
    clock.advance(8 * 24 * 3600 * 1000);
    expect((await env.app.inject({ url: '/api/v1/auth/me', headers: { cookie: s.cookie } })).statusCode).toBe(401);
  });

  describe('password change', () => {
    it('CVE-2026-34828 (listmonk): a password change ends every other session', async () => {
      const laptop = await login(env.app, OWNER.email, OWNER.password);
      const stolen = await login(env.app, OWNER.email, OWNER.password);
      clock.advance(1000);
      const wrongCurrent = await env.app.inject({
        method: 'POST', url: '/api/v1/auth/password', headers: laptop.headers, payload: { current_password: 'guess-guess-guess', new_password: 'a brand new password' },
      });
      expect(wrongCurrent.statusCode).toBe(403);
      const tooShort = await env.app.inject({
        method: 'POST', url: '/api/v1/auth/password', headers: laptop.headers, payload: { current_password: OWNER.password, new_password: 'short' },
      });
      expect(tooShort.statusCode).toBe(400);
      expect((await env.app.inject({ url: '/api/v1/auth/me', headers: { cookie: stolen.cookie } })).statusCode).toBe(200);

      const res = await env.app.inject({
        method: 'POST', url: '/api/v1/auth/password', headers: laptop.headers, payload: { current_password: OWNER.password, new_password: 'a brand new password' },
      });
      expect(res.statusCode, res.body).toBe(200);
      const renewed = toSession(res);
      expect((await env.app.inject({ url: '/api/v1/auth/me', headers: { cookie: stolen.cookie } })).statusCode).toBe(401);
      expect((await env.app.inject({ url: '/api/v1/auth/me', headers: { cookie: laptop.cookie } })).statusCode).toBe(401);
      expect((await env.app.inject({ url: '/api/v1/auth/me', headers: { cookie: renewed.cookie } })).statusCode).toBe(200);
      // The old password no longer signs in; the new one does.
      const old = await env.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: OWNER });
      expect(old.statusCode).toBe(401);
      await login(env.app, OWNER.email, 'a brand new password');
      OWNER.password = 'a brand new password';
    });
  });
});
