// The List-Unsubscribe mailto names only a domain whose mail reaches Postlane (the bounce domain).
// Without one, a mailto at the From domain sent requests into the void: never honoured. The
// messages here are assembled by the engine itself (prepareCampaign → assembleMessage) and their
// DKIM signature is verified, so the header the receiver sees is the one tested.
import { createRequire } from 'node:module';
import PostalMime from 'postal-mime';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { createCampaign, getCampaignRow } from '../../src/campaigns/index.js';
import type { Config } from '../../src/config/schema.js';
import { assembleMessage, prepareCampaign } from '../../src/delivery/prepare.js';
import { deliveryIdFromReturnPath } from '../../src/delivery/verp.js';
import { createTenant, describeEachDb, openTestContext, type Tenant, type TestContext } from '../helpers/context.js';
import { dkimFixture, seedAudience } from './helpers.js';

const require = createRequire(import.meta.url);
const { dkimVerify } = require('mailauth/lib/dkim/verify') as { dkimVerify: (input: Buffer, opts: unknown) => Promise<{ results: Array<{ status: { result: string } }> }> };

const CONTACT = { id: 1, email: 'reader@example.net', first_name: 'Ann', last_name: null, timezone: null, attributes: {}, tracking_consent: true };

function suite(dialect: Parameters<Parameters<typeof describeEachDb>[1]>[0], config: Partial<Config>) {
  const clock = new ManualClock(Date.UTC(2026, 3, 1, 9));
  const dkim = dkimFixture();
  const state: { ctx?: TestContext; t?: Tenant } = {};
  beforeAll(async () => {
    state.ctx = await openTestContext(dialect, { clock, config: { ...dkim.config, publicUrl: 'https://mail.example.com', ...config } });
    state.t = await createTenant(state.ctx);
  });
  afterAll(async () => {
    await state.ctx?.destroy();
  });

  /** One message as the engine assembles it for delivery 42, with its parsed headers and DKIM result. */
  return async function message() {
    const ctx = state.ctx!;
    const ws = state.t!.workspace.id;
    const { listId } = await seedAudience(ctx, ws, 1);
    const c = await createCampaign(ctx, ws, { name: 'n', subject: 'Hello', from_email: 'news@example.com', html: '<p>Hi</p>', list_ids: [listId] });
    const row = await getCampaignRow(ctx, ws, c.id);
    const p = await prepareCampaign(ctx, { ...row, id: Number(row.id), workspace_id: Number(row.workspace_id) });
    const msg = await assembleMessage(ctx, p, 42, CONTACT);
    const parsed = await PostalMime.parse(msg.raw);
    const header = (k: string) => parsed.headers.filter((h) => h.key === k).map((h) => h.value);
    const dkimTags = /\bh=([^;]+)/.exec(header('dkim-signature')[0] ?? '')?.[1]?.replace(/\s+/g, '').toLowerCase().split(':') ?? [];
    const verified = await dkimVerify(Buffer.from(msg.raw), { resolver: dkim.resolver, curTime: new Date(clock.now()) });
    return { msg, ctx, listUnsubscribe: header('list-unsubscribe'), listUnsubscribePost: header('list-unsubscribe-post'), dkimTags, dkim: verified.results[0]?.status.result };
  };
}

describeEachDb('List-Unsubscribe without a bounce domain', (dialect) => {
  const message = suite(dialect, { bounceDomain: null });

  it('omits the mailto unsubscribe when no inbound domain receives it; the https URL and List-Unsubscribe-Post remain, DKIM-signed', async () => {
    const m = await message();
    expect(m.listUnsubscribe).toHaveLength(1);
    expect(m.listUnsubscribe[0]).toMatch(/^<https:\/\/mail\.example\.com\/u\/[A-Za-z0-9_-]+>$/);
    expect(m.msg.raw).not.toMatch(/mailto:/i);
    expect(m.listUnsubscribePost).toEqual(['List-Unsubscribe=One-Click']);
    // RFC 8058 §4: the one-click headers must be covered by a valid DKIM signature.
    expect(m.dkimTags).toEqual(expect.arrayContaining(['list-unsubscribe', 'list-unsubscribe-post']));
    expect(m.dkim).toBe('pass');
  });

  it('keeps a VERP Return-Path on the From domain (a message needs an envelope sender)', async () => {
    const m = await message();
    expect(m.msg.envelopeFrom).toMatch(/^bounce\+[0-9a-z]+-[0-9a-f]{10}@example\.com$/);
    expect(deliveryIdFromReturnPath(m.ctx.secret, m.msg.envelopeFrom)).toBe(42);
  });
});

describeEachDb('List-Unsubscribe with a bounce domain', (dialect) => {
  const message = suite(dialect, { bounceDomain: 'bounces.example.com' });

  it('carries the https URL and the mailto at the bounce domain, where the inbound listener takes it', async () => {
    const m = await message();
    expect(m.listUnsubscribe).toHaveLength(1);
    expect(m.listUnsubscribe[0]).toMatch(/^<https:\/\/mail\.example\.com\/u\/[A-Za-z0-9_-]+>, <mailto:unsubscribe@bounces\.example\.com\?subject=unsubscribe%20[A-Za-z0-9_-]+>$/);
    expect(m.listUnsubscribePost).toEqual(['List-Unsubscribe=One-Click']);
    expect(m.dkimTags).toEqual(expect.arrayContaining(['list-unsubscribe', 'list-unsubscribe-post']));
    expect(m.dkim).toBe('pass');
    expect(m.msg.envelopeFrom).toMatch(/@bounces\.example\.com$/);
  });
});
