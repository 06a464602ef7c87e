// `npm run bench -- export [rows]`: exports N contacts (default 500,000, 5 attributes, all on one
// list) from a fresh SQLite database as CSV to /dev/null-like sink through exportContacts, and in
// the same run a raw better-sqlite3 iterate + naive join of the same rows as the baseline.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ManualClock } from '../src/clock.js';
import { openDatabase } from '../src/db/index.js';
import { runMigrations } from '../src/db/migrate.js';
import { exportContacts } from '../src/exports/contacts.js';
import { machineLine, trackPeakRss } from './_machine.js';

const rows = Number(process.argv[2] ?? 500_000);
const dir = mkdtempSync(join(tmpdir(), 'postlane-bench-export-'));
const handle = openDatabase(`sqlite:${join(dir, 'bench.db')}`);
try {
  await runMigrations(handle.db);
  const sqlite = handle.sqlite!;
  sqlite.prepare(`insert into workspaces (name, slug, settings, created_at, updated_at) values ('Bench', 'bench', '{}', 0, 0)`).run();
  sqlite.prepare(`insert into lists (workspace_id, name, opt_in, created_at, updated_at) values (1, 'All', 'single', 0, 0)`).run();
  for (const [n, t] of [['plan', 'string'], ['seats', 'number'], ['vip', 'boolean'], ['city', 'string'], ['since', 'date']]) {
    sqlite.prepare(`insert into attribute_definitions (workspace_id, name, type, created_at) values (1, ?, ?, 0)`).run(n, t);
  }
  const t0 = performance.now();
  sqlite.exec(`with recursive g(i) as (select 0 union all select i + 1 from g where i < ${rows - 1})
    insert into contacts (workspace_id, email, email_lower, first_name, last_name, status, attributes, tracking_consent, created_at, updated_at)
    select 1, 'user' || i || '@example.com', 'user' || i || '@example.com', 'First' || i, '=Last' || i, 'active',
      json_object('plan', 'pro', 'seats', i % 50, 'vip', json(case when i % 2 = 0 then 'true' else 'false' end), 'city', 'Berlin, DE', 'since', '2024-01-01'), 1, 0, 0 from g;
    insert into list_memberships (workspace_id, list_id, contact_id, status, created_at, confirmed_at, updated_at)
    select 1, 1, id, 'confirmed', 0, 0, 0 from contacts;`);
  process.stderr.write(`seeded ${rows} contacts in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);

  let bytes = 0;
  const sink = () => new Writable({ write(chunk: Buffer, _e, cb) { bytes += chunk.length; cb(); } });

  // Baseline: raw iterate over the same join, one naive CSV line per row (no quoting rules).
  let t = performance.now();
  let base = 0;
  for (const r of sqlite.prepare(`select c.* from list_memberships m join contacts c on c.id = m.contact_id where m.list_id = 1 order by m.contact_id`).iterate() as Iterable<Record<string, unknown>>) {
    base += `${r.email},${r.first_name},${r.last_name},${r.status},${r.attributes}\n`.length;
  }
  const baseSec = (performance.now() - t) / 1000;

  const peak = trackPeakRss();
  t = performance.now();
  const exp = await exportContacts({ db: handle.db, clock: new ManualClock() }, 1, { format: 'csv', listId: 1, actor: 'bench' });
  await pipeline(exp.stream, sink());
  const sec = (performance.now() - t) / 1000;
  const rss = peak();

  process.stdout.write([
    machineLine(),
    `inputs: ${rows} contacts with 5 attributes on one list, SQLite, CSV format (formula-safe, RFC 4180)`,
    `export: ${(rows / sec).toFixed(0)} rows/s (${sec.toFixed(2)} s, ${(bytes / 2 ** 20).toFixed(1)} MiB), peak RSS ${rss.toFixed(0)} MB`,
    `baseline raw better-sqlite3 iterate + naive join: ${(rows / baseSec).toFixed(0)} rows/s (${baseSec.toFixed(2)} s, ${(base / 2 ** 20).toFixed(1)} MiB)`,
    `ratio export/baseline time: ${(sec / baseSec).toFixed(2)}x`,
  ].join('\n') + '\n');
} finally {
  await handle.close();
  rmSync(dir, { recursive: true, force: true });
}
