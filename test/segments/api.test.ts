import { beforeAll, expect, it } from 'vitest';
import { describeEachDb, keyWithRole, useTestEnv } from '../helpers/context.js';

describeEachDb('segments API', (dialect) => {
  const env = useTestEnv(dialect, { tenants: { a: {}, b: {} } });
  beforeAll(async () => {
    const batch = [
      { type: 'identify', email: 'de1@example.com', attributes: { country: 'DE', age: 40 } },
      { type: 'identify', email: 'de2@shop.test', attributes: { country: 'DE', age: 20 } },
      { type: 'identify', email: 'fr@example.com', attributes: { country: 'FR', age: 50 } },
      { type: 'track', email: 'de1@example.com', event: 'purchase', properties: { amount: 30 } },
      { type: 'track', email: 'de1@example.com', event: 'purchase', properties: { amount: 5 } },
      { type: 'track', email: 'fr@example.com', event: 'purchase', properties: { amount: 100 } },
    ];
    for (const t of [env.a, env.b]) {
      const r = await env.app.inject({ method: 'POST', url: '/api/v1/events', headers: t.auth, payload: { batch } });
      expect(r.json().rejected).toEqual([]);
    }
  });
  const germans = { version: 1, root: { all: [{ attribute: 'country', op: 'eq', value: 'DE' }] } };

  it('saves, lists, updates, counts, pages and deletes a segment', async () => {
    const created = await env.app.inject({ method: 'POST', url: '/api/v1/segments', headers: env.a.auth, payload: { name: 'Germans', definition: germans } });
    expect(created.statusCode).toBe(201);
    const id = created.json().id;
    expect((await env.app.inject({ url: `/api/v1/segments/${id}/count`, headers: env.a.auth })).json()).toEqual({ count: 2 });
    const p1 = (await env.app.inject({ url: `/api/v1/segments/${id}/contacts?limit=1`, headers: env.a.auth })).json();
    expect(p1.contacts).toHaveLength(1);
    const p2 = (await env.app.inject({ url: `/api/v1/segments/${id}/contacts?limit=1&cursor=${p1.next_cursor}`, headers: env.a.auth })).json();
    expect(p2.contacts.map((c: { email: string }) => c.email)).toEqual(['de2@shop.test']);
    expect(p2.next_cursor).toBeNull();
    const buyers = { version: 1, root: { all: [{ attribute: 'country', op: 'eq', value: 'DE' }, { event: 'purchase', aggregate: { fn: 'sum', property: 'amount', op: 'gte', value: 35 } }] } };
    const patched = await env.app.inject({ method: 'PATCH', url: `/api/v1/segments/${id}`, headers: env.a.auth, payload: { definition: buyers } });
    expect(patched.statusCode).toBe(200);
    expect((await env.app.inject({ url: `/api/v1/segments/${id}/count`, headers: env.a.auth })).json()).toEqual({ count: 1 });
    expect((await env.app.inject({ url: '/api/v1/segments', headers: env.a.auth })).json().segments).toHaveLength(1);
    expect((await env.app.inject({ method: 'DELETE', url: `/api/v1/segments/${id}`, headers: env.a.auth })).statusCode).toBe(204);
    expect((await env.app.inject({ url: `/api/v1/segments/${id}`, headers: env.a.auth })).statusCode).toBe(404);
  });

  it('previews an unsaved definition with a count and a sample, only from the caller’s workspace', async () => {
    const res = await env.app.inject({ method: 'POST', url: '/api/v1/segments/preview', headers: env.a.auth, payload: { definition: { version: 1, root: { field: 'email_domain', op: 'eq', value: 'example.com' } } } });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.count).toBe(2);
    const ids = body.sample.map((c: { id: number }) => c.id);
    const owners = await env.ctx.db.selectFrom('contacts').select('workspace_id').where('id', 'in', ids).execute();
    expect(owners.every((o) => o.workspace_id === env.a.workspace.id)).toBe(true);
  });

  it('prevents reading another workspace’s segment', async () => {
    const created = (await env.app.inject({ method: 'POST', url: '/api/v1/segments', headers: env.a.auth, payload: { name: 'Mine', definition: germans } })).json();
    for (const url of [`/api/v1/segments/${created.id}`, `/api/v1/segments/${created.id}/count`, `/api/v1/segments/${created.id}/contacts`]) {
      expect((await env.app.inject({ url, headers: env.b.auth })).statusCode).toBe(404);
    }
  });

  it('requires segments:write to save and rejects duplicate names', async () => {
    const viewer = await keyWithRole(env.ctx, env.a.workspace.id, 'viewer');
    expect((await env.app.inject({ method: 'POST', url: '/api/v1/segments', headers: viewer, payload: { name: 'x', definition: germans } })).statusCode).toBe(403);
    expect((await env.app.inject({ url: '/api/v1/segments', headers: viewer })).statusCode).toBe(200);
    await env.app.inject({ method: 'POST', url: '/api/v1/segments', headers: env.a.auth, payload: { name: 'Dup', definition: germans } });
    expect((await env.app.inject({ method: 'POST', url: '/api/v1/segments', headers: env.a.auth, payload: { name: 'Dup', definition: germans } })).statusCode).toBe(409);
  });

  it('rejects hostile definitions with 400, never a crash or a slow query', async () => {
    // Built as text: serialising a 50,000-deep object would overflow the test's own stack.
    const deepBody = `{"definition":{"version":1,"root":${'{"not":'.repeat(50_000)}{"attribute":"a","op":"exists"}${'}'.repeat(50_000)}}}`;
    const deepRes = await env.app.inject({ method: 'POST', url: '/api/v1/segments/preview', headers: { ...env.a.auth, 'content-type': 'application/json' }, payload: deepBody });
    expect(deepRes.statusCode).toBe(400);
    let deep: unknown = { attribute: 'a', op: 'exists' };
    for (let i = 0; i < 40; i++) deep = { not: deep };
    const wide = { all: Array.from({ length: 5000 }, () => ({ attribute: 'a', op: 'exists' })) };
    const many = { any: Array.from({ length: 40 }, () => ({ all: Array.from({ length: 40 }, () => ({ tag: 'x' })) })) };
    const cases: unknown[] = [
      { version: 1, root: deep },
      { version: 1, root: wide },
      { version: 1, root: many },
      { version: 2, root: { tag: 'x' } },
      { version: 1, root: { attribute: "x') OR 1=1 --", op: 'eq', value: 'a' } },
      { version: 1, root: { attribute: 'x', op: 'gt', value: 'abc' } },
      { version: 1, root: { attribute: 'x', op: 'in', value: 'abc' } },
      { version: 1, root: { attribute: 'x', op: 'eq' } },
      { version: 1, root: { attribute: 'x', op: 'eq', value: 'a\u0000b' } },
      { version: 1, root: { field: 'password_hash', op: 'exists' } },
      { version: 1, root: { event: 'e', count: { gte: 1, lte: 3 } } },
      { version: 1, root: { engagement: 'opened' } },
      { version: 1, root: { attribute: 'x', op: 'in', value: Array.from({ length: 1000 }, (_, i) => i) } },
      { version: 1, root: { attribute: 'x', op: 'eq', value: 'y'.repeat(10_000) } },
    ];
    for (const definition of cases) {
      const res = await env.app.inject({ method: 'POST', url: '/api/v1/segments/preview', headers: env.a.auth, payload: { definition } });
      expect(res.statusCode, JSON.stringify(definition).slice(0, 80)).toBe(400);
      expect(res.json().error.code).toBe('bad_request');
    }
  });

  it('treats SQL in values and attribute names as data', async () => {
    const res = await env.app.inject({ method: 'POST', url: '/api/v1/segments/preview', headers: env.a.auth, payload: { definition: { version: 1, root: { attribute: 'country', op: 'eq', value: "DE' OR '1'='1" } } } });
    expect(res.json().count).toBe(0);
  });

  it('documents the definition schema with examples in OpenAPI', async () => {
    const doc = (await env.app.inject('/api/v1/openapi.json')).json();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/segments', '/api/v1/segments/preview', '/api/v1/events', '/api/v1/contacts/{id}/events']));
    expect(JSON.stringify(doc)).toContain('within_last_days');
    expect(JSON.stringify(doc)).toContain('marketing_email');
  });
});
