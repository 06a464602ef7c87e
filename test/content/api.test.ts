import { expect, it } from 'vitest';
import { addContact } from '../compliance/fixtures.js';
import { createTenant, describeEachDb, keyWithRole, useTestEnv } from '../helpers/context.js';

describeEachDb('fragments and preview API', (dialect) => {
  const env = useTestEnv(dialect, { tenants: { t: { name: 'Acme' } } });

  it('creates fragments, versions every save, lists latest versions and deletes', async () => {
    const created = await env.app.inject({ method: 'POST', url: '/api/v1/fragments', headers: env.t.auth, payload: { name: 'footer', body: 'v1' } });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ name: 'footer', version: 1, body: 'v1' });
    const updated = await env.app.inject({ method: 'PUT', url: '/api/v1/fragments/footer', headers: env.t.auth, payload: { body: 'v2' } });
    expect(updated.json()).toMatchObject({ version: 2, body: 'v2' });
    await env.app.inject({ method: 'POST', url: '/api/v1/fragments', headers: env.t.auth, payload: { name: 'footer', body: 'v3' } });
    await env.app.inject({ method: 'POST', url: '/api/v1/fragments', headers: env.t.auth, payload: { name: 'header', body: 'h' } });
    const one = (await env.app.inject({ url: '/api/v1/fragments/footer', headers: env.t.auth })).json();
    expect(one.body).toBe('v3');
    expect(one.versions.map((v: { version: number }) => v.version)).toEqual([3, 2, 1]);
    const list = (await env.app.inject({ url: '/api/v1/fragments', headers: env.t.auth })).json().data;
    expect(list.map((f: { name: string; version: number }) => `${f.name}@${f.version}`)).toEqual(['footer@3', 'header@1']);
    expect((await env.app.inject({ method: 'DELETE', url: '/api/v1/fragments/header', headers: env.t.auth })).statusCode).toBe(204);
    expect((await env.app.inject({ url: '/api/v1/fragments/header', headers: env.t.auth })).statusCode).toBe(404);
    expect((await env.app.inject({ method: 'POST', url: '/api/v1/fragments', headers: env.t.auth, payload: { name: '../etc', body: 'x' } })).statusCode).toBe(400);
    const broken = await env.app.inject({ method: 'POST', url: '/api/v1/fragments', headers: env.t.auth, payload: { name: 'broken', body: 'ok\n{% if %}' } });
    expect(broken.statusCode).toBe(422);
    expect(broken.json().error.details[0]).toMatchObject({ field: 'fragment', line: 2 });
  });

  it('reads the body of an older version and restores it as a new version, keeping history', async () => {
    for (const body of ['<p>card v1</p>', '<p>card v2</p>']) await env.app.inject({ method: 'POST', url: '/api/v1/fragments', headers: env.t.auth, payload: { name: 'card', body } });
    const v1 = await env.app.inject({ url: '/api/v1/fragments/card/versions/1', headers: env.t.auth });
    expect(v1.statusCode).toBe(200);
    expect(v1.json()).toMatchObject({ name: 'card', version: 1, body: '<p>card v1</p>' });
    const restored = await env.app.inject({ method: 'POST', url: '/api/v1/fragments/card/versions/1/restore', headers: env.t.auth });
    expect(restored.statusCode).toBe(201);
    expect(restored.json()).toMatchObject({ version: 3, body: '<p>card v1</p>' });
    expect(restored.json().versions.map((v: { version: number }) => v.version)).toEqual([3, 2, 1]);
    expect((await env.app.inject({ url: '/api/v1/fragments/card/versions/2', headers: env.t.auth })).json().body).toBe('<p>card v2</p>');
    const audit = await env.ctx.db.selectFrom('audit_log').select(['action', 'details']).where('workspace_id', '=', env.t.workspace.id).where('action', '=', 'fragments.restore').execute();
    expect(audit).toHaveLength(1);
    expect(await env.app.inject({ url: '/api/v1/fragments/card/versions/9', headers: env.t.auth })).toMatchObject({ statusCode: 404 });
    expect((await env.app.inject({ method: 'POST', url: '/api/v1/fragments/card/versions/9/restore', headers: env.t.auth })).statusCode).toBe(404);
    expect((await env.app.inject({ url: '/api/v1/fragments/card/versions/0', headers: env.t.auth })).statusCode).toBe(400);
  });

  it('prevents reading or restoring another workspace\'s fragment versions, and restoring without templates:write', async () => {
    const other = await createTenant(env.ctx);
    expect((await env.app.inject({ url: '/api/v1/fragments/card/versions/1', headers: other.auth })).statusCode).toBe(404);
    expect((await env.app.inject({ method: 'POST', url: '/api/v1/fragments/card/versions/1/restore', headers: other.auth })).statusCode).toBe(404);
    const viewer = await keyWithRole(env.ctx, env.t.workspace.id, 'viewer');
    expect((await env.app.inject({ url: '/api/v1/fragments/card/versions/1', headers: viewer })).statusCode).toBe(200);
    expect((await env.app.inject({ method: 'POST', url: '/api/v1/fragments/card/versions/1/restore', headers: viewer })).statusCode).toBe(403);
  });

  it('checks templates:read/write and keeps fragments inside their workspace', async () => {
    const viewer = await keyWithRole(env.ctx, env.t.workspace.id, 'viewer');
    expect((await env.app.inject({ url: '/api/v1/fragments', headers: viewer })).statusCode).toBe(200);
    expect((await env.app.inject({ method: 'POST', url: '/api/v1/fragments', headers: viewer, payload: { name: 'x', body: 'x' } })).statusCode).toBe(403);
    const other = await createTenant(env.ctx);
    expect((await env.app.inject({ url: '/api/v1/fragments/footer', headers: other.auth })).statusCode).toBe(404);
    expect((await env.app.inject({ url: '/api/v1/fragments', headers: other.auth })).json().data).toEqual([]);
  });

  it('previews a template for a contact, with fragments and the compliance footer', async () => {
    const contact = await addContact(env.ctx, env.t.workspace.id, 'prev@example.com', { first_name: 'Pia', attributes: { plan: 'gold' } });
    const res = await env.app.inject({
      method: 'POST', url: '/api/v1/templates/preview', headers: env.t.auth,
      payload: { subject: 'Hi {{ contact.first_name }}', html: "<p>{{ contact.plan }} {% render 'footer' %}</p>", contact_id: contact },
    });
    expect(res.statusCode).toBe(200);
    const r = res.json();
    expect(r.subject).toBe('Hi Pia');
    expect(r.html).toContain('gold v3');
    expect(r.html).toContain('1 Test Street');
    expect(r.text).toContain('gold v3');
    const sample = (await env.app.inject({ method: 'POST', url: '/api/v1/templates/preview', headers: env.t.auth, payload: { subject: '{{ contact.first_name }}', text: 'x' } })).json();
    expect(sample.subject).toBe('Jane');
  });

  it('returns preview errors as 422 with line and column', async () => {
    const res = await env.app.inject({ method: 'POST', url: '/api/v1/templates/preview', headers: env.t.auth, payload: { subject: 'ok', html: '<p>\n\n  {{ x | nope }}</p>' } });
    expect(res.statusCode).toBe(422);
    expect(res.json().error).toMatchObject({ code: 'unprocessable', details: [{ field: 'html', line: 3, col: 3 }] });
  });

  it('requires contacts:read to preview with a real contact', async () => {
    const viewer = await keyWithRole(env.ctx, env.t.workspace.id, 'viewer');
    const res = await env.app.inject({ method: 'POST', url: '/api/v1/templates/preview', headers: viewer, payload: { subject: 's', text: 'x', contact_id: 1 } });
    expect(res.statusCode).toBe(403);
    const other = await createTenant(env.ctx);
    const foreign = await addContact(env.ctx, env.t.workspace.id, 'foreign@example.com');
    expect((await env.app.inject({ method: 'POST', url: '/api/v1/templates/preview', headers: other.auth, payload: { subject: 's', text: 'x', contact_id: foreign } })).statusCode).toBe(404);
  });
});

describeEachDb('content routes in the OpenAPI document', (dialect) => {
  const env = useTestEnv(dialect);
  it('documents fragments, preview, domains and the public endpoints (without auth)', async () => {
    const doc = (await env.app.inject('/api/v1/openapi.json')).json();
    for (const p of ['/api/v1/fragments', '/api/v1/fragments/{name}', '/api/v1/templates/preview', '/api/v1/domains', '/api/v1/domains/{id}/check', '/u/{token}', '/t/o/{token}', '/t/c/{token}']) {
      expect(Object.keys(doc.paths), p).toContain(p);
    }
    expect(doc.paths['/u/{token}'].post.security).toEqual([]);
  });
});
