// `postlane export [--list NAME] [--format csv|json]`: streams contacts to stdout (audited as the CLI).
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { AppError } from '../../errors.js';
import { exportContacts, type ExportFormat } from '../../exports/contacts.js';
import { findListByName } from '../../lists/index.js';
import { requireWorkspace, withContext } from '../shared.js';

interface ExportOpts {
  list?: string;
  format: string;
  status?: string;
  membershipStatus?: string;
  workspace?: string;
}

export function registerExport(program: Command): void {
  program
    .command('export')
    .description('Export contacts (all, or one list) to stdout as formula-safe CSV or NDJSON')
    .option('-l, --list <name>', 'only members of this list')
    .option('-f, --format <format>', 'csv or json (NDJSON, one object per line)', 'csv')
    .option('--status <status>', 'only contacts with this status (active, unsubscribed, bounced, complained, blocked)')
    .option('--membership-status <status>', 'with --list: unconfirmed, confirmed or unsubscribed')
    .option('-w, --workspace <slug>', 'workspace (default: the first one)')
    .addHelpText('after', '\nExample:\n  postlane export --list Newsletter --format csv > newsletter.csv\n')
    .action(async (opts: ExportOpts, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        if (opts.format !== 'csv' && opts.format !== 'json') throw new AppError('bad_request', '--format must be csv or json');
        const ws = await requireWorkspace(ctx, opts.workspace);
        let listId: number | undefined;
        if (opts.list !== undefined) {
          const list = await findListByName(ctx.db, ws.id, opts.list);
          if (!list) throw new AppError('not_found', `list "${opts.list}" not found in workspace ${ws.slug}`);
          listId = list.id;
        }
        const exp = await exportContacts(ctx, ws.id, {
          format: opts.format as ExportFormat, listId, status: opts.status, membershipStatus: opts.membershipStatus, actor: 'cli',
        });
        // pipeline honours stdout back-pressure, so a slow pipe never buffers the whole audience.
        await pipeline(exp.stream, process.stdout, { end: false });
      });
    });
}
