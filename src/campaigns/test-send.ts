// Test sends: the campaign rendered for a few addresses and sent through the route right now.
// Not in the ledger and not in the counts; suppressed addresses are still refused.
import type { AppContext } from '../context.js';
import { fromBool, fromJson } from '../db/dialect.js';
import { AppError } from '../errors.js';
import { assertAddress } from '../delivery/mime.js';
import { assembleMessage, prepareCampaign } from '../delivery/prepare.js';
import { routesFor } from '../delivery/routes.js';
import { assertSendable } from './lifecycle.js';
import { getCampaignRow } from './model.js';

export interface TestSendResult { email: string; status: 'sent' | 'deferred' | 'failed' | 'suppressed'; smtp_code: number | null; response: string }

export async function sendTestMessages(ctx: AppContext, workspaceId: number, campaignId: number, emails: string[]): Promise<TestSendResult[]> {
  if (emails.length === 0 || emails.length > 10) throw new AppError('bad_request', 'give 1–10 test addresses', [{ field: 'emails', message: '1–10 items' }]);
  const addresses = emails.map((e) => assertAddress('emails', e.trim()));
  const row = await getCampaignRow(ctx, workspaceId, campaignId);
  await assertSendable(ctx, workspaceId, { ...row, list_ids: fromJson(row.list_ids, []), derived_kind: row.derived_kind ?? 'test' });
  const p = await prepareCampaign(ctx, { ...row, subject: `[Test] ${row.subject}` });
  const route = routesFor(ctx).get(null);
  const out: TestSendResult[] = [];
  for (const email of addresses) {
    const lower = email.toLowerCase();
    const sup = await ctx.db.selectFrom('suppressions').select('id').where('workspace_id', '=', workspaceId).where('email', '=', lower).executeTakeFirst();
    if (sup) {
      out.push({ email, status: 'suppressed', smtp_code: null, response: 'address is on the suppression list' });
      continue;
    }
    const c = await ctx.db.selectFrom('contacts').selectAll().where('workspace_id', '=', workspaceId).where('email_lower', '=', lower).executeTakeFirst();
    const contact = c
      ? { id: Number(c.id), email, first_name: c.first_name, last_name: c.last_name, timezone: c.timezone, attributes: fromJson<Record<string, unknown>>(c.attributes, {}), tracking_consent: fromBool(c.tracking_consent) }
      : { id: 0, email, first_name: null, last_name: null, timezone: null, attributes: {}, tracking_consent: false };
    const msg = await assembleMessage(ctx, p, 0, contact);
    const r = await route.transport.send({ workspaceId, campaignId, deliveryId: null, envelopeFrom: msg.envelopeFrom, envelopeTo: email, subject: msg.subject, raw: msg.raw });
    out.push({ email, status: r.outcome, smtp_code: r.code, response: r.response });
  }
  return out;
}
