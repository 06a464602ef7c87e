// Random segment trees over the same value pools as world.ts. List ids and campaign placeholders
// are resolved per world by bindTree().
import fc from 'fast-check';
import { AGGREGATE_FNS, AGGREGATE_OPS, FIELDS, type SegmentDefinition, type SegmentNodeT } from '../../src/segments/schema.js';
import { EVENT_NAMES, KEYS, NEEDLES, NOW, PURPOSES, STRINGS, TAGS, VERDICTS, dateValue, scalar } from './world.js';

const num = fc.oneof(fc.integer({ min: -3, max: 20 }), fc.constantFrom(1.5, -0.5, 100));
const strOrNum = fc.oneof(fc.constantFrom(...STRINGS.filter((s) => s !== '')), num);

const opValue = fc.oneof(
  fc.record({ op: fc.constantFrom('eq' as const, 'neq' as const), value: scalar }),
  fc.record({ op: fc.constantFrom('gt' as const, 'gte' as const, 'lt' as const, 'lte' as const), value: num }),
  fc.record({ op: fc.constantFrom('contains' as const, 'starts_with' as const), value: fc.constantFrom(...NEEDLES) }),
  fc.record({ op: fc.constant('in' as const), value: fc.array(strOrNum, { minLength: 1, maxLength: 3 }) }),
  fc.record({ op: fc.constantFrom('exists' as const, 'not_exists' as const) }),
  fc.record({ op: fc.constantFrom('before' as const, 'after' as const), value: dateValue }),
  fc.record({ op: fc.constantFrom('within_last_days' as const, 'not_within_last_days' as const), value: fc.integer({ min: 1, max: 60 }) }),
);

const attribute = fc.tuple(fc.constantFrom(...KEYS), opValue).map(([attribute, c]) => ({ attribute, ...c }));
const field = fc.tuple(fc.constantFrom(...FIELDS), opValue).map(([f, c]) => ({ field: f, ...c }));
const property = fc.tuple(fc.constantFrom('amount', 'sku', 'missing'), opValue).map(([p, c]) => ({ property: p, ...c }));
const list = fc.record({ list: fc.constantFrom(1, 2, 3), status: fc.constantFrom('subscribed', 'confirmed', 'unconfirmed', 'unsubscribed', 'any') }, { requiredKeys: ['list'] });
const tag = fc.constantFrom(...TAGS, 'none').map((t) => ({ tag: t }));
const consent = fc.constantFrom(...PURPOSES, 'other').map((c) => ({ consent: c }));
const verification = fc.constantFrom(...VERDICTS).map((v) => ({ verification: v }));
const count = fc.oneof(
  fc.integer({ min: 0, max: 3 }).map((n) => ({ gte: n })),
  fc.integer({ min: 0, max: 3 }).map((n) => ({ lte: n })),
  fc.integer({ min: 0, max: 3 }).map((n) => ({ eq: n })),
);
const aggregate = fc.record({ fn: fc.constantFrom(...AGGREGATE_FNS), property: fc.constant('amount'), op: fc.constantFrom(...AGGREGATE_OPS), value: fc.integer({ min: 0, max: 60 }) });
const event = fc.record({
  event: fc.constantFrom(...EVENT_NAMES),
  measure: fc.oneof(fc.constant({}), count.map((c) => ({ count: c })), aggregate.map((a) => ({ aggregate: a }))),
  within_days: fc.option(fc.integer({ min: 1, max: 60 }), { nil: undefined }),
  where: fc.option(fc.array(property, { maxLength: 2 }), { nil: undefined }),
}).map(({ measure, within_days, where, ...rest }) => ({
  ...rest, ...measure, ...(within_days !== undefined ? { within_days } : {}), ...(where !== undefined ? { where } : {}),
}));
const engagement = fc.record({
  engagement: fc.constantFrom('opened' as const, 'clicked' as const, 'not_opened' as const, 'not_clicked' as const),
  window: fc.oneof(fc.integer({ min: 1, max: 3 }).map((n) => ({ campaigns_last: n })), fc.integer({ min: 1, max: 60 }).map((d) => ({ within_days: d }))),
}).map(({ engagement: e, window }) => ({ engagement: e, ...window }));

const leaf = fc.oneof(attribute, attribute, field, list, tag, consent, verification, event, event, engagement) as fc.Arbitrary<SegmentNodeT>;

export const treeArb: fc.Arbitrary<SegmentDefinition> = fc.letrec<{ node: SegmentNodeT }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', maxDepth: 3 },
    leaf,
    fc.array(tie('node'), { maxLength: 3 }).map((all) => ({ all })),
    fc.array(tie('node'), { maxLength: 3 }).map((any) => ({ any })),
    tie('node').map((n) => ({ not: n })),
  ),
})).node.map((root) => ({ version: 1 as const, root }));

/** Replaces list placeholders 1/2 with the world's list ids (3 stays a list that does not exist). */
export function bindTree(def: SegmentDefinition, listIds: number[]): SegmentDefinition {
  const bind = (n: SegmentNodeT): SegmentNodeT => {
    if ('all' in n) return { all: n.all.map(bind) };
    if ('any' in n) return { any: n.any.map(bind) };
    if ('not' in n) return { not: bind(n.not) };
    if ('list' in n) return { ...n, list: n.list === 3 ? 9_999_999 : listIds[n.list - 1]! };
    return n;
  };
  return { version: 1, root: bind(def.root) };
}

export { NOW };
