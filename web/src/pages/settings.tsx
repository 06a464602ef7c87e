// Settings: workspace name, postal address and privacy options; members and roles; API keys
// (shown once); and the outgoing-mail route in use.
import { useEffect, useState, type FormEvent } from 'react';
import { api } from '../api';
import { Link } from '../router';
import { useSession } from '../session';
import { ErrorBox, Field, Loading, num, PageHead, useAction, useLoad } from '../ui';
import { SubNav } from '../widgets';
import { AccessSection, KeysSection } from './settings-access';

const SECTIONS: Array<[string, string]> = [
  ['/settings', 'Workspace'], ['/settings/users', 'Users and roles'], ['/settings/api-keys', 'API keys'], ['/settings/delivery', 'Sending route'],
];

export function Settings({ tab }: { tab?: string }) {
  return (
    <div>
      <PageHead title="Settings" />
      <SubNav label="Settings sections" items={SECTIONS} />
      {tab === 'users' ? <AccessSection /> : tab === 'api-keys' ? <KeysSection /> : tab === 'delivery' ? <DeliverySection /> : tab ? <p>There is no such section.</p> : <WorkspaceSection />}
    </div>
  );
}

interface Workspace { id: number; name: string; slug: string; postal_address: string | null; settings: Record<string, unknown> }

function WorkspaceSection() {
  const { refresh } = useSession();
  const ws = useLoad(() => api.get<Workspace>('/workspace'), []);
  const [name, setName] = useState('');
  const [address, setAddress] = useState('');
  const [fullIp, setFullIp] = useState(false);
  const save = useAction();
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    if (!ws.data) return;
    setName(ws.data.name); setAddress(ws.data.postal_address ?? ''); setFullIp(ws.data.settings.storeFullIp === true);
  }, [ws.data]);
  if (!ws.data) return ws.error ? <ErrorBox error={ws.error} /> : <Loading what="workspace settings" />;
  const submit = async (e: FormEvent) => {
    e.preventDefault(); setSaved(false);
    const r = await save.run(() => api.patch<Workspace>('/workspace', { name, postal_address: address.trim() || null, settings: { ...ws.data?.settings, storeFullIp: fullIp } }));
    if (r) { setSaved(true); void refresh(); }
  };
  return (
    <form className="card" onSubmit={(e) => void submit(e)} style={{ maxWidth: 720 }}>
      <h2>Workspace</h2>
      <Field label="Name">{(id) => <input id={id} required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />}</Field>
      <Field label="Postal address" hint="Printed in the footer of every marketing email; anti-spam laws (CAN-SPAM, and others) require a real address. Campaigns cannot be sent without it.">
        {(id) => <textarea id={id} rows={3} maxLength={1000} value={address} onChange={(e) => setAddress(e.target.value)} />}
      </Field>
      <h3>Tracking and privacy</h3>
      <label className="check"><input type="checkbox" checked={fullIp} onChange={(e) => setFullIp(e.target.checked)} />Store full IP addresses of opens and clicks</label>
      <p className="hint">Off (recommended): addresses are shortened before they are stored (203.0.113.45 is kept as 203.0.113.0), which is enough for rough location and keeps less personal data. Open and click tracking are chosen per campaign.</p>
      <p><button className="primary" disabled={save.busy}>Save changes</button></p>
      <ErrorBox error={save.error} />
      {saved && <p className="notice" role="status">Saved.</p>}
    </form>
  );
}

interface Delivery {
  route: { name: string; kind: 'smtp' | 'capture'; host: string | null; port: number | null; secure: boolean | null; authenticated: boolean };
  limits: { concurrency: number; rate_limit_per_second: number | null }; bounce_domain: string | null; unsubscribe_mailto: string | null; warnings: string[];
  dkim_domain: string | null; inbound_smtp_port: number;
}

function DeliverySection() {
  const d = useLoad(() => api.get<Delivery>('/settings/delivery'), []);
  if (!d.data) return d.error ? <ErrorBox error={d.error} /> : <Loading what="the sending route" />;
  const { route, limits } = d.data;
  return (
    <section className="card" style={{ maxWidth: 720 }}>
      <h2>Where email goes</h2>
      {route.kind === 'capture'
        ? <p className="warn">Test mode: messages are <strong>captured</strong>, not sent. You can read them in the <Link to="/outbox">Outbox</Link>. To send for real, the server administrator sets POSTLANE_SMTP_URL and restarts Postlane.</p>
        : <p className="ok">Messages are sent through an SMTP relay.</p>}
      <dl className="kv">
        <dt>Route</dt><dd>{route.kind === 'smtp' ? 'SMTP relay' : 'Capture (outbox)'}</dd>
        {route.kind === 'smtp' && <><dt>Relay</dt><dd>{route.host}:{route.port} {route.secure ? '(TLS)' : '(STARTTLS when offered)'}</dd><dt>Sign-in</dt><dd>{route.authenticated ? 'With a user name and password (not shown)' : 'None'}</dd></>}
        <dt>Messages in flight at once</dt><dd>{num(limits.concurrency)}</dd>
        <dt>Speed limit</dt><dd>{limits.rate_limit_per_second ? `${num(limits.rate_limit_per_second)} per second` : 'None for the route (each campaign can set its own)'}</dd>
        <dt>Bounce domain</dt><dd>{d.data.bounce_domain ?? 'Not set — bounces are matched from webhooks and the inbound mailbox'}</dd>
        <dt>Unsubscribe by email</dt><dd>{d.data.unsubscribe_mailto ?? 'Off — without a bounce domain, messages offer only the one-click unsubscribe link'}</dd>
        <dt>Default DKIM domain</dt><dd>{d.data.dkim_domain ?? 'Not set — add sending domains under Deliverability'}</dd>
      </dl>
      {d.data.warnings.length > 0 && <ul className="warnings">{d.data.warnings.map((w) => <li key={w} className="warn">{w}</li>)}</ul>}
      <p className="hint">These come from the server configuration; change them in the environment or config file, not here.</p>
    </section>
  );
}
