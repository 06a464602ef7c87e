// Campaigns: the list; one campaign's live progress and report (counts, rates, top links, the
// per-recipient ledger with failures and reasons); pause, resume, cancel, resend to failed, send to non-openers.
import { useState } from 'react';
import { api } from '../api';
import { Link, navigate } from '../router';
import { Badge, Empty, ErrorBox, Field, Loading, num, PageHead, pct, useAction, useLoad, when } from '../ui';
import type { Campaign, Delivery } from './campaign-types';

export function CampaignsPage() {
  const list = useLoad(() => api.get<{ data: Campaign[] }>('/campaigns', { limit: 200 }), [], 5000);
  const rows = list.data?.data ?? [];
  return (
    <div>
      <PageHead title="Campaigns"><Link className="button primary" to="/campaigns/new">New campaign</Link></PageHead>
      <ErrorBox error={list.error} />
      {list.loading && !list.data ? <Loading what="campaigns" /> : rows.length === 0 ? (
        <Empty title="No campaigns yet."><p><Link to="/campaigns/new">Create your first campaign</Link>: choose who gets it, write it, send it.</p></Empty>
      ) : (
        <div className="table-wrap"><table>
          <thead><tr><th>Name</th><th>Status</th><th className="num">Recipients</th><th className="num">Sent</th><th className="num">Opened</th><th className="num">Clicked</th><th>Started</th></tr></thead>
          <tbody>{rows.map((c) => {
            const k = c.counts;
            return (
              <tr key={c.id}>
                <td><Link to={`/campaigns/${c.id}`}>{c.name}</Link><div className="hint">{c.subject}</div></td>
                <td><Badge value={c.status} /></td>
                <td className="num">{num(k?.eligible)}</td><td className="num">{num(k?.sent)}</td>
                <td className="num">{k ? pct(k.opened, k.sent) : '—'}</td><td className="num">{k ? pct(k.clicked, k.sent) : '—'}</td>
                <td>{when(c.started_at)}</td>
              </tr>
            );
          })}</tbody>
        </table></div>
      )}
    </div>
  );
}

const LIVE = new Set(['sending', 'scheduled', 'queued', 'preparing']);

export function CampaignPage({ id }: { id: string }) {
  const [live, setLive] = useState(true);
  const c = useLoad(async () => {
    const r = await api.get<Campaign>(`/campaigns/${id}`);
    setLive(LIVE.has(r.status));
    return r;
  }, [id], live ? 2000 : null);
  const { busy, error, run } = useAction();
  const [subject, setSubject] = useState<string | null>(null);
  const camp = c.data;
  if (c.error && !camp) return <ErrorBox error={c.error} />;
  if (!camp) return <Loading what="campaign" />;
  const k = camp.counts;
  const act = (path: string, body?: unknown) => void run(async () => {
    const r = await api.post<Campaign>(`/campaigns/${id}/${path}`, body);
    if (r.id !== camp.id) navigate(`/campaigns/${r.id}/edit`); else { setLive(true); c.reload(); }
  });
  const done = k ? k.sent + k.failed + k.skipped + k.cancelled : 0;
  const editable = ['draft', 'scheduled', 'paused'].includes(camp.status);
  return (
    <div>
      <PageHead title={camp.name}>
        {editable && <Link className="button" to={`/campaigns/${id}/edit`}>Edit</Link>}
        {camp.status === 'draft' && <button className="primary" disabled={busy} onClick={() => act('send')}>{camp.send_at ? 'Schedule' : 'Send now'}</button>}
        {camp.status === 'sending' && <button disabled={busy} onClick={() => act('pause')}>Pause</button>}
        {camp.status === 'paused' && <button className="primary" disabled={busy} onClick={() => act('resume')}>Resume</button>}
        {['sending', 'paused', 'scheduled'].includes(camp.status) && <button className="danger" disabled={busy} onClick={() => { if (confirm('Cancel this campaign? Recipients not yet sent to will not get it.')) act('cancel'); }}>Cancel</button>}
        {k && k.failed > 0 && <button disabled={busy} onClick={() => act('resend-failed')}>Resend to failed</button>}
        {k && k.sent > 0 && !LIVE.has(camp.status) && <button disabled={busy} onClick={() => setSubject(`${camp.subject}`)}>Send to non-openers</button>}
        {camp.status !== 'draft' && <Link className="button" to={`/outbox?campaign_id=${id}`}>Outbox</Link>}
      </PageHead>
      <p className="lead"><Badge value={camp.status} /> {camp.subject} · from {camp.from_email}{camp.started_at && ` · started ${when(camp.started_at)}`}{camp.finished_at && ` · finished ${when(camp.finished_at)}`}</p>
      {camp.paused_reason && <p className="warn">Paused: {camp.paused_reason}</p>}
      {camp.status === 'scheduled' && camp.send_at && <p className="notice">Scheduled for {when(camp.send_at)}.</p>}
      {['draft', 'scheduled', 'paused', 'sending'].includes(camp.status) && (camp.warnings?.length ?? 0) > 0 && (
        <ul className="warnings" aria-label="Warnings">{camp.warnings!.map((w) => <li key={w} className="warn">{w}</li>)}</ul>
      )}
      <ErrorBox error={error} />
      {subject !== null && (
        <form className="card inline" onSubmit={(e) => { e.preventDefault(); act('non-openers', { subject }); setSubject(null); }}>
          <Field label="New subject for those who did not open" hint="Creates a draft you can review before sending.">{(fid) => <input id={fid} value={subject} onChange={(e) => setSubject(e.target.value)} required />}</Field>
          <button className="primary">Create draft</button><button type="button" onClick={() => setSubject(null)}>Cancel</button>
        </form>
      )}
      {k && (
        <>
          {camp.status !== 'draft' && (
            <section className="card" aria-labelledby="prog-h" aria-live="polite">
              <h2 id="prog-h">{LIVE.has(camp.status) ? 'Sending progress' : 'Delivery'}</h2>
              <progress className="wide" max={k.eligible || 1} value={done} aria-label="Sending progress" />
              <p>{num(done)} of {num(k.eligible)} recipients handled · {num(k.queued)} waiting · {num(k.deferred)} retrying</p>
            </section>
          )}
          <dl className="stats" aria-label="Campaign counts">
            <Stat label="Recipients" value={k.eligible} />
            <Stat label="Sent" value={k.sent} />
            <Stat label="Opened" value={k.opened} of={k.sent} />
            <Stat label="Clicked" value={k.clicked} of={k.sent} />
            <Stat label="Failed" value={k.failed} of={k.eligible} />
            <Stat label="Bounced" value={k.bounced} of={k.sent} />
            <Stat label="Complaints" value={k.complained} of={k.sent} />
            <Stat label="Unsubscribed" value={k.unsubscribed} of={k.sent} />
            <Stat label="Skipped" value={k.skipped} />
          </dl>
        </>
      )}
      {camp.status !== 'draft' && <TopLinks id={id} live={live} trackClicks={camp.track_clicks} />}
      {camp.status !== 'draft' && <Ledger id={id} live={live} />}
    </div>
  );
}

function Stat({ label, value, of }: { label: string; value: number; of?: number }) {
  return <div className="stat"><dt>{label}</dt><dd>{num(value)}{of !== undefined && <small> {pct(value, of)}</small>}</dd></div>;
}

interface LinkClicks { id: number; url: string; clicks: number; unique_clickers: number; anonymous_clicks: number }

function TopLinks({ id, live, trackClicks }: { id: string; live: boolean; trackClicks: boolean }) {
  const links = useLoad(() => api.get<{ data: LinkClicks[] }>(`/campaigns/${id}/links`, { limit: 20 }), [id, live], live ? 10000 : null);
  const rows = links.data?.data ?? [];
  const anonymous = rows.reduce((n, r) => n + r.anonymous_clicks, 0);
  return (
    <section className="card" aria-labelledby="links-h">
      <h2 id="links-h">Top links</h2>
      <ErrorBox error={links.error} />
      {links.loading && !links.data ? <Loading what="links" /> : rows.length === 0 ? (
        <p className="hint">{trackClicks ? 'This campaign has no tracked links.' : 'Click tracking is off for this campaign, so clicks per link are not counted.'}</p>
      ) : (
        <div className="table-wrap"><table>
          <caption className="sr-only">Links in this campaign, most clicked first</caption>
          <thead><tr><th>Link</th><th className="num">Clicks</th><th className="num">Unique clickers</th></tr></thead>
          <tbody>{rows.map((r) => (
            <tr key={r.id}>
              <td className="url"><a href={r.url} target="_blank" rel="noopener noreferrer">{r.url}</a></td>
              <td className="num">{num(r.clicks)}</td><td className="num">{num(r.unique_clickers)}</td>
            </tr>
          ))}</tbody>
        </table></div>
      )}
      {anonymous > 0 && <p className="hint">{num(anonymous)} {anonymous === 1 ? 'click' : 'clicks'} came from people who did not agree to tracking: counted for the link, not for a person.</p>}
      {rows.length > 0 && rows.every((r) => r.clicks === 0) && <p className="hint">No clicks yet.</p>}
    </section>
  );
}

const REASONS: Record<string, string> = { suppressed: 'on the suppression list', unsubscribed: 'unsubscribed', bounced: 'bounced before', complained: 'complained before', blocked: 'blocked', duplicate: 'already received it' };

function Ledger({ id, live }: { id: string; live: boolean }) {
  const [status, setStatus] = useState('');
  const [after, setAfter] = useState<number[]>([]);
  const rows = useLoad(() => api.get<{ data: Delivery[]; next_after_id: number | null }>(`/campaigns/${id}/deliveries`, { status, limit: 50, after_id: after[after.length - 1] }), [id, status, after.join(), live], live ? 3000 : null);
  const data = rows.data?.data ?? [];
  return (
    <section className="card" aria-labelledby="ledger-h">
      <div className="page-head"><h2 id="ledger-h">Recipients</h2>
        <div className="inline"><Field label="Show">{(fid) => (
          <select id={fid} value={status} onChange={(e) => { setStatus(e.target.value); setAfter([]); }}>
            <option value="">Everyone</option>{['sent', 'failed', 'deferred', 'queued', 'skipped', 'cancelled'].map((s) => <option key={s} value={s}>{s}</option>)}
          </select>)}</Field></div>
      </div>
      <ErrorBox error={rows.error} />
      {data.length === 0 ? <p className="hint">{status ? `No recipient is ${status}.` : 'No recipients yet.'}</p> : (
        <div className="table-wrap"><table>
          <thead><tr><th>Email</th><th>Status</th><th className="num">Attempts</th><th>Reason / server reply</th><th>Sent</th></tr></thead>
          <tbody>{data.map((r) => (
            <tr key={r.id}>
              <td><Link to={`/contacts/${r.contact_id}`}>{r.email}</Link></td><td><Badge value={r.status} /></td><td className="num">{num(r.attempts)}</td>
              <td>{r.skip_reason ? `Skipped: ${REASONS[r.skip_reason] ?? r.skip_reason.replace(/_/g, ' ')}` : r.smtp_response ? `${r.smtp_code ?? ''} ${r.smtp_response}` : '—'}{r.next_attempt_at && <div className="hint">Next try {when(r.next_attempt_at)}</div>}</td>
              <td>{when(r.sent_at)}</td>
            </tr>
          ))}</tbody>
        </table></div>
      )}
      <div className="actions" style={{ marginTop: '.5rem' }}>
        {after.length > 0 && <button onClick={() => setAfter(after.slice(0, -1))}>Previous</button>}
        {rows.data?.next_after_id && <button onClick={() => setAfter([...after, rows.data?.next_after_id ?? 0])}>Next</button>}
      </div>
    </section>
  );
}
