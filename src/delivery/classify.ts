// SMTP outcome classification and retry timing: 2xx sent, 5xx failed, everything else
// (4xx, timeouts, dropped links, a lost final reply) deferred. It stops at the decision.

export type Outcome = 'sent' | 'deferred' | 'failed';

export interface SendResult {
  outcome: Outcome;
  /** SMTP reply code when the server gave one. */
  code: number | null;
  /** Enhanced status code (RFC 3463, e.g. 5.1.1) when present. */
  enhanced: string | null;
  /** The server's reply text, or the local error (lost connection, timeout). */
  response: string;
}

const ENHANCED = /\b([245]\.\d{1,3}\.\d{1,3})\b/;

/** Classifies a transport error. Without a reply code it is a local/network failure: retry. */
export function classifyError(err: unknown): SendResult {
  const e = err as { responseCode?: number; response?: string; message?: string; code?: string };
  const code = typeof e.responseCode === 'number' ? e.responseCode : null;
  const response = String(e.response ?? e.message ?? 'unknown error').slice(0, 1000);
  const enhanced = ENHANCED.exec(response)?.[1] ?? null;
  // RFC 5321: 5yz is permanent; 421/4yz and anything without a reply (RFC 1047 lost reply) is transient.
  const outcome: Outcome = code !== null && code >= 500 && code < 600 ? 'failed' : 'deferred';
  return { outcome, code, enhanced, response: code === null && e.code ? `${e.code}: ${response}` : response };
}

export function sentResult(response: string | undefined): SendResult {
  const r = String(response ?? '250 OK').slice(0, 1000);
  const code = Number(/^(\d{3})/.exec(r)?.[1] ?? 250);
  return { outcome: 'sent', code, enhanced: ENHANCED.exec(r)?.[1] ?? null, response: r };
}

/** Default give-up age for deferred messages (Postfix uses 5 days; RFC 5321 says 4–5). */
export const DEFAULT_MAX_DEFER_AGE_MS = 3 * 24 * 3600_000;

/** Back-off before the next attempt: 5 min, 10, 20, 40 … capped at 4 h. */
export function retryDelayMs(attempts: number): number {
  return Math.min(5 * 60_000 * 2 ** Math.max(0, attempts - 1), 4 * 3600_000);
}
