// Server-rendered first-run pages until the admin SPA lands: / (redirects or a small signed-in
// page), /setup and /login. Plain forms whose script (pages/assets.ts) posts JSON to the API;
// every dynamic value is HTML-escaped and a strict CSP forbids inline script and framing.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { isSetupNeeded } from '../../auth/login.js';
import { MIN_PASSWORD_LENGTH } from '../../auth/passwords.js';
import type { Principal } from '../../auth/principal.js';
import { getMember } from '../../users/index.js';
import { getWorkspace } from '../../workspaces/index.js';
import { resolvePrincipal } from '../auth.js';
import { PAGES_CSS, PAGES_JS } from './assets.js';

export const PAGES_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (value: unknown): string => String(value ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c] as string);

function layout(title: string, body: string, head = ''): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)} · Postlane</title><link rel="stylesheet" href="/pages/app.css">${head}
<script src="/pages/app.js" defer></script></head>
<body><main>${body}</main></body></html>`;
}

function sendPage(reply: FastifyReply, html: string): FastifyReply {
  return reply
    .header('content-type', 'text/html; charset=utf-8')
    .header('content-security-policy', PAGES_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', 'no-store')
    .send(html);
}

const errorBox = '<p id="error" class="error" role="alert" hidden></p><noscript><p class="error">This page needs JavaScript.</p></noscript>';

const SETUP_PAGE = layout('Set up Postlane', `<h1>Welcome to Postlane</h1>
<p class="hint">Create the owner account. You can invite your team afterwards.</p>
<form data-endpoint="/api/v1/setup">
<label for="email">Email</label><input id="email" name="email" type="email" autocomplete="username" required>
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="new-password" minlength="${MIN_PASSWORD_LENGTH}" required>
<p class="hint">At least ${MIN_PASSWORD_LENGTH} characters.</p>
<label for="name">Your name</label><input id="name" name="name" autocomplete="name">
<label for="workspace_name">Organisation</label><input id="workspace_name" name="workspace_name">
<label for="postal_address">Postal address</label><textarea id="postal_address" name="postal_address"></textarea>
<p class="hint">Printed in every marketing email (CAN-SPAM); you can add it later.</p>
<button type="submit">Create owner</button>${errorBox}</form>`);

const LOGIN_PAGE = layout('Sign in', `<h1>Sign in to Postlane</h1>
<form data-endpoint="/api/v1/auth/login">
<label for="email">Email</label><input id="email" name="email" type="email" autocomplete="username" required>
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>${errorBox}</form>`);

async function sessionOf(req: FastifyRequest): Promise<Principal | null> {
  try {
    const p = await resolvePrincipal(req.server.ctx, req);
    return p?.kind === 'user' ? p : null;
  } catch {
    return null; // a stray Authorization header is not a page session
  }
}

async function homePage(req: FastifyRequest, p: Principal): Promise<string> {
  const ctx = req.server.ctx;
  const member = p.userId === null ? null : await getMember(ctx.db, p.workspaceId, p.userId);
  const ws = await getWorkspace(ctx.db, p.workspaceId);
  return layout('Postlane', `<h1>Postlane</h1>
<p>Signed in as <strong>${escapeHtml(member?.email)}</strong> (${escapeHtml(p.role)}) in <strong>${escapeHtml(ws?.name)}</strong>.</p>
<p>The admin interface is on its way. Meanwhile, the REST API is documented at <a href="/api/docs">/api/docs</a>;
create an API key with <code>postlane api-key create --name NAME --role ROLE</code>.</p>
<button type="button" id="logout">Sign out</button>`, `<meta name="csrf-token" content="${escapeHtml(p.csrfToken)}">`);
}

export const pageRoutes: FastifyPluginAsync = async (app) => {
  const hide = { schema: { hide: true } };

  app.get('/', hide, async (req, reply) => {
    if (await isSetupNeeded(app.ctx.db)) return reply.redirect('/setup');
    const p = await sessionOf(req);
    if (!p) return reply.redirect('/login');
    return sendPage(reply, await homePage(req, p));
  });

  app.get('/setup', hide, async (_req, reply) => {
    if (!(await isSetupNeeded(app.ctx.db))) return reply.redirect('/login');
    return sendPage(reply, SETUP_PAGE);
  });

  app.get('/login', hide, async (req, reply) => {
    if (await isSetupNeeded(app.ctx.db)) return reply.redirect('/setup');
    if (await sessionOf(req)) return reply.redirect('/');
    return sendPage(reply, LOGIN_PAGE);
  });

  app.get('/pages/app.js', hide, async (_req, reply) =>
    reply.header('content-type', 'text/javascript; charset=utf-8').header('x-content-type-options', 'nosniff').header('cache-control', 'no-cache').send(PAGES_JS));
  app.get('/pages/app.css', hide, async (_req, reply) =>
    reply.header('content-type', 'text/css; charset=utf-8').header('x-content-type-options', 'nosniff').header('cache-control', 'no-cache').send(PAGES_CSS));
};
