import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { upsertContact } from '../../src/contacts/index.js';
import { createList, subscribe } from '../../src/lists/index.js';
import { useTestEnv, type TestContext } from '../helpers/context.js';

const run = promisify(execFile);

async function cli(ctx: TestContext, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      env: { ...process.env, DATABASE_URL: ctx.config.databaseUrl, POSTLANE_LOG_LEVEL: 'error' }, maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

// The CLI runs as a real process against a SQLite file (one database is enough: the export
// queries themselves run on both databases in export.test.ts).
describe('postlane export (CLI)', () => {
  const env = useTestEnv('sqlite', { app: false, tenants: { t: { name: 'Cli Shop' } } });
  beforeAll(async () => {
    const list = await createList(env.ctx, env.t.workspace.id, { name: 'News letter' });
    await upsertContact(env.ctx, env.t.workspace.id, { email: 'one@cli.example', firstName: '=2+3', attributes: { city: 'Köln, "DE"' } });
    await upsertContact(env.ctx, env.t.workspace.id, { email: 'two@cli.example' });
    await subscribe(env.ctx, env.t.workspace.id, list.id, { email: 'one@cli.example' });
  });

  it('writes the list as formula-safe CSV to stdout and audits the export as the CLI', async () => {
    const r = await cli(env.ctx, ['export', '--list', 'News letter', '--workspace', env.t.workspace.slug]);
    expect(r.code, r.stderr).toBe(0);
    const rows = parse(r.stdout) as string[][];
    expect(rows).toEqual([
      ['email', 'first_name', 'last_name', 'status', 'timezone', 'created_at', 'city'],
      ['one@cli.example', "'=2+3", '', 'active', '', new Date(env.ctx.clock.now()).toISOString(), 'Köln, "DE"'],
    ]);
    const audit = await env.ctx.db.selectFrom('audit_log').selectAll().where('action', '=', 'contacts.export').executeTakeFirstOrThrow();
    expect(audit.actor_type).toBe('cli');
    expect(audit.workspace_id).toBe(env.t.workspace.id);
    expect(JSON.parse(String(audit.details))).toMatchObject({ rows: 1, completed: true });
  }, 60_000);

  it('writes NDJSON with --format json, and fails with exit 1 on an unknown list or format', async () => {
    const r = await cli(env.ctx, ['export', '--format', 'json', '--workspace', env.t.workspace.slug]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n').map((l) => JSON.parse(l).email)).toEqual(['one@cli.example', 'two@cli.example']);
    const missing = await cli(env.ctx, ['export', '--list', 'Nope', '--workspace', env.t.workspace.slug]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/list "Nope" not found/);
    expect(missing.stdout).toBe('');
  }, 60_000);
});
