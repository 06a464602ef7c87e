import { afterAll, beforeAll, expect, it } from 'vitest';
import { fromJson } from '../../src/db/dialect.js';
import type { App } from '../../src/http/app.js';
import { suppressAddress } from '../../src/suppressions/index.js';
import { createTenant, describeEachDb, keyWithRole, testApp, type TestContext, type Tenant } from '../helpers/context.js';
import { contactsOf, createList, importTestContext, postImport } from './helpers.js';

describeEachDb('imports API', (dialect) => {
  let ctx: TestContext;
  let app: App;
  beforeAll(async () => {
    ctx = await importTestContext(dialect);
    app = await testApp(ctx);
  });
  afterAll(async () => {
    await app.close();
    await ctx.destroy();
  });

  async function tenantWithList(optIn: 'single' | 'double' = 'single'): Promise<{ t: Tenant; listId: number }> {
    const t = await createTenant(ctx);
    return { t, listId: await createList(ctx, t.workspace.id, 'Newsletter', optIn) };
  }
  const post = (t: Tenant, body: string | Buffer, query: Record<string, string | number>, type?: string) => postImport(app, ctx, t.workspace.id, t.auth, body, query, type);

  it('imports a CSV into contacts, the list (confirmed) and the consent ledger, and audits it with counts', async () => {
    const { t, listId } = await tenantWithList();
    const csv = 'email,first_name,last_name,city,tz\nAda@Example.COM,Ada,Lovelace,London,Europe/London\nbob@example.com,Bob,,Paris,\n';
    const r = await post(t, csv, { list_id: listId, purpose: 'newsletter', wording_version: 'v3' });
    expect(r.status).toBe(202);
    expect(r.job?.status).toBe('succeeded');
    expect(r.job?.result).toMatchObject({ processed: 2, imported: 2, updated: 0, skipped: 0, invalid: 0, added_to_list: 2 });
    expect(r.job?.progress).toMatchObject({ processed: 2, bytes_read: Buffer.byteLength(csv), total_bytes: Buffer.byteLength(csv) });
    const contacts = await contactsOf(ctx, t.workspace.id);
    expect(contacts.map((c) => [c.email, c.email_lower, c.first_name, c.last_name, c.timezone, c.status])).toEqual([
      ['Ada@example.com', 'ada@example.com', 'Ada', 'Lovelace', 'Europe/London', 'active'],
      ['bob@example.com', 'bob@example.com', 'Bob', null, null, 'active'],
    ]);
    expect(fromJson(contacts[0]?.attributes, {})).toEqual({ city: 'London' });
    const members = await ctx.db.selectFrom('list_memberships').selectAll().where('list_id', '=', listId).execute();
    expect(members.map((m) => m.status)).toEqual(['confirmed', 'confirmed']);
    const consent = await ctx.db.selectFrom('consent_ledger').selectAll().where('workspace_id', '=', t.workspace.id).execute();
    expect(consent).toHaveLength(2);
    expect(consent.every((c) => c.source_type === 'import' && c.source_id === String(r.job?.id) && c.purpose === 'newsletter' && c.wording_version === 'v3' && c.action === 'granted')).toBe(true);
    const audit = await ctx.db.selectFrom('audit_log').selectAll().where('workspace_id', '=', t.workspace.id).where('action', '=', 'contacts.import').execute();
    expect(audit).toHaveLength(1);
    expect(fromJson(audit[0]?.details, {})).toMatchObject({ imported: 2, invalid: 0, list_id: listId });
  });

  it('puts contacts on a double opt-in list as unconfirmed', async () => {
    const { t, listId } = await tenantWithList('double');
    await post(t, 'email\na@example.com\n', { list_id: listId });
    const m = await ctx.db.selectFrom('list_memberships').selectAll().where('list_id', '=', listId).execute();
    expect(m.map((x) => [x.status, x.confirmed_at])).toEqual([['unconfirmed', null]]);
  });

  it('maps header aliases and honours an explicit mapping', async () => {
    const { t, listId } = await tenantWithList();
    const r1 = await post(t, '"E-Mail Address";Given Name;SURNAME;Plan\nx@example.com;Xena;Warrior;pro\n', { list_id: listId });
    expect(r1.job?.result?.imported).toBe(1);
    const r2 = await post(t, 'Contact,Plan,Junk\ny@example.com,team,zzz\n', { list_id: listId, mapping: JSON.stringify({ Contact: 'email', Plan: 'attribute:tier', Junk: 'ignore' }) });
    expect(r2.job?.result?.mapping).toEqual([{ column: 'Contact', target: 'email' }, { column: 'Plan', target: 'attribute:tier' }, { column: 'Junk', target: 'ignore' }]);
    const cs = await contactsOf(ctx, t.workspace.id);
    expect(cs.map((c) => [c.email, c.first_name, c.last_name, fromJson(c.attributes, {})])).toEqual([
      ['x@example.com', 'Xena', 'Warrior', { plan: 'pro' }], ['y@example.com', null, null, { tier: 'team' }],
    ]);
    const bad = await post(t, 'email\na@b.io\n', { list_id: listId, mapping: JSON.stringify({ email: 'emial' }) });
    expect(bad.status).toBe(400);
  });

  it('refuses a file without an email column with 422 and the headers found, writing nothing', async () => {
    const { t, listId } = await tenantWithList();
    const r = await post(t, 'name,phone\nAda,123\n', { list_id: listId });
    expect(r.status).toBe(422);
    expect(r.body.error?.code).toBe('unprocessable');
    expect(r.body.error?.details).toMatchObject({ reason: 'no_email_column', headers: ['name', 'phone'] });
    expect(await ctx.db.selectFrom('jobs').select('id').where('workspace_id', '=', t.workspace.id).execute()).toHaveLength(0);
    expect(await contactsOf(ctx, t.workspace.id)).toHaveLength(0);
  });

  it('gives clear errors for empty, blank, header-only, binary, ZIP and UTF-16-without-BOM files', async () => {
    const { t, listId } = await tenantWithList();
    const cases: [string | Buffer, RegExp][] = [
      ['', /empty/],
      ['  \n\n', /no rows/],
      ['email,name\n', /no data rows/],
      [Buffer.from([0x00, 0x01, 0x02, 0xff, 0x00, 0x13, 0x37, 0x00, 0x10, 0x00]), /binary/],
      [Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00]), /ZIP/],
      [Buffer.from('email,name\na@b.io,x\n', 'utf16le'), /UTF-16/],
    ];
    for (const [body, msg] of cases) {
      const r = await post(t, body, { list_id: listId });
      expect(r.status, String(msg)).toBe(422);
      expect(r.body.error?.message).toMatch(msg);
    }
    expect(await ctx.db.selectFrom('jobs').select('id').where('workspace_id', '=', t.workspace.id).execute()).toHaveLength(0);
  });

  it('strips a UTF-8 BOM and decodes UTF-16 with a BOM', async () => {
    const { t, listId } = await tenantWithList();
    const r1 = await post(t, '\uFEFFemail,name\nbom@example.com,Zoë\n', { list_id: listId });
    expect(r1.job?.result?.imported).toBe(1);
    const r2 = await post(t, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('email,name\nutf16@example.com,Zoë\n', 'utf16le')]), { list_id: listId });
    expect(r2.job?.result?.imported).toBe(1);
    const cs = await contactsOf(ctx, t.workspace.id);
    expect(cs.map((c) => [c.email, fromJson<Record<string, string>>(c.attributes, {}).name])).toEqual([['bom@example.com', 'Zoë'], ['utf16@example.com', 'Zoë']]);
  });

  it('refuses Latin-1 bytes up front naming the encoding, and imports them with encoding=latin1', async () => {
    const { t, listId } = await tenantWithList();
    const latin1 = Buffer.from('email,city\nl1@example.com,Montr\xe9al\n', 'latin1');
    const r = await post(t, latin1, { list_id: listId });
    expect(r.status).toBe(422);
    expect(r.body.error?.message).toMatch(/not valid UTF-8.*line 2.*latin1/);
    expect(await contactsOf(ctx, t.workspace.id)).toHaveLength(0);
    const ok = await post(t, latin1, { list_id: listId, encoding: 'latin1' });
    expect(ok.job?.result?.imported).toBe(1);
    expect(fromJson(((await contactsOf(ctx, t.workspace.id))[0])?.attributes, {})).toEqual({ city: 'Montréal' });
  });

  it('handles quoted newlines and reports rejected rows with their line and reason (JSON and CSV)', async () => {
    const { t, listId } = await tenantWithList();
    const csv = [
      'email,note,tz',
      'ok1@example.com,"line one\nline two",',
      'not-an-email,x,',
      ',no email,',
      'ok2@example.com,"say ""hi""",Mars/Olympus',
      'ok3@example.com,a,,extra',
      '=cmd@example.com|x,formula,',
      'ok4@example.com,fine,UTC',
    ].join('\n');
    const r = await post(t, csv, { list_id: listId });
    expect(r.job?.result).toMatchObject({ processed: 7, imported: 2, invalid: 5, invalid_reasons: { invalid_email: 2, missing_email: 1, invalid_timezone: 1, too_many_fields: 1 } });
    const res = await app.inject({ url: `/api/v1/imports/${r.job?.id}/rejections`, headers: t.auth });
    expect(res.json().rejections.map((x: { line: number; reason: string }) => [x.line, x.reason])).toEqual([
      [4, 'invalid_email'], [5, 'missing_email'], [6, 'invalid_timezone'], [7, 'too_many_fields'], [8, 'invalid_email'],
    ]);
    const asCsv = await app.inject({ url: `/api/v1/imports/${r.job?.id}/rejections?format=csv`, headers: t.auth });
    expect(asCsv.headers['content-type']).toMatch(/text\/csv/);
    expect(asCsv.body.split('\n')[0]).toBe('line,reason,detail,email');
    // Formula injection: an address starting with = is neutralised in the CSV report.
    expect(asCsv.body).toContain("'=cmd@example.com|x");
    const note = fromJson<Record<string, string>>((await contactsOf(ctx, t.workspace.id))[0]?.attributes, {}).note;
    expect(note).toBe('line one\nline two');
  });

  it('rejects a row over 1 MB by line without reading the file into memory, and imports the rest', async () => {
    const { t, listId } = await tenantWithList();
    const csv = `email,bio\na@example.com,short\nhuge@example.com,"${'x'.repeat(1.5 * 1024 * 1024)}"\nb@example.com,short\n`;
    const r = await post(t, csv, { list_id: listId });
    expect(r.job?.result).toMatchObject({ imported: 2, invalid: 1, invalid_reasons: { row_too_large: 1 } });
    expect(r.job?.result?.rejections[0]).toMatchObject({ line: 3, reason: 'row_too_large' });
  });

  it('dedups within the file: the first occurrence wins, later ones are skipped as duplicates', async () => {
    const { t, listId } = await tenantWithList();
    const r = await post(t, 'email,plan\nd@example.com,first\nD@EXAMPLE.com,second\nd@example.com,third\n', { list_id: listId });
    expect(r.job?.result).toMatchObject({ imported: 1, skipped: 2, skipped_reasons: { duplicate: 2 } });
    expect(fromJson(((await contactsOf(ctx, t.workspace.id))[0])?.attributes, {})).toEqual({ plan: 'first' });
  });

  it('add mode leaves existing contacts untouched but adds them to the list', async () => {
    const { t, listId } = await tenantWithList();
    const other = await createList(ctx, t.workspace.id, 'Other');
    await post(t, 'email,first_name,plan\ne@example.com,Old,free\n', { list_id: other });
    const r = await post(t, 'email,first_name,plan\ne@example.com,New,pro\nf@example.com,F,pro\n', { list_id: listId });
    expect(r.job?.result).toMatchObject({ imported: 1, updated: 0, skipped: 1, existing: 1, skipped_reasons: { exists: 1 }, added_to_list: 2 });
    const e = (await contactsOf(ctx, t.workspace.id))[0];
    expect([e?.first_name, fromJson(e?.attributes, {})]).toEqual(['Old', { plan: 'free' }]);
    const consent = await ctx.db.selectFrom('consent_ledger').select('contact_id').where('source_id', '=', String(r.job?.id)).execute();
    expect(consent).toHaveLength(2); // the existing contact joined the list: its consent source is recorded
  });

  it('update mode updates existing contacts (merging attributes, keeping values for empty cells) and skips unknown ones', async () => {
    const { t, listId } = await tenantWithList();
    await post(t, 'email,first_name,plan,city\nu@example.com,Una,free,Rome\n', { list_id: listId });
    const r = await post(t, 'email,first_name,plan,city\nu@example.com,,pro,\nnew@example.com,N,pro,\n', { list_id: listId, mode: 'update' });
    expect(r.job?.result).toMatchObject({ imported: 0, updated: 1, skipped: 1, skipped_reasons: { not_found: 1 } });
    const cs = await contactsOf(ctx, t.workspace.id);
    expect(cs).toHaveLength(1);
    expect([cs[0]?.first_name, fromJson(cs[0]?.attributes, {})]).toEqual(['Una', { plan: 'pro', city: 'Rome' }]);
  });

  it('overwrite mode adds new contacts and replaces fields and attributes of existing ones', async () => {
    const { t, listId } = await tenantWithList();
    await post(t, 'email,first_name,plan,city\no@example.com,Otto,free,Rome\n', { list_id: listId });
    const r = await post(t, 'email,first_name,plan\nO@example.com,,pro\nn2@example.com,N,team\n', { list_id: listId, mode: 'overwrite' });
    expect(r.job?.result).toMatchObject({ imported: 1, updated: 1, skipped: 0 });
    const o = (await contactsOf(ctx, t.workspace.id))[0];
    expect([o?.email, o?.first_name, fromJson(o?.attributes, {})]).toEqual(['O@example.com', null, { plan: 'pro' }]);
  });

  it('never re-activates suppressed, unsubscribed or bounced addresses', async () => {
    const { t, listId } = await tenantWithList();
    await suppressAddress(ctx, { workspaceId: t.workspace.id, email: 'gone@example.com', reason: 'complaint', source: 'feedback' });
    await post(t, 'email\nleft@example.com\nbounced@example.com\n', { list_id: listId });
    const left = (await contactsOf(ctx, t.workspace.id))[0];
    await ctx.db.updateTable('list_memberships').set({ status: 'unsubscribed', unsubscribed_at: 1 }).where('contact_id', '=', Number(left?.id)).execute();
    await ctx.db.updateTable('contacts').set({ status: 'bounced' }).where('email_lower', '=', 'bounced@example.com').execute();
    const other = await createList(ctx, t.workspace.id, 'Promo');
    for (const mode of ['add', 'overwrite'] as const) {
      for (const list of [listId, other]) {
        const r = await post(t, 'email,plan\ngone@example.com,x\nleft@example.com,y\nbounced@example.com,z\n', { list_id: list, mode });
        expect(r.job?.result?.skipped_reasons.suppressed).toBe(1);
      }
    }
    const cs = await contactsOf(ctx, t.workspace.id);
    expect(cs.map((c) => [c.email, c.status])).toEqual([['left@example.com', 'active'], ['bounced@example.com', 'bounced']]);
    const ms = await ctx.db.selectFrom('list_memberships').select(['list_id', 'contact_id', 'status']).where('workspace_id', '=', t.workspace.id).orderBy('list_id').orderBy('contact_id').execute();
    // left stays unsubscribed from the first list; the bounced contact joins no new list.
    expect(ms.map((m) => [m.list_id, m.contact_id, m.status])).toEqual([
      [listId, left?.id, 'unsubscribed'], [listId, cs[1]?.id, 'confirmed'], [other, left?.id, 'confirmed'],
    ]);
    const bouncedConsent = await ctx.db.selectFrom('consent_ledger').select('id').where('contact_id', '=', Number(cs[1]?.id)).execute();
    expect(bouncedConsent).toHaveLength(1); // only from the first import, none from the overwrites
    const rej = await app.inject({ url: `/api/v1/imports/${(await ctx.db.selectFrom('jobs').select('id').where('workspace_id', '=', t.workspace.id).orderBy('id', 'desc').executeTakeFirst())?.id}/rejections`, headers: t.auth });
    expect(rej.json().rejections).toEqual([{ line: 2, reason: 'suppressed', detail: null, email: 'gone@example.com' }]);
  });

  it('imports NDJSON with nested attributes and rejects bad lines by number', async () => {
    const { t, listId } = await tenantWithList();
    const nd = ['{"email":"j1@example.com","first_name":"J","attributes":{"plan":"pro","seats":3}}', '', 'not json', '[1,2]', '{"Email":"j2@example.com","vip":true}', '{"name":"no email"}'].join('\n');
    const r = await post(t, nd, { list_id: listId, format: 'ndjson' }, 'application/x-ndjson');
    expect(r.job?.result).toMatchObject({ processed: 5, imported: 2, invalid: 3, invalid_reasons: { invalid_json: 2, missing_email: 1 } });
    expect(r.job?.result?.rejections.map((x) => x.line)).toEqual([3, 4, 6]);
    const cs = await contactsOf(ctx, t.workspace.id);
    expect(cs.map((c) => fromJson(c.attributes, {}))).toEqual([{ plan: 'pro', seats: 3 }, { vip: true }]);
    const noEmail = await post(t, '{"name":"x"}\n', { list_id: listId }, 'application/x-ndjson');
    expect(noEmail.status).toBe(422);
    expect(noEmail.body.error?.details).toMatchObject({ headers: ['name'] });
  });

  it('converts attributes to their defined types and rejects values that do not fit', async () => {
    const { t, listId } = await tenantWithList();
    await ctx.db.insertInto('attribute_definitions').values([
      { workspace_id: t.workspace.id, name: 'score', type: 'number', created_at: 0 },
      { workspace_id: t.workspace.id, name: 'vip', type: 'boolean', created_at: 0 },
    ]).execute();
    const r = await post(t, 'email,score,vip\na@example.com,42,yes\nb@example.com,lots,no\n', { list_id: listId });
    expect(r.job?.result).toMatchObject({ imported: 1, invalid: 1, invalid_reasons: { invalid_attribute: 1 } });
    expect(fromJson(((await contactsOf(ctx, t.workspace.id))[0])?.attributes, {})).toEqual({ score: 42, vip: true });
  });

  it('prevents importing into another workspace\'s list, reading its jobs, or importing without imports:write', async () => {
    const a = await tenantWithList();
    const b = await tenantWithList();
    const cross = await post(a.t, 'email\nx@example.com\n', { list_id: b.listId });
    expect(cross.status).toBe(404);
    expect(await contactsOf(ctx, a.t.workspace.id)).toHaveLength(0);
    expect(await contactsOf(ctx, b.t.workspace.id)).toHaveLength(0);
    const own = await post(b.t, 'email\nx@example.com\n', { list_id: b.listId });
    expect((await app.inject({ url: `/api/v1/imports/${own.job?.id}`, headers: a.t.auth })).statusCode).toBe(404);
    expect((await app.inject({ url: `/api/v1/imports/${own.job?.id}/rejections`, headers: a.t.auth })).statusCode).toBe(404);
    expect((await app.inject({ url: `/api/v1/imports/${own.job?.id}`, headers: b.t.auth })).json().result.imported).toBe(1);
    for (const role of ['viewer', 'analyst']) {
      const auth = await keyWithRole(ctx, a.t.workspace.id, role);
      const denied = await app.inject({ method: 'POST', url: `/api/v1/imports?list_id=${a.listId}`, headers: { ...auth, 'content-type': 'text/csv' }, payload: 'email\nx@example.com\n' });
      expect(denied.statusCode).toBe(403);
    }
    const marketer = await keyWithRole(ctx, a.t.workspace.id, 'marketer');
    expect((await postImport(app, ctx, a.t.workspace.id, marketer, 'email\nm@example.com\n', { list_id: a.listId })).status).toBe(202);
  });

  it('asks for a raw body with a file content type', async () => {
    const { t, listId } = await tenantWithList();
    const res = await app.inject({ method: 'POST', url: `/api/v1/imports?list_id=${listId}`, headers: { ...t.auth, 'content-type': 'application/json' }, payload: { email: 'x' } });
    expect(res.statusCode).toBe(400);
    const doc = (await app.inject('/api/v1/openapi.json')).json();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/imports', '/api/v1/imports/{id}', '/api/v1/imports/{id}/rejections']));
  });
});
