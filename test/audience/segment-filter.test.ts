// GET /contacts?segment_id=…: a saved segment as a contact filter, paged by the same keyset cursor
// as the other filters and agreeing with the segment's own contacts endpoint.
import { beforeAll, expect, it } from 'vitest';
import { createTenant, describeEachDb, keyWithRole, useTestEnv } from '../helpers/context.js';

describeEachDb('contacts filtered by segment', (dialect) => {
  let segmentId: number;
  const env = useTestEnv(dialect, { tenants: { a: {} } });
  const get = (url: string, headers: Record<string, string> = env.a.auth) => env.app.inject({ url, headers });

  /** Every page of a search, following next_cursor. */
  const walk = async (query: string, limit: number) => {
    const emails: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await get(`/api/v1/contacts?${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.statusCode).toBe(200);
      const body = res.json() as { data: Array<{ email: string }>; next_cursor: string | null };
      emails.push(...body.data.map((c) => c.email));
      cursor = body.next_cursor;
    } while (cursor);
    return emails;
  };

  beforeAll(async () => {
    // Pro customers with a purchase event (a relational condition), interleaved with others.
    const batch = [];
    for (let i = 0; i < 9; i++) {
      batch.push({ type: 'identify', email: `c${i}@example.com`, attributes: { plan: i % 3 === 0 ? 'free' : 'pro' } });
      if (i % 2 === 0) batch.push({ type: 'track', email: `c${i}@example.com`, event: 'purchase', properties: {} });
    }
    expect((await env.app.inject({ method: 'POST', url: '/api/v1/events', headers: env.a.auth, payload: { batch } })).json().rejected).toEqual([]);
    const definition = { version: 1, root: { all: [{ attribute: 'plan', op: 'eq', value: 'pro' }, { event: 'purchase' }] } };
    segmentId = (await env.app.inject({ method: 'POST', url: '/api/v1/segments', headers: env.a.auth, payload: { name: 'Pro buyers', definition } })).json().id;
  });

  it('returns the segment members page by page, as the segment itself lists them', async () => {
    const viaSegment = (await get(`/api/v1/segments/${segmentId}/contacts?limit=100`)).json().contacts.map((c: { email: string }) => c.email);
    expect(viaSegment).toEqual(['c2@example.com', 'c4@example.com', 'c8@example.com']);
    expect(await walk(`segment_id=${segmentId}`, 1)).toEqual(viaSegment);
    expect(await walk(`segment_id=${segmentId}`, 2)).toEqual(viaSegment);
  });

  it('combines with the other filters', async () => {
    expect(await walk(`segment_id=${segmentId}&q=c4`, 10)).toEqual(['c4@example.com']);
    const c8 = (await get('/api/v1/contacts?email=c8@example.com')).json().data[0];
    await env.app.inject({ method: 'PATCH', url: `/api/v1/contacts/${c8.id}`, headers: env.a.auth, payload: { status: 'unsubscribed' } });
    expect(await walk(`segment_id=${segmentId}&status=active`, 10)).toEqual(['c2@example.com', 'c4@example.com']);
  });

  it('prevents using another workspace\'s segment, and needs contacts:read', async () => {
    const other = await createTenant(env.ctx);
    const res = await get(`/api/v1/contacts?segment_id=${segmentId}`, other.auth);
    expect(res.statusCode).toBe(404);
    expect(res.json().error.message).toMatch(/segment/);
    expect((await get('/api/v1/contacts?segment_id=0')).statusCode).toBe(400);
    const viewer = await keyWithRole(env.ctx, env.a.workspace.id, 'viewer'); // segments:read, no contacts:read
    expect((await get(`/api/v1/contacts?segment_id=${segmentId}`, viewer)).statusCode).toBe(403);
    const analyst = await keyWithRole(env.ctx, env.a.workspace.id, 'analyst');
    expect((await get(`/api/v1/contacts?segment_id=${segmentId}`, analyst)).json().data).toHaveLength(3);
  });
});
