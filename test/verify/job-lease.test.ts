// Bulk verification jobs under leases (src/jobs/lease.ts), on SQLite and PostgreSQL: two workers
// never run one job at once, a crashed worker's job resumes elsewhere once its lease expires, and
// a worker that lost its lease cannot commit what it was doing.
import { beforeEach, expect, it, vi } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { claimJob, claimNextJob, keepJobLease, releaseJob, renewJobLease } from '../../src/jobs/lease.js';
import { createVerifyJob, getVerifyJob, runVerifyJob, unfinishedVerifyJobs, VERIFY_JOB_LEASE_MS } from '../../src/verify/jobs.js';
import type { MailResolver } from '../../src/verify/mx.js';
import { createTenant, describeEachDb, useTestEnv, type TestContext } from '../helpers/context.js';

/** A DNS stand-in that counts lookups and can hold them (a worker stuck mid-batch, or dead). */
class CountingResolver implements MailResolver {
  calls = 0;
  holding = false;
  private held: Array<() => void> = [];
  private onHeld: (() => void) | null = null;
  readonly firstHeld = new Promise<void>((r) => { this.onHeld = r; });
  async resolveMx(host: string) {
    this.calls++;
    if (this.holding) {
      this.onHeld?.();
      await new Promise<void>((r) => this.held.push(r));
      // What the stale worker learnt differs from the live one's, so a stale write would show.
      throw Object.assign(new Error('queryMx ENOTFOUND'), { code: 'ENOTFOUND' });
    }
    return [{ exchange: `mx.${host}`, priority: 10 }];
  }
  async resolve4() { return ['192.0.2.1']; }
  async resolve6() { return []; }
  release() {
    this.holding = false;
    for (const r of this.held.splice(0)) r();
  }
}

describeEachDb('verify job leases', (dialect) => {
  let ws: number;
  const clock = new ManualClock();
  beforeEach(() => clock.set(Date.UTC(2026, 0, 1)));
  const env = useTestEnv(dialect, { each: true, clock, app: false });
  beforeEach(async () => {
    ws = (await createTenant(env.ctx)).workspace.id;
  });

  /** A worker process: its own verifier (and DNS) over the shared database. */
  const worker = (resolver: MailResolver): TestContext => ({ ...env.ctx, verify: { resolver } });
  const job = (n: number) => createVerifyJob(env.ctx, ws, 'test', Array.from({ length: n }, (_, i) => `u${i}@d${i}.example.org`), { checks: ['syntax', 'dns'], policy: 'deliverable' });
  const total = (v: Record<string, number>) => Object.values(v).reduce((a, b) => a + b, 0);

  it('two workers started on one job at once: exactly one runs it (prevents double processing)', async () => {
    const j = await job(40);
    const [ra, rb] = [new CountingResolver(), new CountingResolver()];
    await Promise.all([runVerifyJob(worker(ra), ws, j.id, { owner: 'A' }), runVerifyJob(worker(rb), ws, j.id, { owner: 'B' })]);
    expect([ra.calls, rb.calls].sort((a, b) => a - b)).toEqual([0, 40]);
    const done = (await getVerifyJob(env.ctx, ws, j.id))!;
    expect(done.status).toBe('succeeded');
    expect(done.progress.processed).toBe(40);
    expect(total(done.progress.verdicts)).toBe(40);
    const row = await env.ctx.db.selectFrom('jobs').select(['lease_owner', 'lease_expires_at']).where('id', '=', j.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ lease_owner: null, lease_expires_at: null });
  });

  it("resumes a crashed worker's job once its lease expires, and the stale worker cannot commit its batch (prevents lost jobs and double counts)", async () => {
    const j = await job(600); // two batches of at most 500
    const stuck = new CountingResolver();
    const original = stuck.resolveMx.bind(stuck);
    // Worker A finishes batch 1, then hangs inside batch 2 (no renewal reaches the clock: as good as dead).
    stuck.resolveMx = async (host: string) => {
      if (stuck.calls >= 500) stuck.holding = true;
      return original(host);
    };
    const a = runVerifyJob(worker(stuck), ws, j.id, { owner: 'A' });
    await stuck.firstHeld;
    expect((await getVerifyJob(env.ctx, ws, j.id))!.progress.processed).toBe(500);
    expect(await unfinishedVerifyJobs(env.ctx)).toEqual([]); // A's lease is live: nobody else may take it

    const fresh = new CountingResolver();
    expect((await runVerifyJob(worker(fresh), ws, j.id, { owner: 'B' })).status).toBe('running'); // still A's
    expect(fresh.calls).toBe(0);
    clock.advance(VERIFY_JOB_LEASE_MS + 1);
    expect(await unfinishedVerifyJobs(env.ctx)).toEqual([{ id: j.id, workspaceId: ws }]);
    const b = await runVerifyJob(worker(fresh), ws, j.id, { owner: 'B' });
    expect(b.status).toBe('succeeded');
    expect(fresh.calls).toBe(100); // only what A had not committed

    stuck.release(); // A wakes up and tries to commit batch 2 under a lease that is now B's
    const late = await a;
    expect(late.status).toBe('succeeded');
    expect(late.progress.processed).toBe(600);
    expect(total(late.progress.verdicts)).toBe(600);
    const verdicts = await env.ctx.db.selectFrom('verify_job_items').select('verdict').where('job_id', '=', j.id).execute();
    expect(verdicts.filter((v) => v.verdict === null || v.verdict === 'undeliverable')).toEqual([]);
    expect(late.progress.verdicts.undeliverable).toBe(0);
  });

  it('a graceful stop gives the lease back at once, so another worker resumes without waiting for expiry', async () => {
    const j = await job(600);
    const ra = new CountingResolver();
    const stop = new AbortController();
    const original = ra.resolveMx.bind(ra);
    ra.resolveMx = async (host: string) => {
      if (ra.calls >= 499) stop.abort(); // shutdown requested during batch 1
      return original(host);
    };
    const a = await runVerifyJob(worker(ra), ws, j.id, { owner: 'A', signal: stop.signal });
    expect([a.status, a.progress.processed]).toEqual(['running', 500]);
    expect(await unfinishedVerifyJobs(env.ctx)).toEqual([{ id: j.id, workspaceId: ws }]);
    const b = await runVerifyJob(worker(new CountingResolver()), ws, j.id, { owner: 'B' });
    expect([b.status, b.progress.processed]).toEqual(['succeeded', 600]);
  });

  it('lease primitives: claim is exclusive while live, renewal fails after a takeover, claimNextJob skips held jobs', async () => {
    const [j1, j2] = [await job(1), await job(1)];
    expect(await claimJob(env.ctx, j1.id, 'A', 1000)).toBe(true);
    expect(await claimJob(env.ctx, j1.id, 'B', 1000)).toBe(false);
    expect(await claimJob(env.ctx, j1.id, 'A', 1000)).toBe(true); // re-entrant for its owner
    expect(await claimNextJob(env.ctx, 'verify', 'B', 1000)).toEqual({ id: j2.id, workspaceId: ws });
    expect(await claimNextJob(env.ctx, 'verify', 'C', 1000)).toBeNull();
    clock.advance(1001);
    expect(await claimNextJob(env.ctx, 'verify', 'C', 1000)).toEqual({ id: j1.id, workspaceId: ws });
    expect(await renewJobLease(env.ctx.db, clock, j1.id, 'A', 1000)).toBe(false);
    expect(await renewJobLease(env.ctx.db, clock, j1.id, 'C', 1000)).toBe(true);
    await releaseJob(env.ctx.db, j1.id, 'A'); // not A's any more: no effect
    expect(await claimJob(env.ctx, j1.id, 'D', 1000)).toBe(false);
    await releaseJob(env.ctx.db, j1.id, 'C');
    expect(await claimJob(env.ctx, j1.id, 'D', 1000)).toBe(true);
  });

  it('keepJobLease renews a running job and notices when the lease was taken over', async () => {
    const j = await job(1);
    expect(await claimJob(env.ctx, j.id, 'A', 150)).toBe(true);
    const keep = keepJobLease(env.ctx, j.id, 'A', 150);
    try {
      clock.advance(10_000); // long past the first expiry: only renewals keep it
      await vi.waitFor(async () => {
        const row = await env.ctx.db.selectFrom('jobs').select('lease_expires_at').where('id', '=', j.id).executeTakeFirstOrThrow();
        expect(Number(row.lease_expires_at)).toBe(clock.now() + 150);
      }, { timeout: 5000, interval: 20 });
      await env.ctx.db.updateTable('jobs').set({ lease_owner: 'B' }).where('id', '=', j.id).execute();
      await vi.waitFor(() => expect(keep.lost).toBe(true), { timeout: 5000, interval: 20 });
    } finally {
      keep.stop();
    }
  });
});
