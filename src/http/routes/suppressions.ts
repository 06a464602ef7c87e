// /api/v1/suppressions: the workspace suppression list. Adding blocks the contact; removing is
// audited with the reason given.
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { emailKey } from '../../contacts/email.js';
import { AppError, notFound } from '../../errors.js';
import { recordAudit } from '../../audit/index.js';
import { getSuppression, listSuppressions, removeSuppression, suppressAddress, SUPPRESSION_REASONS, type Suppression } from '../../suppressions/index.js';
import { principalOf } from '../auth.js';
import { IdempotencyHeaders, idempotentWrite } from '../idempotency.js';
import { DeletedSchema, PageQuery, iso, pageOf } from './audience-schemas.js';

const SuppressionSchema = Type.Object({
  id: Type.Integer(), email: Type.String(), reason: Type.String(), source: Type.String(),
  details: Type.Union([Type.String(), Type.Null()]), created_at: Type.String({ format: 'date-time' }),
}, { examples: [{ id: 5, email: 'gone@example.com', reason: 'hard_bounce', source: 'feedback', details: '550 5.1.1 User unknown', created_at: '2026-01-01T10:00:00.000Z' }] });

const supJson = (s: Suppression) => ({ id: s.id, email: s.email, reason: s.reason, source: s.source, details: s.details, created_at: iso(s.createdAt) as string });

const EmailParams = Type.Object({ email: Type.String({ minLength: 3, maxLength: 320 }) });

export const suppressionRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/suppressions', {
    schema: {
      tags: ['suppressions'], summary: 'Search the suppression list (keyset pages)',
      querystring: Type.Object({ q: Type.Optional(Type.String({ maxLength: 320, description: 'Address prefix' })), reason: Type.Optional(Type.String({ enum: [...SUPPRESSION_REASONS] })), ...PageQuery }),
      response: { 200: pageOf(SuppressionSchema) },
    },
    preHandler: app.authorize('suppressions:read'),
  }, async (req) => {
    const page = await listSuppressions(app.ctx.db, principalOf(req).workspaceId, req.query);
    return { data: page.data.map(supJson), next_cursor: page.nextCursor };
  });

  app.get('/suppressions/:email', {
    schema: { tags: ['suppressions'], summary: 'Is this address suppressed?', params: EmailParams, response: { 200: SuppressionSchema } },
    preHandler: app.authorize('suppressions:read'),
  }, async (req) => {
    const s = await getSuppression(app.ctx.db, principalOf(req).workspaceId, req.params.email);
    if (!s) throw notFound('suppression');
    return supJson(s);
  });

  app.post('/suppressions', {
    schema: {
      tags: ['suppressions'], summary: 'Suppress an address (the contact, if any, is blocked)',
      headers: IdempotencyHeaders,
      body: Type.Object({
        email: Type.String({ maxLength: 320 }),
        reason: Type.Optional(Type.String({ enum: [...SUPPRESSION_REASONS], default: 'manual' })),
        details: Type.Optional(Type.String({ maxLength: 1000 })),
      }, { additionalProperties: false, examples: [{ email: 'no-more@example.com', reason: 'manual' }] }),
      response: { 200: SuppressionSchema, 201: SuppressionSchema },
    },
    ...idempotentWrite(app, 'suppressions:write'),
  }, async (req, reply) => {
    const p = principalOf(req);
    const key = emailKey(req.body.email);
    if (!key) throw new AppError('bad_request', 'email is not a valid address', { field: 'email' });
    const reason = req.body.reason ?? 'manual';
    const added = await suppressAddress(app.ctx, { workspaceId: p.workspaceId, email: key, reason, source: 'api', details: req.body.details ?? null });
    if (added) await recordAudit(app.ctx.db, app.ctx.clock, { workspaceId: p.workspaceId, actor: p.actor, action: 'suppressions.add', targetType: 'suppression', targetId: key, details: { reason }, ip: req.ip });
    return reply.code(added ? 201 : 200).send(supJson((await getSuppression(app.ctx.db, p.workspaceId, key))!));
  });

  app.delete('/suppressions/:email', {
    schema: {
      tags: ['suppressions'], summary: 'Remove an address from the suppression list (audited)',
      description: 'The contact keeps its status; re-activate it explicitly with PATCH /contacts/:id if consent allows.',
      params: EmailParams,
      querystring: Type.Object({ reason: Type.Optional(Type.String({ maxLength: 500, description: 'Why; stored in the audit log' })) }),
      response: { 200: DeletedSchema },
    },
    preHandler: app.authorize('suppressions:write'),
  }, async (req) => {
    const p = principalOf(req);
    const body = req.body as { reason?: unknown } | undefined;
    const reason = req.query.reason ?? (typeof body?.reason === 'string' ? body.reason.slice(0, 500) : null);
    if (!(await removeSuppression(app.ctx, { workspaceId: p.workspaceId, email: req.params.email, actor: p.actor, reason }))) throw notFound('suppression');
    return { deleted: true };
  });
};
