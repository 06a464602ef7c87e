// Saved segments (CRUD), counts, previews of unsaved definitions and a segment's contacts.
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { principalOf } from '../auth.js';
import {
  countSegment, createSegment, deleteSegment, getSegment, listSegments, previewSegment, SegmentDefinitionSchema,
  segmentContactsPage, updateSegment, type Segment, type SegmentContact,
} from '../../segments/index.js';
import { checkDefinitionSize } from '../../segments/schema.js';

const Name = Type.String({ minLength: 1, maxLength: 200 });
const SegmentSchema = Type.Object({
  id: Type.Integer(), name: Type.String(), definition: Type.Unknown({ description: 'A SegmentDefinition' }),
  created_at: Type.String({ format: 'date-time' }), updated_at: Type.String({ format: 'date-time' }),
});
const ContactSchema = Type.Object({
  id: Type.Integer(), email: Type.String(), first_name: Type.Union([Type.String(), Type.Null()]), last_name: Type.Union([Type.String(), Type.Null()]),
  status: Type.String(), attributes: Type.Record(Type.String(), Type.Unknown()), created_at: Type.String({ format: 'date-time' }),
});
const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });

const segmentJson = (s: Segment) => ({
  id: s.id, name: s.name, definition: s.definition, created_at: new Date(s.createdAt).toISOString(), updated_at: new Date(s.updatedAt).toISOString(),
});
const contactJson = (c: SegmentContact) => ({ ...c, created_at: new Date(c.created_at).toISOString() });

export const segmentRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // Bound the definition's depth and size before the recursive schema validator walks it.
  app.addHook('preValidation', async (req) => {
    const body = req.body as { definition?: unknown } | undefined;
    if (body && typeof body === 'object' && 'definition' in body) checkDefinitionSize(body.definition);
  });
  app.addSchema(SegmentDefinitionSchema.properties.root);
  const Definition = Type.Object({ version: Type.Literal(1), root: Type.Ref('SegmentNode') }, {
    additionalProperties: false, title: 'SegmentDefinition', examples: SegmentDefinitionSchema.examples as unknown[],
  });

  app.get('/segments', {
    schema: { tags: ['segments'], summary: 'List saved segments', response: { 200: Type.Object({ segments: Type.Array(SegmentSchema) }) } },
    preHandler: app.authorize('segments:read'),
  }, async (req) => ({ segments: (await listSegments(app.ctx, principalOf(req).workspaceId)).map(segmentJson) }));

  app.post('/segments', {
    schema: {
      tags: ['segments'], summary: 'Save a segment', body: Type.Object({ name: Name, definition: Definition }, { additionalProperties: false }),
      response: { 201: SegmentSchema },
    },
    preHandler: app.authorize('segments:write'),
  }, async (req, reply) => reply.status(201).send(segmentJson(await createSegment(app.ctx, principalOf(req), req.body))));

  app.get('/segments/:id', {
    schema: { tags: ['segments'], summary: 'A saved segment', params: IdParams, response: { 200: SegmentSchema } },
    preHandler: app.authorize('segments:read'),
  }, async (req) => segmentJson(await getSegment(app.ctx, principalOf(req).workspaceId, req.params.id)));

  app.patch('/segments/:id', {
    schema: {
      tags: ['segments'], summary: 'Rename a segment or replace its definition', params: IdParams,
      body: Type.Object({ name: Type.Optional(Name), definition: Type.Optional(Definition) }, { additionalProperties: false }),
      response: { 200: SegmentSchema },
    },
    preHandler: app.authorize('segments:write'),
  }, async (req) => segmentJson(await updateSegment(app.ctx, principalOf(req), req.params.id, req.body)));

  app.delete('/segments/:id', {
    schema: { tags: ['segments'], summary: 'Delete a segment', params: IdParams },
    preHandler: app.authorize('segments:write'),
  }, async (req, reply) => {
    await deleteSegment(app.ctx, principalOf(req), req.params.id);
    return reply.status(204).send();
  });

  app.get('/segments/:id/count', {
    schema: { tags: ['segments'], summary: 'Number of contacts in a saved segment now', params: IdParams, response: { 200: Type.Object({ count: Type.Integer() }) } },
    preHandler: app.authorize('segments:read'),
  }, async (req) => {
    const p = principalOf(req);
    const s = await getSegment(app.ctx, p.workspaceId, req.params.id);
    return { count: await countSegment(app.ctx, p.workspaceId, s.definition) };
  });

  app.get('/segments/:id/contacts', {
    schema: {
      tags: ['segments'], summary: "A saved segment's contacts in id order (keyset cursor)", params: IdParams,
      querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }), cursor: Type.Optional(Type.Integer({ minimum: 0 })) }),
      response: { 200: Type.Object({ contacts: Type.Array(ContactSchema), next_cursor: Type.Union([Type.Integer(), Type.Null()]) }) },
    },
    preHandler: app.authorize('segments:read'),
  }, async (req) => {
    const p = principalOf(req);
    const s = await getSegment(app.ctx, p.workspaceId, req.params.id);
    const page = await segmentContactsPage(app.ctx, p.workspaceId, s.definition, { afterId: req.query.cursor, limit: req.query.limit });
    return { contacts: page.contacts.map(contactJson), next_cursor: page.nextAfterId };
  });

  app.post('/segments/preview', {
    schema: {
      tags: ['segments'], summary: 'Count and sample an unsaved definition',
      body: Type.Object({ definition: Definition, sample_size: Type.Integer({ minimum: 0, maximum: 100, default: 10 }) }, { additionalProperties: false }),
      response: { 200: Type.Object({ count: Type.Integer(), sample: Type.Array(ContactSchema) }) },
    },
    preHandler: app.authorize('segments:read'),
  }, async (req) => {
    const r = await previewSegment(app.ctx, principalOf(req).workspaceId, req.body.definition, req.body.sample_size);
    return { count: r.count, sample: r.sample.map(contactJson) };
  });
};
