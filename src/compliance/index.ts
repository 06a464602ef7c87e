// Compliance: unsubscribe links, tokens and the unsubscribe action (by link or by mail), and the public pages.
import type { AppContext } from '../context.js';
import { claimLists } from './unsubscribe-action.js';
import type { UnsubscribeClaim } from './unsubscribe.js';

export { signUnsubscribeToken, unsubscribeLinks, UNSUBSCRIBE_LOCAL_PART, unsubscribeTokenFromSubject, verifyUnsubscribeToken, UNSUBSCRIBE_TOKEN_MAX_AGE_MS, type UnsubscribeClaim } from './unsubscribe.js';
export { unsubscribeContact, type UnsubscribeOutcome, type UnsubscribeScope } from './unsubscribe-action.js';
export { isUnsubscribeAddress, mailUnsubscribeToken, unsubscribeByMail, type MailUnsubscribeResult, type MailUnsubscribeStatus } from './unsubscribe-mail.js';

/** What the unsubscribe page shows for a claim; null when the contact no longer exists. */
export async function describeClaim(ctx: AppContext, claim: UnsubscribeClaim): Promise<{ workspaceName: string; email: string; listNames: string[] } | null> {
  const row = await ctx.db.selectFrom('contacts').innerJoin('workspaces', 'workspaces.id', 'contacts.workspace_id')
    .select(['contacts.email', 'workspaces.name']).where('contacts.id', '=', claim.contactId).where('contacts.workspace_id', '=', claim.workspaceId).executeTakeFirst();
  if (!row) return null;
  const listIds = await claimLists(ctx, claim);
  const lists = listIds.length
    ? await ctx.db.selectFrom('lists').select('name').where('workspace_id', '=', claim.workspaceId).where('id', 'in', listIds).orderBy('name').execute()
    : [];
  return { workspaceName: row.name, email: row.email, listNames: lists.map((l) => l.name) };
}
