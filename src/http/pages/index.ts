// Serves the admin SPA (web/dist, built by `npm run build`) at /: hashed assets under /assets/,
// index.html for every other non-API GET (history routing). The first-run behaviour of the old
// server-rendered pages is kept: a fresh install goes to /setup, a visitor without a session to /login.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isSetupNeeded } from '../../auth/login.js';
import { resolvePrincipal } from '../auth.js';

/** src/http/pages and dist/http/pages are both three levels below the package root. */
export const WEB_DIST = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'web', 'dist');

/**
 * Scripts only from this origin; inline style allowed so captured email renders in the outbox's
 * sandboxed srcdoc frame (which inherits this policy); email images may come from anywhere.
 */
export const SPA_CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: https: http:; connect-src 'self'; frame-src 'self'; object-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/** Paths that belong to the server; the SPA fallback never answers them. */
const SERVER_PATHS = /^\/(api|t|u|healthz|readyz|metrics|assets)(\/|$|\?)/;
export const isSpaPath = (url: string): boolean => !SERVER_PATHS.test(url);

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Postlane</title></head><body>
<h1>The admin interface is not built</h1><p>Run <code>npm run build</code> (it builds web/dist), then restart Postlane.
The REST API works meanwhile: <a href="/api/docs">/api/docs</a>.</p></body></html>`;

async function hasSession(req: FastifyRequest): Promise<boolean> {
  try {
    const p = await resolvePrincipal(req.server.ctx, req);
    return p?.kind === 'user';
  } catch {
    return false; // a stray Authorization header is not a page session
  }
}

export async function sendIndex(reply: FastifyReply, dir = WEB_DIST): Promise<FastifyReply> {
  let html = NOT_BUILT;
  try { html = await readFile(join(dir, 'index.html'), 'utf8'); } catch { reply.status(503); }
  return reply
    .header('content-type', 'text/html; charset=utf-8')
    .header('content-security-policy', SPA_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', 'no-cache')
    .send(html);
}

export async function spaRoutes(app: FastifyInstance, opts: { dir?: string }): Promise<void> {
  const dir = opts.dir ?? WEB_DIST;
  const assets = join(dir, 'assets');
  if (existsSync(assets)) {
    await app.register(fastifyStatic, {
      root: assets, prefix: '/assets/', wildcard: true, index: false, decorateReply: false,
      // File names carry a content hash, so they never change.
      immutable: true, maxAge: '365d',
      setHeaders: (res) => { res.setHeader('x-content-type-options', 'nosniff'); },
    });
  }
  const hide = { schema: { hide: true } };

  app.get('/', hide, async (req, reply) => {
    if (await isSetupNeeded(app.ctx.db)) return reply.redirect('/setup');
    if (!(await hasSession(req))) return reply.redirect('/login');
    return sendIndex(reply, dir);
  });
  app.get('/setup', hide, async (_req, reply) => {
    if (!(await isSetupNeeded(app.ctx.db))) return reply.redirect('/login');
    return sendIndex(reply, dir);
  });
  app.get('/login', hide, async (req, reply) => {
    if (await isSetupNeeded(app.ctx.db)) return reply.redirect('/setup');
    if (await hasSession(req)) return reply.redirect('/');
    return sendIndex(reply, dir);
  });
}
