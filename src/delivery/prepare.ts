// Per-campaign preparation (compile once: template, links, DKIM keys, sender identity) and the
// per-recipient assembly: render → track links → MIME → DKIM. It stops before the transport.
import type { AppContext } from '../context.js';
import { compileContent, templateContact, type CompiledContent } from '../content/index.js';
import { unsubscribeLinks } from '../compliance/unsubscribe.js';
import { loadDkimKeys } from '../domains/index.js';
import { fromJson } from '../db/dialect.js';
import { AppError } from '../errors.js';
import { registerCampaignLinks, trackHtml, type CampaignLinks } from '../tracking/index.js';
import { dkimSign, type DkimKey } from './dkim.js';
import { buildMessage, newMessageId, toRaw, type BuiltMessage } from './mime.js';
import { returnPathDomain, unsubscribeMailtoDomain } from './return-addresses.js';
import { verpAddress, verpToken } from './verp.js';

export interface CampaignRow {
  id: number;
  workspace_id: number;
  name: string;
  status: string;
  subject: string;
  from_email: string;
  from_name: string | null;
  reply_to: string | null;
  html: string | null;
  text: string | null;
  mjml: string | null;
  list_ids: unknown;
  segment_ids: unknown;
  track_opens: number;
  track_clicks: number;
  rate_limit: number | null;
  derived_kind?: string | null;
}

export interface RecipientContact {
  id: number;
  email: string;
  first_name: string | null;
  last_name: string | null;
  timezone: string | null;
  attributes: Record<string, unknown>;
  tracking_consent: boolean;
}

export interface PreparedCampaign {
  campaignId: number;
  workspaceId: number;
  name: string;
  listIds: number[];
  segmentIds: number[];
  /** Derived campaigns (resend/non-openers) target parent recipients, not current list members. */
  derived: boolean;
  from: { address: string; name: string | null };
  replyTo: string | null;
  /** Domain of the VERP Return-Path: the bounce domain, else the From domain. */
  bounceDomain: string;
  /** Domain of the List-Unsubscribe mailto; null leaves the mailto out (return-addresses.ts). */
  mailtoDomain: string | null;
  fromDomain: string;
  postalAddress: string;
  workspaceName: string;
  trackOpens: boolean;
  trackClicks: boolean;
  rateLimit: number | null;
  compiled: CompiledContent;
  links: CampaignLinks;
  keys: DkimKey[];
}

/** The postal address to use for a workspace: its own, else the bootstrap one from config. */
export async function effectivePostalAddress(ctx: AppContext, workspaceId: number): Promise<{ name: string; postalAddress: string | null }> {
  const ws = await ctx.db.selectFrom('workspaces').select(['name', 'postal_address']).where('id', '=', workspaceId).executeTakeFirst();
  if (!ws) throw new AppError('not_found', 'workspace not found');
  const own = ws.postal_address?.trim();
  return { name: ws.name, postalAddress: own || ctx.config.postalAddress?.trim() || null };
}

/** Compiles the campaign's content; template errors surface here with line/column details. */
export async function compileCampaignContent(ctx: AppContext, c: Pick<CampaignRow, 'workspace_id' | 'subject' | 'html' | 'text' | 'mjml'>): Promise<CompiledContent> {
  return compileContent(ctx, c.workspace_id, { subject: c.subject, html: c.html, text: c.text, mjml: c.mjml });
}

export async function prepareCampaign(ctx: AppContext, c: CampaignRow): Promise<PreparedCampaign> {
  const ws = await effectivePostalAddress(ctx, c.workspace_id);
  // CAN-SPAM: every marketing message carries a physical postal address.
  if (!ws.postalAddress) throw new AppError('unprocessable', 'set the workspace postal address before sending', [{ field: 'postal_address', message: 'required to send' }]);
  const compiled = await compileCampaignContent(ctx, c);
  // Register the links of a sample render: the static hrefs of the template are known up front.
  const sample = compiled.render(sampleVars(c, ws));
  const links = await registerCampaignLinks(ctx, c.workspace_id, c.id, sample.html);
  const fromDomain = c.from_email.slice(c.from_email.lastIndexOf('@') + 1).toLowerCase();
  const allKeys = await loadDkimKeys(ctx, c.workspace_id);
  // Sign with the keys of the From domain (DMARC alignment); fall back to any key we hold.
  const aligned = allKeys.filter((k) => k.domain === fromDomain || fromDomain.endsWith(`.${k.domain}`));
  return {
    campaignId: c.id,
    workspaceId: c.workspace_id,
    name: c.name,
    listIds: fromJson<number[]>(c.list_ids, []),
    segmentIds: fromJson<number[]>(c.segment_ids, []),
    derived: !!c.derived_kind,
    from: { address: c.from_email, name: c.from_name },
    replyTo: c.reply_to,
    bounceDomain: returnPathDomain(ctx.config, fromDomain),
    mailtoDomain: unsubscribeMailtoDomain(ctx.config),
    fromDomain,
    postalAddress: ws.postalAddress,
    workspaceName: ws.name,
    trackOpens: c.track_opens === 1,
    trackClicks: c.track_clicks === 1,
    rateLimit: c.rate_limit,
    compiled,
    links,
    keys: aligned.length ? aligned : allKeys,
  };
}

function sampleVars(c: Pick<CampaignRow, 'id' | 'name'>, ws: { name: string; postalAddress: string | null }) {
  return {
    contact: { id: 0, email: 'preview@example.invalid', first_name: null, last_name: null, timezone: null },
    campaign: { id: c.id, name: c.name },
    workspace: { name: ws.name, postal_address: ws.postalAddress ?? '' },
    unsubscribe_url: 'https://example.invalid/u/preview',
  };
}

export interface AssembledMessage {
  raw: string;
  subject: string;
  messageId: string;
  verpToken: string | null;
  envelopeFrom: string;
}

/** What assembleMessage builds before the signature: only this crosses its await. */
interface DraftMessage {
  built: BuiltMessage;
  subject: string;
  messageId: string;
  verpToken: string | null;
  date: number;
}

/*
 * Render → track → MIME, synchronously. A separate function so that the rendered html and text,
 * the tracked html and the unsubscribe links die before assembleMessage awaits the signer thread:
 * an async function keeps every local of its frame alive across an await, and the ~30 messages
 * waiting for a signature at any time then carried ~10 KB each through every scavenge.
 */
function draftMessage(ctx: AppContext, p: PreparedCampaign, deliveryId: number, contact: RecipientContact): DraftMessage {
  const unsub = unsubscribeLinks(ctx, { workspaceId: p.workspaceId, contactId: contact.id, campaignId: p.campaignId, listId: p.listIds[0] ?? null, mailtoDomain: p.mailtoDomain });
  const rendered = p.compiled.render({
    contact: templateContact(contact, contact.attributes),
    campaign: { id: p.campaignId, name: p.name },
    workspace: { name: p.workspaceName, postal_address: p.postalAddress },
    unsubscribe_url: unsub.url,
  });
  const html = rendered.html
    ? trackHtml(p.links, rendered.html, { deliveryId, trackingConsent: contact.tracking_consent && deliveryId > 0, trackOpens: p.trackOpens, trackClicks: p.trackClicks })
    : null;
  const messageId = newMessageId(p.fromDomain);
  const date = ctx.clock.now();
  const built = buildMessage({
    from: p.from,
    to: { address: contact.email },
    replyTo: p.replyTo,
    subject: rendered.subject,
    text: rendered.text,
    html,
    messageId,
    date,
    headers: [['List-Unsubscribe', unsub.headers['List-Unsubscribe']], ['List-Unsubscribe-Post', unsub.headers['List-Unsubscribe-Post']]],
  });
  return { built, subject: rendered.subject, messageId, verpToken: deliveryId > 0 ? verpToken(ctx.secret, deliveryId) : null, date };
}

/**
 * One recipient's message. `deliveryId` 0 means a test send (no ledger row, no VERP token,
 * no per-person tracking).
 */
export async function assembleMessage(ctx: AppContext, p: PreparedCampaign, deliveryId: number, contact: RecipientContact): Promise<AssembledMessage> {
  const draft = draftMessage(ctx, p, deliveryId, contact);
  const signature = await dkimSign(draft.built, p.keys, draft.date);
  return {
    raw: toRaw(draft.built, signature),
    subject: draft.subject,
    messageId: draft.messageId,
    verpToken: draft.verpToken,
    envelopeFrom: draft.verpToken ? verpAddress(draft.verpToken, p.bounceDomain) : `bounce@${p.bounceDomain}`,
  };
}
