// SQLite import writer: prepared statements run synchronously inside one transaction per batch
// (better-sqlite3), no per-row await. New contacts cost one INSERT … ON CONFLICT DO NOTHING
// RETURNING id (the unique (workspace_id, email_lower) index doubles as the existence check);
// only rows that hit an existing contact pay a second lookup by that same index.
import type BetterSqlite3 from 'better-sqlite3';
import type { ImportRow, Rejection } from '../validate.js';
import { emptyOutcome, skip, type BatchOutcome, type ImportWriter, type WriteTarget } from './types.js';

interface Existing {
  id: number;
  status: string;
}

// The unique email index takes rows in random order: once it outgrows SQLite's default 2 MB page
// cache, inserts read index pages back through the WAL. A larger cache (bounded: it counts in the
// import's RSS: 16 MB measured as fast as 32 MB with ~20 MB less peak RSS) cuts that (1M-row bench:
// see docs/import.md).
const IMPORT_CACHE_KIB = 16_384;
const CHUNK_ROWS = 100;
// Every batch commit writes ~650 pages (three tables, seven indexes); at SQLite's default of
// 1000 WAL pages nearly every commit also ran a checkpoint with its fsyncs. While imports run,
// the WAL may grow to this many pages (160 MB of disk) first: fewer checkpoints, and a page
// rewritten by several batches reaches the database file once (1M-row bench, docs/import.md:
// 10,000 pages measured ~4 % slower).
const IMPORT_WAL_AUTOCHECKPOINT = 40_000;
// Imports running per connection, and the settings to restore when the last one ends (the
// server's connection should not keep an import's page cache or checkpoint interval for good).
const importHolds = new WeakMap<BetterSqlite3.Database, { count: number; checkpoint: number; cache: number }>();

function holdImportSettings(db: BetterSqlite3.Database): () => void {
  let hold = importHolds.get(db);
  if (!hold) {
    hold = { count: 0, checkpoint: db.pragma('wal_autocheckpoint', { simple: true }) as number, cache: db.pragma('cache_size', { simple: true }) as number };
    importHolds.set(db, hold);
    if (hold.checkpoint > 0 && hold.checkpoint < IMPORT_WAL_AUTOCHECKPOINT) db.pragma(`wal_autocheckpoint = ${IMPORT_WAL_AUTOCHECKPOINT}`);
    // cache_size: negative = KiB, positive = pages; only ever raised here.
    if (hold.cache > -IMPORT_CACHE_KIB) db.pragma(`cache_size = -${IMPORT_CACHE_KIB}`);
  }
  hold.count++;
  const h = hold;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--h.count > 0) return;
    importHolds.delete(db);
    if (!db.open) return;
    db.pragma(`wal_autocheckpoint = ${h.checkpoint}`);
    db.pragma(`cache_size = ${h.cache}`);
  };
}

export function sqliteWriter(db: BetterSqlite3.Database, t: WriteTarget): ImportWriter {
  const releaseSettings = holdImportSettings(db);
  const insertContact = db.prepare(
    `INSERT INTO contacts (workspace_id, email, email_lower, first_name, last_name, external_id, status, attributes, timezone, tracking_consent, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, 'active', ?, ?, 1, ?, ?)
     ON CONFLICT (workspace_id, email_lower) DO NOTHING`,
  );
  // New contacts go CHUNK_ROWS to a statement: one bind/step/reset per 100 rows instead of per row.
  const insertContacts = db.prepare(
    `INSERT INTO contacts (workspace_id, email, email_lower, first_name, last_name, external_id, status, attributes, timezone, tracking_consent, created_at, updated_at)
     VALUES ${Array.from({ length: CHUNK_ROWS }, () => "(?, ?, ?, ?, ?, ?, 'active', ?, ?, 1, ?, ?)").join(', ')}
     ON CONFLICT (workspace_id, email_lower) DO NOTHING`,
  );
  const maxContactId = db.prepare('SELECT max(id) FROM contacts').pluck();
  const findContact = db.prepare('SELECT id, status FROM contacts WHERE workspace_id = ? AND email_lower = ?');
  // update mode: empty cells keep stored values; attributes merge (RFC 7396 merge patch, no nulls sent).
  const mergeContact = db.prepare(
    `UPDATE contacts SET first_name = COALESCE(?, first_name), last_name = COALESCE(?, last_name), external_id = COALESCE(?, external_id),
       timezone = COALESCE(?, timezone), attributes = json_patch(attributes, ?), updated_at = ? WHERE id = ?`,
  );
  // overwrite mode: the row replaces the mapped fields and the whole attribute object. Status is never touched.
  const replaceContact = db.prepare(
    'UPDATE contacts SET email = ?, first_name = ?, last_name = ?, external_id = ?, timezone = ?, attributes = ?, updated_at = ? WHERE id = ?',
  );
  // Memberships and consent rows go in one statement per batch (ids as a JSON array): a third
  // of the per-row cost of binding and stepping a statement per row.
  const membershipSql = `INSERT INTO list_memberships (workspace_id, list_id, contact_id, status, created_at, confirmed_at, unsubscribed_at, updated_at)
     SELECT ?, ?, value, ?, ?, ?, NULL, ? FROM json_each(?) WHERE true ON CONFLICT (list_id, contact_id) DO NOTHING`;
  const insertMemberships = db.prepare(membershipSql);
  const insertMembershipsReturning = db.prepare(`${membershipSql} RETURNING contact_id`).pluck();
  const insertConsent = db.prepare(
    `INSERT INTO consent_ledger (workspace_id, contact_id, purpose, action, source_type, source_id, wording_version, ip, user_agent, created_at)
     SELECT ?, value, ?, 'granted', 'import', ?, ?, NULL, NULL, ? FROM json_each(?)`,
  );
  const anySuppressed = db.prepare('SELECT 1 FROM suppressions WHERE workspace_id = ? LIMIT 1').pluck();
  const suppressedIn = db.prepare('SELECT email FROM suppressions WHERE workspace_id = ? AND email IN (SELECT value FROM json_each(?))').pluck();
  const insertRejection = db.prepare('INSERT OR IGNORE INTO import_rejections (workspace_id, job_id, line, reason, detail, email) VALUES (?, ?, ?, ?, ?, ?)');

  const ws = t.workspaceId;
  const sourceId = String(t.jobId);
  const confirmedAt = (now: number) => (t.membershipStatus === 'confirmed' ? now : null);

  // Foreign keys are switched off for the batch (see writeBatch); these two lookups stand in for
  // them: the workspace and the list must still exist when each batch commits.
  const targetExists = t.listId === null
    ? db.prepare('SELECT 1 FROM workspaces WHERE id = ?').pluck().bind(ws)
    : db.prepare('SELECT 1 FROM lists WHERE id = ? AND workspace_id = ?').pluck().bind(t.listId, ws);

  /** A row whose address is already a contact: left alone (add), merged (update) or replaced (overwrite). */
  function existing(r: ImportRow, ex: Existing, now: number, out: BatchOutcome, written: number[], untouched: number[]): void {
    if (t.mode === 'add') {
      out.existing++;
      // A contact that unsubscribed, bounced or complained is never (re-)added to a list by an import.
      if (ex.status === 'active') untouched.push(ex.id);
      return;
    }
    if (t.mode === 'update') mergeContact.run(r.firstName, r.lastName, r.externalId, r.timezone, r.attrJson, now, ex.id);
    else replaceContact.run(r.email, r.firstName, r.lastName, r.externalId, r.timezone, r.attrJson, now, ex.id);
    out.updated++;
    // Consent is recorded for active contacts only: a "granted" row for someone who withdrew
    // would read as a re-subscription.
    if (ex.status === 'active') written.push(ex.id);
  }

  const write = db.transaction((rows: ImportRow[], rejections: Rejection[], now: number, storeLimit: number): BatchOutcome => {
    if (!targetExists.get()) throw new Error(t.listId === null ? 'the workspace was deleted during the import' : 'the list was deleted during the import');
    const out = emptyOutcome();
    // Checked inside the batch transaction, so a suppression added mid-import still wins.
    const suppressed = new Set<string>(rows.length && anySuppressed.get(ws) ? (suppressedIn.all(ws, JSON.stringify(rows.map((r) => r.key))) as string[]) : []);
    const written: number[] = []; // active contacts created or updated: they get a consent row
    const untouched: number[] = []; // existing active contacts left as they are: consent only if they join the list
    const live = suppressed.size ? rows.filter((r) => (suppressed.has(r.key) ? (out.skipped.push(skip(r, 'suppressed')), false) : true)) : rows;
    let i = 0;
    if (t.mode !== 'update') {
      const params: unknown[] = new Array(CHUNK_ROWS * 10);
      for (; i + CHUNK_ROWS <= live.length; i += CHUNK_ROWS) {
        // Every id at or below `before` existed before this statement; the rows it inserts get
        // consecutive AUTOINCREMENT ids in VALUES order (nothing else writes inside our transaction).
        const before = Number(maxContactId.get() ?? 0);
        for (let k = 0; k < CHUNK_ROWS; k++) {
          const r = live[i + k] as ImportRow;
          const o = k * 10;
          params[o] = ws; params[o + 1] = r.email; params[o + 2] = r.key; params[o + 3] = r.firstName; params[o + 4] = r.lastName;
          params[o + 5] = r.externalId; params[o + 6] = r.attrJson; params[o + 7] = r.timezone; params[o + 8] = now; params[o + 9] = now;
        }
        const res = insertContacts.run(params);
        out.imported += res.changes;
        if (res.changes === CHUNK_ROWS) {
          for (let id = Number(res.lastInsertRowid) - CHUNK_ROWS + 1, k = 0; k < CHUNK_ROWS; k++, id++) written.push(id);
          continue;
        }
        // Some rows hit existing contacts: tell them apart by id.
        for (let k = 0; k < CHUNK_ROWS; k++) {
          const r = live[i + k] as ImportRow;
          const ex = findContact.get(ws, r.key) as Existing;
          if (ex.id > before) written.push(ex.id);
          else existing(r, ex, now, out, written, untouched);
        }
      }
    }
    for (; i < live.length; i++) {
      const r = live[i] as ImportRow;
      if (t.mode !== 'update') {
        const res = insertContact.run(ws, r.email, r.key, r.firstName, r.lastName, r.externalId, r.attrJson, r.timezone, now, now);
        if (res.changes > 0) {
          written.push(Number(res.lastInsertRowid));
          out.imported++;
          continue;
        }
      }
      const ex = findContact.get(ws, r.key) as Existing | undefined;
      if (!ex) out.skipped.push(skip(r, 'not_found'));
      else existing(r, ex, now, out, written, untouched);
    }
    // Suppressed rows were set aside first: back to line order for the report.
    if (suppressed.size && out.skipped.length > suppressed.size) out.skipped.sort((a, b) => a.line - b.line);
    const consent = written.slice();
    if (t.listId !== null) {
      const members = untouched.length ? written.concat(untouched) : written;
      if (untouched.length) {
        const added = insertMembershipsReturning.all(ws, t.listId, t.membershipStatus, now, confirmedAt(now), now, JSON.stringify(members)) as number[];
        out.addedToList = added.length;
        const fresh = new Set(untouched);
        for (const id of added) if (fresh.has(id)) consent.push(id);
      } else if (members.length) {
        out.addedToList = insertMemberships.run(ws, t.listId, t.membershipStatus, now, confirmedAt(now), now, JSON.stringify(members)).changes;
      }
    }
    if (consent.length) insertConsent.run(ws, t.purpose, sourceId, t.wordingVersion, now, JSON.stringify(consent));
    out.consentRows += consent.length;
    for (const list of [rejections, out.skipped]) {
      for (const j of list) {
        if (out.rejectionsStored >= storeLimit) break;
        insertRejection.run(ws, t.jobId, j.line, j.reason, j.detail, j.email);
        out.rejectionsStored++;
      }
    }
    return out;
  });

  return {
    async writeBatch(rows, rejections, now, storeLimit) {
      // The connection is shared with Kysely: never nest our batch inside a transaction some
      // request holds open across an await (it would commit or roll back with theirs).
      while (db.inTransaction) await new Promise((resolve) => setImmediate(resolve));
      // Every id this batch references comes from this transaction or was checked in it, so the
      // per-row foreign-key lookups (workspace, list, contact) are redundant: off for the batch,
      // back on before anything else can run on the connection (this block is synchronous).
      const fk = db.pragma('foreign_keys', { simple: true }) as number;
      if (fk) db.pragma('foreign_keys = OFF');
      // A multi-row statement inside a transaction keeps a statement journal (the original of
      // every page it touches, so it can roll back alone). Past 64 KB SQLite spills it to a temp
      // file: with seven indexes, a 100-row INSERT touches enough pages to spill every time, and
      // those file writes cost more CPU than the inserts themselves. In memory for the batch.
      const tempStore = db.pragma('temp_store', { simple: true }) as number;
      if (tempStore !== 2) db.pragma('temp_store = MEMORY');
      try {
        return write(rows, rejections, now, storeLimit);
      } finally {
        if (fk) db.pragma('foreign_keys = ON');
        if (tempStore !== 2) db.pragma(`temp_store = ${tempStore}`);
      }
    },
    close: releaseSettings,
  };
}
