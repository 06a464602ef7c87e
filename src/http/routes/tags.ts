// Tags: PUT/DELETE /api/v1/contacts/:id/tags/:name and GET /api/v1/tags.
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { getContact } from '../../contacts/index.js';
import { notFound } from '../../errors.js';
import { listTags, tagContact, untagContact } from '../../tags/index.js';
import { principalOf } from '../auth.js';
import { ContactSchema, contactJson, iso } from './audience-schemas.js';

const TagParams = Type.Object({ id: Type.Integer({ minimum: 1 }), name: Type.String({ minLength: 1, maxLength: 100 }) });
const TagSchema = Type.Object({ id: Type.Integer(), name: Type.String(), contact_count: Type.Integer(), created_at: Type.String({ format: 'date-time' }) },
  { examples: [{ id: 1, name: 'vip', contact_count: 12, created_at: '2026-01-01T10:00:00.000Z' }] });

export const tagRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/tags', {
    schema: { tags: ['tags'], summary: 'All tags with contact counts', response: { 200: Type.Object({ data: Type.Array(TagSchema) }) } },
    preHandler: app.authorize('tags:read'),
  }, async (req) => {
    const tags = await listTags(app.ctx.db, principalOf(req).workspaceId);
    return { data: tags.map((t) => ({ id: t.id, name: t.name, contact_count: t.contactCount, created_at: iso(t.createdAt) as string })) };
  });

  app.put('/contacts/:id/tags/:name', {
    schema: { tags: ['tags'], summary: 'Tag a contact (creates the tag on first use; idempotent)', params: TagParams, response: { 200: ContactSchema } },
    preHandler: [app.authorize('tags:write'), app.authorize('contacts:write')],
  }, async (req) => {
    const ws = principalOf(req).workspaceId;
    await tagContact(app.ctx, ws, req.params.id, [req.params.name]);
    return contactJson(await getContact(app.ctx.db, ws, req.params.id));
  });

  app.delete('/contacts/:id/tags/:name', {
    schema: { tags: ['tags'], summary: 'Remove a tag from a contact', params: TagParams, response: { 200: ContactSchema } },
    preHandler: [app.authorize('tags:write'), app.authorize('contacts:write')],
  }, async (req) => {
    const ws = principalOf(req).workspaceId;
    if (!(await untagContact(app.ctx, ws, req.params.id, req.params.name))) throw notFound('tag on this contact');
    return contactJson(await getContact(app.ctx.db, ws, req.params.id));
  });
};
