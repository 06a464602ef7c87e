// `npm run bench -- rate-limit [--workers 2] [--seconds 2]`: N limiter instances (as N worker
// processes would hold) on one Redis key at several rates; prints the combined rate against the
// limit, Redis round trips per message and CPU per wait(), next to the in-process Pacer baseline
// (which each instance applies alone, so N instances give N × the limit). Needs REDIS_URL.
import os from 'node:os';
import { parseArgs } from 'node:util';
import { blockSize, localRateLimits, RedisRateLimits, type RateLimits } from '../src/delivery/rate-limit.js';
import { silentLogger } from '../src/log.js';
import { machineLine } from './_machine.js';

const { values } = parseArgs({ options: { workers: { type: 'string', default: '2' }, seconds: { type: 'string', default: '2' } } });
const workers = Number(values.workers);
const ms = Number(values.seconds) * 1000;
const url = process.env.REDIS_URL;
if (!url) throw new Error('REDIS_URL is not set');

async function run(kind: 'local' | 'redis', rate: number) {
  const prefix = `postlane:bench:${process.pid}:${Math.random().toString(36).slice(2, 8)}:`;
  const sets: RateLimits[] = Array.from({ length: workers }, () => kind === 'redis' ? new RedisRateLimits({ url: url as string, log: silentLogger(), prefix }) : localRateLimits());
  let trips = 0;
  for (const s of sets) {
    if (s instanceof RedisRateLimits) {
      const reserve = s.reserve.bind(s);
      s.reserve = (...a) => { trips++; return reserve(...a); };
      await s.limiter('warm', 1).wait(); // connect before timing
    }
  }
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  const end = start + ms;
  const times: number[] = [];
  await Promise.all(sets.map(async (s) => {
    const l = s.limiter('route:bench', rate);
    while (performance.now() < end) {
      await l.wait();
      const t = performance.now();
      if (t <= end) times.push(t);
    }
  }));
  const cpu = process.cpuUsage(cpu0);
  for (const s of sets) await s.close();
  times.sort((a, b) => a - b);
  let burst = 0; // most messages in any 100 ms window, against rate × 0.1 s
  for (let i = 0, j = 0; i < times.length; i++) {
    while ((times[i] as number) - (times[j] as number) >= 100) j++;
    burst = Math.max(burst, i - j + 1);
  }
  return { rate: times.length / (ms / 1000), trips: trips / Math.max(1, times.length), cpuUs: (cpu.user + cpu.system) / Math.max(1, times.length), burst };
}

console.log(machineLine());
console.log(`load average: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
console.log(`inputs: ${workers} limiter instances on one key, ${ms / 1000} s per run, Redis ${url}`);
console.log('limit/s  kind   combined/s  ratio  round-trips/msg  cpu µs/msg  max per 100 ms (limit×0.1, block)');
for (const rate of [50, 200, 2000, 10000]) {
  for (const kind of ['local', 'redis'] as const) {
    const r = await run(kind, rate);
    console.log(`${String(rate).padStart(7)}  ${kind.padEnd(5)}  ${r.rate.toFixed(0).padStart(10)}  ${(r.rate / rate).toFixed(2).padStart(5)}  ${r.trips.toFixed(3).padStart(15)}  ${r.cpuUs.toFixed(1).padStart(10)}  ${r.burst} (${rate / 10}, ${blockSize(rate)})`);
  }
}
console.log(`load average after: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
