// /api/v1/lists: list CRUD, members of a list, subscribe / confirm / unsubscribe.
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { getContact, searchContacts } from '../../contacts/index.js';
import { AppError } from '../../errors.js';
import {
  confirmMembership, countMembers, createList, deleteList, getList, listLists, listsOfContact, membershipsFor, subscribe, unsubscribe, updateList,
  type List, type MemberRef,
} from '../../lists/index.js';
import { principalOf } from '../auth.js';
import { IdempotencyHeaders, idempotentWrite } from '../idempotency.js';
import { ContactSchema, DeletedSchema, IdParams, MembershipSchema, PageQuery, contactJson, iso, membershipJson, pageOf } from './audience-schemas.js';

const ListSchema = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  opt_in: Type.String({ enum: ['single', 'double'] }),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
}, { examples: [{ id: 3, name: 'Newsletter', description: 'Monthly news', opt_in: 'double', created_at: '2026-01-01T10:00:00.000Z', updated_at: '2026-01-01T10:00:00.000Z' }] });

const ListWithCounts = Type.Composite([ListSchema, Type.Object({
  counts: Type.Object({ unconfirmed: Type.Integer(), confirmed: Type.Integer(), unsubscribed: Type.Integer() }),
})]);

const listJson = (l: List) => ({ id: l.id, name: l.name, description: l.description, opt_in: l.optIn, created_at: iso(l.createdAt) as string, updated_at: iso(l.updatedAt) as string });

const OptIn = Type.String({ enum: ['single', 'double'] });
const CreateBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  description: Type.Optional(Type.Union([Type.String({ maxLength: 2000 }), Type.Null()])),
  opt_in: Type.Optional(OptIn),
}, { additionalProperties: false, examples: [{ name: 'Newsletter', opt_in: 'double' }] });
const UpdateBody = Type.Object({
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  description: Type.Optional(Type.Union([Type.String({ maxLength: 2000 }), Type.Null()])),
  opt_in: Type.Optional(OptIn),
}, { additionalProperties: false });

const MemberBody = Type.Object({
  contact_id: Type.Optional(Type.Integer({ minimum: 1 })),
  email: Type.Optional(Type.String({ maxLength: 320 })),
}, { additionalProperties: false, description: 'contact_id or email (subscribe creates an unknown email)', examples: [{ email: 'ada@example.com' }] });

const MemberSchema = Type.Composite([ContactSchema, Type.Object({ membership: MembershipSchema })]);

function memberRef(b: { contact_id?: number; email?: string }): MemberRef {
  if (b.contact_id !== undefined && b.email !== undefined) throw new AppError('bad_request', 'give contact_id or email, not both');
  if (b.contact_id !== undefined) return { contactId: b.contact_id };
  if (b.email !== undefined) return { email: b.email };
  throw new AppError('bad_request', 'contact_id or email is required');
}

export const listRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/lists', {
    schema: { tags: ['lists'], summary: 'List the lists', querystring: Type.Object(PageQuery), response: { 200: pageOf(ListSchema) } },
    preHandler: app.authorize('lists:read'),
  }, async (req) => {
    const page = await listLists(app.ctx.db, principalOf(req).workspaceId, req.query);
    return { data: page.data.map(listJson), next_cursor: page.nextCursor };
  });

  app.post('/lists', {
    schema: { tags: ['lists'], summary: 'Create a list (single or double opt-in)', headers: IdempotencyHeaders, body: CreateBody, response: { 201: ListSchema } },
    ...idempotentWrite(app, 'lists:write'),
  }, async (req, reply) => {
    const l = await createList(app.ctx, principalOf(req).workspaceId, { name: req.body.name, description: req.body.description, optIn: req.body.opt_in as 'single' | 'double' | undefined });
    return reply.code(201).send(listJson(l));
  });

  app.get('/lists/:id', {
    schema: { tags: ['lists'], summary: 'Get a list with member counts', params: IdParams, response: { 200: ListWithCounts } },
    preHandler: app.authorize('lists:read'),
  }, async (req) => {
    const ws = principalOf(req).workspaceId;
    const l = await getList(app.ctx.db, ws, req.params.id);
    return { ...listJson(l), counts: await countMembers(app.ctx.db, ws, l.id) };
  });

  app.patch('/lists/:id', {
    schema: { tags: ['lists'], summary: 'Update a list', params: IdParams, body: UpdateBody, response: { 200: ListSchema } },
    preHandler: app.authorize('lists:write'),
  }, async (req) => listJson(await updateList(app.ctx, principalOf(req).workspaceId, req.params.id, { name: req.body.name, description: req.body.description, optIn: req.body.opt_in as 'single' | 'double' | undefined })));

  app.delete('/lists/:id', {
    schema: { tags: ['lists'], summary: 'Delete a list and its memberships (contacts stay; audited)', params: IdParams, response: { 200: DeletedSchema } },
    preHandler: app.authorize('lists:write'),
  }, async (req) => {
    const p = principalOf(req);
    await deleteList(app.ctx, p.workspaceId, req.params.id, p.actor);
    return { deleted: true };
  });

  app.get('/lists/:id/contacts', {
    schema: {
      tags: ['lists'], summary: 'Members of a list with their membership',
      params: IdParams,
      querystring: Type.Object({ status: Type.Optional(Type.String({ enum: ['unconfirmed', 'confirmed', 'unsubscribed'] })), ...PageQuery }),
      response: { 200: pageOf(MemberSchema) },
    },
    preHandler: [app.authorize('lists:read'), app.authorize('contacts:read')],
  }, async (req) => {
    const ws = principalOf(req).workspaceId;
    const page = await searchContacts(app.ctx.db, ws, { listId: req.params.id, membershipStatus: req.query.status, cursor: req.query.cursor, limit: req.query.limit });
    const ms = await membershipsFor(app.ctx.db, ws, req.params.id, page.data.map((c) => c.id));
    return { data: page.data.map((c) => ({ ...contactJson(c), membership: membershipJson(ms.get(c.id)!) })), next_cursor: page.nextCursor };
  });

  app.get('/contacts/:id/lists', {
    schema: {
      tags: ['lists'], summary: 'The lists a contact is on, with each membership (any status)', params: IdParams,
      response: { 200: Type.Object({ data: Type.Array(Type.Object({ list: ListSchema, membership: MembershipSchema })) }) },
    },
    preHandler: [app.authorize('lists:read'), app.authorize('contacts:read')],
  }, async (req) => {
    const ws = principalOf(req).workspaceId;
    await getContact(app.ctx.db, ws, req.params.id); // another workspace's contact is a 404, not an empty list
    const rows = await listsOfContact(app.ctx.db, ws, req.params.id);
    return { data: rows.map((r) => ({ list: listJson(r.list), membership: membershipJson(r.membership) })) };
  });

  const memberRoute = (path: string, summary: string, action: typeof subscribe) => {
    app.post(path, {
      schema: { tags: ['lists'], summary, headers: IdempotencyHeaders, params: IdParams, body: MemberBody, response: { 200: MembershipSchema } },
      ...idempotentWrite(app, 'lists:write', 'contacts:write'),
    }, async (req) => membershipJson(await action(app.ctx, principalOf(req).workspaceId, req.params.id, memberRef(req.body))));
  };
  memberRoute('/lists/:id/subscribe', 'Subscribe a contact (double opt-in lists: unconfirmed; suppressed addresses: 409)', subscribe);
  memberRoute('/lists/:id/confirm', 'Confirm a double opt-in subscription', confirmMembership);
  memberRoute('/lists/:id/unsubscribe', 'Unsubscribe a contact from the list', unsubscribe);
};
