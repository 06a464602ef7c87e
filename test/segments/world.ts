// Random worlds for the property tests: contacts with typed/missing attributes, events, lists,
// tags, consent rows, campaigns and deliveries — generated small, inserted into a fresh workspace,
// and mirrored as PersonData for the in-memory evaluator.
import fc from 'fast-check';
import type { Kysely } from 'kysely';
import { toJson } from '../../src/db/dialect.js';
import type { DB } from '../../src/db/types.js';
import type { EvalEnv, PersonData } from '../../src/segments/evaluate.js';

export const NOW = Date.UTC(2026, 0, 1, 12);
const DAY = 86_400_000;

// Pools are shared by data and trees so conditions actually match something.
export const STRINGS = ['DE', 'de', 'De', 'FR', 'Alpha', 'alphabet', 'ALP', '10', '', 'x y', 'Äpfel', 'äpfel', 'example.com', 'shop.test', 'active', 'unsubscribed', 'Europe/Berlin'];
export const NEEDLES = ['a', 'AL', 'e', '10', 'äp', 'Äp', 'x ', 'de', 'EX', 'shop', 'Europe'];
export const KEYS = ['a', 'b', 'c', 'd d', 'e.f'];
export const EVENT_NAMES = ['purchase', 'view', 'opened', 'clicked'];
export const TAGS = ['vip', 'new', 'VIP'];
export const PURPOSES = ['marketing', 'tracking'];
export const VERDICTS = ['deliverable', 'risky', 'undeliverable', 'unknown'] as const;

const dayOffset = fc.integer({ min: -90, max: 5 }).chain((d) => fc.integer({ min: 0, max: DAY - 1 }).map((ms) => NOW + d * DAY + ms - DAY / 2));
export const dateValue = fc.oneof(
  dayOffset,
  dayOffset.map((t) => new Date(t).toISOString()),
  dayOffset.map((t) => new Date(t).toISOString().slice(0, 10)),
);
export const scalar = fc.oneof(
  fc.constantFrom(...STRINGS),
  fc.integer({ min: -3, max: 20 }),
  fc.constantFrom(1.5, -0.5, 100),
  fc.boolean(),
);
const attrValue = fc.oneof(scalar, fc.constant(null), dateValue);

const contactArb = fc.record({
  domain: fc.constantFrom('example.com', 'Shop.test', 'mail.example.com'),
  status: fc.constantFrom('active', 'unsubscribed', 'bounced'),
  timezone: fc.option(fc.constantFrom('Europe/Berlin', 'America/New_York'), { nil: null }),
  created_at: dayOffset,
  attributes: fc.dictionary(fc.constantFrom(...KEYS), attrValue, { maxKeys: 4 }),
  events: fc.array(fc.record({
    name: fc.constantFrom(...EVENT_NAMES),
    properties: fc.record({ amount: fc.oneof(fc.integer({ min: 0, max: 50 }), fc.constantFrom('12', true)), sku: fc.constantFrom(...STRINGS) }, { requiredKeys: [] }),
    occurred_at: dayOffset,
    campaign: fc.option(fc.integer({ min: 0, max: 2 }), { nil: null }),
  }), { maxLength: 5 }),
  lists: fc.array(fc.record({ list: fc.integer({ min: 0, max: 1 }), status: fc.constantFrom('confirmed', 'unconfirmed', 'unsubscribed') }), { maxLength: 2 })
    .map((xs) => xs.filter((x, i) => xs.findIndex((y) => y.list === x.list) === i)),
  tags: fc.subarray(TAGS),
  consents: fc.array(fc.record({ purpose: fc.constantFrom(...PURPOSES), action: fc.constantFrom('granted', 'withdrawn'), created_at: fc.integer({ min: 0, max: 3 }).map((k) => NOW - k * DAY) }), { maxLength: 3 }),
  // Cached verification verdict for the address (null: never verified).
  verdict: fc.option(fc.constantFrom(...VERDICTS), { nil: null }),
  deliveries: fc.subarray([0, 1, 2]).chain((cs) => fc.tuple(...cs.map((c) => fc.record({
    campaign: fc.constant(c), status: fc.constantFrom('sent', 'failed'), sent_at: dayOffset,
  })))),
});

export const worldArb = fc.record({
  contacts: fc.array(contactArb, { minLength: 1, maxLength: 10 }),
  // started_at per campaign (null = draft); ties break by id.
  campaigns: fc.tuple(...[0, 1, 2].map(() => fc.option(fc.integer({ min: 0, max: 3 }).map((k) => NOW - k * DAY), { nil: null }))),
  anonymousEvents: fc.integer({ min: 0, max: 3 }),
});
export type World = typeof worldArb extends fc.Arbitrary<infer T> ? T : never;

export interface Inserted {
  contactIds: number[];
  listIds: number[];
  campaignIds: number[];
  people: PersonData[];
  env: EvalEnv;
}

export async function insertWorld(db: Kysely<DB>, ws: number, w: World): Promise<Inserted> {
  const now = NOW;
  const listIds: number[] = [];
  for (const i of [0, 1]) {
    const r = await db.insertInto('lists').values({ workspace_id: ws, name: `L${i}`, description: null, opt_in: 'single', created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
    listIds.push(r.id);
  }
  const campaignIds: number[] = [];
  for (const [i, started] of w.campaigns.entries()) {
    const r = await db.insertInto('campaigns').values({
      workspace_id: ws, name: `C${i}`, status: started ? 'finished' : 'draft', subject: 's', from_email: 'f@example.com', from_name: null, reply_to: null,
      html: null, text: null, mjml: null, list_ids: '[]', segment_ids: '[]', send_at: null, started_at: started, finished_at: null, paused_reason: null,
      parent_campaign_id: null, derived_kind: null, track_opens: 1, track_clicks: 1, rate_limit: null, settings: '{}', created_at: now, updated_at: now,
    }).returning('id').executeTakeFirstOrThrow();
    campaignIds.push(r.id);
  }
  const tagIds = new Map<string, number>();
  for (const t of TAGS) {
    const r = await db.insertInto('tags').values({ workspace_id: ws, name: t, created_at: now }).returning('id').executeTakeFirstOrThrow();
    tagIds.set(t, r.id);
  }
  // Multi-row inserts (RETURNING keeps VALUES order) keep each run to a handful of round trips.
  const contactRows = w.contacts.map((c, i) => {
    const email = `u${i}@${c.domain}`;
    return {
      workspace_id: ws, email, email_lower: email.toLowerCase(), first_name: null, last_name: null, external_id: null, status: c.status,
      attributes: toJson(c.attributes), timezone: c.timezone, tracking_consent: 1, created_at: c.created_at, updated_at: now,
    };
  });
  const contactIds = (await db.insertInto('contacts').values(contactRows).returning('id').execute()).map((r) => r.id);
  const events: Array<PersonData['events'][number] & { contact: number }> = [];
  const consentRows: Array<{ contact: number; purpose: string; action: string; created_at: number }> = [];
  const memberships: Array<{ contact: number; list_id: number; status: string }> = [];
  const tags: Array<{ contact: number; tag: string }> = [];
  const deliveries: Array<{ contact: number; campaign_id: number; status: string; sent_at: number | null }> = [];
  w.contacts.forEach((c, i) => {
    const id = contactIds[i]!;
    for (const e of c.events) events.push({ contact: id, name: e.name, properties: e.properties as Record<string, unknown>, occurred_at: e.occurred_at, campaign_id: e.campaign === null ? null : campaignIds[e.campaign]! });
    for (const k of c.consents) consentRows.push({ contact: id, ...k });
    for (const m of c.lists) memberships.push({ contact: id, list_id: listIds[m.list]!, status: m.status });
    for (const t of c.tags) tags.push({ contact: id, tag: t });
    for (const d of c.deliveries) deliveries.push({ contact: id, campaign_id: campaignIds[d.campaign]!, status: d.status, sent_at: d.status === 'sent' ? d.sent_at : null });
  });
  if (events.length) {
    await db.insertInto('events').values(events.map((e) => ({
      workspace_id: ws, contact_id: e.contact, anonymous_id: null, name: e.name, properties: toJson(e.properties), occurred_at: e.occurred_at,
      received_at: now, idempotency_key: null, source: 'api', campaign_id: e.campaign_id,
    }))).execute();
  }
  if (memberships.length) {
    await db.insertInto('list_memberships').values(memberships.map((m) => ({
      workspace_id: ws, list_id: m.list_id, contact_id: m.contact, status: m.status, created_at: now, confirmed_at: null, unsubscribed_at: null, updated_at: now,
    }))).execute();
  }
  if (tags.length) await db.insertInto('contact_tags').values(tags.map((t) => ({ workspace_id: ws, contact_id: t.contact, tag_id: tagIds.get(t.tag)!, created_at: now }))).execute();
  const consentIds = consentRows.length === 0 ? [] : (await db.insertInto('consent_ledger').values(consentRows.map((k) => ({
    workspace_id: ws, contact_id: k.contact, purpose: k.purpose, action: k.action, source_type: 'api', source_id: null, wording_version: null, ip: null, user_agent: null, created_at: k.created_at,
  }))).returning('id').execute()).map((r) => r.id);
  // Keyed by the lower-cased address: every run reuses the same addresses in a new workspace, so
  // earlier workspaces' rows also check that the verdict is scoped to the contact's workspace.
  const verifications = w.contacts.flatMap((c, i) => (c.verdict === null ? [] : [{
    workspace_id: ws, email_key: contactRows[i]!.email_lower, email: contactRows[i]!.email, verdict: c.verdict, score: 50,
    checks: 'syntax', policy: 'rfc', result: toJson({}), outcome: null, outcome_at: null, checked_at: now,
  }]));
  if (verifications.length) await db.insertInto('verifications').values(verifications).execute();
  if (deliveries.length) {
    await db.insertInto('deliveries').values(deliveries.map((d) => ({
      workspace_id: ws, campaign_id: d.campaign_id, contact_id: d.contact, email: 'x@example.com', status: d.status, attempts: 1, next_attempt_at: now,
      lease_owner: null, lease_expires_at: null, route: null, smtp_code: null, smtp_response: null, message_id: null, verp_token: null, skip_reason: null,
      created_at: now, updated_at: now, sent_at: d.sent_at,
    }))).execute();
  }
  const people: PersonData[] = w.contacts.map((c, i) => {
    const id = contactIds[i]!;
    return {
      contact: { id, email_lower: contactRows[i]!.email_lower, status: c.status, timezone: c.timezone, created_at: c.created_at, attributes: c.attributes },
      events: events.filter((e) => e.contact === id),
      memberships: memberships.filter((m) => m.contact === id),
      tags: tags.filter((t) => t.contact === id).map((t) => t.tag),
      consents: consentRows.map((k, j) => ({ ...k, id: consentIds[j]! })).filter((k) => k.contact === id),
      deliveries: deliveries.filter((d) => d.contact === id),
      verdict: c.verdict,
    };
  });
  // Anonymous events (no contact) must never enter a segment, nor break NOT IN sets.
  for (let i = 0; i < w.anonymousEvents; i++) {
    await db.insertInto('events').values({
      workspace_id: ws, contact_id: null, anonymous_id: `anon-${i}`, name: 'purchase', properties: toJson({ amount: 5 }), occurred_at: now - DAY,
      received_at: now, idempotency_key: null, source: 'api', campaign_id: null,
    }).execute();
  }
  const order = w.campaigns.map((s, i) => ({ id: campaignIds[i]!, s })).filter((c) => c.s !== null)
    .sort((x, y) => (y.s! - x.s!) || (y.id - x.id));
  return { contactIds, listIds, campaignIds, people, env: { now, lastCampaigns: (n) => order.slice(0, n).map((c) => c.id) } };
}
