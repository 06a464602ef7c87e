// `postlane import FILE --list NAME`: imports a CSV/NDJSON file through the same code path as
// the API, with a progress bar on stderr (TTY only) and, with --json, one JSON object on stdout.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { IMPORT_FORMATS, IMPORT_MODES, listByName, startImport, type ImportJob, type ImportMode, type ImportProgress } from '../../imports/index.js';
import { AppError } from '../../errors.js';
import { requireWorkspace, withContext } from '../shared.js';

interface ImportOpts {
  list?: string;
  mode: string;
  format?: string;
  createList?: boolean;
  json?: boolean;
  workspace?: string;
  map: string[];
  encoding?: string;
  delimiter?: string;
  purpose?: string;
  wordingVersion?: string;
  verify?: string;
}

const collect = (v: string, acc: string[]) => [...acc, v];

export function registerImport(program: Command): void {
  program
    .command('import')
    .description('Import contacts from a CSV or NDJSON file into a list')
    .argument('<file>', 'CSV (header row required) or NDJSON file')
    .option('--list <name>', 'list the contacts join (by name)')
    .option('--mode <mode>', `${IMPORT_MODES.join(' | ')}: add-only, update existing only, or add + replace`, 'add')
    .option('--format <format>', `${IMPORT_FORMATS.join(' | ')} (default: from the file extension)`)
    .option('--create-list', 'create the list (single opt-in) if it does not exist')
    .option('--map <header=target>', 'map a column: email|first_name|last_name|external_id|timezone|ignore|attribute:NAME (repeatable)', collect, [])
    .option('--encoding <encoding>', 'auto | utf8 | latin1')
    .option('--delimiter <char>', 'CSV delimiter (default: detected from the header)')
    .option('--purpose <purpose>', 'consent purpose recorded per row', 'marketing_email')
    .option('--wording-version <version>', 'consent wording version recorded per row')
    .option('--verify <mode>', 'verification at import: reject | flag | accept (rows not deliverable are rejected, flagged with attribute email_verdict, or kept)', 'accept')
    .option('--workspace <slug>', 'workspace (default: the first one)')
    .option('--json', 'print one JSON object with the counts on stdout')
    .action(async (file: string, opts: ImportOpts, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        if (!opts.list) throw new AppError('bad_request', '--list NAME is required');
        const ws = await requireWorkspace(ctx, opts.workspace);
        const listId = await listByName(ctx, ws.id, opts.list, !!opts.createList);
        const mapping: Record<string, string> = {};
        for (const m of opts.map) {
          const eq = m.lastIndexOf('=');
          if (eq <= 0) throw new AppError('bad_request', `--map expects HEADER=TARGET, got "${m}"`);
          mapping[m.slice(0, eq)] = m.slice(eq + 1);
        }
        const path = resolve(file);
        const format = (opts.format ?? (/\.(nd)?jsonl?$/i.test(file) ? 'ndjson' : 'csv')) as 'csv' | 'ndjson';
        const bar = process.stderr.isTTY && !opts.json ? progressBar() : null;
        const started = startImport(ctx, {
          workspaceId: ws.id, actor: 'cli', path, listId, mode: opts.mode as ImportMode, format,
          encoding: opts.encoding as 'auto' | 'utf8' | 'latin1' | undefined, delimiter: opts.delimiter === '\\t' ? '\t' : opts.delimiter ?? null,
          mapping, purpose: opts.purpose, wordingVersion: opts.wordingVersion ?? null, fileName: file, verify: opts.verify as 'reject' | 'flag' | 'accept', onProgress: bar?.update,
        });
        // With --json, a refused file is still one JSON object on stdout (and a non-zero exit).
        const { done } = await started.catch((err: unknown) => {
          if (opts.json && err instanceof AppError) process.stdout.write(`${JSON.stringify({ error: { code: err.code, message: err.message, details: err.details } })}\n`);
          throw err;
        });
        const job = await done;
        bar?.finish();
        printResult(job, !!opts.json);
        if (job.status !== 'succeeded') process.exitCode = 1;
      });
    });
}

function progressBar() {
  const started = Date.now();
  let lastDraw = 0;
  const draw = (p: ImportProgress, force = false) => {
    const now = Date.now();
    if (!force && now - lastDraw < 100) return;
    lastDraw = now;
    const frac = p.total_bytes ? Math.min(1, p.bytes_read / p.total_bytes) : 0;
    const width = 30;
    const filled = Math.round(frac * width);
    const rate = Math.round(p.processed / Math.max(0.001, (now - started) / 1000));
    process.stderr.write(`\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(frac * 100).toFixed(1).padStart(5)}%  ${p.processed.toLocaleString('en')} rows  ${rate.toLocaleString('en')} rows/s `);
  };
  return {
    update: (p: ImportProgress) => draw(p),
    finish: () => process.stderr.write('\n'),
  };
}

function printResult(job: ImportJob, json: boolean): void {
  const r = job.result;
  const counts = {
    job_id: job.id, status: job.status,
    processed: r?.processed ?? 0, imported: r?.imported ?? 0, updated: r?.updated ?? 0, skipped: r?.skipped ?? 0, invalid: r?.invalid ?? 0,
    existing: r?.existing ?? 0, added_to_list: r?.added_to_list ?? 0,
    skipped_reasons: r?.skipped_reasons ?? {}, invalid_reasons: r?.invalid_reasons ?? {},
    rejections: r?.rejections ?? [], rejections_stored: r?.rejections_stored ?? 0, rejections_truncated: r?.rejections_truncated ?? false,
    warnings: r?.warnings ?? [], error: job.error, stopped_at_line: r?.stopped_at_line ?? null,
  };
  if (json) {
    process.stdout.write(`${JSON.stringify(counts)}\n`);
    return;
  }
  const lines = [
    `import ${job.id} ${job.status}: ${counts.processed} rows — imported ${counts.imported}, updated ${counts.updated}, skipped ${counts.skipped}, invalid ${counts.invalid}` +
      (counts.added_to_list ? `; ${counts.added_to_list} added to the list` : ''),
  ];
  for (const [k, v] of Object.entries({ ...counts.skipped_reasons, ...counts.invalid_reasons })) lines.push(`  ${k}: ${v}`);
  for (const j of counts.rejections.slice(0, 10)) lines.push(`  line ${j.line}: ${j.reason}${j.detail ? ` (${j.detail})` : ''}`);
  for (const w of counts.warnings) lines.push(`  warning: ${w}`);
  if (job.error) lines.push(`error: ${job.error}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}
