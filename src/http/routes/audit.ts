// GET /api/v1/audit-log: the workspace's audit trail, newest first, cursor-paginated.
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { listAuditEntries, MAX_AUDIT_PAGE } from '../../audit/query.js';
import { badRequest } from '../../errors.js';
import { principalOf } from '../auth.js';

const AuditEntrySchema = Type.Object({
  id: Type.Integer(),
  actor: Type.String({ description: '"user:12", "api_key:3", "cli", "system" or "anonymous"' }),
  action: Type.String(),
  target_type: Type.Union([Type.String(), Type.Null()]),
  target_id: Type.Union([Type.String(), Type.Null()]),
  details: Type.Record(Type.String(), Type.Unknown()),
  ip: Type.Union([Type.String(), Type.Null()]),
  created_at: Type.String({ format: 'date-time' }),
});

/** Accepts an ISO 8601 time or epoch milliseconds. */
function parseTime(name: string, value: string | undefined): number | null {
  if (value === undefined || value === '') return null;
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms)) throw badRequest(`${name} must be an ISO 8601 time or epoch milliseconds`);
  return ms;
}

export const auditRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/audit-log', {
    schema: {
      tags: ['audit'],
      summary: 'Audit log of your workspace, newest first',
      querystring: Type.Object({
        cursor: Type.Optional(Type.String({ maxLength: 100, description: 'next_cursor of the previous page' })),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_AUDIT_PAGE, default: 50 })),
        action: Type.Optional(Type.String({ maxLength: 100, description: 'Exact action ("auth.login") or a prefix ("auth.*")' })),
        actor: Type.Optional(Type.String({ maxLength: 100, description: '"user:12", "api_key:3", "cli", …' })),
        since: Type.Optional(Type.String({ maxLength: 40, description: 'ISO 8601 or epoch ms, inclusive' })),
        until: Type.Optional(Type.String({ maxLength: 40, description: 'ISO 8601 or epoch ms, exclusive' })),
      }, { additionalProperties: false }),
      response: { 200: Type.Object({ items: Type.Array(AuditEntrySchema), next_cursor: Type.Union([Type.String(), Type.Null()]) }) },
    },
    preHandler: app.authorize('audit:read'),
  }, async (req) => {
    const q = req.query;
    const page = await listAuditEntries(app.ctx.db, principalOf(req).workspaceId, {
      cursor: q.cursor, limit: q.limit, action: q.action, actor: q.actor, since: parseTime('since', q.since), until: parseTime('until', q.until),
    });
    return {
      items: page.items.map((e) => ({
        id: e.id, actor: e.actor, action: e.action, target_type: e.targetType, target_id: e.targetId,
        details: e.details, ip: e.ip, created_at: new Date(e.createdAt).toISOString(),
      })),
      next_cursor: page.nextCursor,
    };
  });
};
