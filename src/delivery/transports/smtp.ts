// Pooled SMTP route over nodemailer 10: one pool per route, TLS/STARTTLS/auth from the URL.
// Messages arrive pre-built (`raw` + envelope), so nodemailer's MailComposer stays off the hot path.
import nodemailer from 'nodemailer';
import { classifyError, sentResult, type SendResult } from '../classify.js';
import type { OutgoingMessage, Transport } from './types.js';

export interface SmtpRouteOptions {
  name?: string;
  /** smtp://user:pass@host:port (STARTTLS when offered) or smtps://… (implicit TLS). */
  url: string;
  maxConnections?: number;
  /** Accept self-signed certificates (tests, private relays). Query `?tls_insecure=1` sets it too. */
  tlsInsecure?: boolean;
  socketTimeoutMs?: number;
}

export function createSmtpTransport(opts: SmtpRouteOptions): Transport {
  const u = new URL(opts.url);
  const secure = u.protocol === 'smtps:';
  const insecure = opts.tlsInsecure ?? u.searchParams.get('tls_insecure') === '1';
  const pool = nodemailer.createTransport({
    pool: true,
    host: u.hostname,
    port: Number(u.port || (secure ? 465 : 25)),
    secure,
    auth: u.username ? { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } : undefined,
    maxConnections: opts.maxConnections ?? 10,
    maxMessages: Infinity,
    // No silent resends inside nodemailer: a connection lost mid-message (maybe after the final
    // dot, RFC 1047) is reported to the ledger, which defers and retries it visibly.
    maxRequeues: 0,
    tls: insecure ? { rejectUnauthorized: false } : undefined,
    socketTimeout: opts.socketTimeoutMs ?? 60_000,
    greetingTimeout: 30_000,
    connectionTimeout: 30_000,
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  return {
    name: opts.name ?? 'default',
    async send(m: OutgoingMessage): Promise<SendResult> {
      try {
        const info = await pool.sendMail({ envelope: { from: m.envelopeFrom, to: [m.envelopeTo] }, raw: m.raw });
        return sentResult(info.response);
      } catch (err) {
        return classifyError(err);
      }
    },
    async close() {
      pool.close();
    },
  };
}
