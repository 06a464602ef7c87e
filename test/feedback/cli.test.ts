// `postlane bounce classify FILE... --json` as a real process: one JSON line per file in order,
// an error object for an unreadable file, exit 1 at the end, and no crash on binary garbage.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const run = promisify(execFile);
const root = join(import.meta.dirname, '../..');
const fixtures = join(root, 'test/fixtures/feedback');

it('prints one JSON object per file, an error object for unreadable files, and exits non-zero at the end', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'postlane-cli-'));
  const garbage = join(dir, 'garbage.bin');
  writeFileSync(garbage, Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7919) % 256)));
  const files = [join(fixtures, 'qmail-no-mailbox.eml'), join(dir, 'missing.eml'), garbage, join(fixtures, 'arf-yahoo-cfl.eml')];
  const err = await run(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), 'bounce', 'classify', ...files, '--json'], { cwd: root }).catch((e: { code: number; stdout: string }) => e);
  expect((err as { code: number }).code).toBe(1);
  const lines = (err as { stdout: string }).stdout.trim().split('\n').map((l) => JSON.parse(l));
  expect(lines.map((l) => l.file)).toEqual(files);
  expect(lines[0]).toMatchObject({ kind: 'bounce', feedback_type: null, recipients: [{ address: 'nobody@qmail-host.example', action: 'failed', status: '5.1.1', reply_code: null, reason: 'user_unknown', hard: true }] });
  expect(Object.keys(lines[0].recipients[0]).sort()).toEqual(['action', 'address', 'diagnostic', 'hard', 'reason', 'reply_code', 'status']);
  expect(lines[1]).toMatchObject({ error: { code: 'not_found' } });
  expect(lines[2]).toMatchObject({ kind: 'not_feedback', recipients: [] });
  expect(lines[3]).toMatchObject({ kind: 'complaint', feedback_type: 'abuse', recipients: [{ address: 'reader@yahoo.com', reason: 'feedback', hard: false }] });
}, 60_000);
