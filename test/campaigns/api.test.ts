import { afterAll, beforeAll, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { DeliveryWorker } from '../../src/delivery/worker.js';
import { createTenant, describeEachDb, keyWithRole, useTestEnv } from '../helpers/context.js';
import { seedAudience } from '../delivery/helpers.js';

describeEachDb('campaigns API with the capture outbox', (dialect) => {
  const clock = new ManualClock(Date.UTC(2026, 2, 1, 8));
  let worker: DeliveryWorker;
  let listId: number;
  const env = useTestEnv(dialect, { clock, tenants: { t: {} } });
  beforeAll(async () => {
    worker = new DeliveryWorker(env.ctx, { statusCheckMs: 0 });
    ({ listId } = await seedAudience(env.ctx, env.t.workspace.id, 3));
  });
  afterAll(async () => {
    await worker.stop();
  });

  const body = () => ({ name: 'Launch', subject: 'Hi {{ contact.first_name }}', from_email: 'news@example.com', from_name: 'Example News', html: '<p>Hello <a href="https://example.com/x">x</a></p>', text: 'Hello', list_ids: [listId] });

  it('creates, sends through the capture route, and reports status and counts; the outbox shows what was sent', async () => {
    const created = await env.app.inject({ method: 'POST', url: '/api/v1/campaigns', headers: env.t.auth, payload: body() });
    expect(created.statusCode).toBe(201);
    const id = created.json().id;
    expect(created.json().status).toBe('draft');
    const sent = await env.app.inject({ method: 'POST', url: `/api/v1/campaigns/${id}/send`, headers: env.t.auth });
    expect(sent.statusCode).toBe(200);
    expect(sent.json().status).toBe('sending');
    await worker.tick();
    const got = (await env.app.inject({ url: `/api/v1/campaigns/${id}`, headers: env.t.auth })).json();
    expect(got.status).toBe('finished');
    expect(got.counts).toMatchObject({ eligible: 3, sent: 3, deferred: 0, failed: 0, skipped: 0, opened: 0, clicked: 0, unsubscribed: 0, bounced: 0, complained: 0 });
    const outbox = (await env.app.inject({ url: `/api/v1/outbox?campaign_id=${id}`, headers: env.t.auth })).json();
    expect(outbox.data).toHaveLength(3);
    const one = (await env.app.inject({ url: `/api/v1/outbox/${outbox.data[0].id}`, headers: env.t.auth })).json();
    expect(one.subject).toMatch(/^Hi Name\d$/);
    expect(one.raw).toContain('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    expect(one.html).toContain('Hello');
    expect(one.text).toContain('1 Test Street');
    const ledger = (await env.app.inject({ url: `/api/v1/campaigns/${id}/deliveries?status=sent`, headers: env.t.auth })).json();
    expect(ledger.data).toHaveLength(3);
    expect(ledger.data[0].smtp_response).toContain('captured');
  });

  it('warns before a send that messages carry no unsubscribe mailto and bounces are not received, without a bounce domain', async () => {
    const created = (await env.app.inject({ method: 'POST', url: '/api/v1/campaigns', headers: env.t.auth, payload: body() })).json();
    expect(created.warnings).toEqual([expect.stringMatching(/no unsubscribe by email/), expect.stringMatching(/Bounces are not processed/)]);
    const preflight = await env.app.inject({ url: '/api/v1/campaigns/preflight', headers: await keyWithRole(env.ctx, env.t.workspace.id, 'viewer') });
    expect(preflight.statusCode).toBe(200);
    expect(preflight.json().warnings).toEqual(created.warnings);
    const sent = await env.app.inject({ method: 'POST', url: `/api/v1/campaigns/${created.id}/send`, headers: env.t.auth });
    expect(sent.statusCode).toBe(200); // a warning never blocks
    expect(sent.json().warnings).toEqual(created.warnings);
    expect((await env.app.inject({ url: `/api/v1/campaigns/${created.id}`, headers: env.t.auth })).json().warnings).toEqual(created.warnings);
    // Lists stay lean: the warnings are the same for every campaign.
    expect((await env.app.inject({ url: '/api/v1/campaigns', headers: env.t.auth })).json().data[0].warnings).toBeUndefined();
  });

  it('prevents header injection through the API: CRLF in subject, from_name or from_email is a 400', async () => {
    for (const bad of [{ subject: 'Hi\r\nBcc: x@evil.test' }, { from_name: 'Eve\nBcc: x@evil.test' }, { from_email: 'a@b.com\r\nRCPT TO:<x@evil.test>' }]) {
      const res = await env.app.inject({ method: 'POST', url: '/api/v1/campaigns', headers: env.t.auth, payload: { ...body(), ...bad } });
      expect(res.statusCode).toBe(400);
    }
  });

  it('blocks a send on template errors with line and column', async () => {
    const c = (await env.app.inject({ method: 'POST', url: '/api/v1/campaigns', headers: env.t.auth, payload: { ...body(), html: '<p>\n{% if x %}unclosed</p>' } })).json();
    const res = await env.app.inject({ method: 'POST', url: `/api/v1/campaigns/${c.id}/send`, headers: env.t.auth });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.details[0]).toMatchObject({ field: 'html' });
    expect(res.json().error.details[0].line).toBeGreaterThan(0);
  });

  it('refuses to send while the workspace postal address is empty', async () => {
    const bare = await createTenant(env.ctx, { postalAddress: null });
    const { listId: l } = await seedAudience(env.ctx, bare.workspace.id, 1);
    const c = (await env.app.inject({ method: 'POST', url: '/api/v1/campaigns', headers: bare.auth, payload: { ...body(), list_ids: [l] } })).json();
    const res = await env.app.inject({ method: 'POST', url: `/api/v1/campaigns/${c.id}/send`, headers: bare.auth });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.message).toMatch(/postal address/);
  });

  it('checks permissions: a viewer can read but not create or send; an analyst cannot send', async () => {
    const viewer = await keyWithRole(env.ctx, env.t.workspace.id, 'viewer');
    expect((await env.app.inject({ url: '/api/v1/campaigns', headers: viewer })).statusCode).toBe(200);
    expect((await env.app.inject({ method: 'POST', url: '/api/v1/campaigns', headers: viewer, payload: body() })).statusCode).toBe(403);
    const analyst = await keyWithRole(env.ctx, env.t.workspace.id, 'analyst');
    const c = (await env.app.inject({ method: 'POST', url: '/api/v1/campaigns', headers: env.t.auth, payload: body() })).json();
    expect((await env.app.inject({ method: 'POST', url: `/api/v1/campaigns/${c.id}/send`, headers: analyst })).statusCode).toBe(403);
  });

  it('keeps tenants apart: another workspace cannot read, send or see the outbox of this one', async () => {
    const other = await createTenant(env.ctx);
    const c = (await env.app.inject({ method: 'POST', url: '/api/v1/campaigns', headers: env.t.auth, payload: body() })).json();
    expect((await env.app.inject({ url: `/api/v1/campaigns/${c.id}`, headers: other.auth })).statusCode).toBe(404);
    expect((await env.app.inject({ method: 'POST', url: `/api/v1/campaigns/${c.id}/send`, headers: other.auth })).statusCode).toBe(404);
    expect((await env.app.inject({ url: '/api/v1/outbox', headers: other.auth })).json().data).toHaveLength(0);
    const { listId: foreign } = await seedAudience(env.ctx, other.workspace.id, 1);
    expect((await env.app.inject({ method: 'POST', url: '/api/v1/campaigns', headers: env.t.auth, payload: { ...body(), list_ids: [foreign] } })).statusCode).toBe(400);
  });

  it('sends test messages outside the ledger, and derives resend-failed and non-openers campaigns', async () => {
    const c = (await env.app.inject({ method: 'POST', url: '/api/v1/campaigns', headers: env.t.auth, payload: body() })).json();
    const test = await env.app.inject({ method: 'POST', url: `/api/v1/campaigns/${c.id}/test`, headers: env.t.auth, payload: { emails: ['qa@example.org'] } });
    expect(test.statusCode).toBe(200);
    expect(test.json().results[0].status).toBe('sent');
    const captured = await env.ctx.db.selectFrom('captured_messages').select(['subject', 'raw']).where('envelope_to', '=', 'qa@example.org').executeTakeFirstOrThrow();
    expect(captured.subject).toMatch(/^\[Test\] /);
    // No bounce domain here: a test send, like the real one, carries no mailto nobody would receive.
    expect(captured.raw).toMatch(/^List-Unsubscribe: <http[^>]+>\r$/m);
    expect(captured.raw).not.toContain('mailto:');
    expect((await env.app.inject({ url: `/api/v1/campaigns/${c.id}`, headers: env.t.auth })).json().counts.eligible).toBe(0);
    expect((await env.app.inject({ method: 'POST', url: `/api/v1/campaigns/${c.id}/test`, headers: env.t.auth, payload: { emails: ['a@b.com\r\nBcc: x@evil.test'] } })).statusCode).toBe(400);

    await env.app.inject({ method: 'POST', url: `/api/v1/campaigns/${c.id}/send`, headers: env.t.auth });
    await worker.tick();
    const ids = (await env.ctx.db.selectFrom('deliveries').select(['id', 'contact_id']).where('campaign_id', '=', c.id).orderBy('id').execute());
    await env.ctx.db.updateTable('deliveries').set({ status: 'failed', smtp_code: 550 }).where('id', '=', ids[0]!.id).execute();
    await env.ctx.db.insertInto('events').values({ workspace_id: env.t.workspace.id, contact_id: ids[1]!.contact_id, anonymous_id: null, name: 'opened', properties: '{}', occurred_at: clock.now(), received_at: clock.now(), idempotency_key: null, source: 'tracking', campaign_id: c.id }).execute();
    const resend = (await env.app.inject({ method: 'POST', url: `/api/v1/campaigns/${c.id}/resend-failed`, headers: env.t.auth })).json();
    expect(resend.derived_kind).toBe('resend_failed');
    expect((await env.app.inject({ method: 'POST', url: `/api/v1/campaigns/${resend.id}/send`, headers: env.t.auth })).json().counts.eligible).toBe(1);
    const nonOpen = await env.app.inject({ method: 'POST', url: `/api/v1/campaigns/${c.id}/non-openers`, headers: env.t.auth, payload: { subject: 'Did you miss this?' } });
    expect(nonOpen.statusCode).toBe(201);
    const sentNo = (await env.app.inject({ method: 'POST', url: `/api/v1/campaigns/${nonOpen.json().id}/send`, headers: env.t.auth })).json();
    expect(sentNo.counts.eligible).toBe(1); // 3 recipients − 1 failed − 1 opener
    expect(sentNo.subject).toBe('Did you miss this?');
    expect((await env.app.inject({ url: `/api/v1/campaigns/${c.id}`, headers: env.t.auth })).json().counts.opened).toBe(1);
  });
});

describeEachDb('campaigns API with a bounce domain', (dialect) => {
  const env = useTestEnv(dialect, { config: { bounceDomain: 'bounces.example.com' }, tenants: { t: {} } });

  it('has no return-mail warnings, and a test send carries the mailto at the bounce domain', async () => {
    const { listId } = await seedAudience(env.ctx, env.t.workspace.id, 1);
    const c = (await env.app.inject({ method: 'POST', url: '/api/v1/campaigns', headers: env.t.auth, payload: { name: 'b', subject: 's', from_email: 'n@example.com', html: '<p>x</p>', list_ids: [listId] } })).json();
    expect(c.warnings).toEqual([]);
    expect((await env.app.inject({ url: '/api/v1/campaigns/preflight', headers: env.t.auth })).json()).toEqual({ warnings: [] });
    await env.app.inject({ method: 'POST', url: `/api/v1/campaigns/${c.id}/test`, headers: env.t.auth, payload: { emails: ['qa@example.org'] } });
    const captured = await env.ctx.db.selectFrom('captured_messages').select('raw').where('envelope_to', '=', 'qa@example.org').executeTakeFirstOrThrow();
    expect(captured.raw).toMatch(/^List-Unsubscribe: <http[^>]+>, <mailto:unsubscribe@bounces\.example\.com\?subject=unsubscribe%20[A-Za-z0-9_-]+>\r$/m);
  });
});

describeEachDb('campaign audiences with segments', (dialect) => {
  const env = useTestEnv(dialect, { tenants: { t: {} } });

  it('unions list members with a saved segment, minus suppressed contacts, without duplicates', async () => {
    const { listId, contactIds } = await seedAudience(env.ctx, env.t.workspace.id, 3, { prefix: 'lst' });
    const extra = await seedAudience(env.ctx, env.t.workspace.id, 2, { prefix: 'seg' });
    // Segment: everyone with city Köln (all 5 seeded contacts); two are not on the campaign list.
    const seg = await env.app.inject({ method: 'POST', url: '/api/v1/segments', headers: env.t.auth, payload: { name: 'koeln', definition: { version: 1, root: { attribute: 'city', op: 'eq', value: 'Köln' } } } });
    expect(seg.statusCode).toBe(201);
    const c0 = await env.ctx.db.selectFrom('contacts').select('email_lower').where('id', '=', contactIds[0]!).executeTakeFirstOrThrow();
    await env.ctx.db.insertInto('suppressions').values({ workspace_id: env.t.workspace.id, email: c0.email_lower, reason: 'manual', source: 'api', details: null, created_at: env.ctx.clock.now() }).execute();
    const c = (await env.app.inject({ method: 'POST', url: '/api/v1/campaigns', headers: env.t.auth, payload: { name: 'seg', subject: 's', from_email: 'n@example.com', html: '<p>x</p>', list_ids: [listId], segment_ids: [seg.json().id] } })).json();
    const sent = (await env.app.inject({ method: 'POST', url: `/api/v1/campaigns/${c.id}/send`, headers: env.t.auth })).json();
    expect(sent.counts.eligible).toBe(4);
    expect(extra.contactIds).toHaveLength(2);
    const other = await createTenant(env.ctx);
    const bad = await env.app.inject({ method: 'POST', url: '/api/v1/campaigns', headers: other.auth, payload: { name: 'x', subject: 's', from_email: 'n@example.com', html: 'x', segment_ids: [seg.json().id] } });
    expect(bad.statusCode).toBe(400);
  });
});
