// GET /api/v1/reports/overview?days=N: per-day sends, deliveries and engagement (the dashboard).
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
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
};
