// Sending domains: add one, see the DNS records to publish (with copy buttons), and re-check them.
import { useState, type FormEvent } from 'react';
import { api } from '../api';
import { Badge, Empty, ErrorBox, Field, Loading, useAction, useLoad, when } from '../ui';
import { CopyButton } from '../widgets';

interface Check { ok: boolean; found: string[]; message: string }
interface Domain {
  id: number; domain: string; selector: string; algorithm: string; status: string;
  dns_records: Array<{ type: string; name: string; value: string; purpose: string; note: string }>;
  checks: { dkim: Check; spf: Check; dmarc: Check } | null; last_checked_at: string | null;
}

export function DomainsSection() {
  const list = useLoad(() => api.get<{ data: Domain[] }>('/domains'), []);
  const add = useAction();
  const [name, setName] = useState('');
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (await add.run(() => api.post<Domain>('/domains', { domain: name.trim() }))) { setName(''); list.reload(); }
  };
  const domains = list.data?.data ?? [];
  return (
    <div>
      <p className="lead">Publish these DNS records where your domain is managed so that mailbox providers trust mail sent in your name (DKIM, SPF, DMARC).</p>
      <form className="card inline" onSubmit={(e) => void submit(e)} aria-label="Add a sending domain">
        <Field label="Domain you send from" hint="For example news.example.com">{(id) => <input id={id} required value={name} onChange={(e) => setName(e.target.value)} />}</Field>
        <button className="primary" disabled={add.busy}>Add domain</button>
      </form>
      <ErrorBox error={add.error} />
      {list.loading && !list.data ? <Loading what="sending domains" /> : domains.length === 0 ? (
        <Empty title="No sending domain yet.">Add the domain of your From address to get its DNS records.</Empty>
      ) : domains.map((d) => <DomainCard key={d.id} d={d} onChange={list.reload} />)}
      <ErrorBox error={list.error} />
    </div>
  );
}

function DomainCard({ d, onChange }: { d: Domain; onChange: () => void }) {
  const act = useAction();
  const check = () => void act.run(() => api.post<Domain>(`/domains/${d.id}/check`)).then((r) => { if (r) onChange(); });
  const remove = () => {
    if (!confirm(`Delete ${d.domain} and its signing key? Mail from it will no longer be DKIM-signed.`)) return;
    void act.run(() => api.del(`/domains/${d.id}`).then(() => true)).then((r) => { if (r) onChange(); });
  };
  return (
    <section className="card" aria-labelledby={`dom-${d.id}`}>
      <div className="page-head">
        <h2 id={`dom-${d.id}`}>{d.domain} <Badge value={d.status} /></h2>
        <div className="actions"><button onClick={check} disabled={act.busy}>{act.busy ? 'Checking DNS…' : 'Check DNS now'}</button><button className="danger" onClick={remove} disabled={act.busy}>Delete</button></div>
      </div>
      <p className="hint">Last checked: {when(d.last_checked_at)}{d.status !== 'verified' ? ' — DNS changes can take up to a few hours to be visible.' : ''}</p>
      <ErrorBox error={act.error} />
      <div className="table-wrap"><table>
        <thead><tr><th>Purpose</th><th>Type</th><th>Name</th><th>Value</th><th>Status</th></tr></thead>
        <tbody>{d.dns_records.map((r) => {
          const c = d.checks?.[r.purpose as 'dkim' | 'spf' | 'dmarc'];
          return (
            <tr key={r.purpose + r.name}>
              <td>{r.purpose.toUpperCase()}<p className="hint">{r.note}</p></td><td>{r.type}</td>
              <td><code className="value">{r.name}</code> <CopyButton text={r.name} label="Copy name" what={`${r.purpose.toUpperCase()} record name`} /></td>
              <td><code className="value">{r.value}</code> <CopyButton text={r.value} label="Copy value" what={`${r.purpose.toUpperCase()} record value`} /></td>
              <td>{c ? <span className={c.ok ? 'ok' : 'verdict-undeliverable'}>{c.ok ? 'Found' : 'Not yet'}: {c.message}</span> : 'Not checked'}</td>
            </tr>
          );
        })}</tbody>
      </table></div>
    </section>
  );
}
