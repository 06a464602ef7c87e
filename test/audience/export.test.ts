import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { csvCell, csvRow } from '../../src/exports/csv.js';
import { exportContacts } from '../../src/exports/contacts.js';
import { createTenant, describeEachDb, keyWithRole, useTestEnv, type TestContext } from '../helpers/context.js';

describe('CSV cells', () => {
  it('prevents spreadsheet formula injection: cells starting with = + - @ tab or CR get a leading apostrophe', () => {
    expect(csvCell('=HYPERLINK("http://evil","x")')).toBe(`"'=HYPERLINK(""http://evil"",""x"")"`);
    expect(csvCell('+1+1')).toBe("'+1+1");
    expect(csvCell('-2+3')).toBe("'-2+3");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\tcmd')).toBe("'\tcmd");
    expect(csvCell('\r=cmd')).toBe(`"'\r=cmd"`);
    expect(csvCell('a=b')).toBe('a=b');
    // Typed numbers are values, not formulas.
    expect(csvCell(-5)).toBe('-5');
    expect(csvCell(true)).toBe('true');
    expect(csvCell(null)).toBe('');
  });

  it('quotes per RFC 4180: embedded quotes, commas and newlines survive a round trip, unicode intact', () => {
    const values = ['say "hi"', 'a,b', 'line1\nline2', 'crlf\r\nx', 'Zoë 😀 東京', '', 'plain'];
    const line = csvRow(values);
    expect(line.endsWith('\r\n')).toBe(true);
    expect(parse(line, { relax_quotes: false })).toEqual([values]);
  });
});

/** Bulk seed in SQL (generate_series / recursive CTE): the test measures the export, not the seeding. */
async function seedContacts(ctx: TestContext, workspaceId: number, n: number, listId: number): Promise<void> {
  const cols = sql`(workspace_id, email, email_lower, first_name, status, attributes, tracking_consent, created_at, updated_at)`;
  if (ctx.dialect === 'postgres') {
    await sql`insert into contacts ${cols} select ${workspaceId}, 'bulk' || g || '@example.com', 'bulk' || g || '@example.com', 'F' || g, 'active',
      jsonb_build_object('n', g), 1, 0, 0 from generate_series(0, ${n - 1}) g`.execute(ctx.db);
  } else {
    await sql`with recursive g(i) as (select 0 union all select i + 1 from g where i < ${n - 1})
      insert into contacts ${cols} select ${workspaceId}, 'bulk' || i || '@example.com', 'bulk' || i || '@example.com', 'F' || i, 'active',
      json_object('n', i), 1, 0, 0 from g`.execute(ctx.db);
  }
  await sql`insert into list_memberships (workspace_id, list_id, contact_id, status, created_at, confirmed_at, updated_at)
    select ${workspaceId}, ${listId}, id, 'confirmed', 0, 0, 0 from contacts where workspace_id = ${workspaceId}`.execute(ctx.db);
  await ctx.db.insertInto('attribute_definitions').values({ workspace_id: workspaceId, name: 'n', type: 'number', created_at: 0 }).execute();
}

describeEachDb('contact export', (dialect) => {
  let listId: number;
  const env = useTestEnv(dialect, { tenants: { a: { name: 'Alpha' } } });
  const get = (url: string, headers: Record<string, string> = env.a.auth) => env.app.inject({ url, headers });

  beforeAll(async () => {
    const post = (url: string, payload: object) => env.app.inject({ method: 'POST', url, headers: env.a.auth, payload });
    listId = (await post('/api/v1/lists', { name: 'Members' })).json().id;
    await post('/api/v1/contacts', { email: 'evil@example.com', first_name: '=cmd|"/C calc"!A0', last_name: 'O"Brien, Jr.', attributes: { note: '@SUM(1)', score: -3, bio: 'line1\nline2, "quoted"' } });
    await post('/api/v1/contacts', { email: 'zoe@example.com', first_name: 'Zoë', last_name: '東京', timezone: 'Asia/Tokyo', attributes: { note: 'hi' } });
    await post('/api/v1/contacts', { email: 'gone@example.com', status: 'unsubscribed' });
    await post(`/api/v1/lists/${listId}/subscribe`, { email: 'zoe@example.com' });
  });

  it('streams a formula-safe RFC 4180 CSV with built-in columns and every attribute (audited with the row count)', async () => {
    const r = await get('/api/v1/exports/contacts?format=csv');
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/csv/);
    expect(r.headers['content-disposition']).toMatch(/attachment; filename="contacts-.*\.csv"/);
    const rows = parse(r.body) as string[][];
    expect(rows[0]).toEqual(['email', 'first_name', 'last_name', 'status', 'timezone', 'created_at', 'bio', 'note', 'score']);
    expect(rows[1]).toEqual(['evil@example.com', `'=cmd|"/C calc"!A0`, 'O"Brien, Jr.', 'active', '', new Date(env.ctx.clock.now()).toISOString(), 'line1\nline2, "quoted"', "'@SUM(1)", '-3']);
    expect(rows[2]!.slice(0, 5)).toEqual(['zoe@example.com', 'Zoë', '東京', 'active', 'Asia/Tokyo']);
    expect(rows).toHaveLength(4);
    const audit = await env.ctx.db.selectFrom('audit_log').selectAll().where('action', '=', 'contacts.export').orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(audit.actor_type).toBe('api_key');
    expect(JSON.parse(typeof audit.details === 'string' ? audit.details : JSON.stringify(audit.details))).toMatchObject({ rows: 3, format: 'csv', completed: true });
  });

  it('filters by list and by status, and exports NDJSON', async () => {
    const list = parse((await get(`/api/v1/exports/contacts?list_id=${listId}`)).body) as string[][];
    expect(list.slice(1).map((r) => r[0])).toEqual(['zoe@example.com']);
    const unsub = parse((await get('/api/v1/exports/contacts?status=unsubscribed')).body) as string[][];
    expect(unsub.slice(1).map((r) => r[0])).toEqual(['gone@example.com']);
    const json = await get('/api/v1/exports/contacts?format=json');
    expect(json.headers['content-type']).toMatch(/^application\/x-ndjson/);
    const lines = json.body.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({ email: 'evil@example.com', attributes: { note: '@SUM(1)', score: -3 } });
    expect((await get(`/api/v1/exports/contacts?list_id=${listId}&membership_status=unconfirmed`)).body.split('\r\n').filter(Boolean)).toHaveLength(1);
  });

  it('requires exports:write and contacts:read: a viewer or marketer-less role is refused, an analyst may export', async () => {
    const viewer = await keyWithRole(env.ctx, env.a.workspace.id, 'viewer');
    const denied = await get('/api/v1/exports/contacts', viewer);
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error.code).toBe('forbidden');
    const analyst = await keyWithRole(env.ctx, env.a.workspace.id, 'analyst');
    expect((await get(`/api/v1/exports/contacts?list_id=${listId}`, analyst)).statusCode).toBe(200);
    expect((await get('/api/v1/exports/contacts?list_id=999999')).statusCode).toBe(404);
    expect((await get('/api/v1/exports/contacts?membership_status=confirmed')).statusCode).toBe(400);
  });

  it('exports 50,000 contacts in keyset batches without running ahead of a slow consumer', async () => {
    const t = await createTenant(env.ctx, { name: 'Big' });
    const big = (await env.ctx.db.insertInto('lists').values({ workspace_id: t.workspace.id, name: 'All', description: null, opt_in: 'single', created_at: 0, updated_at: 0 }).returning('id').executeTakeFirstOrThrow()).id;
    await seedContacts(env.ctx, t.workspace.id, 50_000, Number(big));
    let fetched = 0;
    let written = 0;
    let maxLead = 0;
    const batchSize = 1000;
    const exp = await exportContacts(env.ctx, t.workspace.id, { format: 'csv', listId: Number(big), actor: 'test', batchSize, onBatch: (n) => { fetched += n; } });
    const heapBefore = process.memoryUsage().heapUsed;
    let maxHeap = heapBefore;
    const slow = new Writable({
      highWaterMark: 16 * 1024,
      write(chunk: Buffer, _enc, cb) {
        written += chunk.toString('utf8').split('\r\n').length - 1;
        maxLead = Math.max(maxLead, fetched - written);
        maxHeap = Math.max(maxHeap, process.memoryUsage().heapUsed);
        setImmediate(cb);
      },
    });
    await pipeline(exp.stream, slow);
    expect(written).toBe(50_001); // header + rows
    expect(fetched).toBe(50_000);
    // Back-pressure: the reader is never more than a few batches ahead of the writer. Without it
    // (reading everything first) the lead would reach 50,000 rows.
    expect(maxLead).toBeLessThanOrEqual(4 * batchSize);
    expect(maxHeap - heapBefore).toBeLessThan(150 * 1024 * 1024);
    const viaApi = await env.app.inject({ url: `/api/v1/exports/contacts?list_id=${big}&format=json`, headers: t.auth });
    expect(viaApi.body.split('\n').filter(Boolean)).toHaveLength(50_000);
  }, 120_000);
});
