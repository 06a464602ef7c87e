// Event ingestion: one transaction per batch, identities resolved with set queries, events written
// with multi-row inserts. The transaction commits before the caller answers 2xx, so accepted
// events are durable; an idempotency key already stored (or repeated in the batch) is skipped.
import type BetterSqlite3 from 'better-sqlite3';
import type { Kysely, Transaction } from 'kysely';
import type { AppContext } from '../context.js';
import { toJson } from '../db/dialect.js';
import type { DB, EventsTable } from '../db/types.js';
import { IdentityResolver } from './identity.js';
import { ItemError, parseBatch, type ItemRejection } from './validate.js';

export interface IngestResult {
  accepted: number;
  /** Accepted items whose idempotency key was already stored: not stored again. */
  duplicates: number;
  rejected: ItemRejection[];
}

type EventRow = Omit<EventsTable, 'id'>;
const INSERT_CHUNK = 500;
const SQLITE_CHUNK = 100;
const COLUMNS = ['workspace_id', 'contact_id', 'anonymous_id', 'name', 'properties', 'occurred_at', 'received_at', 'idempotency_key', 'source', 'campaign_id'] as const;

// SQLite: multi-row INSERTs prepared once per row count and reused (Kysely would re-prepare a
// 1,000-parameter statement on every batch). They run on the connection that holds the open
// transaction, so they commit or roll back with it.
const prepared = new WeakMap<BetterSqlite3.Database, Map<number, BetterSqlite3.Statement>>();
function sqliteInsert(db: BetterSqlite3.Database, n: number): BetterSqlite3.Statement {
  let byCount = prepared.get(db);
  if (!byCount) prepared.set(db, (byCount = new Map()));
  let stmt = byCount.get(n);
  if (!stmt) {
    const row = `(${COLUMNS.map(() => '?').join(', ')})`;
    stmt = db.prepare(`INSERT INTO events (${COLUMNS.join(', ')}) VALUES ${Array.from({ length: n }, () => row).join(', ')}
      ON CONFLICT (workspace_id, idempotency_key) DO NOTHING`);
    byCount.set(n, stmt);
  }
  return stmt;
}

/** Inserts rows, skipping stored idempotency keys; returns how many were inserted. */
async function insertEvents(trx: Transaction<DB> | Kysely<DB>, sqlite: BetterSqlite3.Database | null, rows: EventRow[]): Promise<number> {
  let inserted = 0;
  if (sqlite) {
    for (let i = 0; i < rows.length; i += SQLITE_CHUNK) {
      const chunk = rows.slice(i, i + SQLITE_CHUNK);
      inserted += sqliteInsert(sqlite, chunk.length).run(chunk.flatMap((r) => COLUMNS.map((c) => r[c] as unknown))).changes;
    }
    return inserted;
  }
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
    const res = await trx.insertInto('events').values(rows.slice(i, i + INSERT_CHUNK))
      .onConflict((oc) => oc.columns(['workspace_id', 'idempotency_key']).doNothing()).executeTakeFirst();
    inserted += Number(res.numInsertedOrUpdatedRows ?? 0);
  }
  return inserted;
}

export async function ingestEvents(ctx: Pick<AppContext, 'db' | 'clock'> & { dbHandle?: AppContext['dbHandle'] }, workspaceId: number, batch: unknown[]): Promise<IngestResult> {
  const now = ctx.clock.now();
  const { items, rejected } = parseBatch(batch, now);
  let accepted = 0;
  let inserted = 0;
  let tracked = 0;
  await ctx.db.transaction().execute(async (trx) => {
    const resolver = new IdentityResolver(trx, workspaceId, now);
    await resolver.preload(items);
    const rows: EventRow[] = [];
    const merges = new Map<string, number>();
    for (const item of items) {
      try {
        if (item.type === 'identify') {
          const contactId = await resolver.identify(item);
          if (item.anonymousId !== undefined) merges.set(item.anonymousId, contactId);
        } else {
          const contactId = await resolver.resolveForTrack(item);
          rows.push({
            workspace_id: workspaceId, contact_id: contactId, anonymous_id: item.anonymousId ?? null, name: item.event,
            properties: toJson(item.properties), occurred_at: item.occurredAt, received_at: now,
            idempotency_key: item.idempotencyKey, source: 'api', campaign_id: null,
          });
        }
        accepted++;
      } catch (err) {
        if (!(err instanceof ItemError)) throw err;
        rejected.push({ index: item.index, code: err.code, message: err.message });
      }
    }
    tracked = rows.length;
    inserted = await insertEvents(trx, ctx.dbHandle?.sqlite ?? null, rows);
    // After the insert, so anonymous events earlier in this same batch are merged too.
    for (const [anonymousId, contactId] of merges) {
      await trx.updateTable('events').set({ contact_id: contactId })
        .where('workspace_id', '=', workspaceId).where('anonymous_id', '=', anonymousId).where('contact_id', 'is', null).execute();
    }
  });
  rejected.sort((a, b) => a.index - b.index);
  return { accepted, duplicates: tracked - inserted, rejected };
}
