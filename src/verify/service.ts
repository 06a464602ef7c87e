// Background work of verification: runs bulk jobs one at a time under their leases (picking up
// unfinished jobs nobody holds at start and every `jobPollMs`, so a crashed worker's job resumes
// elsewhere) and re-verifies stale cached results on a schedule. Started from main.ts.
import type { AppContext } from '../context.js';
import type { SyntaxPolicy } from './diagnosis.js';
import { verifierFor } from './engine.js';
import { newLeaseOwner } from '../jobs/lease.js';
import { runVerifyJob, unfinishedVerifyJobs } from './jobs.js';
import { listStale } from './store.js';

export class VerifyJobRunner {
  private readonly queue: Array<{ id: number; workspaceId: number }> = [];
  private running: Promise<void> | null = null;
  private stopped = false;
  /** This process's identity on job leases. */
  readonly owner = newLeaseOwner();
  private readonly abort = new AbortController();

  constructor(private readonly ctx: AppContext) {}

  enqueue(id: number, workspaceId: number): void {
    if (this.stopped || this.queue.some((j) => j.id === id)) return;
    this.queue.push({ id, workspaceId });
    this.running ??= this.drain().finally(() => { this.running = null; });
  }

  private async drain(): Promise<void> {
    while (!this.stopped && this.queue.length > 0) {
      const job = this.queue[0]!;
      await runVerifyJob(this.ctx, job.workspaceId, job.id, { owner: this.owner, signal: this.abort.signal }).catch((err: unknown) => this.ctx.log.error({ err, jobId: job.id }, 'verify job crashed'));
      this.queue.shift();
    }
  }

  /** Resolves when the queue is empty (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Stops after the running job's current batch; its lease is released so another worker resumes it. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    await this.idle();
  }
}

const runners = new WeakMap<AppContext, VerifyJobRunner>();

export function jobRunnerFor(ctx: AppContext): VerifyJobRunner {
  let r = runners.get(ctx);
  if (!r) {
    r = new VerifyJobRunner(ctx);
    runners.set(ctx, r);
  }
  return r;
}

/**
 * Re-verifies cached addresses whose result is older than `maxAgeMs`, stalest first, at most
 * `limit` per workspace per run. Returns how many were re-checked.
 */
export async function reverifyStale(ctx: AppContext, opts: { maxAgeMs?: number; limit?: number; workspaceId?: number } = {}): Promise<number> {
  const before = ctx.clock.now() - (opts.maxAgeMs ?? 30 * 86_400_000);
  const verifier = verifierFor(ctx);
  let q = ctx.db.selectFrom('verifications').select('workspace_id').distinct().where('checked_at', '<', before);
  if (opts.workspaceId !== undefined) q = q.where('workspace_id', '=', opts.workspaceId);
  const workspaces = (await q.execute()).map((r) => Number(r.workspace_id));
  let n = 0;
  for (const ws of workspaces) {
    for (const item of await listStale(ctx.db, ws, before, opts.limit ?? 1000)) {
      await verifier.verify(item.email, { checks: item.checks, policy: item.policy as SyntaxPolicy, workspaceId: ws, fresh: true });
      n++;
    }
  }
  return n;
}

export interface VerifyService {
  name: string;
  stop(): Promise<void>;
}

/**
 * Picks up unfinished jobs nobody holds now and every `jobPollMs` (default 30 s: with the 60 s
 * lease, a crashed worker's job resumes within about 90 s), and re-verifies stale results every
 * `intervalMs` (default 1 h).
 */
export function startVerifyService(ctx: AppContext, opts: { intervalMs?: number; jobPollMs?: number } = {}): VerifyService {
  const runner = jobRunnerFor(ctx);
  const pickUp = () => unfinishedVerifyJobs(ctx).then((jobs) => jobs.forEach((j) => runner.enqueue(j.id, j.workspaceId)))
    .catch((err: unknown) => ctx.log.error({ err }, 'cannot resume verify jobs'));
  void pickUp();
  const poll = setInterval(() => void pickUp(), opts.jobPollMs ?? 30_000);
  poll.unref();
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    reverifyStale(ctx).then((n) => { if (n) ctx.log.info({ component: 'verify', reverified: n }, 'stale addresses re-verified'); })
      .catch((err: unknown) => ctx.log.error({ err }, 're-verification failed'))
      .finally(() => { busy = false; });
  }, opts.intervalMs ?? 3_600_000);
  timer.unref();
  return {
    name: 'verify',
    async stop() {
      clearInterval(poll);
      clearInterval(timer);
      await runner.stop();
    },
  };
}
