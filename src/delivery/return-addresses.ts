// The addresses a message gives for mail coming back — the Return-Path (bounces) and the
// List-Unsubscribe mailto — and the warnings when Postlane would not receive that mail. Stops at
// the decision: prepare.ts writes the headers, feedback/ receives the mail.
import type { Config } from '../config/schema.js';

type ReturnConfig = Pick<Config, 'bounceDomain' | 'feedbackImapUrl' | 'sesTopicArns' | 'sendgridWebhookPublicKey' | 'mailgunSigningKey' | 'postmarkWebhookAuth'>;

/**
 * The domain of the List-Unsubscribe mailto, or null to leave the mailto out. Only the bounce domain
 * is a domain the admin has told us reaches Postlane (its MX at the inbound listener, or its mail
 * forwarded to the IMAP feedback mailbox). An unsubscribe request mailed anywhere else is never
 * honoured, which is worse than no mailto at all: the https one-click URL alone satisfies RFC 8058,
 * and RFC 2369 asks for one or more URLs, not for a mailto.
 */
export function unsubscribeMailtoDomain(config: Pick<Config, 'bounceDomain'>): string | null {
  return config.bounceDomain;
}

/**
 * The domain of the VERP Return-Path. Unlike the mailto, a message cannot go without an envelope
 * sender, so without a bounce domain it falls back to the From domain: bounce+TOKEN@<From domain>
 * reaches Postlane when that mailbox (plus-addressed) is the IMAP feedback mailbox, and ESP webhooks
 * match by message id or custom data whatever the Return-Path.
 */
export function returnPathDomain(config: Pick<Config, 'bounceDomain'>, fromDomain: string): string {
  return config.bounceDomain ?? fromDomain;
}

export interface ReturnMailWarning {
  code: 'unsubscribe_mailto_omitted' | 'bounces_not_received';
  message: string;
}

/** What an admin (startup log) and a marketer (campaign responses) should know before sending. */
export function returnMailWarnings(config: ReturnConfig): ReturnMailWarning[] {
  if (config.bounceDomain) return [];
  const out: ReturnMailWarning[] = [{
    code: 'unsubscribe_mailto_omitted',
    message: 'No bounce domain is configured (POSTLANE_BOUNCE_DOMAIN), so messages offer no unsubscribe by email: '
      + 'List-Unsubscribe carries only the one-click link. Set a bounce domain whose mail reaches Postlane to add the mailto.',
  }];
  const webhooks = config.sesTopicArns.length > 0 || !!config.sendgridWebhookPublicKey || !!config.mailgunSigningKey || !!config.postmarkWebhookAuth;
  if (!config.feedbackImapUrl && !webhooks) {
    out.push({
      code: 'bounces_not_received',
      message: 'Bounces are not processed: with no bounce domain, IMAP feedback mailbox (POSTLANE_FEEDBACK_IMAP_URL) or ESP webhook configured, '
        + 'they return to bounce+…@ the From domain and never reach Postlane, so dead addresses are not suppressed.',
    });
  }
  return out;
}
