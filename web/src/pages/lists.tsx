// Lists: create, rename and delete lists; see member counts; open a list's contacts.
import { useState, type FormEvent } from 'react';
import { api, type Contact, type List, type Page } from '../api';
import { Link, navigate } from '../router';
import { Badge, Empty, ErrorBox, Field, Loading, num, PageHead, useAction, useLoad, when } from '../ui';

export function ListsPage() {
  const lists = useLoad(() => api.get<Page<List>>('/lists', { limit: 500 }), []);
  const [f, setF] = useState({ name: '', description: '', opt_in: 'single' });
  const { busy, error, run } = useAction();
  const create = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => { await api.post('/lists', { name: f.name, description: f.description || null, opt_in: f.opt_in }); setF({ name: '', description: '', opt_in: 'single' }); lists.reload(); });
  };
  const rows = lists.data?.data ?? [];
  return (
    <div>
      <PageHead title="Lists"><Link className="button primary" to="/imports/new">Import contacts</Link></PageHead>
      <ErrorBox error={lists.error} />
      {lists.loading && !lists.data ? <Loading what="lists" /> : rows.length === 0 ? (
        <Empty title="No lists yet."><p>Create your first list below, then import contacts into it.</p></Empty>
      ) : (
        <div className="table-wrap"><table>
          <thead><tr><th>Name</th><th>Opt-in</th><th>Description</th><th>Created</th></tr></thead>
          <tbody>{rows.map((l) => <tr key={l.id}><td><Link to={`/lists/${l.id}`}>{l.name}</Link></td><td>{l.opt_in === 'double' ? 'Double (confirmation email)' : 'Single'}</td><td>{l.description ?? '—'}</td><td>{when(l.created_at)}</td></tr>)}</tbody>
        </table></div>
      )}
      <form className="card" onSubmit={create} style={{ marginTop: '1rem', maxWidth: 560 }} aria-labelledby="new-list-h">
        <h2 id="new-list-h">New list</h2>
        <Field label="Name">{(id) => <input id={id} required value={f.name} onChange={(e) => setF({ ...f, name: e.target.value })} />}</Field>
        <Field label="Description">{(id) => <input id={id} value={f.description} onChange={(e) => setF({ ...f, description: e.target.value })} />}</Field>
        <Field label="Opt-in" hint="Double opt-in sends a confirmation email before someone counts as subscribed.">
          {(id) => <select id={id} value={f.opt_in} onChange={(e) => setF({ ...f, opt_in: e.target.value })}><option value="single">Single</option><option value="double">Double</option></select>}
        </Field>
        <button className="primary" disabled={busy}>Create list</button>
        <ErrorBox error={error} />
      </form>
    </div>
  );
}

type Member = Contact & { membership: { status: string; created_at: string } };

export function ListPage({ id }: { id: string }) {
  const list = useLoad(() => api.get<List>(`/lists/${id}`), [id]);
  const members = useLoad(() => api.get<Page<Member>>(`/lists/${id}/contacts`, { limit: 100 }), [id]);
  const { busy, error, run } = useAction();
  const [name, setName] = useState<string | null>(null);
  const l = list.data;
  if (list.error) return <ErrorBox error={list.error} />;
  if (!l) return <Loading what="list" />;
  const remove = () => {
    if (!confirm(`Delete the list "${l.name}"? Contacts stay; only their membership goes.`)) return;
    void run(async () => { await api.del(`/lists/${id}`); navigate('/lists'); });
  };
  const rows = members.data?.data ?? [];
  return (
    <div>
      <PageHead title={l.name}>
        <Link className="button" to={`/imports/new?list_id=${id}`}>Import into this list</Link>
        <Link className="button" to={`/contacts?list_id=${id}`}>Search members</Link>
        <button onClick={() => setName(l.name)}>Rename</button>
        <button className="danger" onClick={remove} disabled={busy}>Delete</button>
      </PageHead>
      {name !== null && (
        <form className="card inline" onSubmit={(e) => { e.preventDefault(); void run(async () => { await api.patch(`/lists/${id}`, { name }); setName(null); list.reload(); }); }}>
          <Field label="List name">{(fid) => <input id={fid} value={name} onChange={(e) => setName(e.target.value)} required />}</Field>
          <button className="primary" disabled={busy}>Save</button><button type="button" onClick={() => setName(null)}>Cancel</button>
        </form>
      )}
      <ErrorBox error={error} />
      {l.counts && (
        <dl className="stats">
          <div className="stat"><dt>Confirmed</dt><dd>{num(l.counts.confirmed)}</dd></div>
          <div className="stat"><dt>Unconfirmed</dt><dd>{num(l.counts.unconfirmed)}</dd></div>
          <div className="stat"><dt>Unsubscribed</dt><dd>{num(l.counts.unsubscribed)}</dd></div>
        </dl>
      )}
      <ErrorBox error={members.error} />
      {rows.length === 0 ? <Empty title="This list has no members yet."><Link to={`/imports/new?list_id=${id}`}>Import a CSV file into it</Link></Empty> : (
        <div className="table-wrap"><table>
          <thead><tr><th>Email</th><th>Contact status</th><th>Membership</th><th>Joined</th></tr></thead>
          <tbody>{rows.map((c) => <tr key={c.id}><td><Link to={`/contacts/${c.id}`}>{c.email}</Link></td><td><Badge value={c.status} /></td><td><Badge value={c.membership.status} /></td><td>{when(c.membership.created_at)}</td></tr>)}</tbody>
        </table></div>
      )}
      {members.data?.next_cursor && <p className="hint">Showing the first 100 members. <Link to={`/contacts?list_id=${id}`}>Search all members</Link>.</p>}
    </div>
  );
}
