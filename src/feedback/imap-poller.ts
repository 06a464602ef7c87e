// IMAP mailbox polling (imapflow) for setups where bounces land in a mailbox: each unseen message
// is ingested and then flagged \Seen. A crash between the two re-ingests on the next poll, which
// the dedupe key turns into a no-op; a message that fails to ingest stays unseen for a retry.
import { ImapFlow } from 'imapflow';
import type { FeedbackCtx } from './effects.js';
import { ingestRawMessage } from './intake.js';

/** The part of imapflow's client the poller uses (tests substitute a fake). */
export interface ImapClientLike {
  connect(): Promise<void>;
  getMailboxLock(path: string): Promise<{ release(): void }>;
  search(query: { seen: boolean }, options: { uid: true }): Promise<number[] | false>;
  fetchOne(range: string, query: { source: true }, options: { uid: true }): Promise<{ source?: Buffer } | false>;
  messageFlagsAdd(range: string, flags: string[], options: { uid: true }): Promise<boolean>;
  logout(): Promise<void>;
}

export interface ImapPollOptions {
  mailbox: string;
  bounceDomain: string | null;
  /** Upper bound per poll so one huge backlog cannot starve the process. */
  maxMessages?: number;
}

export interface PollResult {
  processed: number;
  failed: number;
}

export async function pollMailboxOnce(ctx: FeedbackCtx, client: ImapClientLike, opts: ImapPollOptions): Promise<PollResult> {
  const lock = await client.getMailboxLock(opts.mailbox);
  const out: PollResult = { processed: 0, failed: 0 };
  try {
    const uids = (await client.search({ seen: false }, { uid: true })) || [];
    for (const uid of uids.slice(0, opts.maxMessages ?? 500)) {
      try {
        const msg = await client.fetchOne(String(uid), { source: true }, { uid: true });
        if (!msg || !msg.source) continue;
        await ingestRawMessage(ctx, { raw: msg.source, source: 'imap', bounceDomain: opts.bounceDomain });
        await client.messageFlagsAdd(String(uid), ['\\Seen'], { uid: true });
        out.processed++;
      } catch (err) {
        out.failed++;
        ctx.log.error({ err, uid }, 'feedback message from IMAP not ingested; left unseen for the next poll');
      }
    }
  } finally {
    lock.release();
  }
  return out;
}

export interface ImapPollerOptions extends ImapPollOptions {
  /** imap://user:pass@host:port or imaps://… */
  url: string;
  intervalMs?: number;
  /** Delay of the first background poll (default 0: at start). */
  firstPollMs?: number;
  clientFactory?: () => ImapClientLike;
}

export function imapClientFromUrl(url: string): ImapClientLike {
  const u = new URL(url);
  const secure = u.protocol === 'imaps:';
  return new ImapFlow({
    host: u.hostname,
    port: Number(u.port) || (secure ? 993 : 143),
    secure,
    auth: { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) },
    logger: false,
  }) as unknown as ImapClientLike;
}

/** Polls every intervalMs (default 60 s, so feedback acts within a minute); returns a stoppable service. */
export function startImapPoller(ctx: FeedbackCtx, opts: ImapPollerOptions): { name: string; pollNow(): Promise<PollResult>; stop(): Promise<void> } {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let stopped = false;
  let running: Promise<PollResult> | null = null;
  const pollOnce = async (): Promise<PollResult> => {
    const client = (opts.clientFactory ?? (() => imapClientFromUrl(opts.url)))();
    await client.connect();
    try {
      return await pollMailboxOnce(ctx, client, opts);
    } finally {
      await client.logout().catch(() => undefined);
    }
  };
  // One poll at a time: a pollNow() while the background poll runs waits for it, so two sessions
  // never fetch the same unseen messages side by side (intake would dedupe them, after doing the work twice).
  let chain: Promise<unknown> = Promise.resolve();
  const pollNow = (): Promise<PollResult> => {
    const next = chain.then(pollOnce, pollOnce);
    chain = next.catch(() => undefined);
    return next;
  };
  const loop = () => {
    if (stopped) return;
    running = pollNow().catch((err: unknown) => {
      ctx.log.warn({ err }, 'IMAP feedback poll failed');
      return { processed: 0, failed: 0 };
    });
    void running.finally(() => {
      running = null;
      if (!stopped) timer = setTimeout(loop, opts.intervalMs ?? 60_000);
    });
  };
  timer = setTimeout(loop, opts.firstPollMs ?? 0);
  return {
    name: 'imap-feedback-poller',
    pollNow,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
