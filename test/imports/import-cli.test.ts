import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { openDatabase } from '../../src/db/index.js';
import { runMigrations } from '../../src/db/migrate.js';
import { createWorkspace } from '../../src/workspaces/index.js';

const run = promisify(execFile);

async function cli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { env: { ...process.env, ...env, DATABASE_URL: env.DATABASE_URL as string }, cwd: process.cwd() });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('postlane import (CLI)', () => {
  it('imports a file into a list and prints one JSON object with the counts; refuses a bad file with JSON and exit 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'postlane-cli-import-'));
    const url = `sqlite:${join(dir, 'p.db')}`;
    const h = openDatabase(url);
    await runMigrations(h.db);
    await createWorkspace(h.db, systemClock, { name: 'CLI' });
    await h.close();
    const env = { DATABASE_URL: url, POSTLANE_DATA_DIR: dir, POSTLANE_LOG_LEVEL: 'silent' };
    const file = join(dir, 'people.csv');
    writeFileSync(file, 'Email,First Name,plan\na@example.com,A,pro\nnot-an-address,B,free\na@example.com,A2,free\n');

    const missing = await cli(['import', file, '--list', 'Customers', '--json'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/list "Customers" not found/);

    const ok = await cli(['import', file, '--list', 'Customers', '--create-list', '--json'], env);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    const out = JSON.parse(ok.stdout);
    expect(out).toMatchObject({ status: 'succeeded', imported: 1, updated: 0, skipped: 1, invalid: 1, rejections: [{ line: 3, reason: 'invalid_email' }, { line: 4, reason: 'duplicate' }] });
    expect(typeof out.job_id).toBe('number');
    expect(ok.stdout.trim().split('\n')).toHaveLength(1);

    const update = await cli(['import', file, '--list', 'Customers', '--mode', 'update', '--json'], env);
    expect(JSON.parse(update.stdout)).toMatchObject({ imported: 0, updated: 1 });

    writeFileSync(join(dir, 'bad.csv'), 'name,phone\nx,1\n');
    const bad = await cli(['import', join(dir, 'bad.csv'), '--list', 'Customers', '--json'], env);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout).error).toMatchObject({ code: 'unprocessable', details: { headers: ['name', 'phone'] } });
  }, 120_000);
});
