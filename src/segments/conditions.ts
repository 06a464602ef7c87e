// SQL for one condition (attribute, field or event property) on either database. Every value is a
// bound parameter and every column/function name is a constant here. Semantics (kept identical in
// evaluate.ts and documented in docs/segments.md): values compare by JSON type — strings with
// strings, numbers with numbers — contains/starts_with ignore ASCII case, dates are epoch-ms
// numbers or ISO 8601 strings, and a missing value satisfies only neq, not_exists and negations.
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { Dialect } from '../db/dialect.js';
import { DAY_MS, dateBound, type Condition, type Field } from './schema.js';

type Expr = RawBuilder<unknown>;
type Bool = RawBuilder<SqlBool>;

/** A value source: a JSON key (typed at run time) or a built-in column (typed by schema). */
export interface Operand {
  isStr: Bool;
  str: Expr;
  isNum: Bool;
  num: Expr;
  isTrue: Bool;
  isFalse: Bool;
  exists: Bool;
}

const FALSE = sql<SqlBool>`FALSE`;

export function jsonOperand(d: Dialect, column: string, key: string): Operand {
  const col = sql.ref(column);
  if (d === 'postgres') {
    const t = sql`jsonb_typeof(${col} -> ${key}::text)`;
    const str = sql`(${col} ->> ${key}::text)`;
    return {
      isStr: sql<SqlBool>`(${t} = 'string')`,
      str,
      isNum: sql<SqlBool>`(${t} = 'number')`,
      // The cast only runs on numbers: CASE keeps a string value from raising a cast error.
      num: sql`(CASE WHEN ${t} = 'number' THEN (${str})::float8 END)`,
      isTrue: sql<SqlBool>`(${col} -> ${key}::text = 'true'::jsonb)`,
      isFalse: sql<SqlBool>`(${col} -> ${key}::text = 'false'::jsonb)`,
      exists: sql<SqlBool>`(${t} IS NOT NULL AND ${t} <> 'null')`,
    };
  }
  // Key names are validated against an allowlist pattern without quotes; the path is still bound.
  const path = `$."${key}"`;
  const t = sql`json_type(${col}, ${path})`;
  const v = sql`json_extract(${col}, ${path})`;
  return {
    isStr: sql<SqlBool>`(${t} = 'text')`,
    str: v,
    isNum: sql<SqlBool>`(${t} IN ('integer', 'real'))`,
    num: v,
    isTrue: sql<SqlBool>`(${t} = 'true')`,
    isFalse: sql<SqlBool>`(${t} = 'false')`,
    exists: sql<SqlBool>`(${t} IS NOT NULL AND ${t} <> 'null')`,
  };
}

/** email_domain matches the expression index contacts_ws_email_domain_idx exactly. */
export function emailDomainExpr(d: Dialect): Expr {
  return d === 'postgres' ? sql`split_part(c.email_lower, '@', 2)` : sql`substr(c.email_lower, instr(c.email_lower, '@') + 1)`;
}

export function fieldOperand(d: Dialect, field: Field): Operand {
  // Typed NULLs: PostgreSQL must be able to infer the type of a parameter compared with them.
  const nullNum = d === 'postgres' ? sql`CAST(NULL AS float8)` : sql`NULL`;
  const nullStr = d === 'postgres' ? sql`CAST(NULL AS text)` : sql`NULL`;
  const str = (e: Expr): Operand => ({
    isStr: sql<SqlBool>`(${e} IS NOT NULL)`, str: e, isNum: FALSE, num: nullNum, isTrue: FALSE, isFalse: FALSE, exists: sql<SqlBool>`(${e} IS NOT NULL)`,
  });
  switch (field) {
    case 'email_domain': return str(emailDomainExpr(d));
    case 'status': return str(sql`c.status`);
    case 'timezone': return str(sql`c.timezone`);
    case 'created_at': return {
      // float8 on PG so a fractional bound binds (a bigint parameter would reject 1.5).
      isStr: FALSE, str: nullStr, isNum: sql<SqlBool>`TRUE`, num: d === 'postgres' ? sql`CAST(c.created_at AS float8)` : sql`c.created_at`,
      isTrue: FALSE, isFalse: FALSE, exists: sql<SqlBool>`TRUE`,
    };
  }
}

/** ASCII-only lower-casing on both databases (SQLite's lower() is ASCII-only; PG's follows the locale). */
function lowerAscii(d: Dialect, e: Expr): Expr {
  return d === 'postgres' ? sql`translate(${e}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')` : sql`lower(${e})`;
}
export const toLowerAscii = (s: string): string => s.replace(/[A-Z]/g, (ch) => ch.toLowerCase());

function dateLike(d: Dialect, o: Operand): Bool {
  return d === 'postgres'
    ? sql<SqlBool>`(${o.isStr} AND ${o.str} ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}')`
    : sql<SqlBool>`(${o.isStr} AND ${o.str} GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*')`;
}

/** Strings compare byte-wise (COLLATE "C" on PG) against the bound as YYYY-MM-DDTHH:MM:SS.sssZ. */
function dateCompare(d: Dialect, o: Operand, op: '<' | '>' | '>=' | '<=', bound: number): Bool {
  const iso = new Date(bound).toISOString();
  const s = d === 'postgres' ? sql`(${o.str}) COLLATE "C"` : o.str;
  return sql<SqlBool>`((${o.isNum} AND ${o.num} ${sql.raw(op)} ${bound}) OR (${dateLike(d, o)} AND ${s} ${sql.raw(op)} ${iso}))`;
}

function eqScalar(o: Operand, v: string | number | boolean): Bool {
  if (typeof v === 'string') return sql<SqlBool>`(${o.isStr} AND ${o.str} = ${v})`;
  if (typeof v === 'number') return sql<SqlBool>`(${o.isNum} AND ${o.num} = ${v})`;
  return v ? o.isTrue : o.isFalse;
}

const not = (b: Bool): Bool => sql<SqlBool>`(NOT coalesce(${b}, FALSE))`;
const COMPARE = { gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;

export function conditionSql(d: Dialect, o: Operand, c: Condition, now: number): Bool {
  const v = c.value;
  switch (c.op) {
    case 'exists': return o.exists;
    case 'not_exists': return not(o.exists);
    case 'eq': return eqScalar(o, v as string | number | boolean);
    case 'neq': return not(eqScalar(o, v as string | number | boolean));
    case 'gt': case 'gte': case 'lt': case 'lte':
      return sql<SqlBool>`(${o.isNum} AND ${o.num} ${sql.raw(COMPARE[c.op])} ${v as number})`;
    case 'contains': {
      const needle = toLowerAscii(v as string);
      return d === 'postgres'
        ? sql<SqlBool>`(${o.isStr} AND strpos(${lowerAscii(d, o.str)}, ${needle}) > 0)`
        : sql<SqlBool>`(${o.isStr} AND instr(${lowerAscii(d, o.str)}, ${needle}) > 0)`;
    }
    case 'starts_with': {
      const prefix = toLowerAscii(v as string);
      return sql<SqlBool>`(${o.isStr} AND substr(${lowerAscii(d, o.str)}, 1, ${[...prefix].length}) = ${prefix})`;
    }
    case 'in': {
      const xs = v as Array<string | number>;
      const strs = xs.filter((x): x is string => typeof x === 'string');
      const nums = xs.filter((x): x is number => typeof x === 'number');
      const parts: Bool[] = [];
      if (strs.length) parts.push(sql<SqlBool>`(${o.isStr} AND ${o.str} IN (${sql.join(strs)}))`);
      if (nums.length) parts.push(sql<SqlBool>`(${o.isNum} AND ${o.num} IN (${sql.join(nums)}))`);
      return sql<SqlBool>`(${sql.join(parts, sql` OR `)})`;
    }
    case 'before': return dateCompare(d, o, '<', dateBound(v) as number);
    case 'after': return dateCompare(d, o, '>', dateBound(v) as number);
    case 'within_last_days': case 'not_within_last_days': {
      const lo = now - (v as number) * DAY_MS;
      const within = sql<SqlBool>`(${dateCompare(d, o, '>=', lo)} AND ${dateCompare(d, o, '<=', now)})`;
      if (c.op === 'within_last_days') return within;
      return sql<SqlBool>`((${o.isNum} OR ${dateLike(d, o)}) AND ${not(within)})`;
    }
  }
}
