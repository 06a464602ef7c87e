import { createHash } from 'node:crypto';
import { expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { IDEMPOTENCY_TTL_MS, IN_FLIGHT_TIMEOUT_MS } from '../../src/http/idempotency.js';
import { createTenant, describeEachDb, useTestEnv, type Tenant } from '../helpers/context.js';

describeEachDb('Idempotency-Key', (dialect) => {
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const env = useTestEnv(dialect, { clock, tenants: { a: { name: 'Alpha' }, b: { name: 'Beta' } } });
  const post = (t: Tenant, key: string | undefined, payload: object, url = '/api/v1/contacts') =>
    env.app.inject({ method: 'POST', url, headers: { ...t.auth, ...(key ? { 'idempotency-key': key } : {}) }, payload });
  const count = async (ws: number) => (await env.ctx.db.selectFrom('contacts').select('id').where('workspace_id', '=', ws).execute()).length;

  it('replays the stored response for the same key and body (even with reordered keys)', async () => {
    const first = await post(env.a, 'k-replay', { email: 'idem@example.com', first_name: 'I' });
    expect(first.statusCode).toBe(201);
    const again = await post(env.a, 'k-replay', { first_name: 'I', email: 'idem@example.com' });
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(first.json());
    // Without the key the same body is an ordinary upsert (200, not created).
    expect((await post(env.a, undefined, { email: 'idem@example.com', first_name: 'I' })).statusCode).toBe(200);
  });

  it('answers 422 idempotency_conflict when the key is reused with a different body or path', async () => {
    await post(env.a, 'k-conflict', { email: 'c1@example.com' });
    const diff = await post(env.a, 'k-conflict', { email: 'c2@example.com' });
    expect(diff.statusCode).toBe(422);
    expect(diff.json().error.code).toBe('idempotency_conflict');
    const otherPath = await post(env.a, 'k-conflict', { name: 'A list' }, '/api/v1/lists');
    expect(otherPath.statusCode).toBe(422);
    expect((await env.ctx.db.selectFrom('contacts').select('id').where('email_lower', '=', 'c2@example.com').execute())).toHaveLength(0);
  });

  it('scopes keys per workspace: the same key in another workspace is a fresh request', async () => {
    await post(env.a, 'shared-key', { email: 'scoped@example.com' });
    const inB = await post(env.b, 'shared-key', { email: 'scoped@example.com' });
    expect(inB.statusCode).toBe(201);
    expect(inB.headers['idempotent-replayed']).toBeUndefined();
    expect(inB.json().id).not.toBe((await post(env.a, 'shared-key', { email: 'scoped@example.com' })).json().id);
  });

  it('stores error responses too, so a retried invalid request gets the same 400', async () => {
    const bad = await post(env.a, 'k-bad', { email: 'not an email' });
    expect(bad.statusCode).toBe(400);
    const again = await post(env.a, 'k-bad', { email: 'not an email' });
    expect(again.statusCode).toBe(400);
    expect(again.headers['idempotent-replayed']).toBe('true');
  });

  it('lets exactly one of concurrent requests with one key win (unique insert decides)', async () => {
    const t = await createTenant(env.ctx, { name: 'Race' });
    const results = await Promise.all(Array.from({ length: 8 }, () => post(t, 'k-race', { email: 'race@example.com', first_name: 'R' })));
    const codes = results.map((r) => r.statusCode);
    expect(codes.every((c) => c === 201 || c === 409)).toBe(true);
    // Only one request ran the handler: replays carry the header, in-flight losers get 409.
    expect(results.filter((r) => r.statusCode === 201 && r.headers['idempotent-replayed'] === undefined)).toHaveLength(1);
    expect(await count(t.workspace.id)).toBe(1);
  });

  it('expires keys after 24 hours', async () => {
    await post(env.a, 'k-ttl', { email: 'ttl1@example.com' });
    clock.advance(IDEMPOTENCY_TTL_MS + 1);
    const fresh = await post(env.a, 'k-ttl', { email: 'ttl2@example.com' });
    expect(fresh.statusCode).toBe(201);
    expect(fresh.json().email).toBe('ttl2@example.com');
  });

  it('answers 409 while a claim is in flight, and frees a claim abandoned by a crashed request', async () => {
    await env.ctx.db.insertInto('idempotency_keys').values({ workspace_id: env.a.workspace.id, key: 'k-stuck', method: 'POST', path: '/api/v1/contacts',
      request_hash: createHash('sha256').update('POST /api/v1/contacts\n{"email":"stuck@example.com","upsert":true}').digest('hex'), status_code: 0, response: '', created_at: clock.now() }).execute();
    const busy = await post(env.a, 'k-stuck', { email: 'stuck@example.com' });
    expect(busy.statusCode).toBe(409);
    clock.advance(IN_FLIGHT_TIMEOUT_MS + 1);
    const freed = await post(env.a, 'k-stuck', { email: 'stuck@example.com' });
    expect(freed.statusCode).toBe(201);
  });

  it('rejects malformed keys', async () => {
    expect((await post(env.a, 'bad key with spaces', { email: 'x@example.com' })).statusCode).toBe(400);
    expect((await post(env.a, 'x'.repeat(201), { email: 'x@example.com' })).statusCode).toBe(400);
  });
});
