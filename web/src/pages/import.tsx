// The import wizard: choose a CSV file → map its columns (with a preview of the first rows) →
// choose list, mode and verification → upload → progress → report of rejected rows.
import { useEffect, useState } from 'react';
import { allLists, api } from '../api';
import { detectDelimiter, guessTarget, parseCsv } from '../csv';
import { Link, useLocation } from '../router';
import { ErrorBox, Field, num, PageHead, useAction, useLoad } from '../ui';

interface Rejection { line: number; reason: string; detail: string | null; email: string | null }
interface ImportJob {
  id: number; status: string; list_id: number | null; mode: string; file_name: string | null; error: string | null;
  progress: { processed: number; imported: number; updated: number; skipped: number; invalid: number; percent: number };
  result: null | { processed: number; imported: number; updated: number; skipped: number; invalid: number; existing: number; added_to_list: number;
    rejections: Rejection[]; rejections_stored: number; rejections_truncated: boolean; warnings: string[]; skipped_reasons: Record<string, number>; invalid_reasons: Record<string, number> };
}

const FIELDS: Array<[string, string]> = [['email', 'Email address'], ['first_name', 'First name'], ['last_name', 'Last name'], ['external_id', 'External id'], ['timezone', 'Time zone'], ['ignore', 'Do not import']];
const MODES: Array<[string, string]> = [['add', 'Add new contacts, leave existing ones as they are'], ['update', 'Add new contacts and update existing ones'], ['overwrite', 'Add new and replace the details of existing ones']];

export function ImportPage() {
  const { query } = useLocation();
  const [file, setFile] = useState<File | null>(null);
  const [rows, setRows] = useState<string[][]>([]);
  const [mapping, setMapping] = useState<string[]>([]);
  const [listId, setListId] = useState(query.get('list_id') ?? '');
  const [mode, setMode] = useState('add');
  const [verify, setVerify] = useState('accept');
  const [jobId, setJobId] = useState<number | null>(null);
  const lists = useLoad(allLists, []);
  const upload = useAction();

  const choose = async (f: File | null) => {
    setFile(f); setJobId(null); upload.setError(null);
    if (!f) { setRows([]); return; }
    const head = await f.slice(0, 64 * 1024).text();
    const firstLine = head.split(/\r?\n/)[0] ?? '';
    const parsed = parseCsv(head.replace(/^\uFEFF/, ''), detectDelimiter(firstLine), 6);
    setRows(parsed);
    setMapping((parsed[0] ?? []).map(guessTarget));
  };

  const headers = rows[0] ?? [];
  const hasEmail = mapping.includes('email');
  const start = () => void upload.run(async () => {
    if (!file) return;
    const map = Object.fromEntries(headers.map((h, i) => [h, mapping[i] ?? 'ignore']));
    const q = new URLSearchParams({ mode, verify, file_name: file.name, mapping: JSON.stringify(map) });
    if (listId) q.set('list_id', listId);
    const r = await api.upload<{ job: ImportJob }>(`/imports?${q}`, file, file.name.endsWith('.ndjson') ? 'application/x-ndjson' : 'text/csv');
    setJobId(r.job.id);
  });

  return (
    <div>
      <PageHead title="Import contacts" />
      <ol className="steps" aria-label="Steps">
        <li aria-current={!file ? 'step' : undefined}>1. File</li>
        <li aria-current={file && !jobId ? 'step' : undefined}>2. Columns and options</li>
        <li aria-current={jobId ? 'step' : undefined}>3. Progress and report</li>
      </ol>
      {!jobId && (
        <section className="card">
          <Field label="CSV file" hint="The first row must name the columns. Any size; up to 2 GB.">
            {(id) => <input id={id} type="file" accept=".csv,text/csv,.txt,.ndjson" onChange={(e) => void choose(e.target.files?.[0] ?? null)} />}
          </Field>
        </section>
      )}
      {file && !jobId && headers.length > 0 && (
        <section className="card" aria-labelledby="map-h">
          <h2 id="map-h">Map the columns of {file.name}</h2>
          <p className="hint">Preview of the first {Math.max(0, rows.length - 1)} rows. Choose what each column becomes; other columns become custom attributes.</p>
          <div className="table-wrap"><table>
            <thead>
              <tr>{headers.map((h, i) => <th key={i} scope="col">{h || `(column ${i + 1})`}</th>)}</tr>
              <tr>{headers.map((h, i) => {
                const v = mapping[i] ?? 'ignore';
                const isAttr = v.startsWith('attribute:');
                return (
                  <td key={i}>
                    <label className="sr-only" htmlFor={`map-${i}`}>Column {h} becomes</label>
                    <select id={`map-${i}`} value={isAttr ? 'attribute' : v} onChange={(e) => {
                      const next = [...mapping];
                      next[i] = e.target.value === 'attribute' ? guessTarget(h).startsWith('attribute:') ? guessTarget(h) : `attribute:${h.toLowerCase().replace(/[^a-z0-9_]/g, '_')}` : e.target.value;
                      setMapping(next);
                    }}>
                      {FIELDS.map(([k, label]) => <option key={k} value={k}>{label}</option>)}
                      <option value="attribute">Custom attribute</option>
                    </select>
                    {isAttr && <input aria-label={`Attribute name for ${h}`} value={v.slice(10)} onChange={(e) => { const next = [...mapping]; next[i] = `attribute:${e.target.value}`; setMapping(next); }} style={{ marginTop: '.25rem' }} />}
                  </td>
                );
              })}</tr>
            </thead>
            <tbody>{rows.slice(1).map((r, ri) => <tr key={ri}>{headers.map((_, i) => <td key={i}>{r[i] ?? ''}</td>)}</tr>)}</tbody>
          </table></div>
          {!hasEmail && <p className="warn" role="alert">Choose which column holds the email address.</p>}
          <div className="grid2" style={{ marginTop: '1rem' }}>
            <Field label="Add to list">{(id) => <select id={id} value={listId} onChange={(e) => setListId(e.target.value)}><option value="">No list</option>{lists.data?.map((l) => <option key={l.id} value={l.id}>{l.name}</option>)}</select>}</Field>
            <Field label="Existing contacts">{(id) => <select id={id} value={mode} onChange={(e) => setMode(e.target.value)}>{MODES.map(([k, label]) => <option key={k} value={k}>{label}</option>)}</select>}</Field>
            <Field label="Address check" hint="Offline checks: syntax, domain, disposable providers.">{(id) => (
              <select id={id} value={verify} onChange={(e) => setVerify(e.target.value)}>
                <option value="accept">Import every valid address</option><option value="flag">Import, but flag risky addresses</option><option value="reject">Skip undeliverable addresses</option>
              </select>)}</Field>
          </div>
          <button className="primary" disabled={!hasEmail || upload.busy} onClick={start}>{upload.busy ? 'Uploading…' : 'Start import'}</button>
          <ErrorBox error={upload.error} />
        </section>
      )}
      {file && !jobId && headers.length === 0 && <p className="warn">This file looks empty.</p>}
      {jobId && <ImportProgress id={jobId} />}
    </div>
  );
}

export function ImportProgress({ id }: { id: number }) {
  const [done, setDone] = useState(false);
  const job = useLoad(() => api.get<ImportJob>(`/imports/${id}`), [id], done ? null : 1000);
  const j = job.data;
  useEffect(() => { if (j && (j.status === 'succeeded' || j.status === 'failed')) setDone(true); }, [j]);
  if (!j) return <ErrorBox error={job.error} />;
  const r = j.result;
  return (
    <section className="card" aria-live="polite" aria-labelledby="prog-h">
      <h2 id="prog-h">{j.status === 'succeeded' ? 'Import finished' : j.status === 'failed' ? 'Import failed' : 'Importing…'}</h2>
      {!done && <progress className="wide" max={100} value={j.progress.percent} aria-label="Import progress" />}
      {j.error && <p className="error">{j.error}</p>}
      <dl className="stats">
        <div className="stat"><dt>Rows read</dt><dd>{num(r?.processed ?? j.progress.processed)}</dd></div>
        <div className="stat"><dt>New contacts</dt><dd>{num(r?.imported ?? j.progress.imported)}</dd></div>
        <div className="stat"><dt>Updated</dt><dd>{num(r?.updated ?? j.progress.updated)}</dd></div>
        <div className="stat"><dt>Skipped</dt><dd>{num(r?.skipped ?? j.progress.skipped)}</dd></div>
        <div className="stat"><dt>Rejected</dt><dd>{num(r?.invalid ?? j.progress.invalid)}</dd></div>
        {r && <div className="stat"><dt>Added to list</dt><dd>{num(r.added_to_list)}</dd></div>}
      </dl>
      {r?.warnings.map((w) => <p key={w} className="warn">{w}</p>)}
      {r && r.rejections.length > 0 && (
        <>
          <h3>Rows not imported</h3>
          <div className="table-wrap"><table>
            <thead><tr><th className="num">Line</th><th>Email</th><th>Reason</th><th>Detail</th></tr></thead>
            <tbody>{r.rejections.map((x) => <tr key={x.line}><td className="num">{x.line}</td><td>{x.email ?? '—'}</td><td>{x.reason.replace(/_/g, ' ')}</td><td>{x.detail ?? ''}</td></tr>)}</tbody>
          </table></div>
          <p><a href={`/api/v1/imports/${id}/rejections?format=csv`} download>Download the full report (CSV, {num(r.rejections_stored)} rows)</a></p>
        </>
      )}
      {done && <p>{j.list_id ? <Link to={`/lists/${j.list_id}`}>Open the list</Link> : <Link to="/contacts">See your contacts</Link>} · <Link to="/segments/new">Build a segment</Link></p>}
    </section>
  );
}
