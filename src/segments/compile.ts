// Compiles a segment definition into one parameterised boolean expression over `contacts AS c`,
// for SQLite and PostgreSQL. Counts, previews, exports and campaign audiences all select through
// segmentContactIds(), so they agree by construction. Relational conditions (lists, tags, events,
// engagement, consent) compile to uncorrelated `c.id IN (SELECT contact_id …)` sets: each is
// computed once from its own index instead of probing once per contact (see docs/segments.md).
import { sql, type Kysely, type RawBuilder, type SelectQueryBuilder, type SqlBool } from 'kysely';
import type { AppContext } from '../context.js';
import { dialectOf, type Dialect } from '../db/dialect.js';
import type { DB, ContactsTable } from '../db/types.js';
import { systemClock } from '../clock.js';
import { conditionSql, fieldOperand, jsonOperand } from './conditions.js';
import { DAY_MS, type VerificationNodeT, type EngagementNodeT, type EventNodeT, type ListNodeT, type SegmentDefinition, type SegmentNodeT } from './schema.js';

type Bool = RawBuilder<SqlBool>;

interface CompileEnv {
  d: Dialect;
  ws: number;
  now: number;
  /** SQLite: how many contact IN-sets were emitted so far (see contactSet). */
  sets: number;
}

const TRUE = sql<SqlBool>`TRUE`;
const FALSE = sql<SqlBool>`FALSE`;
const not = (b: Bool): Bool => sql<SqlBool>`(NOT coalesce(${b}, FALSE))`;

/**
 * "The contact has rows in `from` matching `where` [whose aggregate satisfies `having`]".
 * SQLite: an uncorrelated `c.id IN (SELECT contact_id …)`, which SQLite builds once into an
 * ephemeral index whatever the surrounding AND/OR/NOT. PostgreSQL: a correlated EXISTS probing
 * the (workspace_id, contact_id, …) indexes. PostgreSQL cannot estimate JSON conditions, guesses
 * "1 row" after three of them and would then re-scan a grouped IN-set once per contact (120 s
 * for 20k contacts in the benchmark); inside OR/NOT an IN-set larger than work_mem is re-scanned
 * per row too. A per-contact index probe costs the same whatever the estimates say.
 */
function contactSet(env: CompileEnv, alias: string, from: RawBuilder<unknown>, where: RawBuilder<unknown>, having?: RawBuilder<unknown>): Bool {
  const contactId = sql.ref(`${alias}.contact_id`);
  if (env.d === 'postgres') {
    return having
      ? sql<SqlBool>`EXISTS (SELECT 1 FROM ${from} WHERE ${where} AND ${contactId} = c.id HAVING ${having})`
      : sql<SqlBool>`EXISTS (SELECT 1 FROM ${from} WHERE ${where} AND ${contactId} = c.id)`;
  }
  // Only the first set may drive an index lookup. c.id is the rowid, which is also the implicit last
  // column of contacts_ws_id_idx (workspace_id, id): with two AND-ed sets on c.id, SQLite binds one
  // to `id` and the other to `rowid` and probes every pair — |A| x |B| lookups (140 ms for 100 list
  // members x 6,000 clickers at 100,000 contacts, 5.8 s at 500,000). `+c.id` keeps the later sets
  // as filters: |A| lookups, each checked against the others' ephemeral tables (1.9 ms).
  const id = env.sets++ === 0 ? sql`c.id` : sql`+c.id`;
  return having
    ? sql<SqlBool>`(${id} IN (SELECT ${contactId} FROM ${from} WHERE ${where} GROUP BY ${contactId} HAVING ${having}))`
    : sql<SqlBool>`(${id} IN (SELECT ${contactId} FROM ${from} WHERE ${where}))`;
}

function compileNode(env: CompileEnv, n: SegmentNodeT): Bool {
  if ('all' in n) return n.all.length === 0 ? TRUE : sql<SqlBool>`(${sql.join(n.all.map((x) => compileNode(env, x)), sql` AND `)})`;
  if ('any' in n) return n.any.length === 0 ? FALSE : sql<SqlBool>`(${sql.join(n.any.map((x) => compileNode(env, x)), sql` OR `)})`;
  // NULL-safe negation: a condition on a missing value is false, so its negation is true.
  if ('not' in n) return not(compileNode(env, n.not));
  if ('attribute' in n) return conditionSql(env.d, jsonOperand(env.d, 'c.attributes', n.attribute), n, env.now);
  if ('field' in n) return conditionSql(env.d, fieldOperand(env.d, n.field), n, env.now);
  if ('list' in n) return compileList(env, n);
  if ('tag' in n) {
    return contactSet(env, 'ct', sql`contact_tags ct INNER JOIN tags t ON t.id = ct.tag_id`,
      sql`t.workspace_id = ${env.ws} AND ct.workspace_id = ${env.ws} AND t.name = ${n.tag}`);
  }
  if ('consent' in n) {
    // The latest row (by created_at, then id) for the purpose decides; the ledger is append-only.
    return contactSet(env, 'cl', sql`consent_ledger cl`, sql`cl.workspace_id = ${env.ws} AND cl.purpose = ${n.consent} AND cl.action = 'granted'
      AND NOT EXISTS (SELECT 1 FROM consent_ledger cl2 WHERE cl2.workspace_id = cl.workspace_id
        AND cl2.contact_id = cl.contact_id AND cl2.purpose = cl.purpose
        AND (cl2.created_at > cl.created_at OR (cl2.created_at = cl.created_at AND cl2.id > cl.id)))`);
  }
  if ('verification' in n) return compileVerification(env, n);
  if ('event' in n) return compileEvent(env, n);
  return compileEngagement(env, n);
}

function compileList(env: CompileEnv, n: ListNodeT): Bool {
  const status = n.status ?? 'subscribed';
  const filter = status === 'any' ? sql``
    : status === 'subscribed' ? sql`AND lm.status IN ('confirmed', 'unconfirmed')`
      : sql`AND lm.status = ${status}`;
  return contactSet(env, 'lm', sql`list_memberships lm`, sql`lm.workspace_id = ${env.ws} AND lm.list_id = ${n.list} ${filter}`);
}

/**
 * The verification cache holds one row per (workspace_id, email_key) — overwritten on every check
 * and by delivery feedback, so that row is the latest verdict. email_key is the lower-cased
 * normalised address, the same form as contacts.email_lower. A contact without a row (or with
 * verdict 'unknown') is "unknown". SQLite: an uncorrelated IN-set over the primary key, built once;
 * PostgreSQL: a correlated probe of the primary key (same reasoning as contactSet()).
 */
function compileVerification(env: CompileEnv, n: VerificationNodeT): Bool {
  const wantUnknown = n.verification === 'unknown';
  const verdict = wantUnknown ? sql`v.verdict <> 'unknown'` : sql`v.verdict = ${n.verification}`;
  const has = env.d === 'postgres'
    ? sql<SqlBool>`EXISTS (SELECT 1 FROM verifications v WHERE v.workspace_id = ${env.ws} AND v.email_key = c.email_lower AND ${verdict})`
    : sql<SqlBool>`(c.email_lower IN (SELECT v.email_key FROM verifications v WHERE v.workspace_id = ${env.ws} AND ${verdict}))`;
  return wantUnknown ? not(has) : has;
}

/** The WHERE of an event condition; answered by events_ws_name_time_contact_idx when there is no property filter. */
function eventFilter(env: CompileEnv, n: EventNodeT): RawBuilder<unknown> {
  const parts = [sql`e.workspace_id = ${env.ws}`, sql`e.name = ${n.event}`, sql`e.contact_id IS NOT NULL`];
  if (n.within_days !== undefined) parts.push(sql`e.occurred_at >= ${env.now - n.within_days * DAY_MS}`);
  for (const w of n.where ?? []) parts.push(conditionSql(env.d, jsonOperand(env.d, 'e.properties', w.property), w, env.now));
  return sql.join(parts, sql` AND `);
}

/**
 * The events source of a set. SQLite is pinned to the (workspace, name, time, contact) index: with
 * ANALYZE statistics at 10M rows it may otherwise pick the (workspace, contact, …) index to get
 * GROUP BY order for free, which walks every event of the workspace instead of one name's window.
 */
const eventsSource = (env: CompileEnv) =>
  env.d === 'sqlite' ? sql`events e INDEXED BY events_ws_name_time_contact_idx` : sql`events e`;

function compileEvent(env: CompileEnv, n: EventNodeT): Bool {
  const filter = eventFilter(env, n);
  const events = eventsSource(env);
  if (n.aggregate) {
    const a = n.aggregate;
    const o = jsonOperand(env.d, 'e.properties', a.property);
    const op = { eq: '=', neq: '<>', gt: '>', gte: '>=', lt: '<', lte: '<=' }[a.op];
    // Only numeric values are aggregated; a contact with none has no aggregate and does not match.
    return contactSet(env, 'e', events, sql`${filter} AND ${o.isNum}`, sql`${sql.raw(a.fn)}(${o.num}) ${sql.raw(op)} ${a.value}`);
  }
  const atLeast = (k: number): Bool => k <= 0 ? TRUE
    : k === 1 ? contactSet(env, 'e', events, filter)
      : contactSet(env, 'e', events, filter, sql`count(*) >= ${k}`);
  const count = n.count ?? { gte: 1 };
  if (count.gte !== undefined) return atLeast(count.gte);
  if (count.lte !== undefined) return not(atLeast(count.lte + 1));
  const k = count.eq as number;
  if (k === 0) return not(atLeast(1));
  return contactSet(env, 'e', events, filter, sql`count(*) = ${k}`);
}

/** The workspace's N most recently started campaigns. */
const lastCampaigns = (env: CompileEnv, n: number) =>
  sql`SELECT id FROM campaigns WHERE workspace_id = ${env.ws} AND started_at IS NOT NULL ORDER BY started_at DESC, id DESC LIMIT ${n}`;

function compileEngagement(env: CompileEnv, n: EngagementNodeT): Bool {
  const name = n.engagement.endsWith('opened') ? 'opened' : 'clicked';
  const byCampaign = n.campaigns_last !== undefined;
  const lo = env.now - (n.within_days ?? 0) * DAY_MS;
  const base = sql`e.workspace_id = ${env.ws} AND e.name = ${name} AND e.contact_id IS NOT NULL`;
  const engaged = contactSet(env, 'e', eventsSource(env), byCampaign
    ? sql`${base} AND e.campaign_id IN (${lastCampaigns(env, n.campaigns_last as number)})`
    : sql`${base} AND e.occurred_at >= ${lo}`);
  if (!n.engagement.startsWith('not_')) return engaged;
  // not_opened / not_clicked: was sent something in the window and did not engage with it.
  const sent = sql`dl.workspace_id = ${env.ws} AND dl.status = 'sent'`;
  const received = contactSet(env, 'dl', sql`deliveries dl`, byCampaign
    ? sql`${sent} AND dl.campaign_id IN (${lastCampaigns(env, n.campaigns_last as number)})`
    : sql`${sent} AND dl.sent_at >= ${lo}`);
  return sql<SqlBool>`(${received} AND ${not(engaged)})`;
}

/** The definition as a boolean expression over `contacts AS c` (workspace filter not included). */
export function compileSegment(dialect: Dialect, workspaceId: number, definition: SegmentDefinition, now: number): Bool {
  return compileNode({ d: dialect, ws: workspaceId, now, sets: 0 }, definition.root);
}

type ContactsAlias = DB & { c: ContactsTable };
export type SegmentIdQuery = SelectQueryBuilder<ContactsAlias, 'c', { id: number }>;

/**
 * Contact ids in a segment, as a Kysely query to run, count, page or union (campaign audiences).
 * Pass the AppContext so time-relative conditions use ctx.clock; with a bare Kysely instance,
 * pass `now` (defaults to the system clock).
 */
export function segmentContactIds(
  dbOrCtx: Kysely<DB> | Pick<AppContext, 'db' | 'clock'>, workspaceId: number, definition: SegmentDefinition, opts: { now?: number } = {},
): SegmentIdQuery {
  const isCtx = 'clock' in dbOrCtx && 'db' in dbOrCtx;
  const db = isCtx ? (dbOrCtx as Pick<AppContext, 'db'>).db : (dbOrCtx as Kysely<DB>);
  const now = opts.now ?? (isCtx ? (dbOrCtx as Pick<AppContext, 'clock'>).clock.now() : systemClock.now());
  const where = compileSegment(dialectOf(db), workspaceId, definition, now);
  return (db as Kysely<ContactsAlias>).selectFrom('contacts as c').select('c.id').where('c.workspace_id', '=', workspaceId).where(where);
}
