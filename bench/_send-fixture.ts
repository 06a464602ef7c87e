// Shared by bench/send.ts and bench/crash.ts: a throwaway database with N contacts on one
// list, a DKIM key, a realistic campaign (3 personalised fields, 6 tracked links), and sinks.
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { systemClock } from '../src/clock.js';
import { defaultConfig, type Config } from '../src/config/schema.js';
import type { AppContext } from '../src/context.js';
import { openDatabase } from '../src/db/index.js';
import { loadInstanceSecret, runMigrations } from '../src/db/migrate.js';
import { createLogger } from '../src/log.js';
import { createWorkspace } from '../src/workspaces/index.js';
import { createCampaign } from '../src/campaigns/index.js';

export const here = dirname(fileURLToPath(import.meta.url));

export function benchConfig(dir: string, over: Partial<Config> = {}): Config {
  const key = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' });
  const keyFile = join(dir, 'dkim.pem');
  if (!existsSync(keyFile)) writeFileSync(keyFile, key);
  return {
    ...defaultConfig(), publicUrl: 'https://mail.example.com', databaseUrl: process.env.BENCH_DATABASE_URL ?? `sqlite:${join(dir, 'bench.db')}`,
    logLevel: 'warn', dkimDomain: 'example.com', dkimSelector: 'bench', dkimKeyFile: keyFile, postalAddress: '1 Bench Street, 10115 Berlin',
    bounceDomain: 'bounces.example.com', secret: 'bench-secret-bench-secret-bench-secret!!', ...over,
  };
}

export async function openBenchContext(config: Config): Promise<AppContext> {
  const handle = openDatabase(config.databaseUrl, { poolSize: 10 });
  await runMigrations(handle.db);
  const secret = await loadInstanceSecret(handle.db, config.secret);
  return { db: handle.db, dialect: handle.dialect, dbHandle: handle, config, log: createLogger(config.logLevel), clock: systemClock, secret };
}

/** N contacts with first/last name and a city attribute, all confirmed on one list — generated in SQL. */
export async function seedAudience(ctx: AppContext, n: number): Promise<{ workspaceId: number; listId: number }> {
  const ws = await createWorkspace(ctx.db, ctx.clock, { name: `bench ${Date.now()}`, postalAddress: '1 Bench Street, 10115 Berlin' });
  const now = ctx.clock.now();
  const list = await ctx.db.insertInto('lists').values({ workspace_id: ws.id, name: 'bench', description: null, opt_in: 'single', created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
  const concat = (...parts: ReturnType<typeof sql>[]) => sql.join(parts, sql` || `);
  const seq = sql`WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ${n})`;
  const email = concat(sql`'user'`, sql`CAST(i AS TEXT)`, sql`'@example.net'`);
  await sql`${seq} INSERT INTO contacts (workspace_id, email, email_lower, first_name, last_name, status, attributes, tracking_consent, created_at, updated_at)
    SELECT ${ws.id}, ${email}, ${email}, ${concat(sql`'First'`, sql`CAST(i AS TEXT)`)}, ${concat(sql`'Last'`, sql`CAST(i AS TEXT)`)}, 'active',
      ${ctx.dialect === 'postgres' ? sql`'{"city":"Köln"}'::jsonb` : sql`'{"city":"Köln"}'`}, 1, ${now}, ${now} FROM seq`.execute(ctx.db);
  await sql`INSERT INTO list_memberships (workspace_id, list_id, contact_id, status, created_at, confirmed_at, updated_at)
    SELECT ${ws.id}, ${Number(list.id)}, id, 'confirmed', ${now}, ${now}, ${now} FROM contacts WHERE workspace_id = ${ws.id}`.execute(ctx.db);
  return { workspaceId: ws.id, listId: Number(list.id) };
}

const HTML = `<!doctype html><html><body style="font-family:sans-serif">
<h1>Hello {{ contact.first_name | default: "there" }} {{ contact.last_name }}!</h1>
<p>Our spring sale reaches {{ contact.city | default: "your city" }} this week. ${'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(12)}</p>
<p><a href="https://shop.example.com/sale">Shop the sale</a> · <a href="https://shop.example.com/new">New in</a> · <a href="https://shop.example.com/men">Men</a>
 · <a href="https://shop.example.com/women">Women</a> · <a href="https://blog.example.com/spring">Read the blog</a> · <a href="https://example.com/help">Help</a></p>
<p>${'More text to make a realistic 4-5 KB body. '.repeat(40)}</p>
<p><a href="{{ unsubscribe_url }}">Unsubscribe</a> · {{ workspace.postal_address }}</p>
</body></html>`;

export async function createBenchCampaign(ctx: AppContext, workspaceId: number, listId: number) {
  return createCampaign(ctx, workspaceId, {
    name: 'bench', subject: 'Spring sale for {{ contact.first_name }}', from_email: 'news@example.com', from_name: 'Example Shop',
    html: HTML, text: 'Hello {{ contact.first_name }}, the spring sale is on: https://shop.example.com/sale\nUnsubscribe: {{ unsubscribe_url }}\n{{ workspace.postal_address }}',
    list_ids: [listId],
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
    s.on('error', reject);
  });
}

export interface Sink { port: number; kind: string; proc: ChildProcess; stop(): Promise<void> }

/** Postfix smtp-sink when installed (discarding), else bench/_sink.ts; `log` forces ours (it records recipients). */
export async function startSink(opts: { log?: string } = {}): Promise<Sink> {
  const port = await freePort();
  let proc: ChildProcess;
  let kind: string;
  if (!opts.log && existsSync('/usr/sbin/smtp-sink')) {
    kind = 'postfix smtp-sink';
    proc = spawn('/usr/sbin/smtp-sink', ['-u', 'root', '-m', '512', `127.0.0.1:${port}`, '1024'], { stdio: ['ignore', 'ignore', 'inherit'] });
    await waitForPort(port);
  } else {
    kind = 'bench/_sink.ts';
    proc = spawn(process.execPath, ['--import', 'tsx', join(here, '_sink.ts'), String(port), ...(opts.log ? [opts.log] : [])], { stdio: ['ignore', 'pipe', 'inherit'] });
    await waitForPort(port);
  }
  return {
    port, kind, proc,
    stop: () => new Promise((resolve) => {
      if (proc.exitCode !== null) return resolve();
      proc.once('exit', () => resolve());
      proc.kill('SIGTERM');
    }),
  };
}

async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => { s.destroy(); resolve(true); });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`sink on ${port} did not start`);
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
