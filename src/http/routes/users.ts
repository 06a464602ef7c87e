// Workspace members: GET/POST /api/v1/users, PATCH/DELETE /api/v1/users/:id. Role rules
// (no granting above your own role, the last owner stays) live in users/, not here.
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ROLES } from '../../auth/permissions.js';
import { notFound } from '../../errors.js';
import { addUser, changeMemberRole, getMember, listMembers, removeMember } from '../../users/index.js';
import { MAX_PASSWORD_LENGTH } from '../../users/policy.js';
import { principalOf } from '../auth.js';
import { memberJson, MemberSchema } from '../session-cookie.js';

const RoleSchema = Type.Union(ROLES.map((r) => Type.Literal(r)));
const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });

export const userRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const ctx = app.ctx;

  app.get('/users', {
    schema: { tags: ['users'], summary: 'Members of your workspace', response: { 200: Type.Object({ items: Type.Array(MemberSchema) }) } },
    preHandler: app.authorize('users:read'),
  }, async (req) => ({ items: (await listMembers(ctx.db, principalOf(req).workspaceId)).map(memberJson) }));

  app.get('/users/:id', {
    schema: { tags: ['users'], summary: 'One member of your workspace', params: IdParams, response: { 200: MemberSchema } },
    preHandler: app.authorize('users:read'),
  }, async (req) => {
    const m = await getMember(ctx.db, principalOf(req).workspaceId, req.params.id);
    if (!m) throw notFound('user');
    return memberJson(m);
  });

  app.post('/users', {
    schema: {
      tags: ['users'],
      summary: 'Add a member with a role (an existing account joins; a new one is created)',
      description: 'Without `password`, a new account gets a random initial password, returned once in `initial_password`.',
      body: Type.Object({
        email: Type.String({ maxLength: 320 }),
        role: RoleSchema,
        name: Type.Optional(Type.String({ maxLength: 200 })),
        password: Type.Optional(Type.String({ maxLength: MAX_PASSWORD_LENGTH })),
      }, { additionalProperties: false }),
      response: {
        201: Type.Object({
          user: MemberSchema,
          created: Type.Boolean({ description: 'false when an existing account joined this workspace' }),
          initial_password: Type.Union([Type.String(), Type.Null()]),
        }),
      },
    },
    preHandler: app.authorize('users:write'),
  }, async (req, reply) => {
    const r = await addUser(ctx, principalOf(req), { ...req.body, ip: req.ip });
    return reply.status(201).send({ user: memberJson(r.member), created: r.created, initial_password: r.initialPassword });
  });

  app.patch('/users/:id', {
    schema: {
      tags: ['users'],
      summary: "Change a member's role (audited as users.role_change)",
      params: IdParams,
      body: Type.Object({ role: RoleSchema }, { additionalProperties: false }),
      response: { 200: MemberSchema },
    },
    preHandler: app.authorize('users:write'),
  }, async (req) => memberJson(await changeMemberRole(ctx, principalOf(req), req.params.id, req.body.role, req.ip)));

  app.delete('/users/:id', {
    schema: { tags: ['users'], summary: 'Remove a member from your workspace (never the last owner)', params: IdParams, response: { 204: Type.Null() } },
    preHandler: app.authorize('users:write'),
  }, async (req, reply) => {
    await removeMember(ctx, principalOf(req), req.params.id, req.ip);
    return reply.status(204).send(null);
  });
};
