// Inbound SMTP for bounces, FBL reports and mail to the List-Unsubscribe mailto (unsubscribe@ the
// bounce domain): accepts mail only for the bounce domain (never relays), caps the size, and hands
// each message to intake. smtp-server ends DATA only on <CRLF>.<CRLF>, which is the SMTP smuggling
// defence (Postal CVE-2024-27938); tests prove it over a raw socket.
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import type { FeedbackCtx } from './effects.js';
import { ingestRawMessage } from './intake.js';

export interface InboundSmtpOptions {
  port: number;
  host?: string;
  bounceDomain: string | null;
  /** Maximum message size in bytes (default 10 MiB: a bounce carries at most the original). */
  maxBytes?: number;
  /** Extra domains accepted besides the bounce domain (e.g. the FBL address's domain). */
  acceptDomains?: string[];
}

export interface InboundSmtp {
  name: string;
  port: number;
  stop(): Promise<void>;
}

function smtpError(message: string, code: number): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

export async function startInboundSmtp(ctx: FeedbackCtx, opts: InboundSmtpOptions): Promise<InboundSmtp> {
  const maxBytes = opts.maxBytes ?? 10 * 1024 * 1024;
  const domains = new Set([opts.bounceDomain, ...(opts.acceptDomains ?? [])].filter((d): d is string => !!d).map((d) => d.toLowerCase()));
  const log = ctx.log.child({ component: 'inbound-smtp' });
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    size: maxBytes,
    banner: 'Postlane feedback intake',
    logger: false,
    onRcptTo(address, _session, cb) {
      const domain = address.address.split('@').pop()?.toLowerCase() ?? '';
      // Only our own bounce domain: anything else would make this an open relay.
      if (!domains.has(domain)) return cb(smtpError('Relay access denied', 550));
      cb();
    },
    onData(stream: SMTPServerDataStream, session: SMTPServerSession, cb) {
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= maxBytes) chunks.push(c);
      });
      stream.on('end', () => {
        if (stream.sizeExceeded || size > maxBytes) return cb(smtpError('Message size exceeds fixed maximum message size', 552));
        const envelopeTo = session.envelope.rcptTo.map((r) => r.address);
        ingestRawMessage(ctx, { raw: Buffer.concat(chunks), source: 'smtp', envelopeTo, bounceDomain: opts.bounceDomain })
          .then(({ result, outcome, unsubscribe }) => {
            // Unsubscribe requests log themselves (unsubscribe-intake.ts); a rejected token still gets 250:
            // a 5xx would bounce back to the person, who can do nothing better with it.
            if (unsubscribe) return cb(null, 'Unsubscribe request received');
            log.info({ kind: result.kind, recipients: result.recipients.length, ...outcome, suppressed: outcome.suppressed.length }, 'feedback received');
            cb(null, 'Feedback accepted');
          })
          .catch((err: unknown) => {
            log.error({ err }, 'feedback intake failed');
            // 451: the sender keeps the message and retries; dedupe makes the retry safe.
            cb(smtpError('Temporary failure, try again later', 451));
          });
      });
    },
  });
  server.on('error', (err) => log.warn({ err }, 'inbound smtp connection error'));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '0.0.0.0', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  log.info({ port, domains: [...domains] }, 'inbound smtp listening');
  return {
    name: 'inbound-smtp',
    port,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
