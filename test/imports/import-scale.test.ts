import { once } from 'node:events';
import { closeSync, createWriteStream, mkdtempSync, openSync, readFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startImport } from '../../src/imports/index.js';
import { suppressAddress } from '../../src/suppressions/index.js';
import { createTenant, describeEachDb, type TestContext } from '../helpers/context.js';
import { createList, failContactInsert, importTestContext } from './helpers.js';

async function writeFile(path: string, header: string, n: number, row: (i: number) => string): Promise<void> {
  const out = createWriteStream(path);
  out.write(`${header}\n`);
  let buf = '';
  for (let i = 0; i < n; i++) {
    buf += `${row(i)}\n`;
    if (buf.length > 1 << 16) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  out.end(buf);
  await once(out, 'finish');
}

describeEachDb('imports at scale and under failure', (dialect) => {
  let ctx: TestContext;
  let dir: string;
  beforeAll(async () => {
    ctx = await importTestContext(dialect);
    dir = mkdtempSync(join(tmpdir(), 'postlane-import-scale-'));
  });
  afterAll(async () => {
    await ctx.destroy();
  });

  it('imports 200,000 rows with exact counts, live progress and bounded memory', async () => {
    const t = await createTenant(ctx);
    const listId = await createList(ctx, t.workspace.id, 'Big');
    const n = 200_000;
    const path = join(dir, 'big.csv');
    // Every 1000th row has a broken address; every 4000th repeats row 0's address.
    await writeFile(path, 'email,first_name,city,plan,score,company', n, (i) =>
      i % 4000 === 3999 ? 'user0@example.com,Dup,x,x,1,x' : i % 1000 === 500 ? `broken-${i},B,x,x,1,x` : `user${i}@example.com,U${i},City ${i % 50},plan${i % 3},${i % 100},Co ${i % 7}`);
    const invalid = n / 1000;
    const duplicates = n / 4000;
    const progress: number[] = [];
    global.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 20);
    const { done } = await startImport(ctx, { workspaceId: t.workspace.id, actor: 'cli', path, listId, onProgress: (p) => progress.push(p.bytes_read) });
    const job = await done;
    clearInterval(sampler);
    expect(job.status).toBe('succeeded');
    expect(job.result).toMatchObject({ processed: n, imported: n - invalid - duplicates, invalid, skipped: duplicates, updated: 0, added_to_list: n - invalid - duplicates });
    expect(progress.length).toBeGreaterThan(5);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(job.progress.bytes_read).toBe(job.progress.total_bytes);
    const count = async (table: 'contacts' | 'list_memberships' | 'consent_ledger' | 'import_rejections') =>
      Number((await ctx.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).where('workspace_id', '=', t.workspace.id).executeTakeFirstOrThrow()).n);
    expect(await count('contacts')).toBe(n - invalid - duplicates);
    expect(await count('list_memberships')).toBe(n - invalid - duplicates);
    expect(await count('consent_ledger')).toBe(n - invalid - duplicates);
    expect(await count('import_rejections')).toBe(invalid + duplicates);
    // Memory follows the batch size, not the file: the whole file held as rows would be several hundred MB.
    expect((peak - before) / 2 ** 20).toBeLessThan(200);
  }, 300_000);

  it('links every membership and consent row to its own contact when new and existing rows mix in multi-row inserts', async () => {
    const t = await createTenant(ctx);
    const listId = await createList(ctx, t.workspace.id, 'Mixed');
    const ws = t.workspace.id;
    // 350 contacts exist (every other address of the second file), one of them unsubscribed; one is suppressed.
    const first = join(dir, 'mixed-1.csv');
    await writeFile(first, 'email,city', 350, (i) => `m${i * 2}@example.com,Old ${i}`);
    expect((await (await startImport(ctx, { workspaceId: ws, actor: 'cli', path: first, listId: null })).done).status).toBe('succeeded');
    await ctx.db.updateTable('contacts').set({ status: 'unsubscribed' }).where('workspace_id', '=', ws).where('email_lower', '=', 'm4@example.com').execute();
    await suppressAddress(ctx, { workspaceId: ws, email: 'm7@example.com', reason: 'complaint', source: 'feedback' });
    const second = join(dir, 'mixed-2.csv');
    await writeFile(second, 'email,city', 700, (i) => `m${i}@example.com,New ${i}`);
    for (const mode of ['add', 'overwrite'] as const) {
      const job = await (await startImport(ctx, { workspaceId: ws, actor: 'cli', path: second, listId, mode })).done;
      expect(job.status).toBe('succeeded');
      if (mode === 'add') expect(job.result).toMatchObject({ imported: 349, existing: 350, skipped: 351, added_to_list: 698, consent_rows: 698 });
      else expect(job.result).toMatchObject({ imported: 0, updated: 699, added_to_list: 0, consent_rows: 698 });
      expect(job.result?.rejections).toEqual([{ line: 9, reason: 'suppressed', detail: null, email: 'm7@example.com' }]);
    }
    // Each membership and consent row points at the contact of its own address (by the city the file gave it).
    const members = await ctx.db.selectFrom('list_memberships as m').innerJoin('contacts as c', 'c.id', 'm.contact_id')
      .select(['c.email_lower', 'c.attributes']).where('m.list_id', '=', listId).execute();
    expect(members).toHaveLength(698);
    for (const m of members) {
      const i = Number(/m(\d+)@/.exec(m.email_lower)?.[1]);
      const attrs = (typeof m.attributes === 'string' ? JSON.parse(m.attributes) : m.attributes) as Record<string, unknown>;
      expect(attrs.city).toBe(`New ${i}`);
    }
    const expected = Array.from({ length: 700 }, (_, i) => `m${i}@example.com`).filter((e) => e !== 'm4@example.com' && e !== 'm7@example.com');
    expect(members.map((m) => m.email_lower).sort()).toEqual(expected.sort());
    const consent = await ctx.db.selectFrom('consent_ledger as l').innerJoin('contacts as c', 'c.id', 'l.contact_id')
      .select((eb) => eb.fn.countAll().as('n')).where('l.workspace_id', '=', ws).executeTakeFirstOrThrow();
    expect(Number(consent.n)).toBe(350 + 698 + 698);
  }, 120_000);

  it('marks a job failed at the line where a batch failed and reports exactly what was committed', async () => {
    const t = await createTenant(ctx);
    const listId = await createList(ctx, t.workspace.id, 'Fragile');
    const n = 20_000;
    const boomAt = 15_000; // data row index; file line = index + 2
    const path = join(dir, 'fragile.csv');
    await writeFile(path, 'email', n, (i) => (i === boomAt ? 'boom@example.com' : `f${i}@example.com`));
    const removeTrigger = await failContactInsert(ctx, 'boom', 'boom@example.com');
    try {
      const { done } = await startImport(ctx, { workspaceId: t.workspace.id, actor: 'cli', path, listId });
      const job = await done;
      expect(job.status).toBe('failed');
      const stopped = job.result?.stopped_at_line as number;
      expect(stopped).toBeGreaterThan(2);
      expect(stopped).toBeLessThanOrEqual(boomAt + 2);
      expect(job.error).toMatch(new RegExp(`simulated disk failure.*stopped at line ${stopped}.*imported ${job.result?.imported}`));
      const rows = await ctx.db.selectFrom('contacts').select('email').where('workspace_id', '=', t.workspace.id).execute();
      // Exactly the rows before the failed batch were written, and the result says how many.
      expect(rows).toHaveLength(job.result?.imported as number);
      expect(rows.length).toBe(stopped - 2);
      expect(Math.max(...rows.map((r) => Number(/f(\d+)@/.exec(r.email)?.[1])))).toBe(stopped - 3);
      expect(job.progress.committed_through_line).toBe(stopped - 1);
    } finally {
      await removeTrigger();
    }
  }, 120_000);

  it('fails the job instead of writing orphan memberships when the list is deleted mid-import', async () => {
    if (dialect !== 'sqlite') return; // the synchronous delete between batches needs the in-process SQLite handle
    const t = await createTenant(ctx);
    const listId = await createList(ctx, t.workspace.id, 'Doomed');
    const path = join(dir, 'doomed.csv');
    await writeFile(path, 'email', 30_000, (i) => `d${i}@example.com`);
    const raw = ctx.dbHandle.sqlite;
    const { done } = await startImport(ctx, {
      workspaceId: t.workspace.id, actor: 'cli', path, listId,
      onProgress: () => { raw?.prepare('DELETE FROM lists WHERE id = ?').run(listId); },
    });
    const job = await done;
    expect(job.status).toBe('failed');
    expect(job.error).toMatch(/list was deleted during the import/);
    const orphans = await ctx.db.selectFrom('list_memberships').select('contact_id').where('list_id', '=', listId).execute();
    expect(orphans).toHaveLength(0);
  });

  it('fails the job at the first unwritten line when the file stops being valid UTF-8 after the upload check', async () => {
    const t = await createTenant(ctx);
    const path = join(dir, 'changed.csv');
    await writeFile(path, 'email', 20_000, (i) => `c${String(i).padStart(5, '0')}@example.com`);
    const { done } = await startImport(ctx, { workspaceId: t.workspace.id, actor: 'cli', path, listId: null });
    // The job has passed its preflight; the parser thread has not read the file yet. Break line 15,002.
    const offset = readFileSync(path).indexOf('c15000@');
    const fd = openSync(path, 'r+');
    writeSync(fd, Buffer.from([0xff]), 0, 1, offset);
    closeSync(fd);
    const job = await done;
    expect(job.status).toBe('failed');
    expect(job.error).toMatch(/not valid text in its encoding/);
    const stopped = job.result?.stopped_at_line as number;
    expect(stopped).toBeGreaterThan(2);
    expect(stopped).toBeLessThanOrEqual(15_002);
    const rows = await ctx.db.selectFrom('contacts').select('email').where('workspace_id', '=', t.workspace.id).execute();
    expect(rows).toHaveLength(stopped - 2);
    expect(job.result?.imported).toBe(stopped - 2);
  }, 120_000);

  it('gives the connection its WAL autocheckpoint, page cache and temp store back when an import ends (prevents the server keeping an import-sized cache)', async () => {
    if (dialect !== 'sqlite') return;
    const raw = ctx.dbHandle.sqlite as NonNullable<typeof ctx.dbHandle.sqlite>;
    const settings = () => ({ ckpt: raw.pragma('wal_autocheckpoint', { simple: true }), cache: raw.pragma('cache_size', { simple: true }), temp: raw.pragma('temp_store', { simple: true }), fk: raw.pragma('foreign_keys', { simple: true }) });
    const before = settings();
    const t = await createTenant(ctx);
    const path = join(dir, 'settings.csv');
    await writeFile(path, 'email', 12_000, (i) => `s${i}@example.com`);
    const { done } = await startImport(ctx, {
      workspaceId: t.workspace.id, actor: 'cli', path, listId: null,
      // Between batches the import holds a larger autocheckpoint, never the batch-only settings.
      onProgress: () => {
        expect(raw.pragma('wal_autocheckpoint', { simple: true })).toBeGreaterThan(before.ckpt as number);
        expect(raw.pragma('cache_size', { simple: true })).toBeLessThan(before.cache as number); // negative KiB: larger
        expect([raw.pragma('temp_store', { simple: true }), raw.pragma('foreign_keys', { simple: true })]).toEqual([before.temp, before.fk]);
      },
    });
    expect((await done).status).toBe('succeeded');
    expect(settings()).toEqual(before);
  });

  it('imports a file of wide rows without exhausting the parser thread (batches are cut by size too)', async () => {
    const t = await createTenant(ctx);
    const listId = await createList(ctx, t.workspace.id, 'Wide');
    const n = 2_500;
    const wide = (i: number, c: string) => `${c}${i}`.padEnd(9_999, c);
    const path = join(dir, 'wide.csv');
    // ~50 MB of attribute text: as one 5,000-row batch it would not fit the parser thread's heap.
    await writeFile(path, 'email,notes,bio', n, (i) => `w${i}@example.com,${wide(i, 'n')},${wide(i, 'b')}`);
    const batches: number[] = [];
    const { done } = await startImport(ctx, { workspaceId: t.workspace.id, actor: 'cli', path, listId, onProgress: (p) => batches.push(p.processed) });
    const job = await done;
    expect(job.status).toBe('succeeded');
    expect(job.result).toMatchObject({ processed: n, imported: n, invalid: 0, added_to_list: n });
    expect(batches.length).toBeGreaterThan(5);
    const one = await ctx.db.selectFrom('contacts').select('attributes').where('workspace_id', '=', t.workspace.id).where('email_lower', '=', 'w1234@example.com').executeTakeFirstOrThrow();
    const attrs = (typeof one.attributes === 'string' ? JSON.parse(one.attributes) : one.attributes) as Record<string, string>;
    expect([attrs.notes, attrs.bio]).toEqual([wide(1234, 'n'), wide(1234, 'b')]);
  }, 120_000);
});
