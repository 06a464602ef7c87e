// Sign-in rate limiting: failed attempts are rows in the database (not process memory), so the
// limit holds across restarts and across every web process sharing the database. Two buckets:
// per email (stops guessing one account's password) and per IP (stops spraying many accounts).
import type { Clock } from '../clock.js';
import type { Database } from '../db/index.js';
import { AppError } from '../errors.js';
import { sha256Hex } from '../lib/crypto.js';

export interface LoginLimits {
  windowMs: number;
  perEmail: number;
  perIp: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = { windowMs: 15 * 60_000, perEmail: 5, perIp: 20 };

type Bucket = { scope: 'ip' | 'email'; key: string; max: number };

function buckets(limits: LoginLimits, ip: string | null, email: string | null): Bucket[] {
  const out: Bucket[] = [];
  if (email) out.push({ scope: 'email', key: sha256Hex(email.trim().toLowerCase()), max: limits.perEmail });
  if (ip) out.push({ scope: 'ip', key: ip, max: limits.perIp });
  return out;
}

/**
 * Throws rate_limited (with retry_after seconds) when either bucket is full. Checked before
 * the password, so a locked-out guesser learns nothing even when a guess is right.
 */
export async function assertLoginAllowed(
  db: Database, clock: Clock, who: { ip: string | null; email: string | null }, limits = DEFAULT_LOGIN_LIMITS,
): Promise<void> {
  const now = clock.now();
  const since = now - limits.windowMs;
  for (const b of buckets(limits, who.ip, who.email)) {
    const rows = await db
      .selectFrom('login_failures')
      .select('created_at')
      .where('scope', '=', b.scope)
      .where('key', '=', b.key)
      .where('created_at', '>', since)
      .orderBy('created_at', 'desc')
      .limit(b.max)
      .execute();
    if (rows.length >= b.max) {
      // The bucket frees a slot when the oldest of the last `max` failures leaves the window.
      const oldest = Number(rows[rows.length - 1]?.created_at ?? now);
      const retryAfter = Math.max(1, Math.ceil((oldest + limits.windowMs - now) / 1000));
      throw new AppError('rate_limited', `too many failed sign-ins ${b.scope === 'ip' ? 'from this address' : 'for this account'}; try again in ${Math.ceil(retryAfter / 60)} minute(s)`, { retry_after: retryAfter, scope: b.scope });
    }
  }
}

export async function recordLoginFailure(
  db: Database, clock: Clock, who: { ip: string | null; email: string | null }, limits = DEFAULT_LOGIN_LIMITS,
): Promise<void> {
  const now = clock.now();
  const rows = buckets(limits, who.ip, who.email).map((b) => ({ scope: b.scope, key: b.key, created_at: now }));
  if (rows.length) await db.insertInto('login_failures').values(rows).execute();
  // Expired rows are useless: prune them here so the table stays the size of one window.
  await db.deleteFrom('login_failures').where('created_at', '<=', now - limits.windowMs).execute();
}

/** A successful sign-in forgives that account's earlier typos (the IP bucket keeps counting). */
export async function clearEmailFailures(db: Database, email: string): Promise<void> {
  await db.deleteFrom('login_failures').where('scope', '=', 'email').where('key', '=', sha256Hex(email.trim().toLowerCase())).execute();
}
