// GET /api/v1/exports/contacts streams the audience as CSV or NDJSON. Export is sensitive: it
// needs exports:write and contacts:read, and lists:read when a list is named — listmonk
// CVE-2026-34584 was an export path that skipped the list permission check.
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AppError } from '../../errors.js';
import { can } from '../../auth/principal.js';
import { exportContacts, type ExportFormat } from '../../exports/contacts.js';
import { principalOf } from '../auth.js';

const ExportQuery = Type.Object({
  format: Type.Optional(Type.String({ enum: ['csv', 'json'], default: 'csv', description: 'csv (RFC 4180, formula-safe) or json (NDJSON: one object per line)' })),
  list_id: Type.Optional(Type.Integer({ minimum: 1 })),
  membership_status: Type.Optional(Type.String({ enum: ['unconfirmed', 'confirmed', 'unsubscribed'], description: 'With list_id; default: every member' })),
  status: Type.Optional(Type.String({ enum: ['active', 'unsubscribed', 'bounced', 'complained', 'blocked'] })),
});

export const exportRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/exports/contacts', {
    schema: {
      tags: ['exports'], summary: 'Stream contacts as CSV or NDJSON (audited)',
      description: 'Columns: email, first_name, last_name, status, timezone, created_at, then every attribute by name. Cells starting with = + - @ tab or CR get a leading apostrophe. Needs exports:write and contacts:read (and lists:read with list_id).',
      querystring: ExportQuery,
    },
    preHandler: [app.authorize('exports:write'), app.authorize('contacts:read')],
  }, async (req, reply) => {
    const p = principalOf(req);
    const q = req.query;
    if (q.list_id !== undefined && !can(p, 'lists:read')) throw new AppError('forbidden', `your role (${p.role}) lacks lists:read`, { permission: 'lists:read' });
    const exp = await exportContacts(app.ctx, p.workspaceId, {
      format: (q.format ?? 'csv') as ExportFormat, listId: q.list_id, membershipStatus: q.membership_status, status: q.status, actor: p.actor, ip: req.ip,
    });
    const stamp = new Date(app.ctx.clock.now()).toISOString().slice(0, 10);
    return reply
      .header('content-type', exp.contentType)
      .header('content-disposition', `attachment; filename="contacts-${stamp}.${exp.extension}"`)
      .header('cache-control', 'no-store')
      .send(exp.stream);
  });
};
