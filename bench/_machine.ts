// Describes the machine a benchmark ran on, so figures are never quoted without it.
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
