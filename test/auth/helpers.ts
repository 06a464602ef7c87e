// Shared by the auth suites: sign-in over app.inject and the cookie/CSRF headers of a session.
import { expect } from 'vitest';
import type { App } from '../../src/http/app.js';

export interface BrowserSession {
  cookie: string;
  csrf: string;
  /** Headers for a state-changing request: the cookie and the CSRF token. */
  headers: { cookie: string; 'x-csrf-token': string };
  body: Record<string, unknown>;
}

export function sessionCookieOf(res: { headers: Record<string, unknown> }): string {
  const raw = res.headers['set-cookie'];
  const list = Array.isArray(raw) ? raw : [raw];
  const c = list.find((x): x is string => typeof x === 'string' && x.startsWith('postlane_session='));
  if (!c) throw new Error('no session cookie set');
  return c;
}

export function toSession(res: { headers: Record<string, unknown>; json(): unknown }): BrowserSession {
  const setCookie = sessionCookieOf(res);
  const cookie = setCookie.split(';')[0] as string;
  const body = res.json() as Record<string, unknown>;
  const csrf = body.csrf_token as string;
  return { cookie, csrf, headers: { cookie, 'x-csrf-token': csrf }, body };
}

export async function login(app: App, email: string, password: string, ip = '127.0.0.1'): Promise<BrowserSession> {
  const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password }, remoteAddress: ip });
  expect(res.statusCode, res.body).toBe(200);
  return toSession(res);
}
