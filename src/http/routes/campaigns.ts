// Campaign routes: thin — parse, authorise (campaigns:read/write/send), call src/campaigns.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { principalOf } from '../auth.js';
import { recordAudit } from '../../audit/index.js';
import {
  campaignCounts, cancelCampaign, createCampaign, createDerivedCampaign, deleteCampaign, getCampaignRow, listCampaigns,
  listDeliveries, pauseCampaign, resumeCampaign, sendTestMessages, sendWarnings, startCampaignSend, toCampaign, updateCampaign, CAMPAIGN_STATUSES,
} from '../../campaigns/index.js';

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const Id = Type.Object({ id: Type.Integer({ minimum: 1 }) });

const CampaignBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  subject: Type.String({ minLength: 1, maxLength: 998 }),
  from_email: Type.String({ minLength: 3, maxLength: 320 }),
  from_name: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
  reply_to: Type.Optional(Nullable(Type.String({ maxLength: 320 }))),
  html: Type.Optional(Nullable(Type.String({ maxLength: 2_000_000 }))),
  text: Type.Optional(Nullable(Type.String({ maxLength: 1_000_000 }))),
  mjml: Type.Optional(Nullable(Type.String({ maxLength: 2_000_000 }))),
  list_ids: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 100 })),
  segment_ids: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 100 })),
  send_at: Type.Optional(Nullable(Type.String({ format: 'date-time' }))),
  track_opens: Type.Optional(Type.Boolean()),
  track_clicks: Type.Optional(Type.Boolean()),
  rate_limit: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 100_000 }), Type.Null()])),
}, { additionalProperties: false });

const I = Type.Integer();
const Counts = Type.Object({
  eligible: I, queued: I, sent: I, deferred: I, failed: I, skipped: I, cancelled: I, opened: I, clicked: I, unsubscribed: I, bounced: I, complained: I,
});

const CampaignSchema = Type.Object({
  id: Type.Integer(), name: Type.String(), status: Type.Union(CAMPAIGN_STATUSES.map((s) => Type.Literal(s))),
  subject: Type.String(), from_email: Type.String(), from_name: Nullable(Type.String()), reply_to: Nullable(Type.String()),
  html: Nullable(Type.String()), text: Nullable(Type.String()), mjml: Nullable(Type.String()),
  list_ids: Type.Array(Type.Integer()), segment_ids: Type.Array(Type.Integer()),
  send_at: Nullable(Type.String()), started_at: Nullable(Type.String()), finished_at: Nullable(Type.String()),
  paused_reason: Nullable(Type.String()), parent_campaign_id: Type.Union([Type.Integer(), Type.Null()]), derived_kind: Nullable(Type.String()),
  track_opens: Type.Boolean(), track_clicks: Type.Boolean(), rate_limit: Type.Union([Type.Integer(), Type.Null()]),
  created_at: Type.String(), updated_at: Type.String(),
  counts: Type.Optional(Counts),
  warnings: Type.Optional(Type.Array(Type.String(), { description: 'Pre-send warnings that do not block the send (e.g. no unsubscribe by email without a bounce domain)' })),
});

const DeliverySchema = Type.Object({
  id: Type.Integer(), contact_id: Type.Integer(), email: Type.String(), status: Type.String(), attempts: Type.Integer(),
  smtp_code: Type.Union([Type.Integer(), Type.Null()]), smtp_response: Nullable(Type.String()), skip_reason: Nullable(Type.String()),
  message_id: Nullable(Type.String()), next_attempt_at: Nullable(Type.String()), sent_at: Nullable(Type.String()), updated_at: Type.String(),
});

export const campaignRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const ctx = app.ctx;
  // One campaign in a response: its ledger counts and the pre-send warnings (not in lists: they are the same for all).
  const withCounts = async (ws: number, c: ReturnType<typeof toCampaign>) => ({ ...c, counts: await campaignCounts(ctx, ws, c.id), warnings: sendWarnings(ctx) });
  const audit = (req: Parameters<typeof principalOf>[0], action: string, id: number, details: Record<string, unknown> = {}) =>
    recordAudit(ctx.db, ctx.clock, { workspaceId: principalOf(req).workspaceId, actor: principalOf(req).actor, action, targetType: 'campaign', targetId: id, details, ip: req.ip });
  const tags = ['campaigns'];

  app.get('/campaigns', {
    schema: { tags, summary: 'List campaigns (newest first)', querystring: Type.Object({ status: Type.Optional(Type.String()), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })), after_id: Type.Optional(Type.Integer()) }), response: { 200: Type.Object({ data: Type.Array(CampaignSchema) }) } },
    preHandler: app.authorize('campaigns:read'),
  }, async (req) => ({ data: await listCampaigns(ctx, principalOf(req).workspaceId, req.query) }));

  app.get('/campaigns/preflight', {
    schema: {
      tags, summary: 'Pre-send warnings that apply to every campaign (the server\'s return-mail setup); they never block a send',
      response: { 200: Type.Object({ warnings: Type.Array(Type.String()) }) },
    },
    preHandler: app.authorize('campaigns:read'),
  }, async () => ({ warnings: sendWarnings(ctx) }));

  app.post('/campaigns', {
    schema: { tags, summary: 'Create a draft campaign', body: CampaignBody, response: { 201: CampaignSchema } },
    preHandler: app.authorize('campaigns:write'),
  }, async (req, reply) => {
    const ws = principalOf(req).workspaceId;
    const c = await createCampaign(ctx, ws, req.body);
    await audit(req, 'campaigns.create', c.id);
    return reply.code(201).send(await withCounts(ws, c));
  });

  app.get('/campaigns/:id', {
    schema: { tags, summary: 'A campaign with its status and ledger-derived counts', params: Id, response: { 200: CampaignSchema } },
    preHandler: app.authorize('campaigns:read'),
  }, async (req) => {
    const ws = principalOf(req).workspaceId;
    return withCounts(ws, toCampaign(await getCampaignRow(ctx, ws, req.params.id)));
  });

  app.patch('/campaigns/:id', {
    schema: { tags, summary: 'Edit a draft, scheduled or paused campaign', params: Id, body: Type.Partial(CampaignBody), response: { 200: CampaignSchema } },
    preHandler: app.authorize('campaigns:write'),
  }, async (req) => {
    const ws = principalOf(req).workspaceId;
    const c = await updateCampaign(ctx, ws, req.params.id, req.body as Partial<Static<typeof CampaignBody>>);
    await audit(req, 'campaigns.update', c.id);
    return withCounts(ws, c);
  });

  app.delete('/campaigns/:id', {
    schema: { tags, summary: 'Delete a campaign that is not sending', params: Id, response: { 204: Type.Null() } },
    preHandler: app.authorize('campaigns:write'),
  }, async (req, reply) => {
    await deleteCampaign(ctx, principalOf(req).workspaceId, req.params.id);
    await audit(req, 'campaigns.delete', req.params.id);
    return reply.code(204).send(null);
  });

  const action = (path: string, summary: string, fn: (ws: number, id: number) => Promise<ReturnType<typeof toCampaign>>) =>
    app.post(`/campaigns/:id/${path}`, {
      schema: { tags, summary, params: Id, response: { 200: CampaignSchema } },
      preHandler: app.authorize('campaigns:send'),
    }, async (req) => {
      const ws = principalOf(req).workspaceId;
      const c = await fn(ws, req.params.id);
      await audit(req, `campaigns.${path}`, c.id);
      return withCounts(ws, c);
    });
  action('send', 'Send now, schedule (when send_at is in the future), or confirm a missed schedule', (ws, id) => startCampaignSend(ctx, ws, id));
  action('pause', 'Pause a sending campaign', (ws, id) => pauseCampaign(ctx, ws, id));
  action('resume', 'Resume a paused campaign', (ws, id) => resumeCampaign(ctx, ws, id));
  action('cancel', 'Cancel; unsent recipients are marked cancelled', (ws, id) => cancelCampaign(ctx, ws, id));

  app.post('/campaigns/:id/test', {
    schema: {
      tags, summary: 'Send test messages to 1–10 addresses (not in the ledger or the counts)', params: Id,
      body: Type.Object({ emails: Type.Array(Type.String({ maxLength: 320 }), { minItems: 1, maxItems: 10 }) }, { additionalProperties: false }),
      response: { 200: Type.Object({ results: Type.Array(Type.Object({ email: Type.String(), status: Type.String(), smtp_code: Type.Union([Type.Integer(), Type.Null()]), response: Type.String() })) }) },
    },
    preHandler: app.authorize('campaigns:send'),
  }, async (req) => {
    const results = await sendTestMessages(ctx, principalOf(req).workspaceId, req.params.id, req.body.emails);
    await audit(req, 'campaigns.test_send', req.params.id, { count: results.length });
    return { results };
  });

  app.get('/campaigns/:id/deliveries', {
    schema: {
      tags, summary: 'The per-recipient ledger, filterable by status, with the last SMTP response', params: Id,
      querystring: Type.Object({ status: Type.Optional(Type.Union(['queued', 'sent', 'deferred', 'failed', 'skipped', 'cancelled'].map((s) => Type.Literal(s)))), after_id: Type.Optional(Type.Integer()), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })) }),
      response: { 200: Type.Object({ data: Type.Array(DeliverySchema), next_after_id: Type.Union([Type.Integer(), Type.Null()]) }) },
    },
    preHandler: app.authorize('campaigns:read'),
  }, async (req) => {
    const data = await listDeliveries(ctx, principalOf(req).workspaceId, req.params.id, req.query);
    const limit = req.query.limit ?? 100;
    return { data, next_after_id: data.length === limit ? (data[data.length - 1]?.id ?? null) : null };
  });

  app.post('/campaigns/:id/resend-failed', {
    schema: { tags, summary: 'A derived draft campaign to the recipients that failed', params: Id, response: { 201: CampaignSchema } },
    preHandler: app.authorize('campaigns:write'),
  }, async (req, reply) => {
    const ws = principalOf(req).workspaceId;
    const c = await createDerivedCampaign(ctx, ws, req.params.id, 'resend_failed');
    await audit(req, 'campaigns.create', c.id, { derived_from: req.params.id, kind: 'resend_failed' });
    return reply.code(201).send(await withCounts(ws, c));
  });

  app.post('/campaigns/:id/non-openers', {
    schema: {
      tags, summary: 'A derived draft campaign with a new subject to recipients who did not open', params: Id,
      body: Type.Object({ subject: Type.String({ minLength: 1, maxLength: 998 }), name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) }, { additionalProperties: false }),
      response: { 201: CampaignSchema },
    },
    preHandler: app.authorize('campaigns:write'),
  }, async (req, reply) => {
    const ws = principalOf(req).workspaceId;
    const c = await createDerivedCampaign(ctx, ws, req.params.id, 'non_openers', req.body);
    await audit(req, 'campaigns.create', c.id, { derived_from: req.params.id, kind: 'non_openers' });
    return reply.code(201).send(await withCounts(ws, c));
  });
};
