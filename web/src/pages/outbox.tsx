// Outbox: messages kept by the capture transport, shown as the recipient would see them. The HTML
// is rendered in a sandboxed srcdoc frame (no scripts, no same-origin): see preview-frame.tsx.
import { useState } from 'react';
import { api } from '../api';
import { Link, useLocation } from '../router';
import { Empty, ErrorBox, Loading, PageHead, useLoad, when } from '../ui';
import { PreviewFrame } from './preview-frame';

interface Summary { id: number; campaign_id: number | null; envelope_from: string; envelope_to: string; subject: string | null; created_at: string }
interface Message extends Summary { raw: string; text: string | null; html: string | null; headers: Array<{ key: string; value: string }> }

export function OutboxPage() {
  const { query } = useLocation();
  const campaignId = query.get('campaign_id') ?? '';
  const list = useLoad(() => api.get<{ data: Summary[] }>('/outbox', { campaign_id: campaignId, limit: 100 }), [campaignId], 5000);
  const [selected, setSelected] = useState<number | null>(null);
  const rows = list.data?.data ?? [];
  const current = selected ?? rows[0]?.id ?? null;
  return (
    <div>
      <PageHead title="Outbox" />
      <p className="lead">Messages kept by the capture transport instead of being delivered — exactly what recipients would get.{campaignId && <> Showing campaign #{campaignId}. <Link to="/outbox">Show all</Link></>}</p>
      <ErrorBox error={list.error} />
      {list.loading && !list.data ? <Loading what="messages" /> : rows.length === 0 ? (
        <Empty title="The outbox is empty."><p>When Postlane sends through the capture transport (the default until SMTP is set up), each message appears here.</p></Empty>
      ) : (
        <div className="split">
          <section className="card" aria-label="Messages">
            <ul className="plain" role="listbox" aria-label="Captured messages">{rows.map((m) => (
              <li key={m.id}>
                <button className={m.id === current ? 'primary' : ''} role="option" aria-selected={m.id === current} onClick={() => setSelected(m.id)} style={{ textAlign: 'left', width: '100%', whiteSpace: 'normal' }}>
                  <strong>{m.subject ?? '(no subject)'}</strong><br />to {m.envelope_to} · {when(m.created_at)}
                </button>
              </li>
            ))}</ul>
          </section>
          {current && <MessageView id={current} />}
        </div>
      )}
    </div>
  );
}

function MessageView({ id }: { id: number }) {
  const m = useLoad(() => api.get<Message>(`/outbox/${id}`), [id]);
  const [view, setView] = useState<'html' | 'text' | 'raw'>('html');
  if (m.error) return <ErrorBox error={m.error} />;
  if (!m.data) return <Loading what="message" />;
  const msg = m.data;
  const header = (k: string) => msg.headers.find((h) => h.key.toLowerCase() === k)?.value;
  return (
    <section className="card" aria-labelledby="msg-h">
      <h2 id="msg-h">{msg.subject ?? '(no subject)'}</h2>
      <dl className="kv">
        <dt>From</dt><dd>{header('from') ?? msg.envelope_from}</dd><dt>To</dt><dd>{header('to') ?? msg.envelope_to}</dd>
        {header('list-unsubscribe') && <><dt>Unsubscribe</dt><dd>{header('list-unsubscribe')}</dd></>}
        {msg.campaign_id && <><dt>Campaign</dt><dd><Link to={`/campaigns/${msg.campaign_id}`}>#{msg.campaign_id}</Link></dd></>}
      </dl>
      <div className="actions" role="tablist" style={{ margin: '.75rem 0' }}>
        {(['html', 'text', 'raw'] as const).map((v) => <button key={v} role="tab" aria-selected={view === v} className={view === v ? 'primary' : ''} onClick={() => setView(v)}>{v === 'html' ? 'As the recipient sees it' : v === 'text' ? 'Plain text' : 'Source'}</button>)}
      </div>
      {view === 'html' && (msg.html ? <PreviewFrame html={msg.html} title={`Message to ${msg.envelope_to}`} /> : <p className="hint">This message has no HTML part.</p>)}
      {view === 'text' && <pre className="json">{msg.text ?? '(no plain-text part)'}</pre>}
      {view === 'raw' && <pre className="json">{msg.raw}</pre>}
    </section>
  );
}
