// `npm run bench -- send [--recipients N] [--concurrency C] [--connections K]`: the whole engine
// (ledger snapshot, leased batches, 3 personalised fields, link rewriting, DKIM RSA-2048, pooled
// SMTP, group-committed outcomes) into a sink in another process, against the transport
// ceiling measured in the same run (pre-built messages through the same SMTP pool, no engine).
// `--workers W` sends with W production worker processes (bench/_prod-worker.ts).
// `--dkim-threads T` fixes the signer threads (POSTLANE_DKIM_THREADS); default: the adaptive pool.
import { rmSync } from 'node:fs';
import { sql } from 'kysely';
import { cpuPer, cpuSample, machineLine, processCpuUs, rsaSignUs, trackPeakRss } from './_machine.js';
import { configEnv, ensureBuilt, procFigures, spawnProductionWorker, threadBreakdown, type ProcFigures, type ProductionWorker } from './_prod-worker.js';
import { benchConfig, createBenchCampaign, openBenchContext, seedAudience, startSink, tempDir } from './_send-fixture.js';
import { startCampaignSend } from '../src/campaigns/index.js';
import { ledgerCounts } from '../src/delivery/ledger.js';
import { assembleMessage, prepareCampaign, type CampaignRow } from '../src/delivery/prepare.js';
import { createSmtpTransport } from '../src/delivery/transports/smtp.js';
import { singleRoute } from '../src/delivery/transports/index.js';
import { DeliveryWorker } from '../src/delivery/worker.js';
import { Semaphore } from '../src/delivery/throttle.js';
import { configureSignerThreads, signerThreadCount } from '../src/delivery/dkim-signer.js';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const N = arg('recipients', 100_000);
const CONCURRENCY = arg('concurrency', 64);
const CONNECTIONS = arg('connections', 8);
// 0 = the worker runs in this process (async crypto.sign puts signing on the second core);
// W > 0 = W production worker processes (`node dist/cli/main.js start --role worker`, configured
// by environment) share the campaign through leases; their RSS and CPU are theirs alone.
const WORKERS = arg('workers', 0);
const DKIM_THREADS = arg('dkim-threads', 0);
if (DKIM_THREADS > 0) configureSignerThreads(DKIM_THREADS);
if (WORKERS > 0) ensureBuilt((s) => process.stderr.write(`${s}\n`));

/** The sink's CPU per message since `from` (it shares the two cores with what it measures). */
function sinkCpuPer(from: number | null): string {
  const now = processCpuUs(sink.proc.pid);
  return from === null || now === null ? 'n/a' : `${((now - from) / N).toFixed(0)} µs CPU/msg`;
}

const signUs = rsaSignUs();
const dir = tempDir('postlane-bench-send-');
const config = { ...benchConfig(dir, { smtpUrl: null }), dkimThreads: DKIM_THREADS || null };
const ctx = await openBenchContext(config);
const peakRss = trackPeakRss();
// Per phase too: the ceiling phase's buffers and promises can leave the heap larger than the engine needs.
const ceilingPeakRss = trackPeakRss();
const sink = await startSink();
const url = `smtp://127.0.0.1:${sink.port}`;
process.stderr.write(`seeding ${N} contacts…\n`);
let t0 = performance.now();
const { workspaceId, listId } = await seedAudience(ctx, N);
const seedS = (performance.now() - t0) / 1000;
const campaign = await createBenchCampaign(ctx, workspaceId, listId);

// 1. Transport ceiling: 1,000 distinct pre-built, signed messages cycled N times through one pool.
const transport = createSmtpTransport({ url, maxConnections: CONNECTIONS });
const row = (await ctx.db.selectFrom('campaigns').selectAll().where('id', '=', campaign.id).executeTakeFirstOrThrow()) as unknown as CampaignRow;
const prepared = await prepareCampaign(ctx, { ...row, id: Number(row.id), workspace_id: Number(row.workspace_id) });
const prebuilt: string[] = [];
for (let i = 0; i < 1000; i++) {
  prebuilt.push((await assembleMessage(ctx, prepared, i + 1, { id: i + 1, email: `user${i + 1}@example.net`, first_name: `First${i}`, last_name: 'L', timezone: null, attributes: { city: 'Köln' }, tracking_consent: true })).raw);
}
process.stderr.write(`transport ceiling: ${N} pre-built messages…\n`);
const sem = new Semaphore(CONCURRENCY);
const ceilingCpu0 = cpuSample();
const ceilingSink0 = processCpuUs(sink.proc.pid);
t0 = performance.now();
let ceilingFailures = 0;
const pending: Promise<void>[] = [];
for (let i = 0; i < N; i++) {
  await sem.acquire();
  const p = transport.send({ workspaceId, campaignId: null, deliveryId: null, envelopeFrom: 'bounce@bounces.example.com', envelopeTo: `user${i + 1}@example.net`, subject: 's', raw: prebuilt[i % 1000] as string })
    .then((r) => { if (r.outcome !== 'sent') ceilingFailures++; }).finally(() => sem.release());
  pending.push(p);
  if (pending.length >= 10_000) await Promise.all(pending.splice(0));
}
await Promise.all(pending);
const ceilingS = (performance.now() - t0) / 1000;
const ceilingCpu = cpuPer(ceilingCpu0, cpuSample(), N);
const ceilingSink = sinkCpuPer(ceilingSink0);
const ceiling = N / ceilingS;
const ceilingRss = ceilingPeakRss();
const enginePeakRss = trackPeakRss();

// 2. The engine end to end.
process.stderr.write(`engine: snapshot + send to ${N}…\n`);
const routes = singleRoute(transport, { concurrency: CONCURRENCY });
const worker = new DeliveryWorker(ctx, { routes, batchSize: 1000, leaseMs: 120_000 });
// Production workers start before the snapshot, as long-running `--role worker` processes would
// be, and are idle when it begins; their route limits come from the SMTP URL like an operator's.
const workers: ProductionWorker[] = [];
let services: string[] = [];
if (WORKERS > 0) {
  const env = configEnv({ ...config, smtpUrl: `${url}?concurrency=${Math.ceil(CONCURRENCY / WORKERS)}&connections=${Math.ceil(CONNECTIONS / WORKERS)}`, dataDir: dir });
  for (let i = 0; i < WORKERS; i++) workers.push(spawnProductionWorker(env, dir));
  services = (await Promise.all(workers.map((w) => w.ready)))[0] ?? [];
}
const idleFigures = workers.map((w) => procFigures(w.pid));
t0 = performance.now();
const sendStartedAt = Date.now();
await startCampaignSend(ctx, workspaceId, campaign.id);
const snapshotS = (performance.now() - t0) / 1000;
const t1 = performance.now();
const engineCpu0 = cpuSample();
const engineSink0 = processCpuUs(sink.proc.pid);
let workerFigures: ProcFigures[] = [];
let pickUpS: number | null = null;
let sendS: number;
let engineCpu: ReturnType<typeof cpuPer>;
let totalS: number;
if (WORKERS === 0) {
  let result: Record<number, string> = {};
  while (result[campaign.id] !== 'finished') result = await worker.tick();
  sendS = (performance.now() - t1) / 1000;
  engineCpu = cpuPer(engineCpu0, cpuSample(), N);
  totalS = (performance.now() - t0) / 1000;
} else {
  const finished = (async () => {
    for (;;) {
      const c = await ctx.db.selectFrom('campaigns').select(['status', 'finished_at']).where('id', '=', campaign.id).executeTakeFirstOrThrow();
      if (c.status === 'finished') return Number(c.finished_at);
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  const finishedAt = await Promise.race([finished, ...workers.map((w) => w.alive)]);
  engineCpu = cpuPer(engineCpu0, cpuSample(), N);
  totalS = (performance.now() - t0) / 1000;
  // Read /proc before SIGTERM: shutdown work must not count, and a gone process has no figures.
  workerFigures = workers.map((w) => procFigures(w.pid));
  await Promise.all(workers.map((w) => w.stop()));
  // The send loop runs from the workers' first outcome to the finish (both on their clock): a
  // worker process notices a started campaign at its next poll (1 s), reported apart.
  const first = await sql<{ t: number | string | null }>`SELECT MIN(first_attempt_at) AS t FROM deliveries WHERE campaign_id = ${campaign.id}`.execute(ctx.db);
  const firstAt = Number(first.rows[0]?.t ?? sendStartedAt);
  pickUpS = Math.max(0, (firstAt - sendStartedAt) / 1000 - snapshotS);
  sendS = (finishedAt - firstAt) / 1000;
}
const engineSink = sinkCpuPer(engineSink0);
const counts = await ledgerCounts(ctx, campaign.id);
const rss = peakRss();
const engineRss = enginePeakRss();
await routes.close();
await sink.stop();
await ctx.dbHandle.close();
rmSync(dir, { recursive: true, force: true });

const engineRate = N / sendS;
const line = (k: string, v: string) => process.stdout.write(`${k.padEnd(34)} ${v}\n`);
process.stdout.write(`\nbench send — ${machineLine()}\n`);
line('inputs', `${N} recipients, ${ctx.dialect}, sink: ${sink.kind} (separate process), ${WORKERS ? `${WORKERS} × \`node dist/cli/main.js start --role worker\`` : 'in-process worker'}, ${CONNECTIONS} SMTP connections, ${CONCURRENCY} in flight, DKIM rsa-2048, 6 links tracked, 3 personalised fields`);
if (WORKERS) line('worker role runs', services.join(', '));
line('seed (SQL generated contacts)', `${seedS.toFixed(1)} s`);
line('transport ceiling', `${ceiling.toFixed(0)} msgs/s (${ceilingS.toFixed(1)} s${ceilingFailures ? `, ${ceilingFailures} not accepted` : ''})`);
line('engine: audience snapshot', `${snapshotS.toFixed(1)} s`);
line('engine: send loop', `${engineRate.toFixed(0)} msgs/s (${sendS.toFixed(1)} s${pickUpS === null ? '' : `, first outcome to finish; picked up ${pickUpS.toFixed(1)} s after the snapshot`})`);
line('engine: snapshot + send', `${(N / totalS).toFixed(0)} msgs/s (${totalS.toFixed(1)} s)`);
line('engine / ceiling', `${((engineRate / ceiling) * 100).toFixed(1)} %  (floor 35 %)`);
const us = (c: { total: number; main: number | null }) => `${c.total.toFixed(0)} µs CPU/msg${c.main === null ? '' : ` (main thread ${c.main.toFixed(0)} µs)`}`;
line('CPU: transport ceiling', us(ceilingCpu));
if (WORKERS === 0) {
  line('CPU: engine (all threads)', us(engineCpu));
  line('CPU ratio ceiling / engine', `${((ceilingCpu.total / engineCpu.total) * 100).toFixed(1)} % (all threads)${engineCpu.main && ceilingCpu.main ? `, ${((ceilingCpu.main / engineCpu.main) * 100).toFixed(1)} % (main thread)` : ''}`);
} else {
  // Worker CPU from idle (after start-up) to the finish, all threads; the bench process only polls.
  const workerCpuUs = workerFigures.reduce((s, f, i) => s + f.cpuUs - (idleFigures[i] as ProcFigures).cpuUs, 0);
  const engineTotal = { total: workerCpuUs / N + engineCpu.total, main: null };
  line('CPU: engine (workers + coordinator)', `${us(engineTotal)}; workers alone ${(workerCpuUs / N).toFixed(0)} µs, start-up ${idleFigures.map((f) => `${(f.cpuUs / 1000).toFixed(0)} ms`).join(', ')}`);
  workerFigures.forEach((f, i) => line(`CPU: worker ${i + 1} by thread`, `${threadBreakdown((workers[i] as ProductionWorker).pid, idleFigures[i] as ProcFigures, f, N)} µs per campaign message`));
  line('CPU ratio ceiling / engine', `${((ceilingCpu.total / engineTotal.total) * 100).toFixed(1)} % (all threads of all processes)`);
}
line('DKIM signing', `one RSA-2048 signature ${signUs.toFixed(0)} µs on this CPU (one thread: at most ${(1e6 / signUs).toFixed(0)} msgs/s per signer thread); ${WORKERS ? `signer threads per worker: ${DKIM_THREADS || 'adaptive'}` : `signer threads: ${signerThreadCount()} (${DKIM_THREADS ? 'fixed' : 'adaptive'})`}`);
line('CPU: sink process', `ceiling phase ${ceilingSink}, engine phase ${engineSink}`);
line('floor 1,500 msgs/s end-to-end', engineRate >= 1500 ? 'met' : 'NOT met');
line('ledger', `eligible ${counts.eligible}, sent ${counts.sent}, deferred ${counts.deferred}, failed ${counts.failed}`);
line('peak RSS (bench process)', `${rss.toFixed(0)} MB (floor 300 MB at 1M); ceiling phase ${ceilingRss.toFixed(0)} MB, engine phase ${engineRss.toFixed(0)} MB`);
if (WORKERS) line('peak RSS (worker processes, VmHWM)', `${workerFigures.map((f) => `${f.peakRssMb.toFixed(0)} MB`).join(', ')} (floor 300 MB at 1M); after start-up ${idleFigures.map((f) => `${f.peakRssMb.toFixed(0)} MB`).join(', ')}`);
