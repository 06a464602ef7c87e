// `npm run bench -- assemble [--messages N]`: CPU cost per message of the per-recipient pipeline
// (unsubscribe token → render → trackHtml → MIME → DKIM RSA-2048), without DB or SMTP. CPU time
// (process.cpuUsage) is printed next to wall time, so the figures mean something on a loaded machine.
// Baseline in the same run: a bare RSA-2048 signature (sync) per message.
import { createPrivateKey, sign } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { machineLine } from './_machine.js';
import { benchConfig, createBenchCampaign, openBenchContext, seedAudience, tempDir } from './_send-fixture.js';
import { assembleMessage, prepareCampaign, type CampaignRow, type RecipientContact } from '../src/delivery/prepare.js';

const i = process.argv.indexOf('--messages');
const N = i > 0 ? Number(process.argv[i + 1]) : 5000;
const dir = tempDir('postlane-bench-assemble-');
const config = benchConfig(dir, { smtpUrl: null });
const ctx = await openBenchContext(config);
const { workspaceId, listId } = await seedAudience(ctx, 10);
const campaign = await createBenchCampaign(ctx, workspaceId, listId);
const row = (await ctx.db.selectFrom('campaigns').selectAll().where('id', '=', campaign.id).executeTakeFirstOrThrow()) as unknown as CampaignRow;
const p = await prepareCampaign(ctx, { ...row, id: Number(row.id), workspace_id: Number(row.workspace_id) });
const contact = (k: number): RecipientContact => ({ id: k, email: `user${k}@example.net`, first_name: `First${k}`, last_name: `Last${k}`, timezone: null, attributes: { city: 'Köln' }, tracking_consent: true });

// Baseline: one synchronous RSA-2048 signature per message (the floor no pipeline can beat).
const key = createPrivateKey(readFileSync(config.dkimKeyFile as string));
const measure = async (fn: (k: number) => unknown, n: number) => {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let k = 1; k <= n; k++) await fn(k);
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  return { wallUs: (wall * 1000) / n, cpuUs: (cpu.user + cpu.system) / n };
};
await measure((k) => assembleMessage(ctx, p, k, contact(k)), 500); // warm-up
const rsa = await measure(() => sign('sha256', Buffer.from('x'.repeat(400)), key), Math.min(N, 2000));
const asm = await measure((k) => assembleMessage(ctx, p, k, contact(k)), N);
// CPU of the steps before signing: everything but DKIM (keys: [] skips signing).
const nokeys = { ...p, keys: [] };
const pre = await measure((k) => assembleMessage(ctx, nokeys, k, contact(k)), N);
await ctx.dbHandle.close();
rmSync(dir, { recursive: true, force: true });

const line = (k: string, v: string) => process.stdout.write(`${k.padEnd(40)} ${v}\n`);
process.stdout.write(`\nbench assemble — ${machineLine()}\n`);
line('inputs', `${N} messages, 4-5 KB html, 6 tracked links, 3 personalised fields, DKIM rsa-2048`);
line('baseline: RSA-2048 sign (sync)', `${rsa.cpuUs.toFixed(0)} µs CPU/msg (${rsa.wallUs.toFixed(0)} µs wall)`);
line('assemble without DKIM', `${pre.cpuUs.toFixed(0)} µs CPU/msg (${pre.wallUs.toFixed(0)} µs wall)`);
line('assemble with DKIM (signer thread)', `${asm.cpuUs.toFixed(0)} µs CPU/msg (${asm.wallUs.toFixed(0)} µs wall, all threads)`);
line('non-signing work / RSA sign', `${(pre.cpuUs / rsa.cpuUs).toFixed(2)}×`);
