// The campaign wizard: audience → content (with live preview) → sender → schedule → review with
// pre-send warnings. The draft is saved on the server at review; sending starts from there.
import { useEffect, useState } from 'react';
import { allLists, api, type Segment } from '../api';
import { Link, navigate, useLocation } from '../router';
import { useSession } from '../session';
import { ErrorBox, Field, Loading, num, PageHead, useAction, useLoad } from '../ui';
import type { Campaign } from './campaign-types';
import { PreviewFrame } from './preview-frame';

type Format = 'html' | 'mjml' | 'text';
interface Draft {
  name: string; subject: string; from_email: string; from_name: string; reply_to: string; format: Format; body: string; text: string;
  list_ids: number[]; segment_ids: number[]; send_at: string; track_opens: boolean; track_clicks: boolean;
}
const STEPS = ['Audience', 'Content', 'Sender', 'Schedule', 'Review'];
const STARTER = `<h1>Hello {{ contact.first_name | default: "there" }}</h1>
<p>Write your message here. Liquid tags like {{ contact.email }} personalise it.</p>
<p><a href="https://example.com/">Read more</a></p>`;

function fromCampaign(c: Campaign): Draft {
  const format: Format = c.mjml ? 'mjml' : c.html ? 'html' : 'text';
  return {
    name: c.name, subject: c.subject, from_email: c.from_email, from_name: c.from_name ?? '', reply_to: c.reply_to ?? '', format,
    body: c.mjml ?? c.html ?? c.text ?? '', text: format === 'text' ? '' : c.text ?? '', list_ids: c.list_ids, segment_ids: c.segment_ids,
    send_at: c.send_at ? c.send_at.slice(0, 16) : '', track_opens: c.track_opens, track_clicks: c.track_clicks,
  };
}

function toBody(d: Draft) {
  return {
    name: d.name, subject: d.subject, from_email: d.from_email, from_name: d.from_name || null, reply_to: d.reply_to || null,
    html: d.format === 'html' ? d.body : null, mjml: d.format === 'mjml' ? d.body : null,
    text: d.format === 'text' ? d.body : d.text || null,
    list_ids: d.list_ids, segment_ids: d.segment_ids, send_at: d.send_at ? new Date(d.send_at).toISOString() : null,
    track_opens: d.track_opens, track_clicks: d.track_clicks,
  };
}

export function CampaignWizard({ id }: { id?: string }) {
  const { me } = useSession();
  const { query } = useLocation();
  const existing = useLoad(() => (id ? api.get<Campaign>(`/campaigns/${id}`) : Promise.resolve(null)), [id]);
  const [d, setD] = useState<Draft | null>(id ? null : {
    name: '', subject: '', from_email: me.user?.email ?? '', from_name: me.workspace.name, reply_to: '', format: 'html', body: STARTER, text: '',
    list_ids: query.get('list_id') ? [Number(query.get('list_id'))] : [], segment_ids: query.get('segment_id') ? [Number(query.get('segment_id'))] : [],
    send_at: '', track_opens: true, track_clicks: true,
  });
  const [step, setStep] = useState(0);
  useEffect(() => { if (existing.data) setD(fromCampaign(existing.data)); }, [existing.data]);
  if (existing.error) return <ErrorBox error={existing.error} />;
  if (!d) return <Loading what="campaign" />;
  const set = (patch: Partial<Draft>) => setD({ ...d, ...patch });
  const stepOk = [d.list_ids.length + d.segment_ids.length > 0, !!(d.name.trim() && d.subject.trim() && d.body.trim()), /.+@.+\..+/.test(d.from_email), true, true];
  return (
    <div>
      <PageHead title={id ? `Edit: ${d.name}` : 'New campaign'} />
      <ol className="steps" aria-label="Steps">{STEPS.map((s, i) => (
        <li key={s} aria-current={i === step ? 'step' : undefined}><button className="link-button" style={{ color: 'inherit', textDecoration: 'none' }} onClick={() => setStep(i)}>{i + 1}. {s}</button></li>
      ))}</ol>
      {step === 0 && <AudienceStep d={d} set={set} />}
      {step === 1 && <ContentStep d={d} set={set} />}
      {step === 2 && <SenderStep d={d} set={set} />}
      {step === 3 && <ScheduleStep d={d} set={set} />}
      {step === 4 && <ReviewStep d={d} id={id} />}
      <div className="actions" style={{ marginTop: '1rem' }}>
        {step > 0 && <button onClick={() => setStep(step - 1)}>Back</button>}
        {step < 4 && <button className="primary" disabled={!stepOk[step]} onClick={() => setStep(step + 1)}>Next: {STEPS[step + 1]}</button>}
        {step < 4 && !stepOk[step] && <span className="hint">{['Choose at least one list or segment.', 'Give the campaign a name, a subject and content.', 'Enter a valid sender address.', '', ''][step]}</span>}
      </div>
    </div>
  );
}

type StepProps = { d: Draft; set: (p: Partial<Draft>) => void };

function AudienceStep({ d, set }: StepProps) {
  const lists = useLoad(allLists, []);
  const segs = useLoad(() => api.get<{ segments: Segment[] }>('/segments'), []);
  const toggle = (arr: number[], v: number) => (arr.includes(v) ? arr.filter((x) => x !== v) : [...arr, v]);
  return (
    <section className="card grid2" aria-label="Audience">
      <fieldset><legend><strong>Lists</strong></legend>
        {lists.data?.length === 0 && <p className="hint">No lists yet. <Link to="/lists">Create one</Link>.</p>}
        {lists.data?.map((l) => <label key={l.id} className="check"><input type="checkbox" checked={d.list_ids.includes(l.id)} onChange={() => set({ list_ids: toggle(d.list_ids, l.id) })} />{l.name}</label>)}
      </fieldset>
      <fieldset><legend><strong>Segments</strong></legend>
        {segs.data?.segments.length === 0 && <p className="hint">No segments yet. <Link to="/segments/new">Build one</Link>.</p>}
        {segs.data?.segments.map((s) => <label key={s.id} className="check"><input type="checkbox" checked={d.segment_ids.includes(s.id)} onChange={() => set({ segment_ids: toggle(d.segment_ids, s.id) })} />{s.name}</label>)}
      </fieldset>
      <p className="hint">A contact in several lists or segments gets one email. Unsubscribed, bounced and suppressed addresses are always left out.</p>
    </section>
  );
}

function ContentStep({ d, set }: StepProps) {
  const [contactId, setContactId] = useState('');
  const [rendered, setRendered] = useState<{ subject: string; html: string; text: string } | null>(null);
  const [err, setErr] = useState<unknown>(null);
  useEffect(() => {
    const t = setTimeout(() => {
      api.post<{ subject: string; html: string; text: string }>('/templates/preview', {
        subject: d.subject || '(no subject)', html: d.format === 'html' ? d.body : null, mjml: d.format === 'mjml' ? d.body : null,
        text: d.format === 'text' ? d.body : d.text || null, contact_id: contactId ? Number(contactId) : null,
      }).then((r) => { setRendered(r); setErr(null); }, setErr);
    }, 400);
    return () => clearTimeout(t);
  }, [d.subject, d.body, d.text, d.format, contactId]);
  return (
    <div className="split">
      <section className="card" aria-label="Content">
        <Field label="Campaign name" hint="Only your team sees this.">{(id) => <input id={id} value={d.name} onChange={(e) => set({ name: e.target.value })} required />}</Field>
        <Field label="Subject line">{(id) => <input id={id} value={d.subject} onChange={(e) => set({ subject: e.target.value })} required />}</Field>
        <Field label="Format">{(id) => (
          <select id={id} value={d.format} onChange={(e) => set({ format: e.target.value as Format })}>
            <option value="html">HTML</option><option value="mjml">MJML (responsive email markup)</option><option value="text">Plain text only</option>
          </select>)}</Field>
        <Field label={d.format === 'text' ? 'Message' : `${d.format.toUpperCase()} content`} hint="Liquid: {{ contact.first_name }}, {{ contact.attributes.plan }}; the unsubscribe link and your postal address are added automatically.">
          {(id) => <textarea id={id} className="code" spellCheck={false} value={d.body} onChange={(e) => set({ body: e.target.value })} />}
        </Field>
        {d.format !== 'text' && <Field label="Plain-text version (optional)" hint="Generated from the HTML when empty.">{(id) => <textarea id={id} rows={4} value={d.text} onChange={(e) => set({ text: e.target.value })} />}</Field>}
      </section>
      <section className="card" aria-label="Preview">
        <div className="inline"><Field label="Preview for contact id" hint="Empty: sample data.">{(id) => <input id={id} inputMode="numeric" value={contactId} onChange={(e) => setContactId(e.target.value.replace(/\D/g, ''))} />}</Field></div>
        <ErrorBox error={err} />
        {rendered && <>
          <p><strong>Subject:</strong> {rendered.subject}</p>
          {d.format === 'text' ? <pre className="json">{rendered.text}</pre> : <PreviewFrame html={rendered.html} title="Email preview" />}
        </>}
      </section>
    </div>
  );
}

function SenderStep({ d, set }: StepProps) {
  return (
    <section className="card" style={{ maxWidth: 640 }} aria-label="Sender">
      <Field label="From address" hint="Use an address on a sending domain you have verified, or mail may land in spam.">{(id) => <input id={id} type="email" value={d.from_email} onChange={(e) => set({ from_email: e.target.value })} required />}</Field>
      <Field label="From name">{(id) => <input id={id} value={d.from_name} onChange={(e) => set({ from_name: e.target.value })} />}</Field>
      <Field label="Reply-to address (optional)">{(id) => <input id={id} type="email" value={d.reply_to} onChange={(e) => set({ reply_to: e.target.value })} />}</Field>
      <label className="check"><input type="checkbox" checked={d.track_opens} onChange={(e) => set({ track_opens: e.target.checked })} />Track opens</label>
      <label className="check"><input type="checkbox" checked={d.track_clicks} onChange={(e) => set({ track_clicks: e.target.checked })} />Track link clicks</label>
    </section>
  );
}

function ScheduleStep({ d, set }: StepProps) {
  return (
    <section className="card" style={{ maxWidth: 640 }} aria-label="Schedule">
      <fieldset><legend><strong>When should it go out?</strong></legend>
        <label className="check"><input type="radio" name="when" checked={!d.send_at} onChange={() => set({ send_at: '' })} />As soon as I press Send</label>
        <label className="check"><input type="radio" name="when" checked={!!d.send_at} onChange={() => set({ send_at: new Date(Date.now() + 3600_000).toISOString().slice(0, 16) })} />At a set time</label>
      </fieldset>
      {d.send_at && <Field label="Send at (your local time)">{(id) => <input id={id} type="datetime-local" value={d.send_at} onChange={(e) => set({ send_at: e.target.value })} />}</Field>}
    </section>
  );
}

function ReviewStep({ d, id }: { d: Draft; id?: string }) {
  const ws = useLoad(() => api.get<{ postal_address: string | null }>('/workspace'), []);
  const domains = useLoad(() => api.get<{ data: Array<{ domain: string; status: string }> }>('/domains').catch(() => ({ data: [] })), []);
  const lists = useLoad(allLists, []);
  const segs = useLoad(() => api.get<{ segments: Segment[] }>('/segments'), []);
  const preflight = useLoad(() => api.get<{ warnings: string[] }>('/campaigns/preflight').catch(() => ({ warnings: [] })), []);
  const [address, setAddress] = useState('');
  const { busy, error, run } = useAction();
  const audience = [
    ...(lists.data ?? []).filter((l) => d.list_ids.includes(l.id)).map((l) => `list “${l.name}”`),
    ...(segs.data?.segments ?? []).filter((s) => d.segment_ids.includes(s.id)).map((s) => `segment “${s.name}”`),
  ];
  const fromDomain = d.from_email.split('@')[1]?.toLowerCase() ?? '';
  const domain = domains.data?.data.find((x) => x.domain.toLowerCase() === fromDomain);
  const warnings: string[] = [];
  if (ws.data && !ws.data.postal_address) warnings.push('Your postal address is missing. The law requires it in marketing email, and Postlane will not send without it.');
  if (domains.data && (!domain || domain.status !== 'verified')) warnings.push(`The sending domain ${fromDomain || '(none)'} is not verified here, so receivers may reject or spam-folder this campaign.`);
  if (!/https?:\/\//.test(d.body) && d.track_clicks) warnings.push('The content has no links, so click tracking will show nothing.');
  if (d.send_at && new Date(d.send_at).getTime() < Date.now()) warnings.push('The scheduled time is in the past: it will go out as soon as you confirm.');
  warnings.push(...(preflight.data?.warnings ?? []));
  const persist = async () => (id ? api.patch<Campaign>(`/campaigns/${id}`, toBody(d)) : api.post<Campaign>('/campaigns', toBody(d)));
  return (
    <section className="card" aria-labelledby="rev-h">
      <h2 id="rev-h">Review</h2>
      <dl className="kv">
        <dt>Name</dt><dd>{d.name}</dd><dt>Subject</dt><dd>{d.subject}</dd>
        <dt>From</dt><dd>{d.from_name ? `${d.from_name} <${d.from_email}>` : d.from_email}</dd>
        <dt>Audience</dt><dd>{audience.length ? audience.join(', ') : `${num(d.list_ids.length)} list(s), ${num(d.segment_ids.length)} segment(s)`}</dd>
        <dt>When</dt><dd>{d.send_at ? new Date(d.send_at).toLocaleString() : 'Immediately'}</dd>
        <dt>Tracking</dt><dd>{[d.track_opens && 'opens', d.track_clicks && 'clicks'].filter(Boolean).join(' and ') || 'off'}</dd>
      </dl>
      <h3>Before you send</h3>
      {warnings.length === 0 ? <p className="ok">No problems found.</p> : <ul className="warnings">{warnings.map((w) => <li key={w} className="warn">{w}</li>)}</ul>}
      {ws.data && !ws.data.postal_address && (
        <form className="inline" onSubmit={(e) => { e.preventDefault(); void run(async () => { await api.patch('/workspace', { postal_address: address }); ws.reload(); }); }}>
          <Field label="Postal address">{(fid) => <input id={fid} value={address} onChange={(e) => setAddress(e.target.value)} required />}</Field>
          <button disabled={busy}>Save address</button>
        </form>
      )}
      <div className="actions" style={{ marginTop: '1rem' }}>
        <button onClick={() => void run(async () => { const c = await persist(); navigate(`/campaigns/${c.id}`); })} disabled={busy}>Save as draft</button>
        <button className="primary" onClick={() => void run(async () => {
          const c = await persist();
          await api.post(`/campaigns/${c.id}/send`);
          navigate(`/campaigns/${c.id}`);
        })} disabled={busy}>{d.send_at ? 'Schedule campaign' : 'Send now'}</button>
      </div>
      <ErrorBox error={error} />
    </section>
  );
}
