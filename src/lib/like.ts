// Literal prefix matching with LIKE on both databases: wildcards in user input are escaped, and
// the ESCAPE clause is explicit because SQLite's LIKE has no escape character by default.
import { sql, type RawBuilder, type SqlBool } from 'kysely';

export function startsWith(column: string, prefix: string): RawBuilder<SqlBool> {
  const pattern = `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return sql<SqlBool>`${sql.ref(column)} like ${pattern} escape '\\'`;
}
