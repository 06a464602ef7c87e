// A delivery worker process for the benches: `tsx bench/_worker.ts OPTIONS_JSON CAMPAIGN_ID`.
// Runs the normal DeliveryWorker until the campaign is finished, prints "peak_rss_mb N" and
// exits 0. The crash test kill -9's it: it takes short leases and small batches (options), which
// the production worker (`start --role worker`, used by the send bench) does not expose.
import { openBenchContext } from './_send-fixture.js';
import { cpuSample, trackPeakRss } from './_machine.js';
import { DeliveryWorker } from '../src/delivery/worker.js';
import { createSmtpTransport } from '../src/delivery/transports/smtp.js';
import { singleRoute } from '../src/delivery/transports/index.js';

const opts = JSON.parse(process.argv[2] as string) as {
  config: Parameters<typeof openBenchContext>[0]; smtpUrl: string; concurrency: number; connections?: number; leaseMs: number; batchSize: number;
};
const campaignId = Number(process.argv[3]);
const peak = trackPeakRss();
const ctx = await openBenchContext(opts.config);
const cpu0 = cpuSample();
const routes = singleRoute(createSmtpTransport({ url: opts.smtpUrl, maxConnections: opts.connections ?? Math.min(opts.concurrency, 4) }), { concurrency: opts.concurrency });
const worker = new DeliveryWorker(ctx, { routes, leaseMs: opts.leaseMs, batchSize: opts.batchSize, pollMs: 100 }).start();
for (;;) {
  await new Promise((r) => setTimeout(r, 100));
  const c = await ctx.db.selectFrom('campaigns').select('status').where('id', '=', campaignId).executeTakeFirstOrThrow();
  if (c.status === 'finished') break;
}
await worker.stop();
await routes.close();
await ctx.dbHandle.close();
const cpu1 = cpuSample();
process.stdout.write(`peak_rss_mb ${peak().toFixed(0)}\ncpu_us ${(cpu1.total - cpu0.total).toFixed(0)}\n`);
process.exit(0);
