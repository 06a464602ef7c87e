// GET /api/v1/reports/overview?days=N: per-day sends, deliveries and engagement (the dashboard);
// GET /api/v1/campaigns/:id/links: a campaign's top links (the campaign report).
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { campaignLinkClicks } from '../../reports/links.js';
import { overview, OVERVIEW_METRICS } from '../../reports/overview.js';
import { principalOf } from '../auth.js';

const Counts = Type.Object(Object.fromEntries(OVERVIEW_METRICS.map((m) => [m, Type.Integer()])) as Record<(typeof OVERVIEW_METRICS)[number], ReturnType<typeof Type.Integer>>);

export const reportRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/reports/overview', {
    schema: {
      tags: ['reports'],
      summary: 'Per-day counts for the last N days: sent (first attempt), delivered (accepted by the receiving server), opened, clicked, bounced, complained, unsubscribed',
      querystring: Type.Object({
        days: Type.Optional(Type.Integer({ minimum: 1, maximum: 366, default: 30 })),
        tz_offset: Type.Optional(Type.Integer({ minimum: -840, maximum: 840, default: 0, description: 'minutes, as JavaScript getTimezoneOffset()' })),
      }),
      response: {
        200: Type.Object({
          from: Type.String({ format: 'date-time' }), to: Type.String({ format: 'date-time' }),
          series: Type.Array(Type.Intersect([Type.Object({ date: Type.String() }), Counts])),
          totals: Counts,
        }),
      },
    },
    preHandler: app.authorize('reports:read'),
  }, async (req) => {
    const r = await overview(app.ctx, principalOf(req).workspaceId, req.query.days ?? 30, req.query.tz_offset ?? 0);
    return { from: new Date(r.from).toISOString(), to: new Date(r.to).toISOString(), series: r.series, totals: r.totals };
  });

  app.get('/campaigns/:id/links', {
    schema: {
      tags: ['reports'],
      summary: "A campaign's tracked links, most clicked first: total clicks, distinct clickers, and clicks that cannot be attributed (no tracking consent)",
      params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
      querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })) }),
      response: {
        200: Type.Object({
          data: Type.Array(Type.Object({
            id: Type.Integer(), url: Type.String(), clicks: Type.Integer(),
            unique_clickers: Type.Integer({ description: 'Distinct contacts with tracking consent who clicked' }),
            anonymous_clicks: Type.Integer({ description: 'Clicks recorded without a contact (no tracking consent)' }),
          })),
        }),
      },
    },
    preHandler: app.authorize('campaigns:read'),
  }, async (req) => {
    const rows = await campaignLinkClicks(app.ctx, principalOf(req).workspaceId, req.params.id, req.query.limit ?? 100);
    return { data: rows.map((r) => ({ id: r.id, url: r.url, clicks: r.clicks, unique_clickers: r.uniqueClickers, anonymous_clicks: r.anonymousClicks })) };
  });
};
