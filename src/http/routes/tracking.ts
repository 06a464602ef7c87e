// Public tracking endpoints (no auth): the open pixel always answers with a GIF; a click
// redirects only to the target stored in `links` for a valid token, otherwise 404.
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { recordClick, recordOpen, TRANSPARENT_GIF } from '../../tracking/index.js';

const Params = Type.Object({ token: Type.String({ maxLength: 2048 }) });
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

  app.get('/t/c/:token', { schema: { tags: ['tracking'], summary: 'Click redirect to the stored link target', params: Params, security: [] } }, async (req, reply) => {
    const url = await recordClick(ctx, req.params.token, { ip: req.ip, userAgent: req.headers['user-agent'] ?? null });
    if (!url) return reply.status(404).headers({ ...NO_STORE, 'content-type': 'text/plain; charset=utf-8' }).send('Link not found');
    // URL#href percent-encodes what a header cannot carry; the stored target was parsed as http(s).
    return reply.status(302).headers({ ...NO_STORE, location: new URL(url).href }).send();
  });
};
