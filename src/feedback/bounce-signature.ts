// Recognises a non-RFC 3464 bounce by who sent it and how it is titled, and tells a delay warning
// from a final failure. Stops at yes/no: the per-MTA text extractors live in mta-text.ts.
import type { ParsedMessage } from './mime.js';

const SENDER = /\b(mailer-daemon|mail-daemon|postmaster|mail delivery (subsystem|system|service)|mailer_daemon|mmdf|smtp[ -]gateway|microsoftexchange[0-9a-f]*|mail administrator|notes mail router|groupwise|internet mail delivery|mail router)\b/i;
const SUBJECT = /undeliver|undelivered|not (been )?delivered|delivery (status notification|failure|failed|has failed|problem|report|notification|error)|returned mail|failure notice|mail delivery failed|could not be delivered|non[- ]?delivery|mail system error|returned to sender|nondeliverable|delayed mail|delivery delayed|message not delivered|\bNDN\b|\bNDR\b|unzustellbar|non remis|non recapitabile|no se puede entregar|message delivery|warning: could not send|mail could not be delivered|delivery notification|rejected: |bounce|message you sent|failed delivery|unable to deliver/i;
const BODY = /qmail-send program|This message was created automatically by mail delivery software|The following addresses had (permanent fatal|transient non-fatal) errors|could not be delivered to one or more (of its )?recipients|Delivery has failed to these recipients|following recipient\(s\) (cannot|could not) be reached|was not delivered to:|I'm afraid I wasn't able to deliver|unable to deliver your message|Your message (wasn't|was not|couldn't be|could not be) delivered|The mail system|delivery status notification|permanent error|Courier mail server|Remote Server returned|UNDELIVERABLE MAIL|has not yet been delivered|the group you tried to contact/i;

export function looksLikeBounce(msg: ParsedMessage): boolean {
  if (msg.headers.has('x-failed-recipients')) return true;
  if (/report-type="?delivery-status/i.test(msg.contentType)) return true;
  const fromDaemon = SENDER.test(msg.from);
  const subject = SUBJECT.test(msg.subject);
  if (fromDaemon && (subject || BODY.test(msg.text.slice(0, 4000)))) return true;
  // A bounce forwarded by a relay keeps the subject and body but not the daemon sender.
  return subject && BODY.test(msg.text.slice(0, 4000));
}

const DELAY = /has not yet been delivered|delivery (has been |is )?delayed|(will|shall) (continue to )?(retry|try)|THIS IS A WARNING MESSAGE ONLY|transient non-fatal errors|still (trying|being retried)|Delivery Status Notification \(Delay\)|not been able to deliver .{0,40} yet|no action is required on your part|delayed mail|temporarily (deferred|unable)/i;
const DELAY_SUBJECT = /delay|warning|not yet delivered|retrying/i;

/** True for warnings about a message still queued (never a final failure, never hard). */
export function isDelayNotice(msg: ParsedMessage): boolean {
  if (/give up|giving up|permanent|I'm not going to try again|have given up|could not be delivered|failed permanently/i.test(msg.subject)) return false;
  return DELAY_SUBJECT.test(msg.subject) ? DELAY.test(msg.text.slice(0, 4000)) || /delay/i.test(msg.subject) : DELAY.test(msg.text.slice(0, 1500));
}
