// Templates: the workspace's fragments (reusable, versioned template parts) with a code editor, a
// live preview rendered by the server (POST /templates/preview) in a sandboxed frame, and
// template errors pointed at by line and column.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api, ApiError } from '../api';
import { Empty, ErrorBox, Field, Loading, PageHead, useAction, useLoad } from '../ui';
import { FragmentVersions } from './fragment-versions';

interface Fragment { name: string; version: number; body: string; created_at: string }
interface FragmentDetail extends Fragment { versions: Array<{ version: number; created_at: string }> }
interface Issue { field: string; line: number | null; col: number | null; message: string }
interface Rendered { subject: string; html: string; text: string }

export function Templates() {
  const list = useLoad(() => api.get<{ data: Fragment[] }>('/fragments'), []);
  const [selected, setSelected] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const items = list.data?.data ?? [];
  useEffect(() => { if (!selected && !creating && items[0]) setSelected(items[0].name); }, [items, selected, creating]);
  const open = (name: string | null) => { setCreating(name === null); setSelected(name); };
  return (
    <div>
      <PageHead title="Templates"><button className="primary" onClick={() => open(null)}>New fragment</button></PageHead>
      <p className="lead">Fragments are reusable parts — a header, a footer, a product card — used in campaigns with <code>{"{% render 'name' %}"}</code>. Every save keeps the previous versions.</p>
      <div className="templates-layout">
        <nav aria-label="Fragments" className="card">
          <h2>Fragments</h2>
          {list.loading && !list.data ? <Loading what="fragments" /> : items.length === 0 ? <p className="hint">None yet.</p> : (
            <ul className="plain">{items.map((f) => (
              <li key={f.name}><button className="link-button" aria-current={f.name === selected && !creating ? 'true' : undefined} onClick={() => open(f.name)}>{f.name}</button> <span className="hint">v{f.version}</span></li>
            ))}</ul>
          )}
          <ErrorBox error={list.error} />
        </nav>
        {creating ? <Editor key="new" name={null} onSaved={(n) => { list.reload(); open(n); }} onDeleted={() => undefined} />
          : selected ? <Editor key={selected} name={selected} onSaved={() => list.reload()} onDeleted={() => { list.reload(); setSelected(null); }} />
            : list.data && <Empty title="No fragment yet.">Create one with “New fragment”, for example a footer with your address and the unsubscribe link.</Empty>}
      </div>
    </div>
  );
}

const STARTER = '<p style="font-size:12px;color:#666">\n  {{ workspace.name }} · {{ workspace.postal_address }}<br>\n  <a href="{{ unsubscribe_url }}">Unsubscribe</a>\n</p>\n';

function Editor({ name, onSaved, onDeleted }: { name: string | null; onSaved: (name: string) => void; onDeleted: () => void }) {
  const detail = useLoad(() => (name ? api.get<FragmentDetail>(`/fragments/${encodeURIComponent(name)}`) : Promise.resolve(null)), [name]);
  const [newName, setNewName] = useState('');
  const [body, setBody] = useState(name ? '' : STARTER);
  const [contactId, setContactId] = useState('');
  const [view, setView] = useState<'html' | 'text'>('html');
  const save = useAction();
  const [saved, setSaved] = useState('');
  const textarea = useRef<HTMLTextAreaElement>(null);
  useEffect(() => { if (detail.data) setBody(detail.data.body); }, [detail.data]);
  const preview = usePreview(body, contactId);

  const submit = async (e: FormEvent) => {
    e.preventDefault(); setSaved('');
    const r = await save.run(() => (name ? api.put<FragmentDetail>(`/fragments/${encodeURIComponent(name)}`, { body }) : api.post<FragmentDetail>('/fragments', { name: newName, body })));
    if (r) { setSaved(`Saved as version ${r.version}.`); if (name) detail.reload(); onSaved(r.name); }
  };
  const remove = async () => {
    if (!name || !confirm(`Delete the fragment "${name}" and all its versions? Campaigns that use it will fail to render.`)) return;
    if (await save.run(() => api.del(`/fragments/${encodeURIComponent(name)}`).then(() => true))) onDeleted();
  };
  /** Puts the cursor on the line and column of a template error. */
  const jump = (issue: Issue) => {
    const el = textarea.current;
    if (!el || !issue.line) return;
    const lines = body.split('\n');
    const offset = lines.slice(0, issue.line - 1).reduce((n, l) => n + l.length + 1, 0) + Math.max(0, (issue.col ?? 1) - 1);
    el.focus(); el.setSelectionRange(offset, offset);
  };

  if (name && !detail.data) return detail.error ? <ErrorBox error={detail.error} /> : <Loading what="the fragment" />;
  return (
    <div className="split">
      <form className="card" onSubmit={(e) => void submit(e)} aria-label={name ? `Edit ${name}` : 'New fragment'}>
        <h2>{name ?? 'New fragment'}</h2>
        {!name && <Field label="Name" hint="Letters, digits, - and _; used as {% render 'name' %}.">{(id) => <input id={id} required pattern="[A-Za-z0-9][A-Za-z0-9_\-]{0,99}" value={newName} onChange={(e) => setNewName(e.target.value)} />}</Field>}
        <Field label="Body (HTML with Liquid)">{(id) => <textarea id={id} ref={textarea} className="code" spellCheck={false} value={body} onChange={(e) => setBody(e.target.value)} onKeyDown={(e) => {
          // Tab indents instead of leaving the editor; Escape then Tab still moves focus on.
          if (e.key !== 'Tab' || e.shiftKey || e.currentTarget.dataset.escaped) return;
          e.preventDefault();
          const t = e.currentTarget; const s = t.selectionStart;
          setBody(body.slice(0, s) + '  ' + body.slice(t.selectionEnd));
          requestAnimationFrame(() => t.setSelectionRange(s + 2, s + 2));
        }} onKeyUp={(e) => { if (e.key === 'Escape') e.currentTarget.dataset.escaped = '1'; }} onBlur={(e) => { delete e.currentTarget.dataset.escaped; }} />}</Field>
        <p className="hint">Tab inserts spaces; press Escape first to move on with Tab.</p>
        <div className="actions"><button className="primary" disabled={save.busy}>Save new version</button>{name && <button type="button" className="danger" onClick={() => void remove()}>Delete</button>}</div>
        <ErrorBox error={save.error} />
        {saved && <p className="notice" role="status">{saved}</p>}
        {detail.data && name && (
          <FragmentVersions name={name} current={detail.data.version} versions={detail.data.versions}
            onRestored={(v) => { setSaved(`Restored as version ${v}.`); detail.reload(); onSaved(name); }} />
        )}
      </form>
      <section className="card" aria-labelledby="pv-h">
        <div className="page-head"><h2 id="pv-h">Preview</h2>
          <div className="actions" role="group" aria-label="Preview format">
            <button type="button" aria-pressed={view === 'html'} onClick={() => setView('html')}>HTML</button>
            <button type="button" aria-pressed={view === 'text'} onClick={() => setView('text')}>Plain text</button>
          </div>
        </div>
        <Field label="Preview for contact ID (optional)" hint="Empty: sample values.">{(id) => <input id={id} inputMode="numeric" value={contactId} onChange={(e) => setContactId(e.target.value.replace(/\D/g, ''))} />}</Field>
        {preview.issues.length > 0 && (
          <div className="error" role="alert"><p>The template has {preview.issues.length === 1 ? 'an error' : `${preview.issues.length} errors`}:</p>
            <ul>{preview.issues.map((i, n) => <li key={n}>{i.line ? <button type="button" className="link-button" onClick={() => jump(i)}>Line {i.line}{i.col ? `, column ${i.col}` : ''}</button> : null}{i.line ? ': ' : ''}{i.message}</li>)}</ul></div>
        )}
        <ErrorBox error={preview.error} />
        <p className="hint" aria-live="polite">{preview.busy ? 'Updating preview…' : ''}</p>
        {preview.rendered && (view === 'html'
          ? <iframe title="Rendered fragment" className="preview-frame" sandbox="" srcDoc={preview.rendered.html} />
          : <pre className="json">{preview.rendered.text}</pre>)}
      </section>
    </div>
  );
}

/** Re-renders 400 ms after the last keystroke; template errors come back with line and column. */
function usePreview(body: string, contactId: string) {
  const [state, setState] = useState<{ rendered: Rendered | null; issues: Issue[]; error: unknown; busy: boolean }>({ rendered: null, issues: [], error: null, busy: false });
  useEffect(() => {
    let live = true;
    const t = setTimeout(() => {
      setState((s) => ({ ...s, busy: true }));
      api.post<Rendered>('/templates/preview', { subject: 'Preview', html: body || ' ', contact_id: contactId ? Number(contactId) : null }).then(
        (rendered) => { if (live) setState({ rendered, issues: [], error: null, busy: false }); },
        (err: unknown) => {
          if (!live) return;
          const issues = err instanceof ApiError && Array.isArray(err.details) ? (err.details as Issue[]) : [];
          setState((s) => ({ rendered: s.rendered, issues, error: issues.length ? null : err, busy: false }));
        },
      );
    }, 400);
    return () => { live = false; clearTimeout(t); };
  }, [body, contactId]);
  return state;
}
