// GET /api/v1/settings/delivery: the outgoing-mail route in use (never its credentials), limits and return mail.
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { describeDelivery } from '../../delivery/describe.js';

const N = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

export const settingsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/settings/delivery', {
    schema: {
      tags: ['settings'], summary: 'The delivery route in use (smtp or capture), its host and limits — never credentials',
      response: {
        200: Type.Object({
          route: Type.Object({ name: Type.String(), kind: Type.Union([Type.Literal('smtp'), Type.Literal('capture')]), host: N(Type.String()), port: N(Type.Integer()), secure: N(Type.Boolean()), authenticated: Type.Boolean() }),
          limits: Type.Object({ concurrency: Type.Integer(), rate_limit_per_second: N(Type.Number()) }),
          bounce_domain: N(Type.String()),
          unsubscribe_mailto: N(Type.String({ description: 'The List-Unsubscribe mailto address; null when messages carry only the one-click URL (no bounce domain)' })),
          warnings: Type.Array(Type.String(), { description: 'Return mail (bounces, unsubscribe by email) that would not reach Postlane' }),
          dkim_domain: N(Type.String()), inbound_smtp_port: Type.Integer(),
        }),
      },
    },
    preHandler: app.authorize('settings:read'),
  }, async () => {
    const d = describeDelivery(app.ctx);
    return {
      route: d.route, limits: { concurrency: d.limits.concurrency, rate_limit_per_second: d.limits.rateLimitPerSecond },
      bounce_domain: d.bounceDomain, unsubscribe_mailto: d.unsubscribeMailto, warnings: d.warnings, dkim_domain: d.dkimDomain, inbound_smtp_port: d.inboundSmtpPort,
    };
  });
};
