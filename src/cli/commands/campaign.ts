// `postlane campaign list|show|send|pause|resume|cancel`: operate campaigns from scripts.
// Sending only starts the send (ledger snapshot); a running worker (`postlane start`) delivers it.
import type { Command } from 'commander';
import type { AppContext } from '../../context.js';
import {
  campaignCounts, cancelCampaign, getCampaignRow, listCampaigns, pauseCampaign, resumeCampaign, sendWarnings, startCampaignSend, toCampaign, type Campaign,
} from '../../campaigns/index.js';
import { requireWorkspace, withContext } from '../shared.js';

type Opts = { json?: boolean; workspace?: string };

async function show(ctx: AppContext, workspaceId: number, c: Campaign, json?: boolean): Promise<void> {
  const counts = await campaignCounts(ctx, workspaceId, c.id);
  if (json) {
    process.stdout.write(`${JSON.stringify({ ...c, counts })}\n`);
    return;
  }
  process.stdout.write(`#${c.id} ${c.name} — ${c.status}${c.paused_reason ? ` (${c.paused_reason})` : ''}\n`);
  process.stdout.write(`  eligible ${counts.eligible}  sent ${counts.sent}  deferred ${counts.deferred}  failed ${counts.failed}  skipped ${counts.skipped}  queued ${counts.queued}\n`);
  process.stdout.write(`  opened ${counts.opened}  clicked ${counts.clicked}  unsubscribed ${counts.unsubscribed}  bounced ${counts.bounced}  complained ${counts.complained}\n`);
}

function idArg(raw: string): number {
  const id = Number(raw);
  if (!Number.isInteger(id) || id < 1) throw new Error(`not a campaign id: ${raw}`);
  return id;
}

export function registerCampaign(program: Command): void {
  const campaign = program.command('campaign').description('List, inspect and control campaigns');
  const common = (c: Command) => c.option('--json', 'print JSON').option('--workspace <slug>', 'workspace (default: the first one)');

  common(campaign.command('list').description('List campaigns, newest first')).action(async (opts: Opts, cmd: Command) =>
    withContext(cmd, async (ctx) => {
      const ws = await requireWorkspace(ctx, opts.workspace);
      const rows = await listCampaigns(ctx, ws.id, { limit: 200 });
      if (opts.json) process.stdout.write(`${JSON.stringify(rows)}\n`);
      else for (const c of rows) process.stdout.write(`#${c.id}\t${c.status}\t${c.name}\n`);
    }));

  common(campaign.command('show <id>').description('Status and ledger counts of one campaign')).action(async (id: string, opts: Opts, cmd: Command) =>
    withContext(cmd, async (ctx) => {
      const ws = await requireWorkspace(ctx, opts.workspace);
      await show(ctx, ws.id, toCampaign(await getCampaignRow(ctx, ws.id, idArg(id))), opts.json);
    }));

  const actions = {
    send: ['Start sending (or schedule, or confirm a missed schedule)', startCampaignSend],
    pause: ['Pause a sending campaign', pauseCampaign],
    resume: ['Resume a paused campaign', resumeCampaign],
    cancel: ['Cancel a campaign; unsent recipients are marked cancelled', cancelCampaign],
  } as const;
  for (const [name, [description, fn]] of Object.entries(actions)) {
    common(campaign.command(`${name} <id>`).description(description)).action(async (id: string, opts: Opts, cmd: Command) =>
      withContext(cmd, async (ctx) => {
        const ws = await requireWorkspace(ctx, opts.workspace);
        const c = await fn(ctx, ws.id, idArg(id));
        // Warnings never block a send; stderr keeps stdout (and --json) for data.
        if (name === 'send') for (const w of sendWarnings(ctx)) process.stderr.write(`postlane: warning: ${w}\n`);
        await show(ctx, ws.id, c, opts.json);
      }));
  }
}
