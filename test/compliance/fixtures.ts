// Rows for content/tracking/compliance tests, written straight to the tables so these suites
// do not depend on the audience or campaign modules.
import { toJson } from '../../src/db/dialect.js';
import type { AppContext } from '../../src/context.js';

export async function addContact(ctx: AppContext, workspaceId: number, email: string, over: { tracking_consent?: number; status?: string; first_name?: string | null; attributes?: object } = {}): Promise<number> {
  const now = ctx.clock.now();
  const r = await ctx.db.insertInto('contacts').values({
    workspace_id: workspaceId, email, email_lower: email.toLowerCase(), first_name: over.first_name ?? null, last_name: null, external_id: null,
    status: over.status ?? 'active', attributes: toJson(over.attributes ?? {}), timezone: null, tracking_consent: over.tracking_consent ?? 1, created_at: now, updated_at: now,
  }).returning('id').executeTakeFirstOrThrow();
  return Number(r.id);
}

export async function addList(ctx: AppContext, workspaceId: number, name: string, members: number[] = []): Promise<number> {
  const now = ctx.clock.now();
  const r = await ctx.db.insertInto('lists').values({ workspace_id: workspaceId, name, description: null, opt_in: 'single', created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
  const listId = Number(r.id);
  for (const contactId of members) {
    await ctx.db.insertInto('list_memberships').values({ workspace_id: workspaceId, list_id: listId, contact_id: contactId, status: 'confirmed', created_at: now, confirmed_at: now, unsubscribed_at: null, updated_at: now }).execute();
  }
  return listId;
}

export async function addCampaign(ctx: AppContext, workspaceId: number, listIds: number[] = [], html = '<p>x</p>'): Promise<number> {
  const now = ctx.clock.now();
  const r = await ctx.db.insertInto('campaigns').values({
    workspace_id: workspaceId, name: `c${now}-${Math.random()}`, status: 'sending', subject: 's', from_email: 'news@example.com', from_name: null, reply_to: null,
    html, text: null, mjml: null, list_ids: toJson(listIds), segment_ids: toJson([]), send_at: null, started_at: now, finished_at: null, paused_reason: null,
    parent_campaign_id: null, derived_kind: null, track_opens: 1, track_clicks: 1, rate_limit: null, settings: toJson({}), created_at: now, updated_at: now,
  }).returning('id').executeTakeFirstOrThrow();
  return Number(r.id);
}

export async function addDelivery(ctx: AppContext, workspaceId: number, campaignId: number, contactId: number, status = 'queued'): Promise<number> {
  const now = ctx.clock.now();
  const r = await ctx.db.insertInto('deliveries').values({
    workspace_id: workspaceId, campaign_id: campaignId, contact_id: contactId, email: `c${contactId}@example.com`, variant: null, status, attempts: 0,
    next_attempt_at: now, lease_owner: null, lease_expires_at: null, route: null, smtp_code: null, smtp_response: null, message_id: null, verp_token: null,
    skip_reason: null, created_at: now, updated_at: now, sent_at: status === 'sent' ? now : null,
  }).returning('id').executeTakeFirstOrThrow();
  return Number(r.id);
}
