// Fragments (reusable, versioned template parts) and the template preview.
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { can } from '../../auth/principal.js';
import { deleteFragment, getFragment, getFragmentVersion, listFragments, restoreFragmentVersion, saveFragment } from '../../content/index.js';
import { previewContent } from '../../content/preview.js';
import { AppError } from '../../errors.js';
import { principalOf } from '../auth.js';

const iso = (ms: number) => new Date(ms).toISOString();
const Name = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$' });
const FragmentSchema = Type.Object({ name: Type.String(), version: Type.Integer(), body: Type.String(), created_at: Type.String({ format: 'date-time' }) });
const FragmentDetailSchema = Type.Object({
  name: Type.String(), version: Type.Integer(), body: Type.String(), created_at: Type.String({ format: 'date-time' }),
  versions: Type.Array(Type.Object({ version: Type.Integer(), created_at: Type.String({ format: 'date-time' }) })),
});
const Nullable = (s: ReturnType<typeof Type.String>) => Type.Optional(Type.Union([s, Type.Null()]));

export const contentRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const ctx = app.ctx;
  const detail = (f: Awaited<ReturnType<typeof getFragment>>) => ({
    name: f.name, version: f.version, body: f.body, created_at: iso(f.createdAt), versions: f.versions.map((v) => ({ version: v.version, created_at: iso(v.createdAt) })),
  });

  app.get('/fragments', {
    schema: { tags: ['templates'], summary: 'List fragments (latest version of each)', response: { 200: Type.Object({ data: Type.Array(FragmentSchema) }) } },
    preHandler: app.authorize('templates:read'),
  }, async (req) => ({
    data: (await listFragments(ctx, principalOf(req).workspaceId)).map((f) => ({ name: f.name, version: f.version, body: f.body, created_at: iso(f.createdAt) })),
  }));

  app.get('/fragments/:name', {
    schema: { tags: ['templates'], summary: 'A fragment with its version history', params: Type.Object({ name: Name }), response: { 200: FragmentDetailSchema } },
    preHandler: app.authorize('templates:read'),
  }, async (req) => detail(await getFragment(ctx, principalOf(req).workspaceId, req.params.name)));

  const VersionParams = Type.Object({ name: Name, version: Type.Integer({ minimum: 1 }) });
  app.get('/fragments/:name/versions/:version', {
    schema: { tags: ['templates'], summary: 'One version of a fragment, with its body (older versions included)', params: VersionParams, response: { 200: FragmentSchema } },
    preHandler: app.authorize('templates:read'),
  }, async (req) => {
    const f = await getFragmentVersion(ctx, principalOf(req).workspaceId, req.params.name, req.params.version);
    return { name: f.name, version: f.version, body: f.body, created_at: iso(f.createdAt) };
  });

  app.post('/fragments/:name/versions/:version/restore', {
    schema: {
      tags: ['templates'], summary: "Restore an older version: its body is saved as the fragment's new latest version (history is kept)",
      params: VersionParams, response: { 201: FragmentDetailSchema },
    },
    preHandler: app.authorize('templates:write'),
  }, async (req, reply) => reply.status(201).send(detail(await restoreFragmentVersion(ctx, principalOf(req), req.params.name, req.params.version))));

  app.post('/fragments', {
    schema: {
      tags: ['templates'], summary: 'Create a fragment, or add a new version when the name exists',
      body: Type.Object({ name: Name, body: Type.String({ maxLength: 262144 }) }, { additionalProperties: false }),
      response: { 201: FragmentDetailSchema },
    },
    preHandler: app.authorize('templates:write'),
  }, async (req, reply) => reply.status(201).send(detail(await saveFragment(ctx, principalOf(req), req.body.name, req.body.body))));

  app.put('/fragments/:name', {
    schema: {
      tags: ['templates'], summary: 'Save a new version of a fragment',
      params: Type.Object({ name: Name }), body: Type.Object({ body: Type.String({ maxLength: 262144 }) }, { additionalProperties: false }),
      response: { 200: FragmentDetailSchema },
    },
    preHandler: app.authorize('templates:write'),
  }, async (req) => detail(await saveFragment(ctx, principalOf(req), req.params.name, req.body.body)));

  app.delete('/fragments/:name', {
    schema: { tags: ['templates'], summary: 'Delete a fragment and all its versions', params: Type.Object({ name: Name }), response: { 204: Type.Null() } },
    preHandler: app.authorize('templates:write'),
  }, async (req, reply) => {
    await deleteFragment(ctx, principalOf(req), req.params.name);
    return reply.status(204).send(null);
  });

  app.post('/templates/preview', {
    schema: {
      tags: ['templates'], summary: 'Render a template (optionally for one contact) or return its errors with line and column',
      body: Type.Object({
        subject: Type.String({ maxLength: 2000 }), html: Nullable(Type.String({ maxLength: 1048576 })), mjml: Nullable(Type.String({ maxLength: 1048576 })),
        text: Nullable(Type.String({ maxLength: 1048576 })), contact_id: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()])),
      }, { additionalProperties: false }),
      response: { 200: Type.Object({ subject: Type.String(), html: Type.String(), text: Type.String() }) },
    },
    preHandler: app.authorize('templates:read'),
  }, async (req) => {
    const p = principalOf(req);
    if (req.body.contact_id && !can(p, 'contacts:read')) throw new AppError('forbidden', `your role (${p.role}) lacks contacts:read`, { permission: 'contacts:read' });
    const out = await previewContent(ctx, p.workspaceId, req.body, req.body.contact_id);
    if (!out.ok) throw new AppError('unprocessable', out.issues[0]?.message ?? 'template error', out.issues);
    return out.rendered;
  });
};
