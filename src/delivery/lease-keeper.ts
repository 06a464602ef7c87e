// Keeps a worker's leases alive while it still holds the rows: claimed and waiting for a slot, or
// with a message on the wire. Without it a row's lease could run out under a slow server (a reply
// may take up to the socket timeout, as long as the default lease), and another worker would claim
// and send it again while the first attempt was still open.
import type { AppContext } from '../context.js';
import { renewLeases } from './ledger.js';

export class LeaseKeeper {
  private readonly held = new Set<number>();
  private timer: ReturnType<typeof setInterval> | null = null;
  private renewing: Promise<void> | null = null;

  constructor(private readonly ctx: AppContext, private readonly owner: string, private readonly leaseMs: number, private readonly everyMs = Math.max(50, Math.floor(leaseMs / 3))) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.renew(), this.everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.renewing;
  }

  hold(ids: Iterable<number>): void {
    for (const id of ids) this.held.add(id);
  }

  holds(id: number): boolean {
    return this.held.has(id);
  }

  release(id: number): void {
    this.held.delete(id);
  }

  /** Extends every held lease to now + leaseMs (one statement per 500 rows); never throws. */
  renew(): Promise<void> {
    if (this.renewing || this.held.size === 0) return this.renewing ?? Promise.resolve();
    const ids = [...this.held];
    this.renewing = (async () => {
      try {
        for (let i = 0; i < ids.length; i += 500) await renewLeases(this.ctx, this.owner, ids.slice(i, i + 500), this.leaseMs);
      } catch (err) {
        this.ctx.log.warn({ err }, 'could not renew delivery leases');
      } finally {
        this.renewing = null;
      }
    })();
    return this.renewing;
  }
}
