// Segment definitions: a typed, versioned JSON tree ({ version: 1, root }) with one TypeBox schema
// shared by the API (validation + OpenAPI), the compiler and the evaluator. validateDefinition()
// bounds size before anything recursive touches the tree, so hostile input is a 400, not a crash.
import { Type, type Static, type TLiteral, type TSchema, type TUnion } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { AppError } from '../errors.js';

export const SEGMENT_LIMITS = {
  depth: 12,
  nodes: 200,
  children: 50,
  where: 10,
  inValues: 100,
  stringLength: 200,
  days: 36500,
  campaigns: 100,
} as const;

export const FIELDS = ['email_domain', 'status', 'created_at', 'timezone'] as const;
export type Field = (typeof FIELDS)[number];

export const OPS = [
  'eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'contains', 'starts_with', 'in', 'exists', 'not_exists',
  'before', 'after', 'within_last_days', 'not_within_last_days',
] as const;
export type Op = (typeof OPS)[number];

const lit = <T extends readonly string[]>(xs: T) => Type.Union(xs.map((x) => Type.Literal(x))) as unknown as TUnion<TLiteral<T[number]>[]>;
const Str = Type.String({ minLength: 1, maxLength: SEGMENT_LIMITS.stringLength });
/** Attribute and property names: a conservative allowlist (they are bound as JSON paths, never SQL). */
export const KeyName = Type.String({ pattern: '^[A-Za-z0-9_][A-Za-z0-9_ .:-]{0,99}$' });
const Scalar = Type.Union([Type.String({ maxLength: SEGMENT_LIMITS.stringLength }), Type.Number(), Type.Boolean()]);
const ConditionValue = Type.Union([
  Scalar,
  Type.Array(Type.Union([Type.String({ maxLength: SEGMENT_LIMITS.stringLength }), Type.Number()]), { minItems: 1, maxItems: SEGMENT_LIMITS.inValues }),
]);
const Days = Type.Integer({ minimum: 1, maximum: SEGMENT_LIMITS.days });

const conditionProps = { op: lit(OPS), value: Type.Optional(ConditionValue) };
export const AttributeCondition = Type.Object({ attribute: KeyName, ...conditionProps }, { additionalProperties: false });
export const FieldCondition = Type.Object({ field: lit(FIELDS), ...conditionProps }, { additionalProperties: false });
export const PropertyCondition = Type.Object({ property: KeyName, ...conditionProps }, { additionalProperties: false });

export const ListNode = Type.Object({
  list: Type.Integer({ minimum: 1 }),
  status: Type.Optional(lit(['subscribed', 'confirmed', 'unconfirmed', 'unsubscribed', 'any'] as const)),
}, { additionalProperties: false });
export const TagNode = Type.Object({ tag: Str }, { additionalProperties: false });
export const ConsentNode = Type.Object({ consent: Str }, { additionalProperties: false });
/** Verdicts of the verification cache (src/verify); a contact never verified counts as unknown. */
export const VERDICTS = ['deliverable', 'risky', 'undeliverable', 'unknown'] as const;
export const VerificationNode = Type.Object({ verification: lit(VERDICTS) }, {
  additionalProperties: false,
  description: "The contact's cached verification verdict for its address in this workspace; no result counts as \"unknown\".",
  examples: [{ verification: 'deliverable' }],
});

const CountOps = Type.Object({
  gte: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
  lte: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
  eq: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
}, { additionalProperties: false, minProperties: 1, maxProperties: 1 });
export const AGGREGATE_FNS = ['sum', 'avg', 'min', 'max'] as const;
export const AGGREGATE_OPS = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte'] as const;
const Aggregate = Type.Object({
  fn: lit(AGGREGATE_FNS), property: KeyName, op: lit(AGGREGATE_OPS), value: Type.Number(),
}, { additionalProperties: false });
export const EventNode = Type.Object({
  event: Str,
  count: Type.Optional(CountOps),
  aggregate: Type.Optional(Aggregate),
  within_days: Type.Optional(Days),
  where: Type.Optional(Type.Array(PropertyCondition, { maxItems: SEGMENT_LIMITS.where })),
}, { additionalProperties: false });
export const EngagementNode = Type.Object({
  engagement: lit(['opened', 'clicked', 'not_opened', 'not_clicked'] as const),
  campaigns_last: Type.Optional(Type.Integer({ minimum: 1, maximum: SEGMENT_LIMITS.campaigns })),
  within_days: Type.Optional(Days),
}, { additionalProperties: false });

const leaves = [AttributeCondition, FieldCondition, ListNode, TagNode, ConsentNode, VerificationNode, EventNode, EngagementNode];

export const SegmentNode = Type.Recursive((Node: TSchema) => Type.Union([
  Type.Object({ all: Type.Array(Node, { maxItems: SEGMENT_LIMITS.children }) }, { additionalProperties: false }),
  Type.Object({ any: Type.Array(Node, { maxItems: SEGMENT_LIMITS.children }) }, { additionalProperties: false }),
  Type.Object({ not: Node }, { additionalProperties: false }),
  ...leaves,
]), { $id: 'SegmentNode', title: 'SegmentNode' });

export const SegmentDefinitionSchema = Type.Object({
  version: Type.Literal(1),
  root: SegmentNode,
}, {
  additionalProperties: false,
  title: 'SegmentDefinition',
  examples: [{
    version: 1,
    root: {
      all: [
        { attribute: 'country', op: 'eq', value: 'DE' },
        { field: 'email_domain', op: 'neq', value: 'example.com' },
        { list: 1, status: 'confirmed' },
        { event: 'purchase', count: { gte: 2 }, within_days: 30, where: [{ property: 'amount', op: 'gt', value: 10 }] },
        { not: { engagement: 'not_opened', campaigns_last: 5 } },
        { consent: 'marketing_email' },
        { not: { verification: 'undeliverable' } },
      ],
    },
  }],
});

export type AttributeConditionT = Static<typeof AttributeCondition>;
export type FieldConditionT = Static<typeof FieldCondition>;
export type PropertyConditionT = Static<typeof PropertyCondition>;
export type Condition = AttributeConditionT | FieldConditionT | PropertyConditionT;
export type EventNodeT = Static<typeof EventNode>;
export type EngagementNodeT = Static<typeof EngagementNode>;
export type ListNodeT = Static<typeof ListNode>;
export type VerificationNodeT = Static<typeof VerificationNode>;
export type SegmentNodeT =
  | { all: SegmentNodeT[] } | { any: SegmentNodeT[] } | { not: SegmentNodeT }
  | AttributeConditionT | FieldConditionT | ListNodeT | Static<typeof TagNode> | Static<typeof ConsentNode> | VerificationNodeT | EventNodeT | EngagementNodeT;
export interface SegmentDefinition { version: 1; root: SegmentNodeT }

const checker = TypeCompiler.Compile(SegmentDefinitionSchema);

export interface DefinitionProblem { path: string; message: string }

const invalid = (problems: DefinitionProblem[]): AppError =>
  new AppError('bad_request', `invalid segment definition: ${problems[0]?.path || '/'} ${problems[0]?.message ?? ''}`.trim(), problems);

/** Iterative size check over raw JSON: bounds depth and node count before any recursive code runs. */
export function checkDefinitionSize(input: unknown): void {
  const stack: Array<{ v: unknown; depth: number }> = [{ v: input, depth: 0 }];
  let nodes = 0;
  while (stack.length > 0) {
    const { v, depth } = stack.pop()!;
    // PostgreSQL text cannot hold NUL or lone surrogates: reject here rather than fail in the driver.
    if (typeof v === 'string' && (v.includes('\u0000') || !v.isWellFormed())) throw invalid([{ path: '/', message: 'strings must be valid text without NUL characters' }]);
    if (typeof v !== 'object' || v === null) continue;
    // JSON depth counts wrappers (root, all-array, where-array), so allow ~3 per tree level.
    if (depth > SEGMENT_LIMITS.depth * 3 + 4) throw invalid([{ path: '/', message: `nesting deeper than ${SEGMENT_LIMITS.depth} levels` }]);
    if (!Array.isArray(v) && ++nodes > SEGMENT_LIMITS.nodes * 3) throw invalid([{ path: '/', message: `more than ${SEGMENT_LIMITS.nodes} nodes` }]);
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push({ v: child, depth: depth + 1 });
  }
}

/** Validates shape, limits and op/value pairings; returns the typed definition or throws a 400. */
export function validateDefinition(input: unknown): SegmentDefinition {
  checkDefinitionSize(input);
  if (!checker.Check(input)) {
    const problems = [...checker.Errors(input)].slice(0, 10).map((e) => ({ path: e.path, message: e.message }));
    throw invalid(problems);
  }
  const def = input as SegmentDefinition;
  const problems: DefinitionProblem[] = [];
  let nodes = 0;
  const walk = (n: SegmentNodeT, path: string, depth: number): void => {
    nodes++;
    if (depth > SEGMENT_LIMITS.depth) problems.push({ path, message: `nesting deeper than ${SEGMENT_LIMITS.depth} levels` });
    if (nodes > SEGMENT_LIMITS.nodes) problems.push({ path, message: `more than ${SEGMENT_LIMITS.nodes} nodes` });
    if (problems.length > 0) return;
    if ('all' in n) n.all.forEach((c, i) => walk(c, `${path}/all/${i}`, depth + 1));
    else if ('any' in n) n.any.forEach((c, i) => walk(c, `${path}/any/${i}`, depth + 1));
    else if ('not' in n) walk(n.not, `${path}/not`, depth + 1);
    else if ('attribute' in n || 'field' in n) checkCondition(n, path, problems);
    else if ('event' in n) checkEvent(n, path, problems);
    else if ('engagement' in n && (n.campaigns_last === undefined) === (n.within_days === undefined)) {
      problems.push({ path, message: 'engagement needs exactly one of campaigns_last or within_days' });
    }
  };
  walk(def.root, '/root', 1);
  if (problems.length > 0) throw invalid(problems);
  return def;
}

function checkEvent(n: EventNodeT, path: string, problems: DefinitionProblem[]): void {
  if (n.count && n.aggregate) problems.push({ path, message: 'an event condition takes count or aggregate, not both' });
  (n.where ?? []).forEach((w, i) => checkCondition(w, `${path}/where/${i}`, problems));
}

const NUMBER_OPS = new Set<Op>(['gt', 'gte', 'lt', 'lte', 'within_last_days', 'not_within_last_days']);
const STRING_OPS = new Set<Op>(['contains', 'starts_with']);

/** The op decides which value it takes; mismatches are rejected rather than guessed. */
export function checkCondition(c: Condition, path: string, problems: DefinitionProblem[]): void {
  const v = c.value;
  const bad = (message: string) => problems.push({ path, message });
  if (c.op === 'exists' || c.op === 'not_exists') {
    if (v !== undefined) bad(`${c.op} takes no value`);
  } else if (v === undefined) {
    bad(`${c.op} needs a value`);
  } else if (c.op === 'in') {
    if (!Array.isArray(v)) bad('in needs an array of strings or numbers');
  } else if (Array.isArray(v)) {
    bad(`${c.op} takes a single value (only "in" takes an array)`);
  } else if (NUMBER_OPS.has(c.op)) {
    if (typeof v !== 'number') bad(`${c.op} needs a number`);
    else if (c.op.includes('within') && !(Number.isInteger(v) && v >= 1 && v <= SEGMENT_LIMITS.days)) bad(`${c.op} needs whole days between 1 and ${SEGMENT_LIMITS.days}`);
  } else if (STRING_OPS.has(c.op)) {
    if (typeof v !== 'string' || v.length === 0) bad(`${c.op} needs a non-empty string`);
  } else if (c.op === 'before' || c.op === 'after') {
    if (dateBound(v) === null) bad(`${c.op} needs an ISO 8601 date or epoch milliseconds`);
  }
}

/** before/after bound in epoch ms: an ISO 8601 date(-time) string or an epoch-ms number. */
export function dateBound(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(v)) return null;
  const t = Date.parse(v);
  return Number.isFinite(t) && Math.abs(t) < 8.64e15 ? t : null;
}

export const DAY_MS = 86_400_000;
