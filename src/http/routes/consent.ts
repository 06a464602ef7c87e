// The consent ledger of a contact: GET lists it, POST appends. There is no PATCH or DELETE.
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { consentHistory, currentConsent, recordConsent, type ConsentEntry } from '../../consent/index.js';
import { principalOf } from '../auth.js';
import { IdempotencyHeaders, idempotentWrite } from '../idempotency.js';
import { IdParams, PageQuery, iso } from './audience-schemas.js';

const Actions = ['granted', 'withdrawn'];
const Sources = ['form', 'api', 'import', 'admin'];
const N = (max: number) => Type.Optional(Type.Union([Type.String({ maxLength: max }), Type.Null()]));

const EntrySchema = Type.Object({
  id: Type.Integer(), contact_id: Type.Integer(), purpose: Type.String(), action: Type.String({ enum: Actions }),
  source_type: Type.String({ enum: Sources }), source_id: Type.Union([Type.String(), Type.Null()]),
  wording_version: Type.Union([Type.String(), Type.Null()]), ip: Type.Union([Type.String(), Type.Null()]),
  user_agent: Type.Union([Type.String(), Type.Null()]), created_at: Type.String({ format: 'date-time' }),
}, { examples: [{ id: 9, contact_id: 42, purpose: 'marketing_email', action: 'granted', source_type: 'form', source_id: 'signup-footer', wording_version: 'v3', ip: '203.0.113.7', user_agent: 'Mozilla/5.0', created_at: '2026-01-01T10:00:00.000Z' }] });

const entryJson = (e: ConsentEntry) => ({
  id: e.id, contact_id: e.contactId, purpose: e.purpose, action: e.action, source_type: e.sourceType, source_id: e.sourceId,
  wording_version: e.wordingVersion, ip: e.ip, user_agent: e.userAgent, created_at: iso(e.createdAt) as string,
});

const ConsentBody = Type.Object({
  purpose: Type.String({ minLength: 1, maxLength: 100, description: 'e.g. marketing_email, tracking' }),
  action: Type.String({ enum: Actions }),
  source_type: Type.Optional(Type.String({ enum: Sources, default: 'api' })),
  source_id: N(200), wording_version: N(100),
  ip: N(64), user_agent: N(1000),
}, { additionalProperties: false, examples: [{ purpose: 'marketing_email', action: 'granted', source_type: 'form', source_id: 'signup-footer', wording_version: 'v3', ip: '203.0.113.7' }] });

export const consentRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/contacts/:id/consent', {
    schema: {
      tags: ['consent'], summary: 'The consent ledger of a contact (oldest first) and the current state per purpose',
      params: IdParams, querystring: Type.Object(PageQuery),
      response: { 200: Type.Object({ data: Type.Array(EntrySchema), next_cursor: Type.Union([Type.String(), Type.Null()]), current: Type.Record(Type.String(), Type.String()) }) },
    },
    preHandler: app.authorize('contacts:read'),
  }, async (req) => {
    const ws = principalOf(req).workspaceId;
    const page = await consentHistory(app.ctx.db, ws, req.params.id, req.query);
    return { data: page.data.map(entryJson), next_cursor: page.nextCursor, current: await currentConsent(app.ctx.db, ws, req.params.id) };
  });

  app.post('/contacts/:id/consent', {
    schema: {
      tags: ['consent'], summary: 'Append a consent grant or withdrawal',
      description: 'IP and user agent default to the caller\'s when not given (pass the end user\'s when relaying a form).',
      headers: IdempotencyHeaders, params: IdParams, body: ConsentBody, response: { 201: EntrySchema },
    },
    ...idempotentWrite(app, 'contacts:write'),
  }, async (req, reply) => {
    const b = req.body;
    const e = await recordConsent(app.ctx, principalOf(req).workspaceId, req.params.id, {
      purpose: b.purpose, action: b.action as ConsentEntry['action'], sourceType: (b.source_type ?? 'api') as ConsentEntry['sourceType'],
      sourceId: b.source_id, wordingVersion: b.wording_version,
      ip: b.ip === undefined ? req.ip : b.ip, userAgent: b.user_agent === undefined ? (req.headers['user-agent'] ?? null)?.slice(0, 1000) : b.user_agent,
    });
    return reply.code(201).send(entryJson(e));
  });
};
