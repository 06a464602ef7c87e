// Public tracking endpoints (no auth): the open pixel always answers with a GIF; a click
// redirects only to the target stored in `links` for a valid token, otherwise 404.
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { recordClick, recordOpen, TRANSPARENT_GIF } from '../../tracking/index.js';

// No length limit in the schema: an oversized token must still get its GIF or 404 (verify() rejects it).
const Params = Type.Object({ token: Type.String() });
const ClickParams = Type.Object({ token: Type.String(), link: Type.String() });
const NO_STORE = { 'cache-control': 'no-store, private', 'referrer-policy': 'no-referrer', 'x-content-type-options': 'nosniff' };

export const trackingRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const ctx = app.ctx;

  app.get('/t/o/:token', { schema: { tags: ['tracking'], summary: 'Open pixel (1x1 GIF)', params: Params, security: [] } }, async (req, reply) => {
    try {
      await recordOpen(ctx, req.params.token, { ip: req.ip, userAgent: req.headers['user-agent'] ?? null });
    } catch (err) {
      // The pixel must render whatever happens; a lost open is better than a broken image.
      req.log.warn({ err }, 'open not recorded');
    }
    return reply.status(200).headers({ ...NO_STORE, 'content-type': 'image/gif' }).send(TRANSPARENT_GIF);
  });

  const click = async (req: { params: { token: string; link?: string }; ip: string; headers: Record<string, string | string[] | undefined> }, reply: FastifyReply) => {
    const ua = req.headers['user-agent'];
    const url = await recordClick(ctx, req.params.token, { ip: req.ip, userAgent: typeof ua === 'string' ? ua : null }, req.params.link);
    if (!url) return reply.status(404).headers({ ...NO_STORE, 'content-type': 'text/plain; charset=utf-8' }).send('Link not found');
    // URL#href percent-encodes what a header cannot carry; the stored target was parsed as http(s).
    return reply.status(302).headers({ ...NO_STORE, location: new URL(url).href }).send();
  };
  // Current form: one token per recipient plus the link id; the per-link form stays valid for mail already sent.
  app.get('/t/c/:token/:link', { schema: { tags: ['tracking'], summary: 'Click redirect to the stored link target', params: ClickParams, security: [] } }, (req, reply) => click(req, reply));
  app.get('/t/c/:token', { schema: { tags: ['tracking'], summary: 'Click redirect (per-link token form of earlier mail)', params: Params, security: [] } }, (req, reply) => click(req, reply));
};
