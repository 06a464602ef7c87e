// The bootstrap configuration: what a process needs before it can reach its database.
// Everything an admin edits later lives in the database. Sources: defaults < file < env.

export type ProcessRole = 'all' | 'web' | 'worker' | 'smtp';

export interface Config {
  port: number;
  host: string;
  publicUrl: string;
  dataDir: string;
  databaseUrl: string; // sqlite:<path> or postgres://…
  logLevel: string;
  /** Overrides the instance secret stored in the database (HMAC tokens, encryption at rest). */
  secret: string | null;
  role: ProcessRole;
  smtpUrl: string | null;
  dkimDomain: string | null;
  dkimSelector: string;
  dkimKeyFile: string | null;
  postalAddress: string | null;
  bounceDomain: string | null;
  inboundSmtpPort: number;
  /** DKIM signer threads; null: one per core beyond the first, plus one while those are saturated. */
  dkimThreads: number | null;
  /** Port of a plain /metrics listener (on `host`) for processes without the HTTP app (roles worker, smtp). */
  metricsPort: number | null;
  redisUrl: string | null;
  /** Trust X-Forwarded-* from a reverse proxy (needed for Secure cookies behind HTTPS termination). */
  trustProxy: boolean;
  /** ESP feedback webhooks: a provider's endpoint refuses everything until its secret is set. */
  sesTopicArns: string[];
  sendgridWebhookPublicKey: string | null;
  mailgunSigningKey: string | null;
  /** "user:password" expected in the Basic authorization Postmark sends. */
  postmarkWebhookAuth: string | null;
  /** Mailbox polled for bounces: imap(s)://user:pass@host[:port][/MAILBOX] (default mailbox INBOX). */
  feedbackImapUrl: string | null;
  /** Allow the SMTP mailbox probe (off: it can hurt this host's IP reputation). */
  verifySmtp: boolean;
  /** EHLO name and MAIL FROM address of the SMTP probe. */
  verifySmtpHelo: string | null;
  verifySmtpFrom: string | null;
  /** DNS servers for verification lookups (comma-separated host[:port]); default: the system's. */
  verifyDnsServers: string | null;
  /** Minutes after which an unused browser session ends; null: only the 7-day expiry applies. */
  sessionIdleMinutes: number | null;
}

/** One entry per key: the env var names that set it (first wins) and how to parse it. */
export interface KeySpec {
  env: string[];
  parse: (raw: string) => { value: unknown } | { error: string };
}

const int = (min: number, max: number) => (raw: string) => {
  const n = Number(raw);
  return Number.isInteger(n) && n >= min && n <= max ? { value: n } : { error: `must be an integer between ${min} and ${max}` };
};
const nonEmpty = (raw: string) => (raw.trim() === '' ? { error: 'must not be empty' } : { value: raw.trim() });
const url = (protocols: string[]) => (raw: string) => {
  try {
    const u = new URL(raw);
    return protocols.includes(u.protocol) ? { value: raw } : { error: `must be a URL with protocol ${protocols.join(' or ')}` };
  } catch {
    return { error: 'must be a valid URL' };
  }
};
const bool = (raw: string) =>
  /^(1|true|yes|on)$/i.test(raw) ? { value: true } : /^(0|false|no|off)$/i.test(raw) ? { value: false } : { error: 'must be true or false' };
const hostname = (raw: string) =>
  /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/i.test(raw)
    ? { value: raw.toLowerCase() }
    : { error: 'must be a domain name' };

export const KEY_SPECS: Record<keyof Config, KeySpec> = {
  port: { env: ['PORT', 'POSTLANE_PORT'], parse: int(0, 65535) },
  host: { env: ['POSTLANE_HOST'], parse: nonEmpty },
  publicUrl: { env: ['PUBLIC_URL', 'POSTLANE_PUBLIC_URL'], parse: url(['http:', 'https:']) },
  dataDir: { env: ['POSTLANE_DATA_DIR'], parse: nonEmpty },
  databaseUrl: {
    env: ['DATABASE_URL', 'POSTLANE_DATABASE_URL'],
    parse: (raw) =>
      /^(postgres|postgresql):\/\//.test(raw) || /^sqlite:/.test(raw)
        ? { value: raw }
        : { error: 'must be postgres://… or sqlite:<path>' },
  },
  logLevel: {
    env: ['POSTLANE_LOG_LEVEL', 'LOG_LEVEL'],
    parse: (raw) =>
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(raw) ? { value: raw } : { error: 'must be one of fatal, error, warn, info, debug, trace, silent' },
  },
  secret: { env: ['POSTLANE_SECRET'], parse: (raw) => (raw.length >= 32 ? { value: raw } : { error: 'must be at least 32 characters' }) },
  role: {
    env: ['POSTLANE_ROLE'],
    parse: (raw) => (['all', 'web', 'worker', 'smtp'].includes(raw) ? { value: raw } : { error: 'must be all, web, worker or smtp' }),
  },
  smtpUrl: { env: ['POSTLANE_SMTP_URL'], parse: url(['smtp:', 'smtps:']) },
  dkimDomain: { env: ['POSTLANE_DKIM_DOMAIN'], parse: hostname },
  dkimSelector: { env: ['POSTLANE_DKIM_SELECTOR'], parse: (raw) => (/^[a-z0-9][a-z0-9._-]*$/i.test(raw) ? { value: raw } : { error: 'must be a DNS label' }) },
  dkimKeyFile: { env: ['POSTLANE_DKIM_KEY_FILE'], parse: nonEmpty },
  postalAddress: { env: ['POSTLANE_POSTAL_ADDRESS'], parse: nonEmpty },
  bounceDomain: { env: ['POSTLANE_BOUNCE_DOMAIN'], parse: hostname },
  inboundSmtpPort: { env: ['POSTLANE_INBOUND_SMTP_PORT'], parse: int(0, 65535) },
  metricsPort: { env: ['POSTLANE_METRICS_PORT'], parse: int(0, 65535) },
  dkimThreads: { env: ['POSTLANE_DKIM_THREADS'], parse: int(1, 16) },
  redisUrl: { env: ['REDIS_URL', 'POSTLANE_REDIS_URL'], parse: url(['redis:', 'rediss:']) },
  trustProxy: { env: ['POSTLANE_TRUST_PROXY'], parse: bool },
  sesTopicArns: { env: ['POSTLANE_SES_TOPIC_ARNS'], parse: (raw) => ({ value: raw.split(',').map((s) => s.trim()).filter(Boolean) }) },
  sendgridWebhookPublicKey: { env: ['POSTLANE_SENDGRID_WEBHOOK_KEY'], parse: nonEmpty },
  mailgunSigningKey: { env: ['POSTLANE_MAILGUN_SIGNING_KEY'], parse: nonEmpty },
  feedbackImapUrl: { env: ['POSTLANE_FEEDBACK_IMAP_URL'], parse: url(['imap:', 'imaps:']) },
  postmarkWebhookAuth: { env: ['POSTLANE_POSTMARK_WEBHOOK_AUTH'], parse: (raw) => (raw.includes(':') && raw.length >= 12 ? { value: raw } : { error: 'must be user:password, at least 12 characters' }) },
  verifySmtp: { env: ['POSTLANE_VERIFY_SMTP'], parse: bool },
  verifySmtpHelo: { env: ['POSTLANE_VERIFY_SMTP_HELO'], parse: hostname },
  verifySmtpFrom: {
    env: ['POSTLANE_VERIFY_SMTP_FROM'],
    parse: (raw) => (/^[^\s<>@]+@[^\s<>@]+$/.test(raw) ? { value: raw } : { error: 'must be an email address' }),
  },
  verifyDnsServers: {
    env: ['POSTLANE_VERIFY_DNS_SERVERS'],
    parse: (raw) => (/^[0-9a-f.:[\]]+(,[0-9a-f.:[\]]+)*$/i.test(raw.replace(/\s/g, '')) ? { value: raw.replace(/\s/g, '') } : { error: 'must be a comma-separated list of IP[:port]' }),
  },
  // At least 5 minutes: last_seen_at moves once a minute, so shorter would end sessions in use.
  sessionIdleMinutes: { env: ['POSTLANE_SESSION_IDLE_MINUTES'], parse: int(5, 7 * 24 * 60) },
};

export function defaultConfig(): Omit<Config, 'publicUrl' | 'databaseUrl'> {
  return {
    port: 8080,
    host: '127.0.0.1',
    dataDir: './data',
    logLevel: 'info',
    secret: null,
    role: 'all',
    smtpUrl: null,
    dkimDomain: null,
    dkimSelector: 'postlane',
    dkimKeyFile: null,
    postalAddress: null,
    bounceDomain: null,
    inboundSmtpPort: 2526,
    metricsPort: null,
    dkimThreads: null,
    redisUrl: null,
    trustProxy: false,
    sesTopicArns: [],
    sendgridWebhookPublicKey: null,
    mailgunSigningKey: null,
    postmarkWebhookAuth: null,
    feedbackImapUrl: null,
    verifySmtp: false,
    verifySmtpHelo: null,
    verifySmtpFrom: null,
    verifyDnsServers: null,
    sessionIdleMinutes: null,
  };
}
