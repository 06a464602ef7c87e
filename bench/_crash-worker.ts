// A delivery worker process for the crash test: `tsx bench/_crash-worker.ts CONFIG_JSON CAMPAIGN_ID`.
// Runs the normal DeliveryWorker until the campaign is finished, then exits 0. Gets kill -9'd.
import { openBenchContext } from './_send-fixture.js';
import { DeliveryWorker } from '../src/delivery/worker.js';
import { createSmtpTransport } from '../src/delivery/transports/smtp.js';
import { singleRoute } from '../src/delivery/transports/index.js';

const opts = JSON.parse(process.argv[2] as string) as { config: Parameters<typeof openBenchContext>[0]; smtpUrl: string; concurrency: number; leaseMs: number; batchSize: number };
const campaignId = Number(process.argv[3]);
const ctx = await openBenchContext(opts.config);
const routes = singleRoute(createSmtpTransport({ url: opts.smtpUrl, maxConnections: Math.min(opts.concurrency, 4) }), { concurrency: opts.concurrency });
const worker = new DeliveryWorker(ctx, { routes, leaseMs: opts.leaseMs, batchSize: opts.batchSize, pollMs: 100 }).start();
process.stdout.write('started\n');
for (;;) {
  await new Promise((r) => setTimeout(r, 100));
  const c = await ctx.db.selectFrom('campaigns').select('status').where('id', '=', campaignId).executeTakeFirstOrThrow();
  if (c.status === 'finished') break;
}
await worker.stop();
await routes.close();
await ctx.dbHandle.close();
process.exit(0);
