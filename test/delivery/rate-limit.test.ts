// Shared send-rate limits on the real Redis (REDIS_URL): two limiter instances, as two worker
// processes would hold, keep the combined rate; a Redis that goes away gives throttled local
// pacing (not a crash, not unthrottled), and Redis coming back is picked up again.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { blockSize, localRateLimits, RedisRateLimits, type RateLimiter } from '../../src/delivery/rate-limit.js';
import { silentLogger } from '../../src/log.js';

const REDIS_URL = process.env.REDIS_URL ?? null;

/** Calls wait() in a loop for `ms` and counts how many calls got through. */
async function countFor(limiter: RateLimiter, ms: number): Promise<number> {
  const end = performance.now() + ms;
  let n = 0;
  while (performance.now() < end) {
    await limiter.wait();
    if (performance.now() <= end) n++;
  }
  return n;
}

const prefix = () => `postlane:test:${process.pid}:${Math.random().toString(36).slice(2, 8)}:`;

describe('in-process rate limits', () => {
  it('are per instance: two limiters on one key each get the full rate (why Redis is needed)', async () => {
    const local = localRateLimits();
    const [a, b] = await Promise.all([countFor(local.limiter('k', 100), 1000), countFor(local.limiter('k', 100), 1000)]);
    // The Pacer allows a one-second burst, so each gets ~100-200: together well above 100.
    expect(a + b).toBeGreaterThan(150);
  });
});

describe.skipIf(!REDIS_URL)('Redis rate limits (REDIS_URL)', () => {
  const opened: RedisRateLimits[] = [];
  const open = (o: Partial<ConstructorParameters<typeof RedisRateLimits>[0]> = {}) => {
    const r = new RedisRateLimits({ url: REDIS_URL as string, log: silentLogger(), ...o });
    opened.push(r);
    return r;
  };
  afterAll(async () => {
    for (const r of opened) await r.close();
  });

  it('holds the combined rate across two instances on one key, with one round trip per block', async () => {
    const p = prefix();
    const one = open({ prefix: p });
    const two = open({ prefix: p });
    let trips = 0;
    for (const r of [one, two]) {
      const reserve = r.reserve.bind(r);
      r.reserve = (...args) => { trips++; return reserve(...args); };
    }
    const rate = 200;
    const ms = 1500;
    const [a, b] = await Promise.all([countFor(one.limiter('route:smtp', rate), ms), countFor(two.limiter('route:smtp', rate), ms)]);
    const total = a + b;
    // At most rate × window plus one block per instance (the documented burst), with slack for
    // timer granularity; at least a clear majority of the rate even on a loaded machine.
    expect(total).toBeLessThanOrEqual((rate * ms) / 1000 + 2 * blockSize(rate) + 15);
    expect(total).toBeGreaterThan((rate * ms) / 1000 * 0.6);
    // Both instances got a fair share of slots, not one starving the other.
    expect(Math.min(a, b)).toBeGreaterThan(total * 0.25);
    expect(trips).toBeLessThanOrEqual(Math.ceil(total / blockSize(rate)) + 4);
    expect(one.state).toBe('redis');
  });

  it('sets TTLs on its keys so buckets of finished campaigns do not leak', async () => {
    const p = prefix();
    const r = open({ prefix: p });
    await r.limiter('campaign:1:2', 50).wait();
    const ttl = await r.redis.pttl(`${p}{campaign:1:2}`);
    const peersTtl = await r.redis.pttl(`${p}{campaign:1:2}:peers`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(61_000);
    expect(peersTtl).toBeGreaterThan(0);
  });

  it('keeps a limiter\'s bucket and peers set in one Redis Cluster slot (prevents CROSSSLOT on a cluster)', async () => {
    const p = prefix();
    const r = open({ prefix: p });
    await r.limiter('route:smtp eu', 50).wait();
    const keys = (await r.redis.keys(`${p}*`)).sort();
    expect(keys).toEqual([`${p}{route:smtp eu}`, `${p}{route:smtp eu}:peers`]);
    // Redis Cluster hashes only the part between the first "{" and the next "}" when it is non-empty.
    const hashed = (k: string) => {
      const open = k.indexOf('{');
      const close = open === -1 ? -1 : k.indexOf('}', open + 1);
      return close > open + 1 ? k.slice(open + 1, close) : k;
    };
    expect(new Set(keys.map(hashed))).toEqual(new Set(['route:smtp eu']));
  });

  it('does not count the first connection handshake of a fresh worker as an outage', async () => {
    const r = open({ prefix: prefix() });
    await r.limiter('route:smtp', 100).wait();
    expect(r.state).toBe('redis');
    expect(r.fallbacks).toBe(0);
  });

  it('starts with Redis unreachable without crashing: paces locally and reports the fallback', async () => {
    const port = await freePort();
    const r = open({ url: `redis://127.0.0.1:${port}`, prefix: prefix(), commandTimeoutMs: 200 });
    const sent = await countFor(r.limiter('route:smtp', 100), 1000);
    expect(r.state).toBe('fallback');
    // 100 / 4 = 25/s (the local Pacer's one-second burst included, minus the 200 ms connect wait).
    expect(sent).toBeGreaterThan(5);
    expect(sent).toBeLessThanOrEqual(25 * 2 + 2);
  });

  it('without a rate it never touches Redis', async () => {
    const r = open({ prefix: prefix() });
    let trips = 0;
    r.reserve = async () => { trips++; return { startAt: 0, peers: 1 }; };
    const l = r.limiter('route:smtp', null);
    for (let i = 0; i < 100; i++) await l.wait();
    expect(trips).toBe(0);
  });
});

describe.skipIf(!REDIS_URL)('Redis going away mid-run (a private redis-server)', () => {
  let server: ChildProcess | null = null;
  let port = 0;
  const startRedis = async () => {
    server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    for (let i = 0; i < 100; i++) {
      if (await canConnect(port)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('redis-server did not start');
  };
  const stopRedis = async () => {
    const s = server;
    server = null;
    if (!s || s.exitCode !== null) return;
    await new Promise<void>((resolve) => { s.once('exit', () => resolve()); s.kill('SIGKILL'); });
  };
  afterAll(stopRedis);

  it('paces locally at rate / divisor while Redis is down, never unthrottled, and goes back to Redis when it returns', async () => {
    port = await freePort();
    await startRedis();
    const limits = new RedisRateLimits({ url: `redis://127.0.0.1:${port}`, log: silentLogger(), prefix: prefix(), commandTimeoutMs: 300, fallbackDivisor: 4 });
    try {
      const rate = 200;
      const limiter = limits.limiter('route:smtp', rate);
      expect(await countFor(limiter, 500)).toBeGreaterThan(40);
      expect(limits.state).toBe('redis');

      await stopRedis();
      const down = await countFor(limiter, 1500);
      expect(limits.state).toBe('fallback');
      expect(limits.fallbacks).toBeGreaterThan(0);
      // rate / 4 = 50/s, plus the local Pacer's burst and the last reserved block: far below 200/s × 1.5 s.
      expect(down).toBeLessThanOrEqual(50 * 1.5 + 50 + blockSize(rate) + 10);
      expect(down).toBeGreaterThan(10); // still sending: fail safe, not a stall

      await startRedis();
      // ioredis reconnects with backoff (≤ 2 s); the limiter retries Redis once its fallback second ends.
      const deadline = performance.now() + 8000;
      while (limits.state !== 'redis' && performance.now() < deadline) await limiter.wait();
      expect(limits.state).toBe('redis');
    } finally {
      await limits.close();
    }
  }, 20_000);
});

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = net.connect(port, '127.0.0.1', () => { c.end(); resolve(true); });
    c.once('error', () => resolve(false));
  });
}
