// Event ingestion (POST /events) and a contact's timeline (GET /contacts/:id/events).
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { principalOf } from '../auth.js';
import { contactTimeline, ingestEvents, EVENT_LIMITS } from '../../events/index.js';

const Identity = {
  email: Type.Optional(Type.String({ format: 'email' })),
  external_id: Type.Optional(Type.String({ maxLength: 200 })),
  contact_id: Type.Optional(Type.Integer({ minimum: 1 })),
  anonymous_id: Type.Optional(Type.String({ maxLength: 200 })),
};
// Documentation of the item shapes; items are validated one by one in events/validate.ts so a bad
// item is rejected by index instead of failing the whole batch.
const TrackItem = Type.Object({
  type: Type.Literal('track'), ...Identity,
  event: Type.String({ maxLength: 100, examples: ['purchase'] }),
  properties: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  timestamp: Type.Optional(Type.String({ format: 'date-time' })),
  idempotency_key: Type.Optional(Type.String({ maxLength: 200 })),
}, { title: 'TrackItem' });
const IdentifyItem = Type.Object({
  type: Type.Literal('identify'), ...Identity,
  attributes: Type.Optional(Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()]))),
}, { title: 'IdentifyItem' });

const BatchBody = Type.Object({
  batch: Type.Array(Type.Unknown(), {
    minItems: 1, maxItems: EVENT_LIMITS.batchItems,
    description: `Up to ${EVENT_LIMITS.batchItems} items, each a TrackItem or IdentifyItem: ${JSON.stringify([TrackItem, IdentifyItem].map((s) => s.title))}. Invalid items are rejected by index; the rest are stored.`,
  }),
}, {
  additionalProperties: false,
  examples: [{
    batch: [
      { type: 'identify', email: 'ada@example.com', anonymous_id: 'dev-42', attributes: { country: 'DE', plan: 'pro' } },
      { type: 'track', email: 'ada@example.com', event: 'purchase', properties: { amount: 42.5 }, timestamp: '2026-01-01T10:00:00Z', idempotency_key: 'order-1001' },
    ],
  }],
});

const IngestResponse = Type.Object({
  accepted: Type.Integer(),
  duplicates: Type.Integer({ description: 'Accepted track items whose idempotency key was already stored' }),
  rejected: Type.Array(Type.Object({ index: Type.Integer(), code: Type.String(), message: Type.String() })),
});

const TimelineEvent = Type.Object({
  id: Type.Integer(), name: Type.String(), properties: Type.Record(Type.String(), Type.Unknown()),
  occurred_at: Type.String({ format: 'date-time' }), source: Type.String(), campaign_id: Type.Union([Type.Integer(), Type.Null()]),
});

export const eventRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/events', {
    schema: {
      tags: ['events'], summary: 'Ingest a batch of track/identify items',
      description: 'One transaction per batch: accepted events are durable when the response is sent. An idempotency_key already stored is not stored again.',
      body: BatchBody, response: { 200: IngestResponse },
    },
    preHandler: app.authorize('events:write'),
  }, async (req) => ingestEvents(app.ctx, principalOf(req).workspaceId, req.body.batch));

  app.get('/contacts/:id/events', {
    schema: {
      tags: ['events'], summary: "A contact's event timeline, newest first",
      params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
      querystring: Type.Object({
        limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
        cursor: Type.Optional(Type.String({ maxLength: 100 })),
        name: Type.Optional(Type.String({ maxLength: 100 })),
      }),
      response: { 200: Type.Object({ events: Type.Array(TimelineEvent), next_cursor: Type.Union([Type.String(), Type.Null()]) }) },
    },
    preHandler: app.authorize('contacts:read'),
  }, async (req) => {
    const r = await contactTimeline(app.ctx, principalOf(req).workspaceId, req.params.id, req.query);
    return {
      events: r.events.map((e) => ({
        id: e.id, name: e.name, properties: e.properties, occurred_at: new Date(e.occurredAt).toISOString(), source: e.source, campaign_id: e.campaignId,
      })),
      next_cursor: r.nextCursor,
    };
  });
};
