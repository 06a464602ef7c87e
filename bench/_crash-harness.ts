// The crash test: a campaign sent by a worker PROCESS that is kill -9'd at random moments and
// restarted each time; afterwards the sink's per-recipient counts are checked against the ledger.
// Used by bench/crash.ts (20,000 recipients) and test/delivery/crash.test.ts (small N).
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, readSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { benchConfig, createBenchCampaign, here, openBenchContext, seedAudience, startSink, tempDir } from './_send-fixture.js';
import { startCampaignSend } from '../src/campaigns/index.js';
import { ledgerCounts, type LedgerCounts } from '../src/delivery/ledger.js';

export interface CrashReport {
  recipients: number;
  kills: number;
  concurrency: number;
  atSink: number;
  distinctAtSink: number;
  missing: number;
  twice: number;
  thriceOrMore: number;
  campaignStatus: string;
  counts: LedgerCounts;
  seconds: number;
}

/** Lines (messages) the sink has logged so far, reading only what was appended since the last call. */
function sinkCounter(file: string): () => number {
  let offset = 0;
  let count = 0;
  const buf = Buffer.allocUnsafe(1 << 16);
  return () => {
    let size: number;
    try {
      size = statSync(file).size;
    } catch {
      return count;
    }
    if (size <= offset) return count;
    const fd = openSync(file, 'r');
    try {
      while (offset < size) {
        const n = readSync(fd, buf, 0, Math.min(buf.length, size - offset), offset);
        if (n <= 0) break;
        for (let i = 0; i < n; i++) if (buf[i] === 10) count++;
        offset += n;
      }
    } finally {
      closeSync(fd);
    }
    return count;
  };
}

function sinkLines(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

export async function runCrashTest(o: { recipients: number; kills: number; concurrency?: number; leaseMs?: number; batchSize?: number; log?: (s: string) => void; random?: () => number }): Promise<CrashReport> {
  const concurrency = o.concurrency ?? 8;
  const random = o.random ?? Math.random;
  const log = o.log ?? (() => {});
  const dir = tempDir('postlane-crash-');
  const sinkLog = join(dir, 'sink.log');
  const config = benchConfig(dir);
  const ctx = await openBenchContext(config);
  const sink = await startSink({ log: sinkLog });
  const started = performance.now();
  try {
    const { workspaceId, listId } = await seedAudience(ctx, o.recipients);
    const campaign = await createBenchCampaign(ctx, workspaceId, listId);
    await startCampaignSend(ctx, workspaceId, campaign.id);
    const args = JSON.stringify({ config, smtpUrl: `smtp://127.0.0.1:${sink.port}`, concurrency, leaseMs: o.leaseMs ?? 2000, batchSize: o.batchSize ?? 50 });
    const spawnWorker = (): ChildProcess => spawn(process.execPath, ['--import', 'tsx', join(here, '_worker.ts'), args, String(campaign.id)], { stdio: ['ignore', 'ignore', 'inherit'] });

    const atSink = sinkCounter(sinkLog);
    // Recipients that reached the sink but whose row was not recorded as sent when the worker died:
    // they will be sent again. The next kill waits until that has happened and been recorded — a
    // row caught in flight at two kills in a row would reach the sink three times, which says
    // something about the kill schedule, not about the engine (every attempt it could not record
    // must be made again, or mail could be lost).
    let unrecorded: string[] = [];
    const allRecorded = async () => {
      if (unrecorded.length === 0) return true;
      const sent = await ctx.db.selectFrom('deliveries').select((eb) => eb.fn.countAll<number>().as('n'))
        .where('campaign_id', '=', campaign.id).where('status', '=', 'sent').where('email', 'in', unrecorded).executeTakeFirstOrThrow();
      return Number(sent.n) === unrecorded.length;
    };
    let kills = 0;
    while (kills < o.kills) {
      const child = spawnWorker();
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      // Spread the kills over the run: let this worker deliver a random share of the audience
      // (at most 1/(kills+2) of it, so every kill lands before the campaign can finish), then
      // kill it within 10 ms. Polls and the delay stay short because a worker sends ~1,000 msgs/s
      // now: with 25 ms polls and up to 60 ms of delay a cycle overshot its share by up to ~85
      // messages, and a 250-recipient run could finish before its fifth kill.
      const base = atSink();
      const target = base + 1 + Math.floor(random() * (o.recipients / (o.kills + 2)));
      let done = false;
      void exited.then(() => { done = true; });
      const ready = async () => atSink() >= target && (await allRecorded());
      while (!done && !(await ready())) await new Promise((r) => setTimeout(r, 5));
      if (done) break; // finished before we could kill it
      await new Promise((r) => setTimeout(r, Math.floor(random() * 10)));
      if (child.exitCode !== null) break;
      child.kill('SIGKILL');
      await exited;
      kills++;
      const sent = new Set((await ctx.db.selectFrom('deliveries').select('email').where('campaign_id', '=', campaign.id).where('status', '=', 'sent').execute()).map((r) => r.email));
      unrecorded = [...new Set(sinkLines(sinkLog))].filter((e) => !sent.has(e));
      log(`kill -9 #${kills} after ${atSink()} messages at the sink (${unrecorded.length} sent but not recorded)`);
    }
    const last = spawnWorker();
    const code = await new Promise<number | null>((resolve) => last.once('exit', (c) => resolve(c)));
    if (code !== 0) throw new Error(`final worker exited with ${code}`);

    const lines = sinkLines(sinkLog);
    const per = new Map<string, number>();
    for (const l of lines) per.set(l, (per.get(l) ?? 0) + 1);
    const values = [...per.values()];
    let missing = 0;
    for (let i = 1; i <= o.recipients; i++) if (!per.has(`user${i}@example.net`)) missing++;
    const status = (await ctx.db.selectFrom('campaigns').select('status').where('id', '=', campaign.id).executeTakeFirstOrThrow()).status;
    return {
      recipients: o.recipients, kills, concurrency, atSink: lines.length, distinctAtSink: per.size, missing,
      twice: values.filter((v) => v === 2).length, thriceOrMore: values.filter((v) => v >= 3).length,
      campaignStatus: status, counts: await ledgerCounts(ctx, campaign.id), seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await sink.stop();
    await ctx.dbHandle.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
