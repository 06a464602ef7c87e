// Rate limiters for the send loop: the in-process Pacer (one process, SQLite) or a Redis-backed
// pacer whose time slots are shared by every worker process. Stops at pacing: concurrency stays
// per process (see docs/delivery.md, "Routes and throttles", for why).
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { AppContext } from '../context.js';
import type { Logger } from '../log.js';
import { Pacer } from './throttle.js';
import { rateLimitFallbacks } from './metrics.js';

/** Something the send loop awaits before each message. */
export interface RateLimiter {
  wait(): Promise<void>;
  /** No limit is set: wait() would return at once (the send loop then skips the await). */
  readonly unlimited?: boolean;
}

/** Hands out one limiter per key (a route, a campaign); created once per process. */
export interface RateLimits {
  readonly kind: 'local' | 'redis';
  limiter(key: string, rate: number | null): RateLimiter;
  close(): Promise<void>;
}

export const localRateLimits = (): RateLimits => ({
  kind: 'local',
  limiter: (_key, rate) => new Pacer(rate),
  close: async () => {},
});

/**
 * Reservation GCRA on Redis's own clock (TIME), so worker clocks never have to agree.
 * KEYS[1] = theoretical arrival time (ms), KEYS[2] = zset of callers seen recently.
 * ARGV = interval ms, tokens wanted, caller id. Returns { slot start relative to now (ms), peers }.
 * A reservation never fails: the caller gets the next free slots and waits for them, so callers
 * on one key take turns on the same time line and their combined rate is the limit.
 */
const RESERVE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval = tonumber(ARGV[1])
local n = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local new_tat = tat + n * interval
redis.call('SET', KEYS[1], tostring(new_tat), 'PX', math.ceil(new_tat - now) + 60000)
redis.call('ZADD', KEYS[2], now, ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - 10000)
redis.call('PEXPIRE', KEYS[2], 60000)
return { tat - now, redis.call('ZCARD', KEYS[2]) }
`;

/** A block lasts about this long on the wire: at most one Redis round trip per block per worker. */
export const BLOCK_MS = 100;
/** Redis unreachable and no peer count seen yet: assume this many workers share the limit. */
export const DEFAULT_FALLBACK_DIVISOR = 4;

export interface RedisRateLimitsOptions {
  url: string;
  log: Logger;
  /** Key namespace; give each Postlane instance sharing one Redis its own. */
  prefix?: string;
  /** Per-command timeout before a call counts as "Redis down" (ms). */
  commandTimeoutMs?: number;
  fallbackDivisor?: number;
}

/** Tokens reserved per round trip: about BLOCK_MS worth of the rate, at least one. */
export function blockSize(rate: number): number {
  return Math.max(1, Math.min(100, Math.floor((rate * BLOCK_MS) / 1000)));
}

export class RedisRateLimits implements RateLimits {
  readonly kind = 'redis';
  readonly redis: Redis;
  readonly id = `${process.pid}:${randomBytes(4).toString('hex')}`;
  private readonly prefix: string;
  private degraded = false;
  private connected = false;
  private readonly firstConnect: Promise<void>;
  /** Failed Redis calls that put a limiter on local pacing (about one per key per second of outage). */
  fallbacks = 0;

  constructor(private readonly opts: RedisRateLimitsOptions) {
    this.prefix = opts.prefix ?? 'postlane:rl:';
    // No offline queue: while Redis is away a call fails at once and the caller paces locally;
    // ioredis keeps reconnecting in the background and the next block goes to Redis again.
    this.redis = new Redis(opts.url, {
      lazyConnect: false,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: opts.commandTimeoutMs ?? 1000,
      retryStrategy: (times) => Math.min(times * 200, 2000),
    });
    this.redis.on('error', () => {}); // reported once per outage by onFailure, not per reconnect attempt
    // The first reservation waits (up to the command timeout) for the first connection, so a worker
    // that just started does not count the handshake as an outage. Later outages fail fast.
    this.firstConnect = new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('Redis: no connection yet')), opts.commandTimeoutMs ?? 1000);
      this.redis.once('ready', () => { clearTimeout(t); this.connected = true; resolve(); });
    });
    this.firstConnect.catch(() => {});
    this.redis.defineCommand('postlaneReserve', { numberOfKeys: 2, lua: RESERVE });
  }

  get state(): 'redis' | 'fallback' {
    return this.degraded ? 'fallback' : 'redis';
  }

  limiter(key: string, rate: number | null): RateLimiter {
    if (!rate || rate <= 0) return new Pacer(null);
    // The key in braces is a Redis Cluster hash tag: the bucket and its `:peers` set land in one
    // slot, which a script touching both needs on a cluster (else CROSSSLOT). The client here is
    // still a single-node one; this keeps the key layout ready for a cluster client.
    return new RedisPacer(this, `${this.prefix}{${key}}`, rate);
  }

  /** Reserves `n` slots on `key`; resolves the local time the first starts and the peer count. */
  async reserve(key: string, interval: number, n: number): Promise<{ startAt: number; peers: number }> {
    if (!this.connected) await this.firstConnect;
    const [delay, peers] = await (this.redis as unknown as {
      postlaneReserve(k1: string, k2: string, interval: number, n: number, id: string): Promise<[number, number]>;
    }).postlaneReserve(key, `${key}:peers`, interval, n, this.id);
    if (this.degraded) {
      this.degraded = false;
      this.opts.log.warn({ component: 'rate-limit' }, 'Redis is back: rate limits are shared across workers again');
    }
    // Counted from the reply, not the request: Redis's "now" lies in between, so local slots can
    // only start later than Redis granted them (conservative), never earlier.
    return { startAt: performance.now() + Number(delay), peers: Number(peers) };
  }

  onFailure(err: Error, fallbackRate: number): void {
    this.fallbacks++;
    rateLimitFallbacks.inc();
    if (this.degraded) return;
    this.degraded = true;
    this.opts.log.error({ component: 'rate-limit', err: err.message, fallbackRate },
      'Redis unreachable: pacing locally at a fraction of the limit until it returns');
  }

  get fallbackDivisor(): number {
    return this.opts.fallbackDivisor ?? DEFAULT_FALLBACK_DIVISOR;
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}

/**
 * Paces one key through Redis in blocks of slots. Burst: a worker may send its reserved block
 * back to back if it falls behind its slots, so over any window the combined count is at most
 * rate × window + one block per worker (block = blockSize(rate), about 100 ms of the rate).
 */
class RedisPacer implements RateLimiter {
  private slots: number[] = [];
  private pending: Promise<void> | null = null;
  private readonly interval: number;
  private readonly n: number;
  private fallback: Pacer | null = null;
  private fallbackUntil = 0;
  private peers = 0;

  constructor(private readonly owner: RedisRateLimits, private readonly key: string, private readonly rate: number) {
    this.interval = 1000 / rate;
    this.n = blockSize(rate);
  }

  async wait(): Promise<void> {
    for (;;) {
      const now = performance.now();
      if (this.fallback && now < this.fallbackUntil) return this.fallback.wait();
      const slot = this.slots.shift();
      if (slot !== undefined) {
        if (slot - now > 1) await sleep(slot - now);
        return;
      }
      this.pending ??= this.refill().finally(() => { this.pending = null; });
      await this.pending;
    }
  }

  private async refill(): Promise<void> {
    try {
      const { startAt, peers } = await this.owner.reserve(this.key, this.interval, this.n);
      this.peers = peers;
      this.fallback = null;
      for (let i = 0; i < this.n; i++) this.slots.push(startAt + i * this.interval);
    } catch (err) {
      // Fail safe: pace locally at rate / (workers seen on this key, or a conservative default)
      // for a second, then try Redis again. Never unthrottled, never a crash.
      const divisor = Math.max(this.peers, this.owner.fallbackDivisor);
      const rate = this.rate / divisor;
      this.owner.onFailure(err as Error, rate);
      this.fallback ??= new Pacer(rate);
      this.fallbackUntil = performance.now() + 1000;
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const registries = new WeakMap<AppContext, RateLimits>();

/** The process's rate limits: injected (tests), Redis when REDIS_URL is set, else in-process. */
export function rateLimitsFor(ctx: AppContext): RateLimits {
  if (ctx.rateLimits) return ctx.rateLimits;
  let r = registries.get(ctx);
  if (!r) {
    r = ctx.config.redisUrl ? new RedisRateLimits({ url: ctx.config.redisUrl, log: ctx.log }) : localRateLimits();
    registries.set(ctx, r);
  }
  return r;
}

/** Closes the process's rate limits if they were ever created (no Redis connection just to close it). */
export async function closeRateLimits(ctx: AppContext): Promise<void> {
  await registries.get(ctx)?.close();
}
