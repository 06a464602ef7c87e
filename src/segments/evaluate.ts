// A plain in-memory evaluator of segment definitions: the reference the compiled SQL is tested
// against, and usable where one contact is judged at a time (journeys). Semantics match
// conditions.ts/compile.ts exactly; docs/segments.md states them.
import { DAY_MS, dateBound, type Condition, type EngagementNodeT, type EventNodeT, type SegmentDefinition, type SegmentNodeT } from './schema.js';
import { toLowerAscii } from './conditions.js';

export interface PersonData {
  contact: { id: number; email_lower: string; status: string; timezone: string | null; created_at: number; attributes: Record<string, unknown> };
  events: Array<{ name: string; properties: Record<string, unknown>; occurred_at: number; campaign_id: number | null }>;
  memberships: Array<{ list_id: number; status: string }>;
  tags: string[];
  consents: Array<{ id: number; purpose: string; action: string; created_at: number }>;
  deliveries: Array<{ campaign_id: number; status: string; sent_at: number | null }>;
  /** The cached verification verdict for the contact's address in its workspace (null: none). */
  verdict?: string | null;
}

export interface EvalEnv {
  now: number;
  /** Ids of the workspace's n most recently started campaigns (started_at desc, id desc). */
  lastCampaigns(n: number): number[];
}

const own = (o: Record<string, unknown>, k: string): unknown => (Object.prototype.hasOwnProperty.call(o, k) ? o[k] : undefined);
const DATE_LIKE = /^[0-9]{4}-[0-9]{2}-[0-9]{2}/;

function eqScalar(x: unknown, v: string | number | boolean): boolean {
  return typeof x === typeof v && x === v;
}

function dateCmp(x: unknown, op: '<' | '>' | '>=' | '<=', bound: number): boolean {
  let a: number | string, b: number | string;
  if (typeof x === 'number') { a = x; b = bound; }
  else if (typeof x === 'string' && DATE_LIKE.test(x)) { a = x; b = new Date(bound).toISOString(); }
  else return false;
  // String comparison is by UTF-16 code unit, equal to byte order for the ASCII bounds used here.
  return op === '<' ? a < b : op === '>' ? a > b : op === '>=' ? a >= b : a <= b;
}

export function evaluateCondition(x: unknown, c: Condition, now: number): boolean {
  const v = c.value;
  const exists = x !== undefined && x !== null;
  switch (c.op) {
    case 'exists': return exists;
    case 'not_exists': return !exists;
    case 'eq': return eqScalar(x, v as string | number | boolean);
    case 'neq': return !eqScalar(x, v as string | number | boolean);
    case 'gt': return typeof x === 'number' && x > (v as number);
    case 'gte': return typeof x === 'number' && x >= (v as number);
    case 'lt': return typeof x === 'number' && x < (v as number);
    case 'lte': return typeof x === 'number' && x <= (v as number);
    case 'contains': return typeof x === 'string' && toLowerAscii(x).includes(toLowerAscii(v as string));
    case 'starts_with': return typeof x === 'string' && toLowerAscii(x).startsWith(toLowerAscii(v as string));
    case 'in': return (v as Array<string | number>).some((y) => eqScalar(x, y));
    case 'before': return dateCmp(x, '<', dateBound(v) as number);
    case 'after': return dateCmp(x, '>', dateBound(v) as number);
    case 'within_last_days': case 'not_within_last_days': {
      const lo = now - (v as number) * DAY_MS;
      const within = dateCmp(x, '>=', lo) && dateCmp(x, '<=', now);
      if (c.op === 'within_last_days') return within;
      const dated = typeof x === 'number' || (typeof x === 'string' && DATE_LIKE.test(x));
      return dated && !within;
    }
  }
}

function fieldValue(p: PersonData, field: string): unknown {
  const c = p.contact;
  switch (field) {
    case 'email_domain': return c.email_lower.slice(c.email_lower.indexOf('@') + 1);
    case 'status': return c.status;
    case 'timezone': return c.timezone;
    default: return c.created_at;
  }
}

function evaluateEvent(p: PersonData, n: EventNodeT, now: number): boolean {
  const lo = n.within_days !== undefined ? now - n.within_days * DAY_MS : -Infinity;
  const matching = p.events.filter((e) => e.name === n.event && e.occurred_at >= lo
    && (n.where ?? []).every((w) => evaluateCondition(own(e.properties, w.property), w, now)));
  if (n.aggregate) {
    const a = n.aggregate;
    const xs = matching.map((e) => own(e.properties, a.property)).filter((x): x is number => typeof x === 'number');
    if (xs.length === 0) return false;
    const sum = xs.reduce((s, x) => s + x, 0);
    const agg = a.fn === 'sum' ? sum : a.fn === 'avg' ? sum / xs.length : a.fn === 'min' ? Math.min(...xs) : Math.max(...xs);
    switch (a.op) {
      case 'eq': return agg === a.value;
      case 'neq': return agg !== a.value;
      case 'gt': return agg > a.value;
      case 'gte': return agg >= a.value;
      case 'lt': return agg < a.value;
      case 'lte': return agg <= a.value;
    }
  }
  const count = n.count ?? { gte: 1 };
  if (count.gte !== undefined) return matching.length >= count.gte;
  if (count.lte !== undefined) return matching.length <= count.lte;
  return matching.length === count.eq;
}

function evaluateEngagement(p: PersonData, n: EngagementNodeT, env: EvalEnv): boolean {
  const name = n.engagement.endsWith('opened') ? 'opened' : 'clicked';
  let engaged: boolean, received: boolean;
  if (n.campaigns_last !== undefined) {
    const ids = new Set(env.lastCampaigns(n.campaigns_last));
    engaged = p.events.some((e) => e.name === name && e.campaign_id !== null && ids.has(e.campaign_id));
    received = p.deliveries.some((d) => d.status === 'sent' && ids.has(d.campaign_id));
  } else {
    const lo = env.now - (n.within_days ?? 0) * DAY_MS;
    engaged = p.events.some((e) => e.name === name && e.occurred_at >= lo);
    received = p.deliveries.some((d) => d.status === 'sent' && d.sent_at !== null && d.sent_at >= lo);
  }
  return n.engagement.startsWith('not_') ? received && !engaged : engaged;
}

function latestConsent(p: PersonData, purpose: string): string | null {
  let best: PersonData['consents'][number] | null = null;
  for (const c of p.consents) {
    if (c.purpose !== purpose) continue;
    if (!best || c.created_at > best.created_at || (c.created_at === best.created_at && c.id > best.id)) best = c;
  }
  return best?.action ?? null;
}

export function evaluateNode(p: PersonData, n: SegmentNodeT, env: EvalEnv): boolean {
  if ('all' in n) return n.all.every((x) => evaluateNode(p, x, env));
  if ('any' in n) return n.any.some((x) => evaluateNode(p, x, env));
  if ('not' in n) return !evaluateNode(p, n.not, env);
  if ('attribute' in n) return evaluateCondition(own(p.contact.attributes, n.attribute), n, env.now);
  if ('field' in n) return evaluateCondition(fieldValue(p, n.field), n, env.now);
  if ('list' in n) {
    const status = n.status ?? 'subscribed';
    return p.memberships.some((m) => m.list_id === n.list && (status === 'any'
      || (status === 'subscribed' ? m.status === 'confirmed' || m.status === 'unconfirmed' : m.status === status)));
  }
  if ('tag' in n) return p.tags.includes(n.tag);
  if ('consent' in n) return latestConsent(p, n.consent) === 'granted';
  if ('verification' in n) return (p.verdict ?? 'unknown') === n.verification;
  if ('event' in n) return evaluateEvent(p, n, env.now);
  return evaluateEngagement(p, n, env);
}

export function evaluateSegment(definition: SegmentDefinition, person: PersonData, env: EvalEnv): boolean {
  return evaluateNode(person, definition.root, env);
}
