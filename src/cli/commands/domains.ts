// `postlane domain add|list|check|remove`: sending domains from the command line, for first
// runs and scripts. Prints the DNS records to publish; --json for machines.
import type { Command } from 'commander';
import { promises as nodeDns } from 'node:dns';
import { checkSendingDomain, createSendingDomain, deleteSendingDomain, listSendingDomains, type SendingDomain } from '../../domains/index.js';
import { requireWorkspace, withContext } from '../shared.js';

type Common = { workspace?: string; json?: boolean };

function print(d: SendingDomain, json: boolean | undefined): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(d)}\n`);
    return;
  }
  process.stdout.write(`#${d.id} ${d.domain} selector=${d.selector} ${d.algorithm} status=${d.status}\n`);
  for (const r of d.records) process.stdout.write(`  ${r.type} ${r.name}\n    ${r.strings.map((s) => JSON.stringify(s)).join(' ')}\n`);
}

export function registerDomains(program: Command): void {
  const domain = program.command('domain').description('Sending domains: DKIM keys and the DNS records to publish');

  domain.command('add <domain>').description('Generate a DKIM key for a domain and print the DNS records')
    .option('--selector <selector>', 'DKIM selector', 'postlane')
    .option('--algorithm <algorithm>', 'rsa (2048-bit, default) or ed25519', 'rsa')
    .option('--workspace <slug>', 'workspace (default: the first)')
    .option('--json', 'print JSON')
    .action(async (name: string, opts: Common & { selector: string; algorithm: string }, cmd: Command) => withContext(cmd, async (ctx) => {
      const ws = await requireWorkspace(ctx, opts.workspace);
      const algorithm = opts.algorithm === 'ed25519' ? 'ed25519' : opts.algorithm === 'rsa' ? 'rsa' : null;
      if (!algorithm) throw new Error('--algorithm must be rsa or ed25519');
      print(await createSendingDomain(ctx, { workspaceId: ws.id, actor: 'cli' }, { domain: name, selector: opts.selector, algorithm }), opts.json);
    }));

  domain.command('list').description('List sending domains')
    .option('--workspace <slug>', 'workspace (default: the first)')
    .option('--json', 'print JSON')
    .action(async (opts: Common, cmd: Command) => withContext(cmd, async (ctx) => {
      const ws = await requireWorkspace(ctx, opts.workspace);
      const all = await listSendingDomains(ctx, ws.id);
      if (opts.json) process.stdout.write(`${JSON.stringify(all)}\n`);
      else for (const d of all) print(d, false);
    }));

  domain.command('check <id>').description('Re-check the DNS records of a domain')
    .option('--workspace <slug>', 'workspace (default: the first)')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: Common, cmd: Command) => withContext(cmd, async (ctx) => {
      const ws = await requireWorkspace(ctx, opts.workspace);
      const d = await checkSendingDomain({ ...ctx, dns: ctx.dns ?? nodeDns }, { workspaceId: ws.id, actor: 'cli' }, Number(id));
      if (opts.json) process.stdout.write(`${JSON.stringify(d)}\n`);
      else {
        process.stdout.write(`#${d.id} ${d.domain}: ${d.status}\n`);
        for (const [k, c] of Object.entries(d.checks ?? {})) process.stdout.write(`  ${k}: ${c.ok ? 'ok' : 'missing'} — ${c.message}\n`);
      }
      if (d.status !== 'verified') process.exitCode = 2;
    }));

  domain.command('remove <id>').description('Delete a sending domain and its key')
    .option('--workspace <slug>', 'workspace (default: the first)')
    .action(async (id: string, opts: Common, cmd: Command) => withContext(cmd, async (ctx) => {
      const ws = await requireWorkspace(ctx, opts.workspace);
      await deleteSendingDomain(ctx, { workspaceId: ws.id, actor: 'cli' }, Number(id));
      process.stderr.write(`removed sending domain #${id}\n`);
    }));
}
