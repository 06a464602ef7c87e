// `npm run bench -- ui [--contacts N] [--views-per-contact V] [--rounds R]`: "no page over 2 s on
// 100,000 contacts" (issue #7). Seeds a SQLite workspace with set-based inserts (default 100,000
// contacts, lists, two segments, a finished campaign with a 100,000-row ledger, opens, clicks,
// bounces, V page-view events per contact, suppressions, captured messages), starts the real
// server (web/dist from `npm run build`), signs in with Debian's Chromium and opens every main page
// R times (full loads, as a bookmark or reload would). Per page: the time until the <h1> shows
// with no "Loading…" left and the network is quiet, the API calls made, the slowest one by server
// time (fastify's request log), and this process's CPU time (the server runs in it). Baseline in
// the same run: /healthz, a page that needs no API data.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { chromium, type Page } from 'playwright-core';
import { loadConfig } from '../src/config/load.js';
import { startPostlane } from '../src/main.js';
import { cpuSample, machineLine } from './_machine.js';
import { seedUiWorkspace } from './_ui-seed.js';

const { values: args } = parseArgs({ options: { contacts: { type: 'string', default: '100000' }, 'views-per-contact': { type: 'string', default: '5' }, rounds: { type: 'string', default: '3' } } });
const CONTACTS = Number(args.contacts);
const ROUNDS = Number(args.rounds);
const CHROMIUM = '/usr/bin/chromium';
const ROOT = resolve(import.meta.dirname, '..');
const QUIET_MS = 500;
const log = (s: string) => process.stderr.write(`${s}\n`);
const out = (s: string) => process.stdout.write(`${s}\n`);
const load = () => os.loadavg().map((x) => x.toFixed(2)).join(' ');

if (!existsSync(CHROMIUM)) { log(`${CHROMIUM} is missing (apt-get install -y chromium)`); process.exit(1); }
if (!existsSync(join(ROOT, 'web', 'dist', 'index.html'))) { log('web/dist is missing: run `npm run build` first'); process.exit(1); }

const dir = mkdtempSync(join(os.tmpdir(), 'postlane-bench-ui-'));
const config = loadConfig({
  env: {}, file: null,
  overrides: { port: 0, host: '127.0.0.1', dataDir: dir, databaseUrl: `sqlite:${join(dir, 'postlane.db')}`, logLevel: 'warn', publicUrl: 'http://127.0.0.1' },
});
// Server-side time per API call, from fastify's "request completed" log lines (responseTime):
// unlike browser-side timings, it does not include the browser's own queueing on a busy machine.
const serverCalls: Array<{ url: string; ms: number }> = [];
const urls = new Map<string, string>();
const logSink = new Writable({
  write(chunk: Buffer, _enc, done) {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line) continue;
      const e = JSON.parse(line) as { level: number; msg: string; reqId?: string; req?: { url: string }; responseTime?: number };
      if (e.msg === 'incoming request' && e.reqId && e.req) urls.set(e.reqId, e.req.url);
      else if (e.msg === 'request completed' && e.reqId && e.responseTime !== undefined) {
        const url = urls.get(e.reqId) ?? '?';
        urls.delete(e.reqId);
        if (url.startsWith('/api/v1/')) serverCalls.push({ url, ms: e.responseTime });
      } else if (e.level >= 40) process.stderr.write(`${line}\n`);
    }
    done();
  },
});
const server = await startPostlane(config, { log: pino({ level: 'info', base: { app: 'postlane' } }, logSink) });
const base = server.url as string;
const browser = await chromium.launchPersistentContext(join(dir, 'chromium-profile'), {
  executablePath: CHROMIUM, headless: true, viewport: { width: 1280, height: 860 },
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const owner = { email: 'owner@example.org', password: 'correct horse battery' };
  const setup = await fetch(`${base}/api/v1/setup`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...owner, workspace_name: 'Bench Books', postal_address: '1 Main Street, Springfield' }),
  });
  if (setup.status !== 201) throw new Error(`setup failed: ${setup.status} ${await setup.text()}`);
  const t0 = performance.now();
  const seeded = seedUiWorkspace(server.ctx, CONTACTS, Number(args['views-per-contact']));
  log(`seeded ${CONTACTS.toLocaleString('en')} contacts, ${seeded.ledger.toLocaleString('en')} ledger rows, ${seeded.events.toLocaleString('en')} events in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const page = browser.pages()[0] ?? await browser.newPage();
  page.setDefaultTimeout(30_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${base}/login`);
  await page.getByLabel('Email').fill(owner.email);
  await page.getByLabel('Password').fill(owner.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();

  const pages: Array<[string, string]> = [
    ['dashboard', '/'],
    ['contacts', '/contacts'],
    ['contacts in a segment', `/contacts?segment_id=${seeded.segmentId}`],
    ['contacts in a rare segment', `/contacts?segment_id=${seeded.rareSegmentId}`],
    ['contacts on a list', `/contacts?list_id=${seeded.listIds[0]}`],
    ['contact profile', `/contacts/${seeded.profileContactId}`],
    ['lists', '/lists'],
    ['list members', `/lists/${seeded.listIds[0]}`],
    ['import', '/imports/new'],
    ['segments (counts)', '/segments'],
    ['segment (live count)', `/segments/${seeded.segmentId}`],
    ['templates', '/templates'],
    ['campaigns', '/campaigns'],
    ['campaign report', `/campaigns/${seeded.campaignId}`],
    ['campaign wizard', `/campaigns/${seeded.campaignId}/edit`],
    ['suppressions', '/deliverability'],
    ['bounces and complaints', '/deliverability/feedback'],
    ['verification', '/deliverability/verify'],
    ['sending domains', '/deliverability/domains'],
    ['settings', '/settings'],
    ['users', '/settings/users'],
    ['API keys', '/settings/api-keys'],
    ['sending route', '/settings/delivery'],
    ['outbox', '/outbox'],
  ];
  out(`# bench ui — ${CONTACTS.toLocaleString('en')} contacts, ${seeded.ledger.toLocaleString('en')}-row ledger, ${seeded.events.toLocaleString('en')} events, SQLite; ${ROUNDS} full loads per page`);
  out(machineLine());
  out(`load average before: ${load()}`);
  const baseline = await visit(page, `${base}/healthz`, null);
  out(`baseline /healthz (no SPA, no API): ${baseline.ms.toFixed(0)} ms`);
  out('');
  out('| Page | Ready, median (ms) | Worst (ms) | API calls | Slowest API call, server time (ms) | CPU, median (ms) |');
  out('|---|---:|---:|---:|---|---:|');
  const over: string[] = [];
  for (const [name, path] of pages) {
    const runs: Visit[] = [];
    for (let r = 0; r < ROUNDS; r++) runs.push(await visit(page, `${base}${path}`, 'h1'));
    const by = <K extends 'ms' | 'cpuMs'>(k: K) => runs.map((x) => x[k]).sort((a, b) => a - b);
    const median = by('ms')[Math.floor(ROUNDS / 2)] ?? 0;
    const worst = by('ms')[ROUNDS - 1] ?? 0;
    const slow = runs.flatMap((x) => x.slowest ? [x.slowest] : []).sort((a, b) => b.ms - a.ms)[0];
    out(`| ${name} | ${median.toFixed(0)} | ${worst.toFixed(0)} | ${runs[0]?.apiCalls ?? 0} | ${slow ? `${slow.ms.toFixed(0)} ${slow.url}` : '—'} | ${(by('cpuMs')[Math.floor(ROUNDS / 2)] ?? 0).toFixed(0)} |`);
    if (worst > 2000) over.push(`${name} (${worst.toFixed(0)} ms)`);
  }
  out('');
  out(`load average after: ${load()}`);
  out(over.length ? `OVER 2 s: ${over.join(', ')}` : 'every page under 2 s');
  if (errors.length) out(`page errors: ${errors.join(' | ')}`);
} finally {
  await browser.close().catch(() => undefined);
  await server.stop().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
}

interface Visit { ms: number; cpuMs: number; apiCalls: number; slowest: { url: string; ms: number } | null }

/**
 * Loads `url` and waits until `selector` is visible inside <main> with no `.loading` left, and no
 * request has been in flight for QUIET_MS. Ready = the later of "content shown" and "last response
 * finished" (the quiet window itself is not counted).
 */
async function visit(page: Page, url: string, selector: string | null): Promise<Visit> {
  const started = new Set<object>();
  const firstCall = serverCalls.length;
  let lastEnd = 0;
  const onRequest = (req: object) => { started.add(req); };
  const onEnd = (req: object) => { started.delete(req); lastEnd = performance.now(); };
  page.on('request', onRequest);
  page.on('requestfinished', onEnd);
  page.on('requestfailed', onEnd);
  const cpu0 = cpuSample();
  const t0 = performance.now();
  try {
    await page.goto(url, { waitUntil: 'commit' });
    let shown = t0;
    if (selector) {
      await page.locator(`main ${selector}`).first().waitFor({ state: 'visible' });
      // A function, not a string: the admin CSP forbids eval. Typed by hand: bench/ has no DOM lib.
      await page.waitForFunction(() => (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<unknown> } }).document.querySelectorAll('main .loading').length === 0, undefined, { polling: 16 });
      shown = performance.now();
    }
    // Quiet network: nothing in flight for QUIET_MS (polling pages poll every 2-60 s, after this).
    for (let quietSince = performance.now(); performance.now() - quietSince < QUIET_MS;) {
      await new Promise((r) => setTimeout(r, 25));
      if (started.size > 0) quietSince = performance.now();
    }
    const cpu1 = cpuSample();
    const api = serverCalls.slice(firstCall);
    const slowest = [...api].sort((a, b) => b.ms - a.ms)[0] ?? null;
    return { ms: Math.max(shown, lastEnd) - t0, cpuMs: (cpu1.total - cpu0.total) / 1000, apiCalls: api.length, slowest };
  } finally {
    page.off('request', onRequest);
    page.off('requestfinished', onEnd);
    page.off('requestfailed', onEnd);
  }
}
