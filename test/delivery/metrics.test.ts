// Prometheus metrics of the send path: counted when outcomes are committed, served by the HTTP app
// (role all) and by a plain listener in worker-only processes (POSTLANE_METRICS_PORT).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCampaign, startCampaignSend } from '../../src/campaigns/index.js';
import { deliveryRegistry } from '../../src/delivery/metrics.js';
import { createSmtpTransport } from '../../src/delivery/transports/smtp.js';
import { singleRoute } from '../../src/delivery/transports/index.js';
import { DeliveryWorker } from '../../src/delivery/worker.js';
import { silentLogger } from '../../src/log.js';
import { startPostlane } from '../../src/main.js';
import { createTenant, describeEachDb, openTestContext, testApp, testConfig, type TestContext, type Tenant } from '../helpers/context.js';
import { dkimFixture, seedAudience, sendThroughRunningWorker, startSmtpServer } from './helpers.js';

/** The value of one sample in Prometheus text format (0 when absent). */
function sample(text: string, name: string, labels: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}} `));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

describeEachDb('delivery metrics', (dialect) => {
  const dkim = dkimFixture();
  let ctx: TestContext;
  let t: Tenant;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  beforeAll(async () => {
    ctx = await openTestContext(dialect, { config: { ...dkim.config, bounceDomain: 'bounces.example.com' } });
    t = await createTenant(ctx);
    smtp = await startSmtpServer();
  });
  afterAll(async () => {
    await smtp.close();
    await ctx.destroy();
  });

  it('counts committed outcomes by route and outcome, and serves them on the app\'s /metrics', async () => {
    const { listId, contactIds } = await seedAudience(ctx, t.workspace.id, 4);
    const [, rejected, deferred] = await Promise.all(contactIds.slice(0, 3).map(async (id) => (await ctx.db.selectFrom('contacts').select('email').where('id', '=', id).executeTakeFirstOrThrow()).email));
    smtp.behaviour.rcpt = (address) => (address === rejected ? { code: 550, message: '5.1.1 no such user' } : address === deferred ? { code: 451, message: '4.7.1 try later' } : undefined);
    const c = await createCampaign(ctx, t.workspace.id, { name: 'm', subject: 's', from_email: 'news@example.com', html: '<p>x</p>', list_ids: [listId] });
    const transport = createSmtpTransport({ url: smtp.url, name: 'relay' });
    const routes = singleRoute(transport, { concurrency: 2 });
    const before = await deliveryRegistry.metrics();
    try {
      await startCampaignSend(ctx, t.workspace.id, c.id);
      await new DeliveryWorker(ctx, { routes, batchSize: 10 }).tick();
    } finally {
      await routes.close();
      smtp.behaviour.rcpt = undefined;
    }
    const after = await deliveryRegistry.metrics();
    const delta = (outcome: string) => sample(after, 'postlane_delivery_messages_total', `route="relay",outcome="${outcome}"`) - sample(before, 'postlane_delivery_messages_total', `route="relay",outcome="${outcome}"`);
    expect({ sent: delta('sent'), failed: delta('failed'), deferred: delta('deferred') }).toEqual({ sent: 2, failed: 1, deferred: 1 });
    expect(sample(after, 'postlane_delivery_in_flight_messages', 'route="relay"')).toBe(0);
    const app = await testApp(ctx);
    try {
      const body = (await app.inject('/metrics')).body;
      expect(sample(body, 'postlane_delivery_messages_total', 'route="relay",outcome="sent"')).toBe(sample(after, 'postlane_delivery_messages_total', 'route="relay",outcome="sent"'));
      expect(body).toContain('postlane_process_cpu');
    } finally {
      await app.close();
    }
  });
});

describe('a worker-only process serves /metrics on POSTLANE_METRICS_PORT', () => {
  it('reports what it sent and signed (POSTLANE_DKIM_THREADS applied), with the process metrics, and answers 404 elsewhere', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'postlane-metrics-'));
    const dkim = dkimFixture();
    const pl = await startPostlane(testConfig({ databaseUrl: `sqlite:${join(dir, 'db.sqlite')}`, role: 'worker', metricsPort: 0, dkimThreads: 1, ...dkim.config }), { log: silentLogger() });
    try {
      expect(pl.services).toContain('metrics');
      expect(pl.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      const url = pl.metricsUrl as string;
      const before = await (await fetch(url)).text();
      const t = await createTenant(pl.ctx);
      expect((await sendThroughRunningWorker(pl.ctx, t.workspace.id, 3)).status).toBe('finished');
      const res = await fetch(url);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
      const after = await res.text();
      const labels = 'route="capture",outcome="sent"';
      expect(sample(after, 'postlane_delivery_messages_total', labels) - sample(before, 'postlane_delivery_messages_total', labels)).toBe(3);
      expect(after).toContain('postlane_process_cpu');
      expect(after).toMatch(/^postlane_dkim_signer_threads 1$/m);
      expect(Number(/^postlane_dkim_signer_busy_seconds_total (\S+)$/m.exec(after)?.[1])).toBeGreaterThan(0);
      expect((await fetch(url.replace('/metrics', '/api/v1/campaigns'))).status).toBe(404);
    } finally {
      await pl.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('starts no metrics listener unless a port is set', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'postlane-metrics-'));
    const pl = await startPostlane(testConfig({ databaseUrl: `sqlite:${join(dir, 'db.sqlite')}`, role: 'worker' }), { log: silentLogger() });
    try {
      expect(pl.services).not.toContain('metrics');
      expect(pl.metricsUrl).toBeNull();
    } finally {
      await pl.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
