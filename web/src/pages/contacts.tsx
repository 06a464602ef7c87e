// Contacts: search by address and filter by list, segment, status, tag or attribute; a profile with
// attributes, lists, consent history and the event timeline; edit, unsubscribe, delete.
import { useState, type FormEvent } from 'react';
import { allLists, api, type ConsentEntry, type Contact, type List, type Page, type Segment, type TimelineEvent } from '../api';
import { Link, navigate, useLocation } from '../router';
import { Badge, Empty, ErrorBox, Field, Loading, PageHead, useAction, useLoad, when } from '../ui';

const STATUSES = ['active', 'unsubscribed', 'bounced', 'complained', 'blocked'];
const FILTERS = ['q', 'status', 'list_id', 'segment_id', 'tag', 'attr'] as const;

export function ContactsPage() {
  const { query } = useLocation();
  const [form, setForm] = useState(Object.fromEntries(FILTERS.map((k) => [k, query.get(k) ?? ''])) as Record<(typeof FILTERS)[number], string>);
  const [cursors, setCursors] = useState<Array<string | null>>([null]);
  const cursor = cursors[cursors.length - 1] ?? null;
  const lists = useLoad(allLists, []);
  const segments = useLoad(() => api.get<{ segments: Segment[] }>('/segments').then((r) => r.segments), []);
  const filters = Object.fromEntries(FILTERS.map((k) => [k, query.get(k) ?? '']));
  const attrFilter: Record<string, string> = {};
  const m = /^([^=]+)=(.*)$/.exec(filters.attr ?? '');
  if (m) attrFilter[`attr.${(m[1] ?? '').trim()}`] = (m[2] ?? '').trim();
  const page = useLoad(() => api.get<Page<Contact>>('/contacts', { q: filters.q, status: filters.status, list_id: filters.list_id, segment_id: filters.segment_id, tag: filters.tag, ...attrFilter, cursor, limit: 50 }), [JSON.stringify(filters), cursor]);
  const apply = (e: FormEvent) => {
    e.preventDefault();
    const p = new URLSearchParams(Object.entries(form).filter(([, v]) => v));
    setCursors([null]);
    navigate(`/contacts${p.toString() ? `?${p}` : ''}`, { replace: true });
  };
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });
  const rows = page.data?.data ?? [];
  const filtered = Object.values(filters).some(Boolean);
  return (
    <div>
      <PageHead title="Contacts"><Link className="button" to="/imports/new">Import contacts</Link><Link className="button primary" to="/contacts/new">Add contact</Link></PageHead>
      <form className="card inline" onSubmit={apply} role="search" aria-label="Filter contacts">
        <Field label="Email starts with">{(id) => <input id={id} type="search" value={form.q} onChange={set('q')} placeholder="ada@" />}</Field>
        <Field label="Status">{(id) => <select id={id} value={form.status} onChange={set('status')}><option value="">Any status</option>{STATUSES.map((s) => <option key={s}>{s}</option>)}</select>}</Field>
        <Field label="List">{(id) => <select id={id} value={form.list_id} onChange={set('list_id')}><option value="">Any list</option>{lists.data?.map((l) => <option key={l.id} value={l.id}>{l.name}</option>)}</select>}</Field>
        <Field label="Segment">{(id) => <select id={id} value={form.segment_id} onChange={set('segment_id')}><option value="">Any segment</option>{segments.data?.map((sg) => <option key={sg.id} value={sg.id}>{sg.name}</option>)}</select>}</Field>
        <Field label="Tag">{(id) => <input id={id} value={form.tag} onChange={set('tag')} />}</Field>
        <Field label="Attribute equals">{(id) => <input id={id} value={form.attr} onChange={set('attr')} placeholder="plan=pro" />}</Field>
        <button type="submit" className="primary">Search</button>
      </form>
      {filters.segment_id && <p className="hint">Segment members right now, by the same rules as campaign audiences. <Link to={`/segments/${filters.segment_id}`}>Open the segment</Link> to change its rules or see its count.</p>}
      <ErrorBox error={page.error} />
      {page.loading && !page.data ? <Loading what="contacts" /> : rows.length === 0 ? (
        filtered ? <Empty title="No contact matches these filters."><p>Try fewer filters.</p></Empty>
          : <Empty title="No contacts yet."><p><Link to="/imports/new">Import a CSV file</Link> or <Link to="/contacts/new">add a contact</Link>.</p></Empty>
      ) : (
        <div className="table-wrap"><table>
          <caption className="sr-only">Contacts</caption>
          <thead><tr><th>Email</th><th>Name</th><th>Status</th><th>Tags</th><th>Added</th></tr></thead>
          <tbody>{rows.map((c) => (
            <tr key={c.id}>
              <td><Link to={`/contacts/${c.id}`}>{c.email}</Link></td>
              <td>{[c.first_name, c.last_name].filter(Boolean).join(' ') || '—'}</td>
              <td><Badge value={c.status} />{c.suppressed && <> <Badge value="suppressed" /></>}</td>
              <td>{c.tags.join(', ') || '—'}</td>
              <td>{when(c.created_at)}</td>
            </tr>))}
          </tbody>
        </table></div>
      )}
      <div className="actions" style={{ marginTop: '.75rem' }}>
        {cursors.length > 1 && <button onClick={() => setCursors(cursors.slice(0, -1))}>Previous page</button>}
        {page.data?.next_cursor && <button onClick={() => setCursors([...cursors, page.data?.next_cursor ?? null])}>Next page</button>}
      </div>
    </div>
  );
}

export function NewContactPage() {
  const [f, setF] = useState({ email: '', first_name: '', last_name: '' });
  const { busy, error, run } = useAction();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      const c = await api.post<Contact>('/contacts', { email: f.email, first_name: f.first_name || null, last_name: f.last_name || null });
      navigate(`/contacts/${c.id}`);
    });
  };
  return (
    <div>
      <PageHead title="Add a contact" />
      <form className="card" onSubmit={submit} style={{ maxWidth: 520 }}>
        <Field label="Email">{(id) => <input id={id} type="email" required value={f.email} onChange={(e) => setF({ ...f, email: e.target.value })} />}</Field>
        <Field label="First name">{(id) => <input id={id} value={f.first_name} onChange={(e) => setF({ ...f, first_name: e.target.value })} />}</Field>
        <Field label="Last name">{(id) => <input id={id} value={f.last_name} onChange={(e) => setF({ ...f, last_name: e.target.value })} />}</Field>
        <button className="primary" disabled={busy}>Save contact</button>
        <ErrorBox error={error} />
      </form>
    </div>
  );
}

export function ContactPage({ id }: { id: string }) {
  const contact = useLoad(() => api.get<Contact>(`/contacts/${id}`), [id]);
  const consent = useLoad(() => api.get<{ data: ConsentEntry[]; current: Record<string, string> }>(`/contacts/${id}/consent`, { limit: 100 }), [id]);
  const events = useLoad(() => api.get<{ events: TimelineEvent[] }>(`/contacts/${id}/events`, { limit: 100 }), [id]);
  const memberships = useLoad(() => api.get<{ data: Array<{ list: List; membership: { status: string } }> }>(`/contacts/${id}/lists`), [id]);
  const { busy, error, run } = useAction();
  const [name, setName] = useState<{ first_name: string; last_name: string } | null>(null);
  const c = contact.data;
  if (contact.error) return <ErrorBox error={contact.error} />;
  if (!c) return <Loading what="contact" />;
  const save = (body: Record<string, unknown>) => run(async () => { await api.patch(`/contacts/${id}`, body); contact.reload(); setName(null); });
  const remove = () => {
    if (!confirm(`Delete ${c.email}? Their history is removed; a suppression entry stays.`)) return;
    void run(async () => { await api.del(`/contacts/${id}`); navigate('/contacts'); });
  };
  return (
    <div>
      <PageHead title={c.email}>
        {c.status === 'active' && <button onClick={() => void save({ status: 'unsubscribed' })} disabled={busy}>Unsubscribe</button>}
        <button className="danger" onClick={remove} disabled={busy}>Delete</button>
      </PageHead>
      <ErrorBox error={error} />
      <div className="grid2">
        <section className="card" aria-labelledby="profile-h">
          <h2 id="profile-h">Profile</h2>
          {name ? (
            <form onSubmit={(e) => { e.preventDefault(); void save({ first_name: name.first_name || null, last_name: name.last_name || null }); }}>
              <Field label="First name">{(fid) => <input id={fid} value={name.first_name} onChange={(e) => setName({ ...name, first_name: e.target.value })} />}</Field>
              <Field label="Last name">{(fid) => <input id={fid} value={name.last_name} onChange={(e) => setName({ ...name, last_name: e.target.value })} />}</Field>
              <div className="actions"><button className="primary" disabled={busy}>Save</button><button type="button" onClick={() => setName(null)}>Cancel</button></div>
            </form>
          ) : (
            <>
              <dl className="kv">
                <dt>Name</dt><dd>{[c.first_name, c.last_name].filter(Boolean).join(' ') || '—'}</dd>
                <dt>Status</dt><dd><Badge value={c.status} />{c.suppressed && <> <Badge value="suppressed" /> {c.suppression_reason}</>}</dd>
                <dt>Time zone</dt><dd>{c.timezone ?? '—'}</dd>
                <dt>External id</dt><dd>{c.external_id ?? '—'}</dd>
                <dt>Tags</dt><dd>{c.tags.join(', ') || '—'}</dd>
                <dt>Added</dt><dd>{when(c.created_at)}</dd>
              </dl>
              <button style={{ marginTop: '.75rem' }} onClick={() => setName({ first_name: c.first_name ?? '', last_name: c.last_name ?? '' })}>Edit name</button>
            </>
          )}
        </section>
        <section className="card" aria-labelledby="attr-h">
          <h2 id="attr-h">Attributes</h2>
          {Object.keys(c.attributes).length === 0 ? <p className="hint">No custom attributes.</p> : (
            <dl className="kv">{Object.entries(c.attributes).map(([k, v]) => <div key={k} style={{ display: 'contents' }}><dt>{k}</dt><dd>{JSON.stringify(v)}</dd></div>)}</dl>
          )}
        </section>
        <section className="card" aria-labelledby="lists-h">
          <h2 id="lists-h">Lists</h2>
          {memberships.loading && !memberships.data ? <Loading what="lists" /> : memberships.data?.data.length ? (
            <ul className="plain">{memberships.data.data.map((m) => <li key={m.list.id}><Link to={`/lists/${m.list.id}`}>{m.list.name}</Link> <Badge value={m.membership.status} /></li>)}</ul>
          ) : <p className="hint">Not on any list.</p>}
        </section>
        <section className="card" aria-labelledby="consent-h">
          <h2 id="consent-h">Consent history</h2>
          <ErrorBox error={consent.error} />
          {consent.data && consent.data.data.length === 0 && <p className="hint">No consent recorded.</p>}
          {consent.data && consent.data.data.length > 0 && (
            <div className="table-wrap"><table><thead><tr><th>When</th><th>Purpose</th><th>Action</th><th>Source</th></tr></thead>
              <tbody>{consent.data.data.map((e) => <tr key={e.id}><td>{when(e.created_at)}</td><td>{e.purpose}</td><td><Badge value={e.action} /></td><td>{e.source_type}{e.source_id ? ` · ${e.source_id}` : ''}</td></tr>)}</tbody></table></div>
          )}
        </section>
      </div>
      <section className="card" aria-labelledby="tl-h">
        <h2 id="tl-h">Timeline</h2>
        <ErrorBox error={events.error} />
        {events.data?.events.length === 0 && <p className="hint">No deliveries or events yet.</p>}
        {events.data && events.data.events.length > 0 && (
          <ul className="plain">{events.data.events.map((e) => (
            <li key={e.id}><span>{when(e.occurred_at)}</span><strong>{e.name.replace(/_/g, ' ')}</strong>
              {e.campaign_id && <Link to={`/campaigns/${e.campaign_id}`}>campaign #{e.campaign_id}</Link>}
              {Object.keys(e.properties).length > 0 && <code>{JSON.stringify(e.properties).slice(0, 160)}</code>}</li>
          ))}</ul>
        )}
      </section>
    </div>
  );
}
