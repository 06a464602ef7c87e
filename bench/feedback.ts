// Classification throughput on one core: the feedback corpus repeated, classified sequentially.
// Baseline in the same run: postal-mime parsing alone (the floor any classifier built on it pays).
// Also prints the corpus reason coverage. `npm run bench -- feedback [--messages N]`
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import PostalMime from 'postal-mime';
import { classifyFeedback, REASONS, type Reason } from '../src/feedback/index.js';
import { machineLine, trackPeakRss } from './_machine.js';

const argIndex = process.argv.indexOf('--messages');
const total = argIndex > 0 ? Number(process.argv[argIndex + 1]) : 20_000;
const dir = join(import.meta.dirname, '../test/fixtures/feedback');
const corpus = readdirSync(dir).filter((f) => f.endsWith('.eml')).sort().map((f) => ({ file: f, raw: readFileSync(join(dir, f)) }));
const bytes = corpus.reduce((n, c) => n + c.raw.length, 0);

/** Messages per wall-clock second and per CPU second (the latter holds on a shared, loaded machine). */
async function timeLoop(fn: (raw: Buffer) => Promise<unknown>): Promise<{ wall: number; cpu: number }> {
  for (const c of corpus) await fn(c.raw); // warm-up: JIT and regex compilation
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < total; i++) await fn(corpus[i % corpus.length]!.raw);
  const cpu = process.cpuUsage(cpu0);
  return { wall: total / ((performance.now() - start) / 1000), cpu: total / ((cpu.user + cpu.system) / 1e6) };
}

const peak = trackPeakRss();
const baseline = await timeLoop((raw) => PostalMime.parse(raw));
const rate = await timeLoop((raw) => classifyFeedback(raw));
const rss = peak();

const covered = new Map<Reason, number>();
for (const c of corpus) {
  const r = await classifyFeedback(c.raw);
  for (const rcpt of r.recipients) covered.set(rcpt.reason, (covered.get(rcpt.reason) ?? 0) + 1);
}
const missing = REASONS.filter((r) => !covered.has(r));

console.log('feedback classification benchmark');
console.log(machineLine());
console.log(`inputs: ${corpus.length} corpus messages (${(bytes / corpus.length / 1024).toFixed(1)} KiB average), ${total} classifications, sequential on one core`);
console.log(`baseline postal-mime parse only: ${baseline.wall.toFixed(0)} msg/s wall, ${baseline.cpu.toFixed(0)} msg per CPU-second`);
console.log(`classifyFeedback:                ${rate.wall.toFixed(0)} msg/s wall, ${rate.cpu.toFixed(0)} msg per CPU-second (${(rate.wall / baseline.wall).toFixed(2)}x the parse-only baseline)`);
console.log(`floor 2,000 msg/s on one core: ${rate.wall >= 2000 ? 'PASS' : 'FAIL'} (wall clock), ${rate.cpu >= 2000 ? 'PASS' : 'FAIL'} (CPU time; wall clock is low when the machine is shared)`);
console.log(`load average at end: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
console.log(`peak RSS: ${rss.toFixed(0)} MB`);
console.log(`reason coverage: ${REASONS.length - missing.length}/${REASONS.length} reasons${missing.length ? ` (missing: ${missing.join(', ')})` : ''}`);
console.log(`  ${REASONS.map((r) => `${r}=${covered.get(r) ?? 0}`).join(' ')}`);
