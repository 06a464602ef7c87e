// Verification: one address with its verdict explained in words, and bulk jobs (CSV or pasted
// list) with progress polling and a CSV download of the results.
import { useState, type FormEvent } from 'react';
import { api, request } from '../api';
import { ErrorBox, Field, num, pct, useAction, useLoad } from '../ui';

interface VerifyResult {
  email: string; verdict: 'deliverable' | 'risky' | 'undeliverable' | 'unknown'; score: number; reasons: string[]; normalized: string | null;
  syntax: { valid: boolean; diagnosis: string }; domain: string | null; mx: string[] | null; disposable: boolean | null; role: boolean | null; free: boolean | null; suggestion: string | null;
  smtp: { status: string; catch_all: boolean | null; host: string | null; code: number | null; message: string | null } | null;
}
interface Job { id: number; status: string; progress: { processed: number; total: number; verdicts: Record<string, number> }; error: string | null; created_at: string; finished_at: string | null }

const VERDICT_TEXT: Record<string, string> = {
  deliverable: 'Safe to email: nothing suggests this address will bounce.',
  risky: 'Email with care: the address may work, but something about it raises the risk of bounces or complaints.',
  undeliverable: 'Do not email: messages to this address will bounce.',
  unknown: 'Could not be decided right now (for example the mail server did not answer). Try again later.',
};
const REASON_TEXT: Record<string, string> = {
  possible_typo: 'The domain looks like a typo', disposable: 'A throw-away (disposable) mailbox provider', role_account: 'A role address (info@, sales@…) read by several people',
  free_provider: 'A free mailbox provider (not a problem by itself)', unknown_tld: 'The ending of the domain is not a real top-level domain',
  gibberish_local_part: 'The part before @ looks randomly typed', catch_all: 'The domain accepts every address, so this one cannot be confirmed',
  mailbox_full: 'The mailbox is full', mailbox_not_found: 'The mail server says this mailbox does not exist', mailbox_disabled: 'The mailbox is disabled',
  domain_not_found: 'The domain does not exist', no_mail_host: 'The domain has no mail server', null_mx: 'The domain declares that it receives no email',
  no_mx_uses_a_record: 'No MX record; mail would go to the domain’s web address', smtp_rejected: 'The mail server refused the address',
  hard_bounced: 'An earlier message to this address bounced', hard_bounce: 'An earlier message to this address bounced', delivered_before: 'An earlier message was delivered',
};

export function VerifySection() {
  return <div className="grid2"><SingleCheck /><BulkJob /></div>;
}

function SingleCheck() {
  const [email, setEmail] = useState('');
  const [smtp, setSmtp] = useState(false);
  const act = useAction();
  const [result, setResult] = useState<VerifyResult | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const r = await act.run(() => api.post<VerifyResult>('/verify', { email, checks: smtp ? ['syntax', 'dns', 'smtp'] : ['syntax', 'dns'] }));
    if (r) setResult(r);
  };
  return (
    <section className="card" aria-labelledby="v1-h">
      <h2 id="v1-h">Check one address</h2>
      <form onSubmit={(e) => void submit(e)}>
        <Field label="Email address">{(id) => <input id={id} required value={email} onChange={(e) => setEmail(e.target.value)} />}</Field>
        <label className="check"><input type="checkbox" checked={smtp} onChange={(e) => setSmtp(e.target.checked)} />Also ask the mail server (slower)</label>
        <p><button className="primary" disabled={act.busy}>{act.busy ? 'Checking…' : 'Check'}</button></p>
      </form>
      <ErrorBox error={act.error} />
      {result && (
        <div role="status" aria-live="polite">
          <h3 className={`verdict-${result.verdict}`}>{result.verdict[0]?.toUpperCase() + result.verdict.slice(1)} — risk {result.score} of 100</h3>
          <p>{VERDICT_TEXT[result.verdict]}</p>
          {!result.syntax.valid && <p>The address is not well formed: {result.syntax.diagnosis.replace(/_/g, ' ')}.</p>}
          {result.suggestion && <p>Did you mean <strong>{result.suggestion}</strong>?</p>}
          {result.reasons.length > 0 && <ul>{result.reasons.map((r) => <li key={r}>{REASON_TEXT[r] ?? r.replace(/_/g, ' ')}</li>)}</ul>}
          <dl className="kv">
            <dt>Domain</dt><dd>{result.domain ?? '—'}</dd>
            <dt>Mail servers</dt><dd>{result.mx?.length ? result.mx.join(', ') : '—'}</dd>
            {result.smtp && <><dt>Mail server answer</dt><dd>{result.smtp.status.replace(/_/g, ' ')}{result.smtp.code ? ` (${result.smtp.code}${result.smtp.message ? `: ${result.smtp.message}` : ''})` : ''}</dd></>}
          </dl>
        </div>
      )}
    </section>
  );
}

function BulkJob() {
  const [file, setFile] = useState<File | null>(null);
  const [pasted, setPasted] = useState('');
  const act = useAction();
  const [jobId, setJobId] = useState<number | null>(null);
  const job = useLoad(() => (jobId ? api.get<Job>(`/verify/jobs/${jobId}`) : Promise.resolve(null)), [jobId], jobId ? 1500 : null);
  const running = job.data && (job.data.status === 'queued' || job.data.status === 'running');

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const started = await act.run(() => (file
      ? request<Job>('POST', '/verify/jobs', { raw: file, contentType: 'text/csv' })
      : api.post<Job>('/verify/jobs', { emails: pasted.split(/[\s,;]+/).filter(Boolean) })));
    if (started) setJobId(started.id);
  };
  const p = job.data?.progress;
  return (
    <section className="card" aria-labelledby="vb-h">
      <h2 id="vb-h">Check a whole list</h2>
      <form onSubmit={(e) => void submit(e)}>
        <Field label="CSV file" hint='A column named "email", or the first column.'>{(id) => <input id={id} type="file" accept=".csv,text/csv,text/plain" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />}</Field>
        {!file && <Field label="…or paste addresses" hint="One per line.">{(id) => <textarea id={id} rows={4} value={pasted} onChange={(e) => setPasted(e.target.value)} />}</Field>}
        <p><button className="primary" disabled={act.busy || (!file && !pasted.trim())}>Start checking</button></p>
      </form>
      <ErrorBox error={act.error} />
      {job.data && p && (
        <div role="status" aria-live="polite">
          <p>Job #{job.data.id}: <strong>{job.data.status}</strong> — {num(p.processed)} of {num(p.total)} checked ({pct(p.processed, p.total)})</p>
          <progress className="wide" max={p.total || 1} value={p.processed} aria-label="Verification progress" />
          <ul className="plain">{Object.entries(p.verdicts).map(([v, n]) => <li key={v}><span className={`verdict-${v}`}>{v}</span> {num(n)} ({pct(n, p.processed)})</li>)}</ul>
          {job.data.error && <p className="error">{job.data.error}</p>}
          {!running && job.data.status !== 'failed' && <p><a className="button" href={`/api/v1/verify/jobs/${job.data.id}/results?format=csv`} download>Download results (CSV)</a></p>}
        </div>
      )}
      <ErrorBox error={job.error} />
    </section>
  );
}
