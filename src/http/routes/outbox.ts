// The outbox: messages kept by the capture route (the default without SMTP), so a new user
// sees exactly what was sent — raw source, subject and the parsed text/html parts.
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import PostalMime from 'postal-mime';
import { principalOf } from '../auth.js';
import { notFound } from '../../errors.js';

const Summary = Type.Object({
  id: Type.Integer(), campaign_id: Type.Union([Type.Integer(), Type.Null()]), delivery_id: Type.Union([Type.Integer(), Type.Null()]),
  envelope_from: Type.String(), envelope_to: Type.String(), subject: Type.Union([Type.String(), Type.Null()]), created_at: Type.String(),
});

export const outboxRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const ctx = app.ctx;
  const tags = ['outbox'];
  const shape = (r: { id: unknown; campaign_id: unknown; delivery_id: unknown; envelope_from: string; envelope_to: string; subject: string | null; created_at: unknown }) => ({
    id: Number(r.id), campaign_id: r.campaign_id === null ? null : Number(r.campaign_id), delivery_id: r.delivery_id === null ? null : Number(r.delivery_id),
    envelope_from: r.envelope_from, envelope_to: r.envelope_to, subject: r.subject, created_at: new Date(Number(r.created_at)).toISOString(),
  });

  app.get('/outbox', {
    schema: {
      tags, summary: 'Captured messages (newest first)',
      querystring: Type.Object({ campaign_id: Type.Optional(Type.Integer()), before_id: Type.Optional(Type.Integer()), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })) }),
      response: { 200: Type.Object({ data: Type.Array(Summary) }) },
    },
    preHandler: app.authorize('campaigns:read'),
  }, async (req) => {
    let q = ctx.db.selectFrom('captured_messages').select(['id', 'campaign_id', 'delivery_id', 'envelope_from', 'envelope_to', 'subject', 'created_at'])
      .where('workspace_id', '=', principalOf(req).workspaceId);
    if (req.query.campaign_id) q = q.where('campaign_id', '=', req.query.campaign_id);
    if (req.query.before_id) q = q.where('id', '<', req.query.before_id);
    const rows = await q.orderBy('id', 'desc').limit(req.query.limit ?? 50).execute();
    return { data: rows.map(shape) };
  });

  app.get('/outbox/:id', {
    schema: {
      tags, summary: 'One captured message: raw source, subject and parsed parts',
      params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
      response: { 200: Type.Intersect([Summary, Type.Object({ raw: Type.String(), text: Type.Union([Type.String(), Type.Null()]), html: Type.Union([Type.String(), Type.Null()]), headers: Type.Array(Type.Object({ key: Type.String(), value: Type.String() })) })]) },
    },
    preHandler: app.authorize('campaigns:read'),
  }, async (req) => {
    const r = await ctx.db.selectFrom('captured_messages').selectAll().where('workspace_id', '=', principalOf(req).workspaceId).where('id', '=', req.params.id).executeTakeFirst();
    if (!r) throw notFound('message');
    const parsed = await PostalMime.parse(r.raw);
    // The html is returned as data (JSON string); any UI must render it sandboxed (CVE-2026-21483).
    return { ...shape(r), raw: r.raw, text: parsed.text ?? null, html: parsed.html ?? null, headers: parsed.headers.map((h) => ({ key: h.key, value: h.value })) };
  });
};
