// Pooled SMTP route over nodemailer 10: one pool per route, TLS/STARTTLS/auth from the URL.
// Messages arrive pre-built (`raw` + envelope) and go straight to the pool: no Mail/MailComposer.
import { domainToASCII } from 'node:url';
import SMTPPool from 'nodemailer/lib/smtp-pool';
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

/** IDN domains go on the wire as A-labels, as nodemailer's own envelope parsing would send them. */
function envelopeAddress(address: string): string {
  const at = address.lastIndexOf('@');
  if (at === -1 || /^[\x20-\x7e]*$/.test(address.slice(at + 1))) return address;
  return `${address.slice(0, at)}@${domainToASCII(address.slice(at + 1)) || address.slice(at + 1)}`;
}

/**
 * The message as the pool consumes it. `sendMail({ raw, envelope })` would wrap every message in
 * a Mail/MailComposer/MimeNode (two randomBytes calls, address parsing, a stream pipeline with
 * abort signals): ~100 µs of main-thread CPU per message that bought nothing for a finished
 * message. The pool reads only these members; smtp-connection takes a string body as it is
 * (dot-stuffing still applies) and re-checks the envelope for CR/LF and angle brackets itself.
 */
function poolMail(m: OutgoingMessage): Parameters<SMTPPool['send']>[0] {
  const from = envelopeAddress(m.envelopeFrom);
  const to = envelopeAddress(m.envelopeTo);
  const mail = {
    data: {},
    message: {
      // A fresh object each time: smtp-connection adds its bookkeeping to the envelope it gets.
      getEnvelope: () => ({ from, to: [to] }),
      messageId: () => '',
      getHeader: () => '',
      createReadStream: () => m.raw,
    },
  };
  return mail as unknown as Parameters<SMTPPool['send']>[0];
}

export function createSmtpTransport(opts: SmtpRouteOptions): Transport {
  const u = new URL(opts.url);
  const secure = u.protocol === 'smtps:';
  const insecure = opts.tlsInsecure ?? u.searchParams.get('tls_insecure') === '1';
  const pool = new SMTPPool({
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
  });
  return {
    name: opts.name ?? 'default',
    send(m: OutgoingMessage): Promise<SendResult> {
      return new Promise((resolve) => {
        pool.send(poolMail(m), (err, info) => resolve(err ? classifyError(err) : sentResult(info?.response)));
      });
    },
    async close() {
      pool.close();
    },
  };
}
