// Leases on rows of the shared `jobs` table, so several worker processes (PostgreSQL) can share
// background jobs: a worker owns a job while its lease is live, renews it while working, and any
// worker may take it over once it has expired (its owner crashed). The same rule as the delivery
// ledger's batch leases: owner + expiry written by compare-and-set, no lock held across the work.
// Stops at ownership: what a job does, and writing its progress under the lease, is the caller's.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { sql, type Transaction } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/index.js';
import type { DB } from '../db/types.js';
import type { Dialect } from '../db/dialect.js';

/** Statuses of a job that still has work to do. */
export const UNFINISHED_JOB_STATUSES = ['queued', 'running'] as const;

/** A worker identity unique across machines and restarts: host, pid and a random suffix. */
export function newLeaseOwner(): string {
  return `${hostname().slice(0, 60)}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

export interface LeaseCtx {
  db: Database;
  clock: Clock;
  dialect: Dialect;
}

/**
 * Takes the lease of one job if it is unfinished and free, expired, or already ours. On
 * PostgreSQL two concurrent claims serialise on the row and the second re-reads the predicate
 * after the first commits (READ COMMITTED), so it sees a live lease and fails: one winner.
 */
export async function claimJob(ctx: LeaseCtx, jobId: number, owner: string, leaseMs: number): Promise<boolean> {
  const now = ctx.clock.now();
  const r = await ctx.db.updateTable('jobs').set({ lease_owner: owner, lease_expires_at: now + leaseMs })
    .where('id', '=', jobId).where('status', 'in', [...UNFINISHED_JOB_STATUSES])
    .where((eb) => eb.or([eb('lease_owner', 'is', null), eb('lease_expires_at', '<', now), eb('lease_owner', '=', owner)]))
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/**
 * Takes the oldest unfinished job of `kind` that nobody holds. SKIP LOCKED lets workers that
 * poll at the same moment pass over a row another is claiming instead of queueing behind it.
 */
export async function claimNextJob(ctx: LeaseCtx, kind: string, owner: string, leaseMs: number): Promise<{ id: number; workspaceId: number } | null> {
  const now = ctx.clock.now();
  const lock = ctx.dialect === 'postgres' ? sql`FOR UPDATE SKIP LOCKED` : sql``;
  // The outer predicate repeats the free-lease test: under READ COMMITTED it is re-checked on the row.
  const res = await sql<{ id: number; workspace_id: number }>`UPDATE jobs SET lease_owner = ${owner}, lease_expires_at = ${now + leaseMs}
    WHERE id = (SELECT id FROM jobs WHERE kind = ${kind} AND status IN ('queued', 'running')
                AND (lease_owner IS NULL OR lease_expires_at < ${now}) ORDER BY id LIMIT 1 ${lock})
      AND (lease_owner IS NULL OR lease_expires_at < ${now})
    RETURNING id, workspace_id`.execute(ctx.db);
  const row = res.rows[0];
  return row ? { id: Number(row.id), workspaceId: Number(row.workspace_id) } : null;
}

/** Extends our lease; false when it is no longer ours (taken over after expiring): stop working. */
export async function renewJobLease(db: Database | Transaction<DB>, clock: Clock, jobId: number, owner: string, leaseMs: number): Promise<boolean> {
  const r = await db.updateTable('jobs').set({ lease_expires_at: clock.now() + leaseMs })
    .where('id', '=', jobId).where('lease_owner', '=', owner).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Gives the job back (finished, or stopping before it is done) if we still hold it. */
export async function releaseJob(db: Database, jobId: number, owner: string): Promise<void> {
  await db.updateTable('jobs').set({ lease_owner: null, lease_expires_at: null }).where('id', '=', jobId).where('lease_owner', '=', owner).execute();
}

/**
 * Keeps a lease alive while a job runs: renews every `leaseMs / 3` (a renewal can fail twice
 * before the lease runs out). `lost` turns true once the lease belongs to someone else.
 */
export function keepJobLease(ctx: LeaseCtx, jobId: number, owner: string, leaseMs: number, log?: { warn(o: object, m: string): void }): { readonly lost: boolean; stop(): void } {
  let lost = false;
  const timer = setInterval(() => {
    renewJobLease(ctx.db, ctx.clock, jobId, owner, leaseMs)
      .then((ok) => {
        if (ok) return;
        lost = true;
        clearInterval(timer);
      })
      .catch((err: unknown) => log?.warn({ err, jobId }, 'job lease renewal failed; retrying'));
  }, Math.max(50, Math.floor(leaseMs / 3)));
  timer.unref();
  return {
    get lost() { return lost; },
    stop: () => clearInterval(timer),
  };
}
