// `postlane bounce classify FILE... [--json]`: classifies feedback messages from files (or "-" for
// stdin) without touching the database. One JSON line per file; unreadable files give an error
// object and a non-zero exit once every file has been tried.
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { classifyFeedback, type FeedbackResult } from '../../feedback/index.js';

interface FileOutcome {
  file: string;
  result?: FeedbackResult;
  error?: { code: string; message: string };
}

async function readInput(file: string): Promise<Buffer> {
  if (file !== '-') return readFile(file);
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function classifyFile(file: string): Promise<FileOutcome> {
  let raw: Buffer;
  try {
    raw = await readInput(file);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return { file, error: { code: e.code === 'ENOENT' ? 'not_found' : 'unreadable', message: e.message } };
  }
  try {
    return { file, result: await classifyFeedback(raw) };
  } catch (err) {
    // classifyFeedback is built not to throw; this keeps the promise to never crash the command.
    return { file, error: { code: 'classify_failed', message: (err as Error).message } };
  }
}

export function jsonLine(o: FileOutcome): string {
  if (o.error) return JSON.stringify({ file: o.file, error: o.error });
  const r = o.result!;
  return JSON.stringify({
    file: o.file,
    kind: r.kind,
    recipients: r.recipients.map((x) => ({ address: x.address, action: x.action, status: x.status, reply_code: x.reply_code, diagnostic: x.diagnostic, reason: x.reason, hard: x.hard })),
    feedback_type: r.kind === 'complaint' ? r.feedback_type : null,
  });
}

function humanLines(o: FileOutcome): string {
  if (o.error) return `${o.file}: error ${o.error.code}: ${o.error.message}`;
  const r = o.result!;
  const head = `${o.file}: ${r.kind}${r.feedback_type ? ` (${r.feedback_type})` : ''}`;
  const rows = r.recipients.map((x) => `  ${x.address}  ${x.action ?? '-'}  ${x.status ?? '-'}  ${x.reason}${x.hard ? '  HARD' : ''}`);
  return [head, ...rows].join('\n');
}

export function registerBounce(program: Command): void {
  const bounce = program.command('bounce').description('Bounce, complaint and auto-reply tools');
  bounce
    .command('classify')
    .description('Classify feedback messages (bounces, complaints, auto-replies) read from files; "-" reads stdin')
    .argument('<files...>', 'message files (RFC 5322, any line endings)')
    .option('--json', 'one JSON object per line per file')
    .action(async (files: string[], opts: { json?: boolean }) => {
      let failed = false;
      for (const file of files) {
        const outcome = await classifyFile(file);
        if (outcome.error) failed = true;
        process.stdout.write(`${opts.json ? jsonLine(outcome) : humanLines(outcome)}\n`);
      }
      if (failed) process.exitCode = 1;
    });
}
