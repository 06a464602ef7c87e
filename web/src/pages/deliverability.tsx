// Deliverability: suppressions (search, add, remove with a reason), the bounce and complaint feed,
// address verification and sending domains — one section per address under /deliverability.
import { useState, type FormEvent } from 'react';
import { api, type Page } from '../api';
import { Link } from '../router';
import { Badge, Empty, ErrorBox, Field, Loading, PageHead, useAction, useLoad, when } from '../ui';
import { SubNav } from '../widgets';
import { DomainsSection } from './domains';
import { VerifySection } from './verify';

const SECTIONS: Array<[string, string]> = [
  ['/deliverability', 'Suppressions'], ['/deliverability/feedback', 'Bounces and complaints'],
  ['/deliverability/verify', 'Verification'], ['/deliverability/domains', 'Sending domains'],
];

export function Deliverability({ tab }: { tab?: string }) {
  return (
    <div>
      <PageHead title="Deliverability" />
      <SubNav label="Deliverability sections" items={SECTIONS} />
      {tab === 'feedback' ? <FeedbackFeed /> : tab === 'verify' ? <VerifySection /> : tab === 'domains' ? <DomainsSection /> : tab ? <p>There is no such section.</p> : <Suppressions />}
    </div>
  );
}

interface Suppression { id: number; email: string; reason: string; source: string; details: string | null; created_at: string }
const REASONS: Array<[string, string]> = [
  ['manual', 'Added by hand'], ['hard_bounce', 'Hard bounce'], ['soft_bounce_limit', 'Too many soft bounces'], ['complaint', 'Spam complaint'],
  ['unsubscribe', 'Unsubscribed'], ['invalid', 'Invalid address'], ['erasure', 'Erasure request'], ['other', 'Other'],
];
const reasonLabel = (r: string) => REASONS.find(([k]) => k === r)?.[1] ?? r.replace(/_/g, ' ');

/** Keyset pages accumulated by "Show more"; the filter key resets them. */
function usePaged<T>(path: string, query: Record<string, string>) {
  const key = JSON.stringify(query);
  const [cursors, setCursors] = useState<{ key: string; list: Array<string | null> }>({ key, list: [null] });
  const list = cursors.key === key ? cursors.list : [null];
  const pages = useLoad(async () => Promise.all(list.map((c) => api.get<Page<T>>(path, { ...query, cursor: c ?? undefined, limit: 50 }))), [key, list.length]);
  const rows = pages.data?.flatMap((p) => p.data) ?? [];
  const next = pages.data?.[pages.data.length - 1]?.next_cursor ?? null;
  return { rows, pages, more: next ? () => setCursors({ key, list: [...list, next] }) : null };
}

function Suppressions() {
  const [q, setQ] = useState('');
  const [reason, setReason] = useState('');
  const { rows, pages, more } = usePaged<Suppression>('/suppressions', { q, reason });
  const add = useAction();
  const [email, setEmail] = useState('');
  const [addReason, setAddReason] = useState('manual');
  const [note, setNote] = useState('');
  const [removing, setRemoving] = useState<Suppression | null>(null);
  const [notice, setNotice] = useState('');

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const done = await add.run(() => api.post<Suppression>('/suppressions', { email, reason: addReason, details: note || undefined }));
    if (done) { setNotice(`${done.email} is suppressed: Postlane will not email it.`); setEmail(''); setNote(''); pages.reload(); }
  };

  return (
    <div>
      <p className="lead">Addresses here never receive email from this workspace, whatever list or campaign they are in.</p>
      <form className="card" onSubmit={(e) => void submit(e)} aria-labelledby="sup-add-h">
        <h2 id="sup-add-h">Suppress an address</h2>
        <div className="inline">
          <Field label="Email address">{(id) => <input id={id} type="email" required value={email} onChange={(e) => setEmail(e.target.value)} />}</Field>
          <Field label="Reason">{(id) => <select id={id} value={addReason} onChange={(e) => setAddReason(e.target.value)}>{REASONS.map(([k, l]) => <option key={k} value={k}>{l}</option>)}</select>}</Field>
          <Field label="Note (optional)">{(id) => <input id={id} value={note} maxLength={1000} onChange={(e) => setNote(e.target.value)} />}</Field>
          <button className="primary" disabled={add.busy}>Suppress</button>
        </div>
        <ErrorBox error={add.error} />
        {notice && <p className="notice" role="status">{notice}</p>}
      </form>
      <div className="inline" role="search" style={{ marginBottom: '1rem' }}>
        <Field label="Search by address">{(id) => <input id={id} type="search" placeholder="Starts with…" value={q} onChange={(e) => setQ(e.target.value)} />}</Field>
        <Field label="Reason">{(id) => <select id={id} value={reason} onChange={(e) => setReason(e.target.value)}><option value="">Any reason</option>{REASONS.map(([k, l]) => <option key={k} value={k}>{l}</option>)}</select>}</Field>
      </div>
      {removing && <RemoveDialog s={removing} onClose={(removed) => { setRemoving(null); if (removed) { setNotice(`${removing.email} was removed from the suppression list.`); pages.reload(); } }} />}
      {pages.loading && !pages.data ? <Loading what="suppressions" /> : rows.length === 0 ? (
        <Empty title={q || reason ? 'No suppressed address matches.' : 'No address is suppressed yet.'}>Hard bounces, complaints and unsubscribes are added automatically.</Empty>
      ) : (
        <div className="table-wrap"><table>
          <caption className="sr-only">Suppressed addresses</caption>
          <thead><tr><th>Address</th><th>Reason</th><th>Source</th><th>Details</th><th>Since</th><th><span className="sr-only">Actions</span></th></tr></thead>
          <tbody>{rows.map((s) => (
            <tr key={s.id}><td>{s.email}</td><td>{reasonLabel(s.reason)}</td><td>{s.source}</td><td>{s.details ?? '—'}</td><td>{when(s.created_at)}</td>
              <td><button className="small" onClick={() => setRemoving(s)} aria-label={`Remove ${s.email} from the suppression list`}>Remove…</button></td></tr>
          ))}</tbody>
        </table></div>
      )}
      {more && <p><button onClick={more}>Show more</button></p>}
      <ErrorBox error={pages.error} />
    </div>
  );
}

function RemoveDialog({ s, onClose }: { s: Suppression; onClose: (removed: boolean) => void }) {
  const [why, setWhy] = useState('');
  const act = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const ok = await act.run(() => api.del(`/suppressions/${encodeURIComponent(s.email)}?reason=${encodeURIComponent(why)}`).then(() => true));
    if (ok) onClose(true);
  };
  return (
    <form className="card" role="dialog" aria-labelledby="rm-h" onSubmit={(e) => void submit(e)} onKeyDown={(e) => { if (e.key === 'Escape') onClose(false); }}>
      <h2 id="rm-h">Remove {s.email} from the suppression list?</h2>
      <p>It was suppressed because: <strong>{reasonLabel(s.reason)}</strong>. {s.reason === 'complaint' || s.reason === 'unsubscribe' ? 'This person asked not to be emailed — only remove it if they opted in again.' : ''} The contact stays blocked until you re-activate it on its profile.</p>
      <Field label="Why are you removing it?" hint="Kept in the audit log.">{(id) => <input id={id} required autoFocus maxLength={500} value={why} onChange={(e) => setWhy(e.target.value)} />}</Field>
      <div className="actions"><button className="danger" disabled={act.busy}>Remove from suppression list</button><button type="button" onClick={() => onClose(false)}>Cancel</button></div>
      <ErrorBox error={act.error} />
    </form>
  );
}

interface FeedbackEvent { id: number; source: string; kind: string; email: string | null; reason: string; hard: boolean; status: string | null; reply_code: number | null; diagnostic: string | null; campaign_id: number | null; contact_id: number | null; occurred_at: string }

function FeedbackFeed() {
  const [kind, setKind] = useState('');
  const [email, setEmail] = useState('');
  const { rows, pages, more } = usePaged<FeedbackEvent>('/feedback/events', { kind, email });
  return (
    <div>
      <p className="lead">Bounces and spam complaints as they arrive, newest first. Hard bounces and complaints suppress the address automatically.</p>
      <div className="inline" role="search" style={{ marginBottom: '1rem' }}>
        <Field label="Kind">{(id) => <select id={id} value={kind} onChange={(e) => setKind(e.target.value)}><option value="">All kinds</option><option value="bounce">Bounces</option><option value="complaint">Complaints</option><option value="auto_reply">Auto-replies</option><option value="delivery_report">Delivery reports</option><option value="unsubscribe">Unsubscribe mail</option></select>}</Field>
        <Field label="Exact address">{(id) => <input id={id} type="search" value={email} onChange={(e) => setEmail(e.target.value)} />}</Field>
      </div>
      {pages.loading && !pages.data ? <Loading what="the feed" /> : rows.length === 0 ? (
        <Empty title="No bounce or complaint has been received.">They appear here as soon as a mail server or provider reports them.</Empty>
      ) : (
        <div className="table-wrap"><table>
          <thead><tr><th>When</th><th>Kind</th><th>Address</th><th>Why</th><th>Server said</th><th>Campaign</th></tr></thead>
          <tbody>{rows.map((e) => (
            <tr key={e.id}><td>{when(e.occurred_at)}</td><td><Badge value={e.kind} /> {e.kind === 'bounce' ? (e.hard ? 'hard' : 'soft') : ''}</td><td>{e.email ?? '—'}</td>
              <td>{e.reason.replace(/_/g, ' ')}</td><td>{[e.reply_code, e.status].filter(Boolean).join(' ')} {e.diagnostic ?? ''}</td>
              <td>{e.campaign_id ? <Link to={`/campaigns/${e.campaign_id}`}>#{e.campaign_id}</Link> : '—'}</td></tr>
          ))}</tbody>
        </table></div>
      )}
      {more && <p><button onClick={more}>Show more</button></p>}
      <ErrorBox error={pages.error} />
    </div>
  );
}
