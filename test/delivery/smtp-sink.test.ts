// The same outcomes against Postfix's smtp-sink (a different, independent SMTP implementation).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { campaignCounts, createCampaign, startCampaignSend } from '../../src/campaigns/index.js';
import { createSmtpTransport } from '../../src/delivery/transports/smtp.js';
import { singleRoute } from '../../src/delivery/transports/index.js';
import { DeliveryWorker } from '../../src/delivery/worker.js';
import { freePort } from '../../bench/_send-fixture.js';
import { createTenant, describeEachDb, openTestContext, type TestContext, type Tenant } from '../helpers/context.js';
import { seedAudience } from './helpers.js';

const SINK = '/usr/sbin/smtp-sink';
const have = existsSync(SINK);
if (!have) process.stderr.write('SKIPPED: smtp-sink tests (install postfix; see .ci/debian-packages)\n');

async function startSink(args: string[]): Promise<{ url: string; proc: ChildProcess; stop(): Promise<void> }> {
  const port = await freePort();
  const proc = spawn(SINK, ['-u', 'root', ...args, `127.0.0.1:${port}`, '64'], { stdio: 'ignore' });
  const net = await import('node:net');
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((r) => { const s = net.connect(port, '127.0.0.1', () => { s.destroy(); r(true); }); s.on('error', () => r(false)); });
    if (ok) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url: `smtp://127.0.0.1:${port}`, proc, stop: () => new Promise((r) => { proc.once('exit', () => r()); proc.kill('SIGTERM'); }) };
}

(have ? describeEachDb : () => {})('delivery outcomes against Postfix smtp-sink', (dialect) => {
  const clock = new ManualClock(Date.UTC(2026, 3, 1, 9));
  let ctx: TestContext;
  let t: Tenant;
  beforeAll(async () => {
    ctx = await openTestContext(dialect, { clock });
    t = await createTenant(ctx);
  });
  afterAll(async () => ctx.destroy());

  async function sendWith(sinkArgs: string[], n: number) {
    const sink = await startSink(sinkArgs);
    const routes = singleRoute(createSmtpTransport({ url: sink.url, maxConnections: 2, socketTimeoutMs: 5000 }), { concurrency: 2 });
    const worker = new DeliveryWorker(ctx, { routes, batchSize: 10, statusCheckMs: 0 });
    const { listId } = await seedAudience(ctx, t.workspace.id, n);
    const c = await createCampaign(ctx, t.workspace.id, { name: 'sink', subject: 'Hi', from_email: 'n@example.com', html: '<p>x</p>', text: 'x', list_ids: [listId] });
    await startCampaignSend(ctx, t.workspace.id, c.id);
    const result = (await worker.tick())[c.id];
    await routes.close();
    await sink.stop();
    return { id: c.id, result, counts: await campaignCounts(ctx, t.workspace.id, c.id) };
  }

  it('delivers (messages dumped by the sink)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sink-'));
    const r = await sendWith(['-d', `${dir}/m.%M.`], 3);
    expect(r.result).toBe('finished');
    expect(r.counts).toMatchObject({ sent: 3, failed: 0, deferred: 0 });
    expect(readdirSync(dir).length).toBe(3);
  });

  it('fails on a 5xx RCPT reply and keeps the code and enhanced status', async () => {
    const r = await sendWith(['-f', 'rcpt', '-B', '550 5.1.1 User unknown'], 2);
    expect(r.counts).toMatchObject({ failed: 2, sent: 0 });
    const row = await ctx.db.selectFrom('deliveries').selectAll().where('campaign_id', '=', r.id).executeTakeFirstOrThrow();
    expect(row.smtp_code).toBe(550);
    expect(row.smtp_response).toContain('5.1.1');
  });

  it('defers on a 4xx RCPT reply (never ends the campaign, listmonk #1802)', async () => {
    const r = await sendWith(['-r', 'rcpt', '-b', '454 4.7.1 Throttled, try later'], 2);
    expect(r.result).toBe('waiting');
    expect(r.counts).toMatchObject({ deferred: 2, sent: 0, failed: 0 });
  });

  it('defers when the final reply is lost (-q .: disconnect after the dot)', async () => {
    const r = await sendWith(['-q', '.'], 2);
    expect(r.counts).toMatchObject({ deferred: 2, sent: 0 });
  });
});
