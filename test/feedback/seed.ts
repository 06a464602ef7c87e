// Test data for the feedback effects: a workspace with a campaign, contacts and ledger rows that
// are named by VERP tokens and Message-IDs, plus builders for the notifications that come back.
import type { AppContext } from '../../src/context.js';
import { toJson } from '../../src/db/dialect.js';
import { verpToken } from '../../src/delivery/verp.js';
import { createTenant, type Tenant } from '../helpers/context.js';

export interface Seeded {
  tenant: Tenant;
  campaignId: number;
  deliveries: Array<{ id: number; contactId: number; email: string; token: string; messageId: string }>;
}

export async function seedCampaign(ctx: AppContext, opts: { recipients?: number; status?: string; fromEmail?: string; tenant?: Tenant } = {}): Promise<Seeded> {
  const tenant = opts.tenant ?? (await createTenant(ctx));
  const now = ctx.clock.now();
  const ws = tenant.workspace.id;
  const campaign = await ctx.db.insertInto('campaigns').values({
    workspace_id: ws, name: 'May', status: opts.status ?? 'sending', subject: 'May', from_email: opts.fromEmail ?? 'news@news.example.com', from_name: null,
    reply_to: null, html: null, text: 'hi', mjml: null, list_ids: toJson([]), segment_ids: toJson([]), send_at: null, started_at: now, finished_at: null,
    paused_reason: null, parent_campaign_id: null, derived_kind: null, track_opens: 0, track_clicks: 0, rate_limit: null, settings: toJson({}),
    created_at: now, updated_at: now,
  }).returning('id').executeTakeFirstOrThrow();
  const campaignId = Number(campaign.id);
  const deliveries: Seeded['deliveries'] = [];
  const n = opts.recipients ?? 3;
  const rows = [];
  for (let i = 0; i < n; i++) {
    const email = `user${i}.c${campaignId}@example.net`;
    const contact = await ctx.db.insertInto('contacts').values({
      workspace_id: ws, email, email_lower: email, first_name: null, last_name: null, external_id: null, status: 'active',
      attributes: toJson({}), timezone: null, tracking_consent: 0, created_at: now, updated_at: now,
    }).returning('id').executeTakeFirstOrThrow();
    rows.push({ contactId: Number(contact.id), email, messageId: `c${campaignId}w${ws}r${i}x${Math.random().toString(36).slice(2, 8)}@news.example.com` });
  }
  for (const r of rows) {
    const d = await ctx.db.insertInto('deliveries').values({
      workspace_id: ws, campaign_id: campaignId, contact_id: r.contactId, email: r.email, variant: null, status: 'sent', attempts: 1,
      next_attempt_at: now, lease_owner: null, lease_expires_at: null, route: 'smtp', smtp_code: 250, smtp_response: '250 ok',
      message_id: `<${r.messageId}>`, verp_token: null, skip_reason: null, created_at: now, updated_at: now, sent_at: now,
    }).returning('id').executeTakeFirstOrThrow();
    // The token the engine puts in the Return-Path: it names the row by id (the ledger stores none).
    deliveries.push({ id: Number(d.id), ...r, token: verpToken(ctx.secret, Number(d.id)) });
  }
  return { tenant, campaignId, deliveries };
}

export function dsnMessage(o: { to: string; rcpt: string; status: string; diag: string; action?: string; messageId?: string; eol?: string }): string {
  const text = `From: MAILER-DAEMON@mta.example.org (Mail Delivery System)
To: ${o.to}
Subject: Undelivered Mail Returned to Sender
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="BB"

--BB
Content-Type: text/plain

This is the mail system at host mta.example.org.

<${o.rcpt}>: host mx.example.net[198.51.100.1] said: ${o.diag}

--BB
Content-Type: message/delivery-status

Reporting-MTA: dns; mta.example.org

Final-Recipient: rfc822; ${o.rcpt}
Action: ${o.action ?? 'failed'}
Status: ${o.status}
Diagnostic-Code: smtp; ${o.diag}

--BB
Content-Type: text/rfc822-headers

From: news@news.example.com
To: ${o.rcpt}
Subject: May
Message-ID: <${o.messageId ?? 'unknown@news.example.com'}>

--BB--
`;
  return text.replace(/\n/g, o.eol ?? '\r\n');
}

export function arfMessage(o: { rcpt: string; messageId: string; feedbackType?: string }): string {
  return `From: fbl@isp.example
To: fbl@bounces.example.com
Subject: Abuse report
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report; boundary="AA"

--AA
Content-Type: text/plain

Abuse report.

--AA
Content-Type: message/feedback-report

Feedback-Type: ${o.feedbackType ?? 'abuse'}
User-Agent: ISP/1.0
Version: 1
Original-Rcpt-To: ${o.rcpt}

--AA
Content-Type: text/rfc822-headers

From: news@news.example.com
To: ${o.rcpt}
Message-ID: <${o.messageId}>

--AA--
`.replace(/\n/g, '\r\n');
}
