// Dialect helpers: the few places where SQLite and PostgreSQL differ in DDL or SQL.
// Domain code asks these helpers instead of branching on the driver itself.
import { sql, type ColumnDefinitionBuilder, type CreateTableBuilder, type Kysely, type RawBuilder } from 'kysely';

export type Dialect = 'sqlite' | 'postgres';

const dialects = new WeakMap<object, Dialect>();

/** Remember which dialect a Kysely instance speaks (set once by createDatabase). */
export function registerDialect(db: Kysely<unknown>, dialect: Dialect): void {
  dialects.set(db, dialect);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function dialectOf(db: Kysely<any>): Dialect {
  const d = dialects.get(db) ?? dialects.get((db as unknown as { _root?: object })._root ?? {});
  if (d) return d;
  // Transactions are new Kysely instances; fall back to the adapter's class name.
  const adapter = db.getExecutor().adapter.constructor.name;
  return adapter.startsWith('Postgres') ? 'postgres' : 'sqlite';
}

/** Auto-incrementing integer primary key: INTEGER PRIMARY KEY AUTOINCREMENT vs BIGSERIAL. */
 
export function addIdColumn<T extends string, C extends string>(tb: CreateTableBuilder<T, C>, dialect: Dialect): CreateTableBuilder<T, C | 'id'> {
  return dialect === 'postgres'
    ? tb.addColumn('id', 'bigserial', (c) => c.primaryKey())
    : tb.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
}

/** JSON column type: TEXT on SQLite (json_extract works on it), JSONB on PostgreSQL. */
export function jsonType(dialect: Dialect) {
  return dialect === 'postgres' ? sql`jsonb` : sql`text`;
}

/** Epoch-millisecond timestamps are BIGINT everywhere (pg int8 is parsed to number in db/index.ts). */
export const timeType = 'bigint' as const;

/** Booleans are stored as 0/1 integers on both databases so rows compare the same way. */
export const boolType = 'integer' as const;

export const notNull = (c: ColumnDefinitionBuilder) => c.notNull();

/**
 * Extract a top-level JSON attribute as text, parameterising the key so no user string
 * becomes SQL. SQLite: json_extract(col, '$."key"'); PostgreSQL: col ->> key.
 */
export function jsonText(dialect: Dialect, column: RawBuilder<unknown> | string, key: string): RawBuilder<unknown> {
  const col = typeof column === 'string' ? sql.ref(column) : column;
  if (dialect === 'postgres') return sql`(${col} ->> ${key})`;
  return sql`json_extract(${col}, ${'$."' + key.replace(/"/g, '""') + '"'})`;
}

/** Serialize a value for a JSON column (both drivers accept a JSON string parameter). */
export function toJson(value: unknown): string {
  return JSON.stringify(value ?? null);
}

/** Read a JSON column: pg returns parsed values for jsonb, SQLite returns text. */
export function fromJson<T = unknown>(value: unknown, fallback: T): T {
  if (value === null || value === undefined) return fallback;
  if (typeof value === 'string') {
    try {
      return JSON.parse(value) as T;
    } catch {
      return fallback;
    }
  }
  return value as T;
}

/** Normalise a boolean column value (0/1, true/false, '0'/'1'). */
export function fromBool(value: unknown): boolean {
  return value === true || value === 1 || value === '1' || value === 't';
}
