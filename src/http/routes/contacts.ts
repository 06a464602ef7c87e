// /api/v1/contacts: create/upsert, read, update, delete, search with keyset pages; consent ledger
// and tags of one contact live in consent.ts and tags.ts.
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { deleteContact, getContact, searchContacts, updateContact, upsertContact, type ContactInput } from '../../contacts/index.js';
import { can } from '../../auth/principal.js';
import { AppError } from '../../errors.js';
import { principalOf } from '../auth.js';
import { IdempotencyHeaders, idempotentWrite } from '../idempotency.js';
import { AttributeValue, ContactSchema, DeletedSchema, IdParams, PageQuery, contactJson, pageOf } from './audience-schemas.js';

const ContactFields = {
  first_name: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
  last_name: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
  external_id: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
  timezone: Type.Optional(Type.Union([Type.String({ maxLength: 64, description: 'IANA name, e.g. Europe/Berlin' }), Type.Null()])),
  status: Type.Optional(Type.String({ enum: ['active', 'unsubscribed', 'bounced', 'complained', 'blocked'] })),
  attributes: Type.Optional(Type.Record(Type.String(), AttributeValue, { description: 'Typed custom attributes: the first value fixes the type; null removes the value.' })),
  tags: Type.Optional(Type.Array(Type.String({ maxLength: 100 }), { maxItems: 100 })),
};

const UpsertBody = Type.Object({
  email: Type.String({ maxLength: 320 }),
  ...ContactFields,
  upsert: Type.Optional(Type.Boolean({ default: true, description: 'false: refuse with 409 when the address exists' })),
}, { additionalProperties: false, examples: [{ email: 'ada@example.com', first_name: 'Ada', timezone: 'Europe/London', attributes: { plan: 'pro' }, tags: ['vip'] }] });

const UpdateBody = Type.Object({ email: Type.Optional(Type.String({ maxLength: 320 })), ...ContactFields }, { additionalProperties: false });

const UpsertResponse = Type.Composite([ContactSchema, Type.Object({
  created: Type.Boolean(),
  warnings: Type.Array(Type.String(), { description: 'Why a requested value did not apply, e.g. a suppressed address stays blocked.' }),
})]);

const SearchQuery = Type.Object({
  email: Type.Optional(Type.String({ maxLength: 320, description: 'Exact address (case-insensitive)' })),
  q: Type.Optional(Type.String({ maxLength: 320, description: 'Address prefix' })),
  status: Type.Optional(Type.String({ enum: ['active', 'unsubscribed', 'bounced', 'complained', 'blocked'] })),
  list_id: Type.Optional(Type.Integer({ minimum: 1 })),
  membership_status: Type.Optional(Type.String({ enum: ['unconfirmed', 'confirmed', 'unsubscribed'], description: 'With list_id' })),
  tag: Type.Optional(Type.String({ maxLength: 100 })),
  segment_id: Type.Optional(Type.Integer({ minimum: 1, description: 'Members of this saved segment now (needs segments:read too)' })),
  ...PageQuery,
}, { description: 'Also attr.<name>=value for attribute equality (e.g. attr.plan=pro).' });

type Body = { first_name?: string | null; last_name?: string | null; external_id?: string | null; timezone?: string | null; status?: string; attributes?: Record<string, unknown>; tags?: string[]; email?: string };

export function contactInput(b: Body): ContactInput {
  return { email: b.email, firstName: b.first_name, lastName: b.last_name, externalId: b.external_id, timezone: b.timezone, status: b.status, attributes: b.attributes, tags: b.tags };
}

/** attr.<name>=value pairs from the raw query string (they are not in the static schema). */
function attributeFilters(query: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(query)) {
    if (!k.startsWith('attr.')) continue;
    if (typeof v !== 'string') throw new AppError('bad_request', `${k} must be given once`);
    out[k.slice(5)] = v;
  }
  return out;
}

export const contactRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/contacts', {
    schema: {
      tags: ['contacts'], summary: 'Create or upsert a contact by email',
      description: 'Creates the contact (201) or updates the one with this address (200). A suppressed or opted-out address is never re-activated: its status stays non-active and `warnings` says why.',
      headers: IdempotencyHeaders, body: UpsertBody, response: { 200: UpsertResponse, 201: UpsertResponse },
    },
    ...idempotentWrite(app, 'contacts:write'),
  }, async (req, reply) => {
    const p = principalOf(req);
    const r = await upsertContact(app.ctx, p.workspaceId, contactInput(req.body), { mode: req.body.upsert === false ? 'create' : 'upsert' });
    return reply.code(r.created ? 201 : 200).send({ ...contactJson(r.contact), created: r.created, warnings: r.warnings });
  });

  app.get('/contacts', {
    schema: { tags: ['contacts'], summary: 'Search contacts (keyset pages)', querystring: SearchQuery, response: { 200: pageOf(ContactSchema) } },
    preHandler: app.authorize('contacts:read'),
  }, async (req) => {
    const p = principalOf(req);
    const q = req.query;
    if (q.segment_id !== undefined && !can(p, 'segments:read')) throw new AppError('forbidden', `your role (${p.role}) lacks segments:read`, { permission: 'segments:read' });
    const page = await searchContacts(app.ctx.db, p.workspaceId, {
      email: q.email, q: q.q, status: q.status, listId: q.list_id, membershipStatus: q.membership_status, tag: q.tag, segmentId: q.segment_id, now: app.ctx.clock.now(),
      attributes: attributeFilters(req.query as Record<string, unknown>), cursor: q.cursor, limit: q.limit,
    });
    return { data: page.data.map(contactJson), next_cursor: page.nextCursor };
  });

  app.get('/contacts/:id', {
    schema: { tags: ['contacts'], summary: 'Get a contact', params: IdParams, response: { 200: ContactSchema } },
    preHandler: app.authorize('contacts:read'),
  }, async (req) => contactJson(await getContact(app.ctx.db, principalOf(req).workspaceId, req.params.id)));

  app.patch('/contacts/:id', {
    schema: { tags: ['contacts'], summary: 'Update a contact', description: 'Setting status "active" on a suppressed address is refused (409 suppressed).', params: IdParams, body: UpdateBody, response: { 200: ContactSchema } },
    preHandler: app.authorize('contacts:write'),
  }, async (req) => contactJson(await updateContact(app.ctx, principalOf(req).workspaceId, req.params.id, contactInput(req.body))));

  app.delete('/contacts/:id', {
    schema: { tags: ['contacts'], summary: 'Delete a contact (audited; a suppression entry stays)', params: IdParams, response: { 200: DeletedSchema } },
    preHandler: app.authorize('contacts:write'),
  }, async (req) => {
    const p = principalOf(req);
    await deleteContact(app.ctx, p.workspaceId, req.params.id, p.actor, req.ip);
    return { deleted: true };
  });
};
