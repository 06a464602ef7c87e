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

export function sqliteWriter(db: BetterSqlite3.Database, t: WriteTarget): ImportWriter {
  const insertContact = db.prepare(
    `INSERT INTO contacts (workspace_id, email, email_lower, first_name, last_name, external_id, status, attributes, timezone, tracking_consent, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, 'active', ?, ?, 1, ?, ?)
     ON CONFLICT (workspace_id, email_lower) DO NOTHING`,
  );
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

  const write = db.transaction((rows: ImportRow[], rejections: Rejection[], now: number, storeLimit: number): BatchOutcome => {
    const out = emptyOutcome();
    // Checked inside the batch transaction, so a suppression added mid-import still wins.
    const suppressed = new Set<string>(rows.length && anySuppressed.get(ws) ? (suppressedIn.all(ws, JSON.stringify(rows.map((r) => r.key))) as string[]) : []);
    const written: number[] = []; // active contacts created or updated: they get a consent row
    const untouched: number[] = []; // existing active contacts left as they are: consent only if they join the list
    for (const r of rows) {
      if (suppressed.has(r.key)) {
        out.skipped.push(skip(r, 'suppressed'));
        continue;
      }
      if (t.mode !== 'update') {
        const res = insertContact.run(ws, r.email, r.key, r.firstName, r.lastName, r.externalId, r.attrJson, r.timezone, now, now);
        if (res.changes > 0) {
          written.push(Number(res.lastInsertRowid));
          out.imported++;
          continue;
        }
      }
      const ex = findContact.get(ws, r.key) as Existing | undefined;
      if (!ex) {
        out.skipped.push(skip(r, 'not_found'));
        continue;
      }
      if (t.mode === 'add') {
        out.existing++;
        // A contact that unsubscribed, bounced or complained is never (re-)added to a list by an import.
        if (ex.status === 'active') untouched.push(ex.id);
        continue;
      }
      if (t.mode === 'update') mergeContact.run(r.firstName, r.lastName, r.externalId, r.timezone, r.attrJson, now, ex.id);
      else replaceContact.run(r.email, r.firstName, r.lastName, r.externalId, r.timezone, r.attrJson, now, ex.id);
      out.updated++;
      // Consent is recorded for active contacts only: a "granted" row for someone who withdrew
      // would read as a re-subscription.
      if (ex.status === 'active') written.push(ex.id);
    }
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
      return write(rows, rejections, now, storeLimit);
    },
  };
}
