// Public unsubscribe endpoints (no auth, no cookies): GET shows a page and never unsubscribes
// (link scanners prefetch GETs); POST with `List-Unsubscribe=One-Click` (RFC 8058) unsubscribes
// and answers 200 without redirecting. Tampered or unknown tokens get 4xx and change nothing.
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { describeClaim, unsubscribeContact, verifyUnsubscribeToken } from '../../compliance/index.js';
import { confirmPage, donePage, invalidPage, PAGE_HEADERS } from '../../compliance/pages.js';

const Params = Type.Object({ token: Type.String({ maxLength: 2048 }) });

function send(reply: FastifyReply, status: number, html: string): FastifyReply {
  return reply.status(status).headers(PAGE_HEADERS).send(html);
}

/** RFC 8058 allows multipart/form-data too; only the one field matters, so a tiny reader suffices. */
function multipartFields(body: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of body.matchAll(/name="([^"]{1,100})"\r?\n(?:[^\r\n]*\r?\n)*?\r?\n([^\r\n]{0,200})/g)) out[m[1] as string] = m[2] as string;
  return out;
}

export const unsubscribeRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const ctx = app.ctx;
  app.addContentTypeParser('multipart/form-data', { parseAs: 'string', bodyLimit: 16 * 1024 }, (_req, body, done) => done(null, multipartFields(String(body))));

  app.get('/u/:token', {
    schema: { tags: ['unsubscribe'], summary: 'Unsubscribe page (shows a confirmation button; never unsubscribes by itself)', params: Params, security: [] },
  }, async (req, reply) => {
    const claim = verifyUnsubscribeToken(ctx, req.params.token);
    if (!claim) return send(reply, 400, invalidPage());
    const info = await describeClaim(ctx, claim);
    if (!info) return send(reply, 404, invalidPage());
    return send(reply, 200, confirmPage(info));
  });

  app.post('/u/:token', {
    schema: {
      tags: ['unsubscribe'],
      summary: 'One-click unsubscribe (RFC 8058): body List-Unsubscribe=One-Click, no auth or cookies',
      params: Params,
      body: Type.Object({ 'List-Unsubscribe': Type.Optional(Type.String()), scope: Type.Optional(Type.String()) }),
      security: [],
    },
  }, async (req, reply) => {
    const claim = verifyUnsubscribeToken(ctx, req.params.token);
    if (!claim) return send(reply, 400, invalidPage());
    const body = (req.body ?? {}) as { 'List-Unsubscribe'?: string; scope?: string };
    if (body['List-Unsubscribe'] !== 'One-Click') return send(reply, 400, invalidPage());
    const fromPage = body.scope !== undefined;
    const outcome = await unsubscribeContact(ctx, claim, {
      scope: body.scope === 'all' ? 'all' : 'lists', method: fromPage ? 'page' : 'one-click', ip: req.ip, userAgent: req.headers['user-agent'] ?? null,
    });
    if (!outcome.contactFound) return send(reply, 404, invalidPage());
    const info = await describeClaim(ctx, claim);
    return send(reply, 200, donePage({ workspaceName: info?.workspaceName ?? '', listNames: info?.listNames ?? [], scope: outcome.scope }));
  });
};
