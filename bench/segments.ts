// `npm run bench -- segments [--contacts N] [--events M] [--batches B] [--concurrency C] [--skip-ingest] [--skip-count]`
// (a) Event ingestion through the HTTP API on SQLite: batches of 100 over loopback to a real
//     listening server; events/s and p99 latency, against a same-run baseline of the same rows
//     inserted with one raw prepared statement (the ratio survives a noisy machine).
// (b) Segment count with N contacts and M events (default 1M / 10M): 3 attribute conditions +
//     1 event condition, on SQLite and — when DATABASE_URL is set — PostgreSQL; baseline is a
//     plain count(*) of the workspace's contacts in the same run.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createApiKey } from '../src/auth/api-keys.js';
import { systemClock } from '../src/clock.js';
import type { AppContext } from '../src/context.js';
import { openDatabase, type DatabaseHandle } from '../src/db/index.js';
import { loadInstanceSecret, runMigrations } from '../src/db/migrate.js';
import { buildApp } from '../src/http/app.js';
import { silentLogger } from '../src/log.js';
import { countSegment } from '../src/segments/service.js';
import { validateDefinition } from '../src/segments/schema.js';
import { createWorkspace } from '../src/workspaces/index.js';
import { defaultConfig } from '../src/config/schema.js';
import { machineLine, trackPeakRss } from './_machine.js';

const { values: args } = parseArgs({
  options: {
    contacts: { type: 'string', default: '1000000' },
    events: { type: 'string', default: '10000000' },
    batches: { type: 'string', default: '300' },
    concurrency: { type: 'string', default: '4' },
    'skip-ingest': { type: 'boolean', default: false },
    'skip-count': { type: 'boolean', default: false },
  },
});
const CONTACTS = Number(args.contacts);
const EVENTS = Number(args.events);
const DAY = 86_400_000;
const COUNTRIES = ['DE', 'FR', 'US', 'GB', 'ES', 'IT', 'NL', 'PL', 'SE', 'AT'];
const PLANS = ['free', 'starter', 'pro', 'team'];
const EVENT_NAMES = ['purchase', 'view', 'add_to_cart', 'search', 'login', 'signup', 'share', 'review', 'refund', 'wishlist'];
const log = (s: string) => process.stderr.write(`${s}\n`);
const out = (s: string) => process.stdout.write(`${s}\n`);

// Deterministic PRNG so SQLite and PostgreSQL runs see statistically identical data.
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function contextOf(handle: DatabaseHandle, url: string): AppContext {
  return { db: handle.db, dialect: handle.dialect, dbHandle: handle, config: { ...defaultConfig(), databaseUrl: url, publicUrl: 'http://127.0.0.1' }, log: silentLogger(), clock: systemClock, secret: 'bench' };
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? 0;

async function benchIngestion(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-seg-ingest-'));
  const url = `sqlite:${join(dir, 'b.db')}`;
  const handle = openDatabase(url);
  try {
    await runMigrations(handle.db);
    const ctx = { ...contextOf(handle, url), secret: await loadInstanceSecret(handle.db, null) };
    const ws = await createWorkspace(handle.db, systemClock, { name: 'Bench', postalAddress: '1 Bench St' });
    const key = (await createApiKey(handle.db, systemClock, { workspaceId: ws.id, name: 'bench', role: 'owner' })).key;
    // 10,000 known contacts: most events name one of them by email, some create new contacts.
    const ins = handle.sqlite!.prepare(`INSERT INTO contacts (workspace_id, email, email_lower, status, attributes, tracking_consent, created_at, updated_at) VALUES (?, ?, ?, 'active', '{}', 1, 0, 0)`);
    handle.sqlite!.transaction(() => { for (let i = 0; i < 10_000; i++) ins.run(ws.id, `c${i}@example.com`, `c${i}@example.com`); })();
    const app = await buildApp(ctx);
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const batches = Number(args.batches);
    const concurrency = Number(args.concurrency);
    const rand = rng(1);
    const makeBatch = (b: number) => JSON.stringify({
      batch: Array.from({ length: 100 }, (_, i) => ({
        type: 'track', email: `c${Math.floor(rand() * 10_500)}@example.com`, event: EVENT_NAMES[i % EVENT_NAMES.length],
        properties: { amount: Math.round(rand() * 10_000) / 100, sku: `sku-${i}` }, idempotency_key: `b${b}-${i}`,
      })),
    });
    const bodies = Array.from({ length: batches }, (_, b) => makeBatch(b));
    const latencies: number[] = [];
    let next = 0;
    let rejected = 0;
    const worker = async () => {
      while (next < batches) {
        const body = bodies[next++]!;
        const t0 = performance.now();
        const res = await fetch(`http://127.0.0.1:${port}/api/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body });
        const json = (await res.json()) as { rejected?: unknown[] };
        latencies.push(performance.now() - t0);
        if (res.status !== 200) throw new Error(`ingest failed: ${res.status} ${JSON.stringify(json)}`);
        rejected += json.rejected?.length ?? 0;
      }
    };
    // Warm-up (JIT, statement cache) is not measured.
    await fetch(`http://127.0.0.1:${port}/api/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: makeBatch(-1) });
    const peak = trackPeakRss();
    const t0 = performance.now();
    await Promise.all(Array.from({ length: concurrency }, worker));
    const secs = (performance.now() - t0) / 1000;
    const rate = (batches * 100) / secs;
    await app.close();

    // Baseline: the same number of rows through one raw prepared statement, 100 per transaction.
    const raw = handle.sqlite!.prepare(`INSERT INTO events (workspace_id, contact_id, anonymous_id, name, properties, occurred_at, received_at, idempotency_key, source, campaign_id) VALUES (?, ?, NULL, ?, ?, ?, ?, ?, 'api', NULL)`);
    const tx = handle.sqlite!.transaction((b: number) => { for (let i = 0; i < 100; i++) raw.run(ws.id, 1 + (i % 10_000), 'purchase', '{"amount":1}', Date.now(), Date.now(), `raw${b}-${i}`); });
    const r0 = performance.now();
    for (let b = 0; b < batches; b++) tx(b);
    const rawRate = (batches * 100) / ((performance.now() - r0) / 1000);
    out(`(a) ingestion, SQLite, HTTP API over loopback: ${batches} batches x 100 events, concurrency ${concurrency}`);
    out(`    ${Math.round(rate).toLocaleString('en')} events/s (floor 5,000)   p50 ${pct(latencies, 50).toFixed(1)} ms   p99 ${pct(latencies, 99).toFixed(1)} ms (floor 50 ms)   rejected ${rejected}   peak RSS ${peak().toFixed(0)} MB`);
    out(`    baseline raw prepared INSERT, 100/transaction: ${Math.round(rawRate).toLocaleString('en')} rows/s   ratio api/raw ${(rate / rawRate).toFixed(3)}`);
  } finally {
    await handle.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const SEGMENT = validateDefinition({
  version: 1,
  root: {
    all: [
      { attribute: 'country', op: 'eq', value: 'DE' },
      { attribute: 'plan', op: 'in', value: ['pro', 'team'] },
      { attribute: 'age', op: 'gte', value: 30 },
      { event: 'purchase', count: { gte: 2 }, within_days: 90 },
    ],
  },
});

function attributesFor(r: () => number): string {
  return JSON.stringify({ country: COUNTRIES[Math.floor(r() * COUNTRIES.length)], plan: PLANS[Math.floor(r() * PLANS.length)], age: 18 + Math.floor(r() * 60), score: Math.round(r() * 1000) / 10 });
}

/** Loads SQLite with raw prepared statements in big transactions; event indexes are built after the load. */
function loadSqlite(handle: DatabaseHandle, ws: number, now: number): void {
  const db = handle.sqlite!;
  const r = rng(7);
  const c = db.prepare(`INSERT INTO contacts (id, workspace_id, email, email_lower, status, attributes, tracking_consent, created_at, updated_at) VALUES (?, ?, ?, ?, 'active', ?, 1, ?, ?)`);
  for (let start = 0; start < CONTACTS; start += 200_000) {
    db.transaction(() => {
      for (let i = start; i < Math.min(CONTACTS, start + 200_000); i++) {
        const email = `c${i}@d${i % 1000}.example`;
        c.run(i + 1, ws, email, email, attributesFor(r), now - Math.floor(r() * 730) * DAY, now);
      }
    })();
  }
  const idx = db.prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events' AND sql IS NOT NULL`).all() as Array<{ name: string; sql: string }>;
  for (const i of idx) db.exec(`DROP INDEX ${i.name}`);
  const e = db.prepare(`INSERT INTO events (workspace_id, contact_id, name, properties, occurred_at, received_at, source) VALUES (?, ?, ?, ?, ?, ?, 'api')`);
  for (let start = 0; start < EVENTS; start += 500_000) {
    db.transaction(() => {
      for (let i = start; i < Math.min(EVENTS, start + 500_000); i++) {
        e.run(ws, 1 + Math.floor(r() * CONTACTS), EVENT_NAMES[Math.floor(r() * EVENT_NAMES.length)], `{"amount":${Math.floor(r() * 200)}}`, now - Math.floor(r() * 365 * DAY), now);
      }
    })();
    log(`  sqlite: ${Math.min(EVENTS, start + 500_000).toLocaleString('en')} events`);
  }
  for (const i of idx) db.exec(i.sql);
  db.exec('ANALYZE');
}

/** PostgreSQL: generated server-side (generate_series), the fastest load path there. */
async function loadPostgres(pool: pg.Pool, ws: number, now: number): Promise<void> {
  await pool.query(`INSERT INTO contacts (id, workspace_id, email, email_lower, status, attributes, tracking_consent, created_at, updated_at)
    SELECT g, $1, 'c' || g || '@d' || (g % 1000) || '.example', 'c' || g || '@d' || (g % 1000) || '.example', 'active',
      jsonb_build_object('country', (ARRAY['DE','FR','US','GB','ES','IT','NL','PL','SE','AT'])[1 + floor(random() * 10)::int],
        'plan', (ARRAY['free','starter','pro','team'])[1 + floor(random() * 4)::int], 'age', 18 + floor(random() * 60)::int, 'score', round((random() * 100)::numeric, 1)),
      1, $2 - floor(random() * 730)::bigint * 86400000, $2
    FROM generate_series(1, $3::int) g`, [ws, now, CONTACTS]);
  await pool.query(`SELECT setval(pg_get_serial_sequence('contacts', 'id'), $1::bigint)`, [CONTACTS + 1]);
  const idx = (await pool.query(`SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'events' AND schemaname = current_schema() AND indexname NOT LIKE '%pkey'`)).rows as Array<{ indexname: string; indexdef: string }>;
  for (const i of idx) await pool.query(`DROP INDEX ${i.indexname}`);
  for (let start = 0; start < EVENTS; start += 2_000_000) {
    const n = Math.min(2_000_000, EVENTS - start);
    await pool.query(`INSERT INTO events (workspace_id, contact_id, name, properties, occurred_at, received_at, source)
      SELECT $1, 1 + floor(random() * $2::int)::bigint, (ARRAY['purchase','view','add_to_cart','search','login','signup','share','review','refund','wishlist'])[1 + floor(random() * 10)::int],
        jsonb_build_object('amount', floor(random() * 200)::int), $3 - floor(random() * 365 * 86400000)::bigint, $3, 'api'
      FROM generate_series(1, $4::int)`, [ws, CONTACTS, now, n]);
    log(`  postgres: ${(start + n).toLocaleString('en')} events`);
  }
  for (const i of idx) await pool.query(i.indexdef);
  await pool.query('VACUUM ANALYZE contacts');
  await pool.query('VACUUM ANALYZE events');
}

async function timeCounts(ctx: AppContext, ws: number): Promise<{ seg: number[]; base: number[]; count: number }> {
  const seg: number[] = [];
  const base: number[] = [];
  let count = 0;
  for (let i = 0; i < 3; i++) {
    let t = performance.now();
    await ctx.db.selectFrom('contacts').select((eb) => eb.fn.countAll().as('n')).where('workspace_id', '=', ws).where('status', '=', 'active').executeTakeFirst();
    base.push(performance.now() - t);
    t = performance.now();
    count = await countSegment(ctx, ws, SEGMENT);
    seg.push(performance.now() - t);
  }
  return { seg, base, count };
}

function reportCount(label: string, floorMs: number, r: { seg: number[]; base: number[]; count: number }): void {
  const best = Math.min(...r.seg);
  const baseBest = Math.min(...r.base);
  out(`    ${label}: count ${r.count.toLocaleString('en')}  best ${best.toFixed(0)} ms, runs [${r.seg.map((x) => x.toFixed(0)).join(', ')}] ms (floor ${floorMs} ms)`);
  out(`      baseline count(*) of active contacts: best ${baseBest.toFixed(0)} ms   ratio segment/baseline ${(best / baseBest).toFixed(2)}`);
}

async function benchCount(): Promise<void> {
  const now = Date.UTC(2026, 0, 1);
  out(`(b) segment count: ${CONTACTS.toLocaleString('en')} contacts, ${EVENTS.toLocaleString('en')} events; segment = ${JSON.stringify(SEGMENT.root)}`);
  const dir = mkdtempSync(join(tmpdir(), 'bench-seg-count-'));
  const url = `sqlite:${join(dir, 'b.db')}`;
  const handle = openDatabase(url);
  try {
    await runMigrations(handle.db);
    const ws = await createWorkspace(handle.db, systemClock, { name: 'Bench', postalAddress: null });
    const t0 = performance.now();
    loadSqlite(handle, ws.id, now);
    log(`  sqlite load ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const ctx = { ...contextOf(handle, url), clock: { now: () => now } };
    reportCount('SQLite', 2000, await timeCounts(ctx, ws.id));
  } finally {
    await handle.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const pgUrl = process.env.DATABASE_URL;
  if (!pgUrl || !/^postgres/.test(pgUrl)) {
    out('    PostgreSQL: skipped (DATABASE_URL not set)');
    return;
  }
  const schema = `bench_segments_${process.pid}`;
  const admin = new pg.Client({ connectionString: pgUrl });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  const ph = openDatabase(pgUrl, { pgSchema: schema, poolSize: 2 });
  try {
    await runMigrations(ph.db);
    const ws = await createWorkspace(ph.db, systemClock, { name: 'Bench', postalAddress: null });
    const t0 = performance.now();
    await loadPostgres(ph.pgPool!, ws.id, now);
    log(`  postgres load ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const ctx = { ...contextOf(ph, pgUrl), clock: { now: () => now } };
    reportCount('PostgreSQL', 1000, await timeCounts(ctx, ws.id));
  } finally {
    await ph.close();
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
  }
}

out(`segments benchmark — ${machineLine()}`);
if (!args['skip-ingest']) await benchIngestion();
if (!args['skip-count']) await benchCount();
