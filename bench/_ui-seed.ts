// Seeds the first workspace of a running SQLite Postlane for bench/ui.ts with set-based INSERT …
// SELECT over a recursive counter (hundreds of thousands of rows in seconds): contacts with typed
// attributes, three lists, a tag, a saved segment, eleven campaigns (one finished with a ledger
// row per contact, opens, clicks on five links, bounces, complaints), suppressions, feedback
// events, `viewsPerContact` tracked page views per contact over 90 days and captured messages.
import type { AppContext } from '../src/context.js';

export interface UiSeed { listIds: number[]; segmentId: number; rareSegmentId: number; campaignId: number; profileContactId: number; ledger: number; events: number }

const DAY = 86_400_000;
const LINKS = ['https://shop.example.com/spring', 'https://shop.example.com/sale?utm_source=news', 'https://blog.example.com/post/42', 'https://example.com/', 'https://help.example.com/faq'];

export function seedUiWorkspace(ctx: AppContext, contacts: number, viewsPerContact = 5): UiSeed {
  const db = ctx.dbHandle.sqlite;
  if (!db) throw new Error('bench ui seeds SQLite only');
  const ws = Number((db.prepare('SELECT id FROM workspaces ORDER BY id LIMIT 1').get() as { id: number }).id);
  const now = Date.now();
  const upTo = (n: number) => `WITH RECURSIVE g(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM g WHERE i < ${n - 1})`;
  const id = (sql: string, ...p: unknown[]) => Number(db.prepare(sql).run(...p).lastInsertRowid);
  const seed = db.transaction((): UiSeed => {
    for (const [n, t] of [['plan', 'string'], ['country', 'string'], ['seats', 'number']]) {
      db.prepare('INSERT INTO attribute_definitions (workspace_id, name, type, created_at) VALUES (?, ?, ?, ?)').run(ws, n, t, now);
    }
    // 1 in 50 unsubscribed, 1 in 100 bounced; 1 in 10 without tracking consent.
    db.exec(`${upTo(contacts)} INSERT INTO contacts (workspace_id, email, email_lower, first_name, last_name, status, attributes, timezone, tracking_consent, created_at, updated_at)
      SELECT ${ws}, 'Reader' || i || '@example.com', 'reader' || i || '@example.com', 'Reader', 'No ' || i,
        CASE WHEN i % 50 = 7 THEN 'unsubscribed' WHEN i % 100 = 3 THEN 'bounced' ELSE 'active' END,
        json_object('plan', CASE i % 4 WHEN 0 THEN 'free' WHEN 1 THEN 'starter' WHEN 2 THEN 'pro' ELSE 'team' END,
          'country', CASE i % 5 WHEN 0 THEN 'DE' WHEN 1 THEN 'FR' WHEN 2 THEN 'US' WHEN 3 THEN 'GB' ELSE 'ES' END, 'seats', i % 40),
        NULL, CASE WHEN i % 10 = 9 THEN 0 ELSE 1 END, ${now - 90 * DAY} + i * 1000, ${now - 90 * DAY} + i * 1000 FROM g`);
    const first = Number((db.prepare('SELECT min(id) AS id FROM contacts WHERE workspace_id = ?').get(ws) as { id: number }).id);
    const listIds = [['Newsletter', 0.8], ['Customers', 0.3], ['Beta testers', 0.001]].map(([name, share]) => {
      const listId = id('INSERT INTO lists (workspace_id, name, description, opt_in, created_at, updated_at) VALUES (?, ?, NULL, ?, ?, ?)', ws, name, 'single', now, now);
      const every = Math.round(1 / Number(share));
      db.exec(`INSERT INTO list_memberships (workspace_id, list_id, contact_id, status, created_at, confirmed_at, unsubscribed_at, updated_at)
        SELECT ${ws}, ${listId}, id, CASE WHEN id % 50 = 7 THEN 'unsubscribed' ELSE 'confirmed' END, ${now}, ${now}, NULL, ${now}
        FROM contacts WHERE workspace_id = ${ws} AND ${Number(share) >= 0.5 ? `id % 5 <> 4` : `id % ${every} = 0`}`);
      return listId;
    });
    const tag = id('INSERT INTO tags (workspace_id, name, created_at) VALUES (?, ?, ?)', ws, 'vip', now);
    db.exec(`INSERT INTO contact_tags (workspace_id, contact_id, tag_id, created_at) SELECT ${ws}, id, ${tag}, ${now} FROM contacts WHERE workspace_id = ${ws} AND id % 20 = 0`);

    const campaign = (name: string, status: string, started: number | null) => id(`INSERT INTO campaigns (workspace_id, name, status, subject, from_email, from_name, reply_to, html, text, mjml, list_ids, segment_ids,
      send_at, started_at, finished_at, paused_reason, parent_campaign_id, derived_kind, track_opens, track_clicks, rate_limit, settings, created_at, updated_at)
      VALUES (?, ?, ?, ?, 'news@example.com', 'Bench Books', NULL, ?, NULL, NULL, ?, '[]', NULL, ?, ?, NULL, NULL, NULL, 1, 1, NULL, '{}', ?, ?)`,
    ws, name, status, `${name}: what is new`, `<p>Hello {{ contact.first_name }}</p>${LINKS.map((u) => `<a href="${u}">${u}</a>`).join(' ')}`,
    JSON.stringify([listIds[0]]), started, status === 'finished' ? (started ?? now) + 3600_000 : null, now, now);
    for (let i = 1; i <= 10; i++) campaign(`Draft ${i}`, 'draft', null);
    const sent = now - 2 * DAY;
    const campaignId = campaign('Spring sale', 'finished', sent);
    // One ledger row per contact: 1 in 50 failed (5xx), 1 in 100 skipped, the rest sent.
    db.exec(`INSERT INTO deliveries (workspace_id, campaign_id, contact_id, email, variant, status, attempts, next_attempt_at, route, smtp_code, smtp_response,
        message_id, verp_token, skip_reason, created_at, updated_at, sent_at, first_attempt_at)
      SELECT ${ws}, ${campaignId}, id, email, NULL,
        CASE WHEN id % 50 = 1 THEN 'failed' WHEN id % 100 = 2 THEN 'skipped' ELSE 'sent' END,
        CASE WHEN id % 100 = 2 THEN 0 ELSE 1 END, ${sent}, 'smtp',
        CASE WHEN id % 50 = 1 THEN 550 WHEN id % 100 = 2 THEN NULL ELSE 250 END,
        CASE WHEN id % 50 = 1 THEN '550 5.1.1 User unknown' WHEN id % 100 = 2 THEN NULL ELSE '250 2.0.0 Ok: queued' END,
        '<' || id || '.bench@example.com>', 'v' || id, CASE WHEN id % 100 = 2 THEN 'suppressed' END,
        ${sent}, ${sent}, CASE WHEN id % 50 = 1 OR id % 100 = 2 THEN NULL ELSE ${sent} + id END, ${sent} + id
      FROM contacts WHERE workspace_id = ${ws}`);
    const linkIds = LINKS.map((u, n) => id('INSERT INTO links (workspace_id, campaign_id, url, url_hash, created_at) VALUES (?, ?, ?, ?, ?)', ws, campaignId, u, `bench-${n}`, sent));
    const event = (name: string, where: string, props: string, contact = 'contact_id') => db.exec(`INSERT INTO events (workspace_id, contact_id, anonymous_id, name, properties,
        occurred_at, received_at, idempotency_key, source, campaign_id)
      SELECT ${ws}, ${contact}, NULL, '${name}', ${props}, ${sent} + id * 10, ${sent} + id * 10, NULL, 'tracking', ${campaignId}
      FROM deliveries WHERE campaign_id = ${campaignId} AND status = 'sent' AND ${where}`);
    // 30 % open, 8 % click (one of five links, the first most often), 0.5 % bounce, 0.05 % complain.
    event('opened', 'id % 10 < 3', `json_object('delivery_id', id)`);
    event('clicked', `id % 100 < 8`, `json_object('delivery_id', id, 'link_id', CASE WHEN id % 100 < 4 THEN ${linkIds[0]} ELSE ${linkIds[0]} + id % 5 END, 'url', 'x')`);
    event('clicked', `id % 1000 = 999`, `json_object('link_id', ${linkIds[1]}, 'aggregate', 1)`, 'NULL');
    event('bounced', `id % 200 = 5`, `'{}'`);
    event('complained', `id % 2000 = 11`, `'{}'`);
    db.exec(`INSERT INTO suppressions (workspace_id, email, reason, source, details, created_at)
      SELECT ${ws}, email_lower, CASE WHEN id % 2 = 0 THEN 'bounced' ELSE 'unsubscribed' END, 'bench', NULL, ${now} - id FROM contacts
      WHERE workspace_id = ${ws} AND (status <> 'active')`);
    db.exec(`INSERT INTO feedback_events (workspace_id, dedupe_key, source, kind, email, reason, hard, action, status, reply_code, diagnostic, feedback_type,
        delivery_id, campaign_id, contact_id, occurred_at, created_at)
      SELECT ${ws}, 'bench-' || id, 'smtp', 'bounce', email, 'mailbox_unknown', 1, 'failed', '5.1.1', 550, '550 5.1.1 User unknown', NULL, id, ${campaignId}, contact_id,
        ${sent} + id, ${sent} + id FROM deliveries WHERE campaign_id = ${campaignId} AND status = 'failed'`);
    db.exec(`${upTo(1000)} INSERT INTO captured_messages (workspace_id, campaign_id, delivery_id, envelope_from, envelope_to, subject, raw, created_at)
      SELECT ${ws}, ${campaignId}, NULL, 'news@example.com', 'reader' || i || '@example.com', 'Spring sale',
        'From: news@example.com' || char(13, 10) || 'To: reader' || i || '@example.com' || char(13, 10) || 'Subject: Spring sale' || char(13, 10) || char(13, 10) || 'Hello', ${now} + i FROM g`);
    const definition = { version: 1, root: { all: [{ attribute: 'plan', op: 'eq', value: 'pro' }, { engagement: 'opened', within_days: 30 }] } };
    // Behaviour outside campaigns: page views spread over 90 days (the timeline and event segments read these).
    db.exec(`${upTo(viewsPerContact)} INSERT INTO events (workspace_id, contact_id, anonymous_id, name, properties, occurred_at, received_at, idempotency_key, source, campaign_id)
      SELECT ${ws}, c.id, NULL, 'page_view', json_object('path', '/p/' || (c.id % 97)), ${now} - ((c.id * 7919 + g.i * 104729) % ${90 * DAY}), ${now}, NULL, 'api', NULL
      FROM contacts c CROSS JOIN g WHERE c.workspace_id = ${ws}`);
    // Matches a handful of contacts: the contacts filter must walk far to fill a page.
    const rare = { version: 1, root: { all: [{ list: listIds[2] }, { attribute: 'country', op: 'eq', value: 'DE' }, { engagement: 'clicked', within_days: 30 }] } };
    const rareSegmentId = id('INSERT INTO segments (workspace_id, name, definition, created_at, updated_at) VALUES (?, ?, ?, ?, ?)', ws, 'German beta testers who clicked', JSON.stringify(rare), now, now);
    const segmentId = id('INSERT INTO segments (workspace_id, name, definition, created_at, updated_at) VALUES (?, ?, ?, ?, ?)', ws, 'Pro readers who opened', JSON.stringify(definition), now, now);
    const count = (sql: string) => Number((db.prepare(sql).get() as { n: number }).n);
    return {
      listIds, segmentId, rareSegmentId, campaignId, profileContactId: first + 40,
      ledger: count(`SELECT count(*) AS n FROM deliveries WHERE campaign_id = ${campaignId}`),
      events: count(`SELECT count(*) AS n FROM events WHERE workspace_id = ${ws}`),
    };
  });
  const r = seed();
  return r;
}
