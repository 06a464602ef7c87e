// `postlane segment list|count|preview`: inspect saved segments or try a definition file from a
// shell. Thin: parses options and calls segments/.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { countSegment, getSegment, listSegments, previewSegment } from '../../segments/index.js';
import { requireWorkspace, withContext } from '../shared.js';

const print = (json: boolean | undefined, data: unknown, text: string) => process.stdout.write(json ? `${JSON.stringify(data)}\n` : `${text}\n`);

export function registerSegments(program: Command): void {
  const seg = program.command('segment').description('Saved segments: list, count, preview a definition');
  seg.command('list')
    .description('List saved segments')
    .option('--workspace <slug>', 'workspace slug (default: the first workspace)')
    .option('--json', 'print JSON')
    .action(async (opts: { workspace?: string; json?: boolean }, cmd: Command) => withContext(cmd, async (ctx) => {
      const ws = await requireWorkspace(ctx, opts.workspace);
      const rows = await listSegments(ctx, ws.id);
      print(opts.json, rows, rows.map((s) => `${s.id}\t${s.name}`).join('\n') || '(no segments)');
    }));
  seg.command('count <id>')
    .description('Count the contacts in a saved segment now')
    .option('--workspace <slug>', 'workspace slug (default: the first workspace)')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { workspace?: string; json?: boolean }, cmd: Command) => withContext(cmd, async (ctx) => {
      const ws = await requireWorkspace(ctx, opts.workspace);
      const s = await getSegment(ctx, ws.id, Number(id));
      const count = await countSegment(ctx, ws.id, s.definition);
      print(opts.json, { id: s.id, count }, String(count));
    }));
  seg.command('preview <file>')
    .description('Count and sample the contacts of a definition in a JSON file ({ "version": 1, "root": … })')
    .option('--workspace <slug>', 'workspace slug (default: the first workspace)')
    .option('--sample <n>', 'contacts to show', '10')
    .option('--json', 'print JSON')
    .action(async (file: string, opts: { workspace?: string; sample: string; json?: boolean }, cmd: Command) => withContext(cmd, async (ctx) => {
      const ws = await requireWorkspace(ctx, opts.workspace);
      const r = await previewSegment(ctx, ws.id, JSON.parse(readFileSync(file, 'utf8')), Math.min(100, Math.max(0, Number(opts.sample) || 0)));
      print(opts.json, r, [`count: ${r.count}`, ...r.sample.map((c) => `${c.id}\t${c.email}`)].join('\n'));
    }));
}
