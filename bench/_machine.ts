// Describes the machine a benchmark ran on, so figures are never quoted without it.
import { generateKeyPairSync, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';

export function machineLine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
  return `machine: ${os.cpus().length} cores (${cpu}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, node ${process.version}, ${os.platform()} ${os.release()}`;
}

/** Samples RSS every 50 ms; returns a function that stops sampling and gives the peak in MB. */
export function trackPeakRss(): () => number {
  let peak = process.memoryUsage.rss();
  const t = setInterval(() => { peak = Math.max(peak, process.memoryUsage.rss()); }, 50);
  t.unref();
  return () => {
    clearInterval(t);
    peak = Math.max(peak, process.memoryUsage.rss());
    return peak / 2 ** 20;
  };
}

/**
 * CPU time (µs) of this process (all threads) and of its main thread alone, from /proc (Linux;
 * main = null elsewhere). On a loaded machine wall-clock rates swing with the neighbours, CPU
 * time per message does not: benches print both.
 */
export function cpuSample(): { total: number; main: number | null } {
  const u = process.cpuUsage();
  let main: number | null = null;
  try {
    const f = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
    main = (Number(fields[11]) + Number(fields[12])) * (1e6 / 100); // clock ticks (USER_HZ = 100)
  } catch {
    main = null;
  }
  return { total: u.user + u.system, main };
}

/** CPU µs per item between two samples: { total, main }. */
export function cpuPer(a: ReturnType<typeof cpuSample>, b: ReturnType<typeof cpuSample>, n: number): { total: number; main: number | null } {
  return { total: (b.total - a.total) / n, main: a.main === null || b.main === null ? null : (b.main - a.main) / n };
}

/** CPU time (µs, all threads) another process has used so far, from /proc (null where unreadable). */
export function processCpuUs(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * (1e6 / 100);
  } catch {
    return null;
  }
}

/**
 * What one RSA-2048 signature costs on this CPU (µs, one thread, pre-loaded KeyObject): the figure
 * that decides how fast any DKIM-signing sender can go here (220–255 µs with OpenSSL's AVX-512
 * path, ~1,000 µs on AVX2-only EPYC cores). Measured before the phases, on an idle process.
 */
export function rsaSignUs(): number {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const data = Buffer.alloc(600, 97);
  for (let i = 0; i < 20; i++) sign('sha256', data, privateKey);
  const n = 200;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) sign('sha256', data, privateKey);
  return ((performance.now() - t0) * 1000) / n;
}
