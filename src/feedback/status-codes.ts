// RFC 3463 enhanced status codes → reason, plus the helpers that pull a status code and an SMTP
// reply code out of free diagnostic text. Stops at codes: text refinement lives in text-patterns.ts.
import type { Reason } from './types.js';

/** Subject.detail → reason, applied to both 4.x.x and 5.x.x (the class decides hard/soft, not the reason). */
const DETAIL_REASON: Record<string, Reason> = {
  '0.0': 'undefined',
  '1.0': 'rejected', '1.1': 'user_unknown', '1.2': 'host_unknown', '1.3': 'user_unknown', '1.4': 'user_unknown',
  '1.6': 'has_moved', '1.7': 'rejected', '1.8': 'rejected', '1.9': 'system_error', '1.10': 'not_accept',
  '2.0': 'filtered', '2.1': 'suspend', '2.2': 'mailbox_full', '2.3': 'exceed_limit', '2.4': 'system_error',
  '3.0': 'system_error', '3.1': 'system_full', '3.2': 'not_accept', '3.3': 'system_error', '3.4': 'mesg_too_big',
  '3.5': 'system_error',
  '4.0': 'network_error', '4.1': 'network_error', '4.2': 'network_error', '4.3': 'system_error',
  '4.4': 'host_unknown', '4.5': 'network_error', '4.6': 'network_error', '4.7': 'expired',
  '5.0': 'syntax_error', '5.1': 'syntax_error', '5.2': 'syntax_error', '5.3': 'exceed_limit', '5.4': 'syntax_error',
  '5.5': 'syntax_error', '5.6': 'syntax_error',
  '6.0': 'content_error', '6.1': 'content_error', '6.2': 'content_error', '6.3': 'content_error',
  '6.4': 'content_error', '6.5': 'content_error', '6.6': 'content_error', '6.7': 'content_error',
  '7.0': 'security_error', '7.1': 'security_error', '7.2': 'security_error', '7.3': 'security_error',
  '7.4': 'security_error', '7.5': 'security_error', '7.6': 'security_error', '7.7': 'security_error',
  '7.8': 'security_error', '7.9': 'security_error', '7.10': 'failed_starttls', '7.11': 'failed_starttls',
  '7.12': 'security_error', '7.13': 'suspend', '7.14': 'security_error', '7.15': 'security_error',
  '7.16': 'security_error', '7.17': 'security_error', '7.18': 'security_error', '7.19': 'security_error',
  '7.20': 'auth_failure', '7.21': 'auth_failure', '7.22': 'auth_failure', '7.23': 'auth_failure',
  '7.24': 'auth_failure', '7.25': 'require_ptr', '7.26': 'auth_failure', '7.27': 'not_accept',
};

/**
 * Codes precise enough that diagnostic text must not override them (a 5.1.1 is a dead mailbox
 * whatever words the remote put around it). Everything else is refined by text first.
 */
const TRUSTED_DETAILS = new Set([
  '1.1', '1.2', '1.3', '1.6', '2.2', '2.3', '3.4', '4.4', '4.7', '7.13',
  '7.20', '7.21', '7.22', '7.23', '7.24', '7.25', '7.26', '7.27',
]);

export function reasonForStatus(status: string | null): Reason | null {
  if (!status) return null;
  if (status.startsWith('2.')) return 'delivered';
  const detail = status.slice(2);
  return DETAIL_REASON[detail] ?? null;
}

export function isTrustedStatus(status: string | null): boolean {
  return status !== null && status.length > 2 && TRUSTED_DETAILS.has(status.slice(2));
}

// A status like 4.16.55.1 (Yahoo's internal code) or an IP address must not read as 4.16.55.
const STATUS_AFTER_REPLY = /(?<![\d.])([245])\d\d[ -]+#?([245]\.\d{1,3}\.\d{1,3})(?![\d.]*\d)/;
const STATUS_ANY = /(?<![\d.])([245]\.[0-7]\.\d{1,3})(?![\d.]*\d)/;
const REPLY_CODE = /(?:^|[\s;:'"(#[])([245][0-5]\d)(?=[\s\-'":\])]|$)/;

/** The enhanced status code quoted in a diagnostic text, preferring one that follows a reply code. */
export function statusFromText(text: string): string | null {
  const a = STATUS_AFTER_REPLY.exec(text);
  if (a) return a[2]!;
  const b = STATUS_ANY.exec(text);
  return b ? b[1]! : null;
}

export function replyCodeFromText(text: string): number | null {
  const m = REPLY_CODE.exec(text);
  return m ? Number(m[1]) : null;
}

/** "5.1.1" or "5.1.1 (text)" → "5.1.1"; rejects anything not shaped like an RFC 3463 code. */
export function normaliseStatus(value: string | null | undefined): string | null {
  if (!value) return null;
  const m = /^\s*([245])\.(\d{1,3})\.(\d{1,3})\b/.exec(value);
  return m ? `${m[1]}.${Number(m[2])}.${Number(m[3])}` : null;
}
