import { once } from 'node:events';
import { createWriteStream, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startImport } from '../../src/imports/index.js';
import { createTenant, describeEachDb, type TestContext } from '../helpers/context.js';
import { createList, importTestContext } from './helpers.js';

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

  it('marks a job failed at the line where a batch failed and reports exactly what was committed', async () => {
    const t = await createTenant(ctx);
    const listId = await createList(ctx, t.workspace.id, 'Fragile');
    const n = 20_000;
    const boomAt = 15_000; // data row index; file line = index + 2
    const path = join(dir, 'fragile.csv');
    await writeFile(path, 'email', n, (i) => (i === boomAt ? 'boom@example.com' : `f${i}@example.com`));
    if (dialect === 'sqlite') {
      await sql`CREATE TRIGGER boom BEFORE INSERT ON contacts WHEN NEW.email_lower = 'boom@example.com' BEGIN SELECT RAISE(ABORT, 'simulated disk failure'); END`.execute(ctx.db);
    } else {
      await sql`CREATE FUNCTION boom() RETURNS trigger AS $$ BEGIN IF NEW.email_lower = 'boom@example.com' THEN RAISE EXCEPTION 'simulated disk failure'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`.execute(ctx.db);
      await sql`CREATE TRIGGER boom BEFORE INSERT ON contacts FOR EACH ROW EXECUTE FUNCTION boom()`.execute(ctx.db);
    }
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
      await sql`DROP TRIGGER boom ${sql.raw(dialect === 'postgres' ? 'ON contacts' : '')}`.execute(ctx.db);
    }
  }, 120_000);
});
