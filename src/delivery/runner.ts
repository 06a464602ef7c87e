// The send loop for one campaign: lease a batch, re-check recipients, then per message
// render → MIME → DKIM → route under throttles → durable outcome. Stops at the ledger.
import type { AppContext } from '../context.js';
import { DEFAULT_MAX_DEFER_AGE_MS, retryDelayMs, type SendResult } from './classify.js';
import { claimBatch, hasPendingDeliveries, releaseLeases, type ClaimedDelivery, type DeliveryOutcome } from './ledger.js';
import { LeaseKeeper } from './lease-keeper.js';
import { inFlightOf } from './metrics.js';
import { OutcomeWriter } from './outcome-writer.js';
import { assembleMessage, prepareCampaign, type CampaignRow, type PreparedCampaign, type RecipientContact } from './prepare.js';
import { loadBatchRecipients } from './recipients.js';
import { Semaphore } from './throttle.js';
import { rateLimitsFor, type RateLimiter } from './rate-limit.js';
import type { Route } from './transports/index.js';

export interface RunnerOptions {
  owner: string;
  batchSize?: number;
  leaseMs?: number;
  maxDeferAgeMs?: number;
  /** How often (ms) the loop re-reads the campaign status to honour pause/cancel mid-batch. */
  statusCheckMs?: number;
  /** How often (ms) the leases of rows still held are extended (default: a third of the lease). */
  leaseRenewMs?: number;
}

export type RunResult = 'finished' | 'waiting' | 'stopped' | 'not_sending';

/** Route-level throttles are shared by every campaign on that route in this process. */
const routeGates = new WeakMap<Route, { sem: Semaphore; pacer: RateLimiter }>();
function gateOf(ctx: AppContext, route: Route) {
  let g = routeGates.get(route);
  if (!g) {
    g = { sem: new Semaphore(route.concurrency), pacer: rateLimitsFor(ctx).limiter(`route:${route.name}`, route.rateLimit) };
    routeGates.set(route, g);
  }
  return g;
}

export class CampaignRunner {
  private prepared: PreparedCampaign | null = null;
  private readonly writer: OutcomeWriter;
  private readonly pacer: RateLimiter;
  private readonly batchSize: number;
  private readonly leaseMs: number;
  private lastStatusCheck = 0;
  private stopRequested = false;
  /** Messages (and skip outcomes) started but not yet durable; bounded by the route's semaphore. */
  private readonly inFlight = new Set<Promise<void>>();
  /** A message's outcome write failed (the database): the run stops and the error surfaces. */
  private failure: unknown = null;
  /**
   * The rows this run still works on (a message on its way, a skip being recorded), their leases
   * kept alive. A claim can return one of them again when its lease ran out meanwhile (a server
   * that takes longer than the lease to answer): it must not be sent twice.
   */
  private readonly leases: LeaseKeeper;
  /** This route's in-flight count for /metrics (delivery/metrics.ts). */
  private readonly inFlightCount: { n: number };

  constructor(private readonly ctx: AppContext, private readonly row: CampaignRow, private readonly route: Route, private readonly opts: RunnerOptions) {
    this.writer = new OutcomeWriter(ctx, opts.owner, route.name);
    this.inFlightCount = inFlightOf(route.name);
    this.pacer = rateLimitsFor(ctx).limiter(`campaign:${row.workspace_id}:${row.id}`, row.rate_limit);
    this.leaseMs = opts.leaseMs ?? 60_000;
    // Rate-limited campaigns take smaller batches so a batch finishes well inside its lease.
    const byRate = row.rate_limit ? Math.max(1, Math.floor((row.rate_limit * this.leaseMs) / 3000)) : Infinity;
    this.batchSize = Math.min(opts.batchSize ?? 500, byRate);
    this.leases = new LeaseKeeper(ctx, opts.owner, this.leaseMs, opts.leaseRenewMs);
  }

  stop(): void {
    this.stopRequested = true;
  }

  /** Sends until no due rows remain, the campaign is paused/cancelled, or stop() is called. */
  async run(): Promise<RunResult> {
    if (!(await this.stillSending())) return 'not_sending';
    this.prepared ??= await prepareCampaign(this.ctx, this.row);
    this.leases.start();
    try {
      for (;;) {
        if (this.failure) throw this.failure;
        if (this.stopRequested || !(await this.stillSending())) return 'stopped';
        // The next batch is claimed while the previous one's last messages are still in flight
        // (their rows keep their leases, so they are never claimed twice): waiting for a batch to
        // drain before claiming the next left both cores idle at every batch boundary.
        const batch = await claimBatch(this.ctx, this.row.id, this.opts.owner, this.batchSize, this.leaseMs);
        if (batch.length === 0) {
          if (this.inFlight.size) {
            // Outcomes still owed: once they are durable, deferred rows may be due again.
            await this.settleInFlight();
            continue;
          }
          if (await hasPendingDeliveries(this.ctx, this.row.id)) return 'waiting';
          await this.finish();
          return 'finished';
        }
        if (!(await this.sendBatch(this.prepared, batch))) return 'stopped';
      }
    } finally {
      try {
        await this.settleInFlight();
      } finally {
        await this.leases.stop();
      }
    }
  }

  private track(p: Promise<void>): void {
    const settled: Promise<void> = p.then(
      () => { this.inFlight.delete(settled); },
      (err: unknown) => { this.inFlight.delete(settled); this.failure ??= err; },
    );
    this.inFlight.add(settled);
  }

  /** Waits for every started message; rethrows the first failed outcome write. */
  private async settleInFlight(): Promise<void> {
    while (this.inFlight.size) await Promise.all(this.inFlight);
    if (this.failure) throw this.failure;
  }

  /** Whether the send loop should re-read the campaign's status (at most every statusCheckMs). */
  private statusCheckDue(): boolean {
    return performance.now() - this.lastStatusCheck >= (this.opts.statusCheckMs ?? 500);
  }

  /** Reads the campaign's status now: false once it is paused, cancelled or otherwise not sending. */
  private async stillSending(): Promise<boolean> {
    this.lastStatusCheck = performance.now();
    const r = await this.ctx.db.selectFrom('campaigns').select('status').where('id', '=', this.row.id).executeTakeFirst();
    return r?.status === 'sending';
  }

  /** finished only when every eligible row has a final status (sent + failed + skipped = eligible). */
  private async finish(): Promise<void> {
    const now = this.ctx.clock.now();
    await this.ctx.db.updateTable('campaigns').set({ status: 'finished', finished_at: now, updated_at: now })
      .where('id', '=', this.row.id).where('status', '=', 'sending').execute();
    this.ctx.log.info({ campaignId: this.row.id }, 'campaign finished');
  }

  /**
   * Starts every message of the batch (under the route's and the campaign's throttles) without
   * waiting for the last ones to finish; false when it stopped early (pause, cancel, stop()).
   */
  private async sendBatch(p: PreparedCampaign, batch: ClaimedDelivery[]): Promise<boolean> {
    // Rows still held came back because their lease ran out: the claim just renewed it, and the
    // message already on its way (or the skip being written) records the outcome.
    const fresh = batch.filter((d) => !this.leases.holds(d.id));
    this.leases.hold(fresh.map((d) => d.id));
    if (fresh.length === 0) return true;
    const { send, skip } = await loadBatchRecipients(this.ctx, p, fresh);
    const now = this.ctx.clock.now();
    for (const s of skip) this.track(this.writer.write(outcome(s.delivery.id, 'skipped', now, { skipReason: s.reason })).then(() => this.leases.release(s.delivery.id)));
    const gate = gateOf(this.ctx, this.route);
    let i = 0;
    for (; i < send.length; i++) {
      // Each await costs a turn of the microtask queue: only those that can wait are awaited.
      if (this.stopRequested || (this.statusCheckDue() && !(await this.stillSending()))) break;
      if (!gate.sem.tryAcquire()) await gate.sem.acquire();
      if (!this.pacer.unlimited) await this.pacer.wait();
      if (!gate.pacer.unlimited) await gate.pacer.wait();
      const item = send[i] as { delivery: ClaimedDelivery; contact: RecipientContact };
      this.inFlightCount.n++;
      this.track(this.sendOne(p, item.delivery, item.contact).finally(() => {
        this.inFlightCount.n--;
        this.leases.release(item.delivery.id);
        gate.sem.release();
      }));
    }
    if (i === send.length) return true;
    // Paused/cancelled/stopping mid-batch: hand the untouched rows back at once.
    const untouched = send.slice(i).map((s) => s.delivery.id);
    for (const id of untouched) this.leases.release(id);
    await releaseLeases(this.ctx, this.opts.owner, untouched);
    return false;
  }

  /** One message; resolves only once its outcome is committed (see OutcomeWriter). */
  private async sendOne(p: PreparedCampaign, d: ClaimedDelivery, contact: RecipientContact): Promise<void> {
    let result: SendResult;
    let messageId: string | null = null;
    try {
      const started = await this.startSend(p, d, contact);
      messageId = started.messageId;
      result = await started.reply;
    } catch (err) {
      // A render/build failure is ours, not the recipient's: fail the row with the reason. A
      // transient one (a signer thread that died) defers it like a dropped connection would.
      this.ctx.log.error({ err, campaignId: p.campaignId, deliveryId: d.id }, 'message assembly failed');
      const outcome = (err as { transient?: boolean }).transient === true ? 'deferred' : 'failed';
      result = { outcome, code: null, enhanced: null, response: `local error: ${(err as Error).message}`.slice(0, 1000) };
    }
    await this.writer.write(this.toOutcome(d, result, messageId));
  }

  /**
   * Assembles the message and hands it to the transport. Its own frame, so the message's bytes are
   * not kept alive by sendOne while it waits for the server's reply and for the group commit.
   */
  private async startSend(p: PreparedCampaign, d: ClaimedDelivery, contact: RecipientContact): Promise<{ reply: Promise<SendResult>; messageId: string }> {
    const msg = await assembleMessage(this.ctx, p, d.id, contact);
    const reply = this.route.transport.send({
      workspaceId: p.workspaceId, campaignId: p.campaignId, deliveryId: d.id,
      envelopeFrom: msg.envelopeFrom, envelopeTo: contact.email, subject: msg.subject, raw: msg.raw,
    });
    return { reply, messageId: msg.messageId };
  }

  private toOutcome(d: ClaimedDelivery, r: SendResult, messageId: string | null): DeliveryOutcome {
    const now = this.ctx.clock.now();
    const extra = { smtpCode: r.code, smtpResponse: r.response, messageId };
    if (r.outcome === 'sent') return outcome(d.id, 'sent', now, { ...extra, sentAt: now });
    if (r.outcome === 'failed') return outcome(d.id, 'failed', now, extra);
    const firstAt = d.first_attempt_at ?? now;
    if (now - firstAt >= (this.opts.maxDeferAgeMs ?? DEFAULT_MAX_DEFER_AGE_MS)) {
      return outcome(d.id, 'failed', now, { ...extra, smtpResponse: `gave up after ${d.attempts + 1} attempts: ${r.response}`.slice(0, 1000) });
    }
    return outcome(d.id, 'deferred', now + retryDelayMs(d.attempts + 1), extra);
  }
}

function outcome(id: number, status: DeliveryOutcome['status'], nextAttemptAt: number, o: Partial<DeliveryOutcome> = {}): DeliveryOutcome {
  return {
    id, status, attempted: status !== 'skipped', smtpCode: null, smtpResponse: null, messageId: null,
    skipReason: null, sentAt: null, ...o, nextAttemptAt,
  };
}
