// PostgreSQL import writer: a handful of set-based statements per batch, each a multi-row
// INSERT/UPDATE fed by unnest() over array parameters (one round trip per table, not per row),
// inside one transaction per batch.
import type pg from 'pg';
import type { ImportRow, Rejection } from '../validate.js';
import { emptyOutcome, skip, type BatchOutcome, type ImportWriter, type WriteTarget } from './types.js';

interface Existing {
  id: number;
  status: string;
}

const INSERT_CONTACTS = `
  INSERT INTO contacts (workspace_id, email, email_lower, first_name, last_name, external_id, status, attributes, timezone, tracking_consent, created_at, updated_at)
  SELECT $1, u.email, u.key, u.fn, u.ln, u.ext, 'active', u.attrs::jsonb, u.tz, 1, $2, $2
  FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[]) AS u(email, key, fn, ln, ext, attrs, tz)
  ON CONFLICT (workspace_id, email_lower) DO NOTHING
  RETURNING id, email_lower`;

// update mode: empty cells keep stored values; attributes merge with jsonb ||.
const MERGE_CONTACTS = `
  UPDATE contacts c SET first_name = COALESCE(u.fn, c.first_name), last_name = COALESCE(u.ln, c.last_name),
    external_id = COALESCE(u.ext, c.external_id), timezone = COALESCE(u.tz, c.timezone),
    attributes = c.attributes || u.attrs::jsonb, updated_at = $2
  FROM unnest($3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[]) AS u(id, email, fn, ln, ext, attrs, tz)
  WHERE c.id = u.id AND c.workspace_id = $1`;

// overwrite mode: mapped fields and the attribute object are replaced; status is never touched.
const REPLACE_CONTACTS = `
  UPDATE contacts c SET email = u.email, first_name = u.fn, last_name = u.ln, external_id = u.ext, timezone = u.tz,
    attributes = u.attrs::jsonb, updated_at = $2
  FROM unnest($3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[]) AS u(id, email, fn, ln, ext, attrs, tz)
  WHERE c.id = u.id AND c.workspace_id = $1`;

export function postgresWriter(pool: pg.Pool, t: WriteTarget): ImportWriter {
  const ws = t.workspaceId;

  async function existing(client: pg.PoolClient, keys: string[]): Promise<Map<string, Existing>> {
    const map = new Map<string, Existing>();
    if (!keys.length) return map;
    const res = await client.query<{ id: number; email_lower: string; status: string }>(
      'SELECT id, email_lower, status FROM contacts WHERE workspace_id = $1 AND email_lower = ANY($2::text[])', [ws, keys]);
    for (const r of res.rows) map.set(r.email_lower, { id: Number(r.id), status: r.status });
    return map;
  }

  const cols = (rows: ImportRow[]) => [
    rows.map((r) => r.email), rows.map((r) => r.firstName), rows.map((r) => r.lastName), rows.map((r) => r.externalId),
    rows.map((r) => r.attrJson), rows.map((r) => r.timezone),
  ];

  async function update(client: pg.PoolClient, sql: string, rows: ImportRow[], ids: number[], now: number): Promise<void> {
    if (rows.length) await client.query(sql, [ws, now, ids, ...cols(rows)]);
  }

  async function writeRows(client: pg.PoolClient, rows: ImportRow[], now: number, out: BatchOutcome): Promise<void> {
    const keys = rows.map((r) => r.key);
    const sup = await client.query<{ email: string }>('SELECT email FROM suppressions WHERE workspace_id = $1 AND email = ANY($2::text[])', [ws, keys]);
    const suppressed = new Set(sup.rows.map((r) => r.email));
    const live = rows.filter((r) => (suppressed.has(r.key) ? (out.skipped.push(skip(r, 'suppressed')), false) : true));
    const found = await existing(client, live.map((r) => r.key));
    const ids = new Map<string, Existing>();
    const toUpdate: ImportRow[] = [];
    const fresh: ImportRow[] = [];
    for (const r of live) {
      const ex = found.get(r.key);
      if (ex) {
        ids.set(r.key, ex);
        if (t.mode === 'add') out.existing++;
        else toUpdate.push(r);
      } else if (t.mode === 'update') out.skipped.push(skip(r, 'not_found'));
      else fresh.push(r);
    }
    const written = new Set<string>();
    if (fresh.length) {
      const [email, fn, ln, ext, attrs, tz] = cols(fresh);
      const ins = await client.query<{ id: number; email_lower: string }>(INSERT_CONTACTS, [ws, now, email, fresh.map((r) => r.key), fn, ln, ext, attrs, tz]);
      for (const r of ins.rows) {
        ids.set(r.email_lower, { id: Number(r.id), status: 'active' });
        written.add(r.email_lower);
      }
      out.imported += ins.rows.length;
      // Lost a race with a concurrent insert: treat those rows as existing contacts.
      const raced = fresh.filter((r) => !written.has(r.key));
      for (const [k, v] of await existing(client, raced.map((r) => r.key))) ids.set(k, v);
      if (t.mode === 'add') out.existing += raced.length;
      else toUpdate.push(...raced);
    }
    if (toUpdate.length) {
      const updIds = toUpdate.map((r) => (ids.get(r.key) as Existing).id);
      await update(client, t.mode === 'update' ? MERGE_CONTACTS : REPLACE_CONTACTS, toUpdate, updIds, now);
      // Consent only for active contacts: a "granted" row for someone who withdrew would read as a re-subscription.
      for (const r of toUpdate) if (ids.get(r.key)?.status === 'active') written.add(r.key);
      out.updated += toUpdate.length;
    }
    if (t.listId !== null) {
      // A contact that unsubscribed, bounced or complained is never (re-)added to a list by an import.
      const active = live.filter((r) => ids.get(r.key)?.status === 'active').map((r) => (ids.get(r.key) as Existing).id);
      if (active.length) {
        const added = await client.query<{ contact_id: number }>(
          `INSERT INTO list_memberships (workspace_id, list_id, contact_id, status, created_at, confirmed_at, unsubscribed_at, updated_at)
           SELECT $1, $2, u.id, $3, $4, $5, NULL, $4 FROM unnest($6::bigint[]) AS u(id)
           ON CONFLICT (list_id, contact_id) DO NOTHING RETURNING contact_id`,
          [ws, t.listId, t.membershipStatus, now, t.membershipStatus === 'confirmed' ? now : null, active]);
        out.addedToList += added.rows.length;
        const byId = new Set(added.rows.map((r) => Number(r.contact_id)));
        for (const r of live) if (byId.has(ids.get(r.key)?.id ?? -1)) written.add(r.key);
      }
    }
    const consentIds = live.filter((r) => written.has(r.key)).map((r) => (ids.get(r.key) as Existing).id);
    if (consentIds.length) {
      await client.query(
        `INSERT INTO consent_ledger (workspace_id, contact_id, purpose, action, source_type, source_id, wording_version, created_at)
         SELECT $1, u.id, $2, 'granted', 'import', $3, $4, $5 FROM unnest($6::bigint[]) AS u(id)`,
        [ws, t.purpose, String(t.jobId), t.wordingVersion, now, consentIds]);
      out.consentRows += consentIds.length;
    }
  }

  async function storeRejections(client: pg.PoolClient, list: Rejection[]): Promise<void> {
    if (!list.length) return;
    await client.query(
      `INSERT INTO import_rejections (workspace_id, job_id, line, reason, detail, email)
       SELECT $1, $2, u.line, u.reason, u.detail, u.email FROM unnest($3::bigint[], $4::text[], $5::text[], $6::text[]) AS u(line, reason, detail, email)
       ON CONFLICT DO NOTHING`,
      [ws, t.jobId, list.map((j) => j.line), list.map((j) => j.reason), list.map((j) => j.detail), list.map((j) => j.email)]);
  }

  return {
    async writeBatch(rows, rejections, now, storeLimit) {
      const out = emptyOutcome();
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        if (rows.length) await writeRows(client, rows, now, out);
        const toStore = [...rejections, ...out.skipped].slice(0, Math.max(0, storeLimit));
        await storeRejections(client, toStore);
        out.rejectionsStored = toStore.length;
        await client.query('COMMIT');
        return out;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      } finally {
        client.release();
      }
    },
  };
}
