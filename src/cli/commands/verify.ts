// `postlane verify [ADDRESS ...] [--file F]`: one verdict per input line (JSON lines with --json),
// in input order, with bounded concurrency; `postlane verify update-lists` refreshes the lists.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { isSyntaxPolicy } from '../../verify/diagnosis.js';
import { verifierFor } from '../../verify/engine.js';
import { updateDisposableList } from '../../verify/update-lists.js';
import { CHECKS, type Check, type VerifyResult } from '../../verify/types.js';
import { withContext } from '../shared.js';

interface VerifyOpts {
  file?: string;
  checks?: string;
  policy?: string;
  concurrency?: string;
  json?: boolean;
}

async function* inputLines(addresses: string[], file: string | undefined): AsyncGenerator<string> {
  yield* addresses;
  if (!file) return;
  const rl = createInterface({ input: file === '-' ? process.stdin : createReadStream(file, 'utf8'), crlfDelay: Infinity });
  for await (const line of rl) yield line;
}

function human(r: VerifyResult): string {
  const extra = [r.syntax.valid ? '' : r.syntax.diagnosis, r.suggestion ? `did you mean ${r.suggestion}?` : '', r.reasons.join(',')].filter(Boolean).join('  ');
  return `${r.email}\t${r.verdict}\t${r.score}\t${extra}`;
}

export function parseChecks(raw: string | undefined): Check[] | undefined {
  if (!raw) return undefined;
  const list = raw.split(/[,|]/).map((c) => c.trim()).filter(Boolean);
  const bad = list.filter((c) => !(CHECKS as readonly string[]).includes(c));
  if (bad.length) throw new Error(`unknown check(s) ${bad.join(', ')}: use ${CHECKS.join(', ')}`);
  return list as Check[];
}

export function registerVerify(program: Command): void {
  const cmd = program
    .command('verify')
    .description('Verify email addresses: syntax, DNS/MX, optional SMTP probe, lists and heuristics')
    .argument('[addresses...]', 'addresses to verify')
    .option('--file <path>', 'read one address per line from a file ("-" for stdin)')
    .option('--checks <list>', 'comma-separated checks: syntax, dns, smtp (default syntax,dns)')
    .option('--policy <policy>', 'syntax policy: deliverable (default) or rfc')
    .option('--concurrency <n>', 'addresses verified at once', '16')
    .option('--json', 'print one JSON object per line')
    .action(async (addresses: string[], opts: VerifyOpts, command: Command) => {
      await withContext(command, async (ctx) => {
        const checks = parseChecks(opts.checks);
        const policy = opts.policy ?? 'deliverable';
        if (!isSyntaxPolicy(policy)) throw new Error('--policy must be deliverable or rfc');
        const concurrency = Math.max(1, Math.min(1000, Number(opts.concurrency) || 16));
        if (addresses.length === 0 && !opts.file) throw new Error('give addresses or --file (see --help)');
        const verifier = verifierFor(ctx);
        // A sliding window: up to `concurrency` in flight, printed strictly in input order.
        const window: Array<Promise<VerifyResult>> = [];
        const print = (r: VerifyResult) => process.stdout.write(`${opts.json ? JSON.stringify(r) : human(r)}\n`);
        for await (const line of inputLines(addresses, opts.file)) {
          window.push(verifier.verify(line, { checks, policy }));
          if (window.length >= concurrency) print(await window.shift()!);
        }
        while (window.length) print(await window.shift()!);
      });
    });

  cmd
    .command('update-lists')
    .description('Refresh the disposable-domain list into the data dir (npm registry package, or --file)')
    .option('--file <path>', 'use this file (JSON array or one domain per line) instead of the registry')
    .option('--json', 'print the result as JSON')
    .action(async (opts: { file?: string; json?: boolean }, command: Command) => {
      await withContext(command, async (ctx) => {
        // commander hands a --file after `update-lists` to the parent's option of the same name.
        const parent = (command.parent?.opts() ?? {}) as VerifyOpts;
        const file = opts.file ?? parent.file;
        const json = opts.json ?? parent.json;
        const r = await updateDisposableList(ctx.config.dataDir, { file, now: ctx.clock.now() });
        if (json) process.stdout.write(`${JSON.stringify(r)}\n`);
        else process.stdout.write(`Installed ${r.domains} disposable domains (+${r.wildcards} wildcard) from ${r.source}${r.version ? `@${r.version}` : ''} into ${r.path}\n`);
      });
    });
}
