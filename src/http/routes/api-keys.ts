// API keys of the workspace: list (never the secret), create (secret shown once), revoke.
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { issueApiKey, listApiKeys, revokeApiKey, type ApiKeyInfo } from '../../auth/api-keys.js';
import { ROLES } from '../../auth/permissions.js';
import { principalOf } from '../auth.js';
import { iso, NullableTime } from '../session-cookie.js';

const ApiKeySchema = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  role: Type.String(),
  prefix: Type.String({ description: 'The first characters of the key, to recognise it' }),
  created_by: Type.Union([Type.Integer(), Type.Null()]),
  created_at: Type.String({ format: 'date-time' }),
  last_used_at: NullableTime,
  revoked_at: NullableTime,
});

const keyJson = (k: ApiKeyInfo) => ({
  id: k.id, name: k.name, role: k.role, prefix: k.prefix, created_by: k.createdBy,
  created_at: new Date(k.createdAt).toISOString(), last_used_at: iso(k.lastUsedAt), revoked_at: iso(k.revokedAt),
});

export const apiKeyRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const ctx = app.ctx;

  app.get('/api-keys', {
    schema: {
      tags: ['api keys'],
      summary: 'API keys of your workspace (without secrets)',
      querystring: Type.Object({ include_revoked: Type.Optional(Type.Boolean()) }),
      response: { 200: Type.Object({ items: Type.Array(ApiKeySchema) }) },
    },
    preHandler: app.authorize('api_keys:read'),
  }, async (req) => ({
    items: (await listApiKeys(ctx.db, principalOf(req).workspaceId, { includeRevoked: req.query.include_revoked })).map(keyJson),
  }));

  app.post('/api-keys', {
    schema: {
      tags: ['api keys'],
      summary: 'Create an API key; the key is in this response only and cannot be shown again',
      body: Type.Object({
        name: Type.String({ minLength: 1, maxLength: 200 }),
        role: Type.Union(ROLES.map((r) => Type.Literal(r)), { description: 'At most your own role' }),
      }, { additionalProperties: false }),
      response: { 201: Type.Intersect([ApiKeySchema, Type.Object({ key: Type.String() })]) },
    },
    preHandler: app.authorize('api_keys:write'),
  }, async (req, reply) => {
    const p = principalOf(req);
    const created = await issueApiKey(ctx.db, ctx.clock, p, { ...req.body, ip: req.ip });
    const info = (await listApiKeys(ctx.db, p.workspaceId)).find((k) => k.id === created.id) as ApiKeyInfo;
    return reply.status(201).send({ ...keyJson(info), key: created.key });
  });

  app.delete('/api-keys/:id', {
    schema: {
      tags: ['api keys'],
      summary: 'Revoke an API key (it stops working at once)',
      params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
      response: { 204: Type.Null() },
    },
    preHandler: app.authorize('api_keys:write'),
  }, async (req, reply) => {
    await revokeApiKey(ctx.db, ctx.clock, principalOf(req), req.params.id, req.ip);
    return reply.status(204).send(null);
  });
};
