// Segments: saved segments with their size; the builder with a live count and a sample of
// matching contacts (POST /segments/preview), saved as a typed definition tree.
import { useEffect, useState } from 'react';
import { allLists, api, type Segment, type SegmentContact } from '../api';
import { Link, navigate } from '../router';
import { Badge, Empty, ErrorBox, Field, Loading, num, PageHead, useAction, useLoad, when } from '../ui';
import { emptyDefinition, GroupEditor, type Node } from './segment-tree';

export function SegmentsPage() {
  const segs = useLoad(() => api.get<{ segments: Segment[] }>('/segments'), []);
  const rows = segs.data?.segments ?? [];
  return (
    <div>
      <PageHead title="Segments"><Link className="button primary" to="/segments/new">New segment</Link></PageHead>
      <ErrorBox error={segs.error} />
      {segs.loading && !segs.data ? <Loading what="segments" /> : rows.length === 0 ? (
        <Empty title="No segments yet."><p>A segment picks contacts by attributes, lists, tags, events and engagement, and updates itself. <Link to="/segments/new">Build one</Link>.</p></Empty>
      ) : (
        <div className="table-wrap"><table>
          <thead><tr><th>Name</th><th className="num">Contacts now</th><th>Updated</th></tr></thead>
          <tbody>{rows.map((s) => <tr key={s.id}><td><Link to={`/segments/${s.id}`}>{s.name}</Link></td><td className="num"><SegmentCount id={s.id} /></td><td>{when(s.updated_at)}</td></tr>)}</tbody>
        </table></div>
      )}
    </div>
  );
}

function SegmentCount({ id }: { id: number }) {
  const c = useLoad(() => api.get<{ count: number }>(`/segments/${id}/count`), [id]);
  return <>{c.error ? '—' : c.data ? num(c.data.count) : '…'}</>;
}

export function SegmentPage({ id }: { id?: string }) {
  const existing = useLoad(() => (id ? api.get<Segment>(`/segments/${id}`) : Promise.resolve(null)), [id]);
  const lists = useLoad(allLists, []);
  const [name, setName] = useState('');
  const [root, setRoot] = useState<Node | null>(id ? null : emptyDefinition().root);
  const [preview, setPreview] = useState<{ count: number; sample: SegmentContact[] } | null>(null);
  const [previewError, setPreviewError] = useState<unknown>(null);
  const save = useAction();

  useEffect(() => {
    const s = existing.data;
    if (s) { setName(s.name); setRoot((s.definition as { root: Node }).root); }
  }, [existing.data]);

  // Live count and sample, debounced while the rules are edited.
  useEffect(() => {
    if (!root) return;
    const t = setTimeout(() => {
      api.post<{ count: number; sample: SegmentContact[] }>('/segments/preview', { definition: { version: 1, root }, sample_size: 10 })
        .then((r) => { setPreview(r); setPreviewError(null); }, (err: unknown) => setPreviewError(err));
    }, 350);
    return () => clearTimeout(t);
  }, [root]);

  if (existing.error) return <ErrorBox error={existing.error} />;
  if (!root) return <Loading what="segment" />;
  const submit = () => void save.run(async () => {
    const body = { name, definition: { version: 1, root } };
    const s = id ? await api.patch<Segment>(`/segments/${id}`, body) : await api.post<Segment>('/segments', body);
    navigate(`/segments/${s.id}`, { replace: true });
    existing.reload();
  });
  const remove = () => {
    if (!id || !confirm(`Delete the segment "${name}"? Campaigns already sent keep their recipients.`)) return;
    void save.run(async () => { await api.del(`/segments/${id}`); navigate('/segments'); });
  };
  return (
    <div>
      <PageHead title={id ? `Segment: ${existing.data?.name ?? ''}` : 'New segment'}>
        {id && <Link className="button" to={`/campaigns/new?segment_id=${id}`}>Email this segment</Link>}
        {id && <button className="danger" onClick={remove}>Delete</button>}
      </PageHead>
      <div className="split">
        <section className="card" aria-labelledby="rules-h">
          <h2 id="rules-h">Rules</h2>
          <Field label="Segment name">{(fid) => <input id={fid} value={name} onChange={(e) => setName(e.target.value)} required />}</Field>
          <GroupEditor node={root} onChange={setRoot} lists={lists.data ?? []} />
          <div className="actions" style={{ marginTop: '1rem' }}>
            <button className="primary" onClick={submit} disabled={save.busy || !name.trim()}>{id ? 'Save changes' : 'Save segment'}</button>
          </div>
          <ErrorBox error={save.error} />
        </section>
        <section className="card" aria-labelledby="live-h" aria-live="polite">
          <h2 id="live-h">Matching contacts</h2>
          <ErrorBox error={previewError} />
          {preview ? (
            <>
              <p className="big-count"><strong data-testid="segment-count">{num(preview.count)}</strong> {preview.count === 1 ? 'contact matches' : 'contacts match'} right now.</p>
              {preview.sample.length === 0 ? <p className="hint">No contact to show.</p> : (
                <ul className="plain">{preview.sample.map((c) => <li key={c.id}><Link to={`/contacts/${c.id}`}>{c.email}</Link> <Badge value={c.status} /></li>)}</ul>
              )}
            </>
          ) : !previewError && <Loading what="count" />}
        </section>
      </div>
    </div>
  );
}
