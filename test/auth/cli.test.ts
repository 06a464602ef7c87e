// Runs the BUILT command (dist/cli/main.js) the way an operator does, against a temp data dir.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/index.js';
import { buildApp } from '../../src/http/app.js';
import { openContext } from '../../src/main.js';
import { loadConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/log.js';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'dist/cli/main.js');

function newestMtime(dir: string): number {
  let max = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    max = Math.max(max, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return max;
}

/** Builds dist/ when it is missing or older than src/, so the test never runs stale code. */
function ensureBuilt(): void {
  if (existsSync(CLI) && statSync(CLI).mtimeMs >= newestMtime(join(ROOT, 'src'))) return;
  execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json')], { cwd: ROOT, stdio: 'inherit', timeout: 240_000 });
}

// Each spawn pays Node start-up and a migration check: generous timeouts for a loaded machine.
describe('postlane user create / api-key create (built CLI, SQLite)', { timeout: 120_000 }, () => {
  let dataDir: string;
  const env = () => {
    // Only what the CLI should see: no DATABASE_URL from the test environment.
    const e: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, POSTLANE_DATA_DIR: dataDir, POSTLANE_LOG_LEVEL: 'info' };
    return e;
  };
  const run = (args: string[], input?: string) => spawnSync(process.execPath, [CLI, ...args], { env: env(), encoding: 'utf8', input, timeout: 60_000 });

  beforeAll(() => {
    ensureBuilt();
    dataDir = mkdtempSync(join(tmpdir(), 'postlane-cli-'));
  }, 300_000);
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('refuses a non-owner first user and a short password, leaving no workspace behind', () => {
    const viewer = run(['user', 'create', '--email', 'v@acme.io', '--password', 'long-enough-1', '--role', 'viewer']);
    expect(viewer.status).toBe(1);
    expect(viewer.stderr).toMatch(/first user must be an owner/);
    const short = run(['user', 'create', '--email', 'ada@acme.io', '--password', 'short', '--role', 'owner']);
    expect(short.status).toBe(1);
    expect(short.stderr).toMatch(/at least 10 characters/);
    expect(short.stdout).toBe('');
    const key = run(['api-key', 'create', '--name', 'ci', '--role', 'admin']);
    expect(key.status).toBe(1);
    expect(key.stderr).toMatch(/user create/);
  });

  it('creates the first owner and workspace, then more users, and prints an API key alone on stdout', async () => {
    const first = run(['user', 'create', '--email', 'Ada@Acme.io', '--password', 'correct horse battery', '--role', 'owner', '--name', 'Ada', '--workspace', 'Acme Inc', '--json']);
    expect(first.status, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({
      user: { email: 'ada@acme.io', role: 'owner', name: 'Ada' }, workspace: { name: 'Acme Inc', slug: 'acme-inc', created: true }, account_created: true,
    });
    const second = run(['user', 'create', '--email', 'mark@acme.io', '--password-stdin', '--role', 'marketer'], 'marketing-password\n');
    expect(second.status, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/mark@acme.io as marketer to workspace "Acme Inc"/);
    const missing = run(['user', 'create', '--email', 'x@acme.io', '--password', 'long-enough-1', '--role', 'viewer', '--workspace', 'nope']);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/workspace "nope" not found/);

    const created = run(['api-key', 'create', '--name', 'ci', '--role', 'admin']);
    expect(created.status, created.stderr).toBe(0);
    expect(created.stdout).toMatch(/^pl_[A-Za-z0-9_-]{40,}\n$/);
    expect(created.stderr).toMatch(/not shown again/);
    const key = created.stdout.trim();

    // The key and the password work against the server that reads the same config.
    const ctx = await openContext(loadConfig({ env: env() }), { log: silentLogger() });
    const app = await buildApp(ctx);
    try {
      const me = await app.inject({ url: '/api/v1/auth/me', headers: { authorization: `Bearer ${key}` } });
      expect(me.json()).toMatchObject({ role: 'admin', workspace: { slug: 'acme-inc' } });
      const login = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'mark@acme.io', password: 'marketing-password' } });
      expect(login.statusCode).toBe(200);
      const audit = (await app.inject({ url: '/api/v1/audit-log?actor=cli', headers: { authorization: `Bearer ${key}` } })).json().items.map((e: { action: string }) => e.action);
      expect(audit).toEqual(expect.arrayContaining(['users.create', 'api_keys.create']));
      expect((await app.inject('/api/v1/setup')).json()).toEqual({ needed: false });
    } finally {
      await app.close();
      await ctx.dbHandle.close();
    }

    const bad = run(['api-key', 'create', '--name', 'x', '--role', 'root']);
    expect(bad.status).toBe(1);
    expect(bad.stdout).toBe('');
  });

  it('lists and revokes keys, and resets a password', () => {
    const list = run(['api-key', 'list', '--json']);
    const keys = list.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(keys).toHaveLength(1);
    expect(JSON.stringify(keys)).not.toMatch(/pl_[A-Za-z0-9_-]{40}/);
    expect(run(['api-key', 'revoke', String(keys[0].id)]).status).toBe(0);
    expect(run(['api-key', 'list']).stdout).toBe('');
    const reset = run(['user', 'set-password', '--email', 'mark@acme.io', '--password', 'another-password']);
    expect(reset.status, reset.stderr).toBe(0);
    const users = run(['user', 'list']).stdout;
    expect(users).toMatch(/owner\tada@acme.io\tAda/);
    const db = openDatabase(`sqlite:${join(dataDir, 'postlane.db')}`);
    return db.db.selectFrom('audit_log').select('action').where('action', '=', 'auth.password_reset').execute()
      .then((rows) => expect(rows).toHaveLength(1))
      .finally(() => db.close());
  });
});
