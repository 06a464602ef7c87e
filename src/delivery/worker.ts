// The delivery worker (a BackgroundService): polls due scheduled campaigns and runs every
// sending campaign. Restart-safe by construction: all state is in the ledger, leases expire.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { AppContext } from '../context.js';
import { startCampaignSend } from '../campaigns/lifecycle.js';
import { CampaignRunner, type RunResult, type RunnerOptions } from './runner.js';
import type { RouteRegistry } from './transports/index.js';
import { routesFor } from './routes.js';
import type { CampaignRow } from './prepare.js';

/** A schedule missed by more than this waits for a human to confirm (POST /send). */
export const MISSED_SCHEDULE_GRACE_MS = 3600_000;

export interface WorkerOptions extends Partial<RunnerOptions> {
  routes?: RouteRegistry;
  pollMs?: number;
}

export class DeliveryWorker {
  readonly name = 'delivery-worker';
  readonly owner: string;
  private readonly routes: RouteRegistry;
  private running: CampaignRunner[] = [];
  private stopped = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;

  constructor(private readonly ctx: AppContext, private readonly opts: WorkerOptions = {}) {
    this.owner = opts.owner ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
    this.routes = opts.routes ?? routesFor(ctx);
  }

  start(): this {
    this.loop = this.runLoop();
    return this;
  }

  private async runLoop(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.tick();
      } catch (err) {
        this.ctx.log.error({ err }, 'delivery tick failed');
      }
      if (this.stopped) break;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, this.opts.pollMs ?? 1000);
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.wake = null;
    }
  }

  /** One pass: start due schedules, then run every sending campaign until it waits or ends. */
  async tick(): Promise<Record<number, RunResult>> {
    await this.startDueSchedules();
    const rows = await this.ctx.db.selectFrom('campaigns').selectAll().where('status', '=', 'sending').orderBy('id').execute();
    const results: Record<number, RunResult> = {};
    await Promise.all(rows.map(async (row) => {
      const c = { ...row, id: Number(row.id), workspace_id: Number(row.workspace_id) } as CampaignRow;
      const runner = new CampaignRunner(this.ctx, c, this.routes.get(null), { ...this.opts, owner: this.owner });
      this.running.push(runner);
      try {
        results[c.id] = await runner.run();
      } catch (err) {
        this.ctx.log.error({ err, campaignId: c.id }, 'campaign run failed');
        await this.pauseOnError(c.id, err as Error);
      } finally {
        this.running = this.running.filter((r) => r !== runner);
      }
    }));
    return results;
  }

  private async pauseOnError(campaignId: number, err: Error): Promise<void> {
    const now = this.ctx.clock.now();
    await this.ctx.db.updateTable('campaigns').set({ status: 'paused', paused_reason: `error: ${err.message}`.slice(0, 500), updated_at: now })
      .where('id', '=', campaignId).where('status', '=', 'sending').execute();
  }

  private async startDueSchedules(): Promise<void> {
    const now = this.ctx.clock.now();
    const due = await this.ctx.db.selectFrom('campaigns').select(['id', 'workspace_id', 'send_at', 'paused_reason'])
      .where('status', '=', 'scheduled').where('send_at', '<=', now).execute();
    for (const c of due) {
      if (c.paused_reason === 'schedule_missed') continue;
      if (now - Number(c.send_at) > MISSED_SCHEDULE_GRACE_MS) {
        // Down for more than an hour past the schedule: do not surprise anyone, wait for confirmation.
        await this.ctx.db.updateTable('campaigns').set({ paused_reason: 'schedule_missed', updated_at: now }).where('id', '=', c.id).execute();
        this.ctx.log.warn({ campaignId: Number(c.id) }, 'schedule missed by more than an hour: waiting for confirmation');
        continue;
      }
      try {
        await startCampaignSend(this.ctx, Number(c.workspace_id), Number(c.id), { fromSchedule: true });
      } catch (err) {
        await this.ctx.db.updateTable('campaigns').set({ paused_reason: `error: ${(err as Error).message}`.slice(0, 500), updated_at: now }).where('id', '=', c.id).execute();
      }
    }
  }

  /** Nudge the loop (e.g. right after a send was started in this process). */
  poke(): void {
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const r of this.running) r.stop();
    this.wake?.();
    await this.loop;
  }
}
