// The calling principal's workspace: GET/PATCH /api/v1/workspace (postal address, name, settings).
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { principalOf } from '../auth.js';
import { getWorkspace, updateWorkspace } from '../../workspaces/index.js';
import { notFound } from '../../errors.js';

const WorkspaceSchema = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  slug: Type.String(),
  postal_address: Type.Union([Type.String(), Type.Null()]),
  settings: Type.Record(Type.String(), Type.Unknown()),
  created_at: Type.String({ format: 'date-time' }),
});

export const workspaceRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const toJson = (w: NonNullable<Awaited<ReturnType<typeof getWorkspace>>>) => ({
    id: w.id, name: w.name, slug: w.slug, postal_address: w.postalAddress, settings: w.settings, created_at: new Date(w.createdAt).toISOString(),
  });

  app.get('/workspace', {
    schema: { tags: ['workspace'], summary: 'The workspace of the caller', response: { 200: WorkspaceSchema } },
    preHandler: app.authenticate,
  }, async (req) => {
    const w = await getWorkspace(app.ctx.db, principalOf(req).workspaceId);
    if (!w) throw notFound('workspace');
    return toJson(w);
  });

  app.patch('/workspace', {
    schema: {
      tags: ['workspace'],
      summary: 'Update name, postal address or settings',
      body: Type.Object({
        name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
        postal_address: Type.Optional(Type.Union([Type.String({ maxLength: 1000 }), Type.Null()])),
        settings: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
      }, { additionalProperties: false }),
      response: { 200: WorkspaceSchema },
    },
    preHandler: app.authorize('settings:write'),
  }, async (req) => {
    const p = principalOf(req);
    const w = await updateWorkspace(app.ctx, p, { name: req.body.name, postalAddress: req.body.postal_address, settings: req.body.settings });
    return toJson(w);
  });
};
