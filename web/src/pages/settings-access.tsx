// Settings → users and roles, and API keys (the secret is shown once, with a copy button).
import { useState, type FormEvent } from 'react';
import { api } from '../api';
import { useSession } from '../session';
import { Badge, Empty, ErrorBox, Field, Loading, useAction, useLoad, when } from '../ui';
import { CopyButton } from '../widgets';

const ROLES: Array<[string, string]> = [
  ['owner', 'Owner — everything, including other owners'], ['admin', 'Admin — everything but owners'], ['marketer', 'Marketer — audiences, content and sending'],
  ['analyst', 'Analyst — reads everything, exports'], ['viewer', 'Viewer — reads campaigns and reports'],
];
const RoleSelect = ({ id, value, onChange, label }: { id?: string; value: string; onChange: (v: string) => void; label?: string }) => (
  <select id={id} value={value} aria-label={label} onChange={(e) => onChange(e.target.value)}>{ROLES.map(([r, l]) => <option key={r} value={r}>{l}</option>)}</select>
);

interface Member { id: number; email: string; name: string | null; role: string; created_at: string; last_login_at: string | null; last_seen_at: string | null }

export function AccessSection() {
  const { me } = useSession();
  const members = useLoad(() => api.get<{ items: Member[] }>('/users'), []);
  const add = useAction();
  const row = useAction();
  const [f, setF] = useState({ email: '', name: '', role: 'marketer' });
  const [added, setAdded] = useState<{ email: string; password: string | null; created: boolean } | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const r = await add.run(() => api.post<{ user: Member; created: boolean; initial_password: string | null }>('/users', { email: f.email, role: f.role, name: f.name || undefined }));
    if (r) { setAdded({ email: r.user.email, password: r.initial_password, created: r.created }); setF({ email: '', name: '', role: f.role }); members.reload(); }
  };
  const change = (m: Member, role: string) => void row.run(() => api.patch(`/users/${m.id}`, { role })).then(members.reload);
  const remove = (m: Member) => { if (confirm(`Remove ${m.email} from this workspace? They can no longer sign in to it.`)) void row.run(() => api.del(`/users/${m.id}`)).then(members.reload); };
  return (
    <div>
      <form className="card" onSubmit={(e) => void submit(e)} aria-labelledby="add-user-h">
        <h2 id="add-user-h">Add a person</h2>
        <div className="inline">
          <Field label="Email">{(id) => <input id={id} type="email" required value={f.email} onChange={(e) => setF({ ...f, email: e.target.value })} />}</Field>
          <Field label="Name (optional)">{(id) => <input id={id} value={f.name} onChange={(e) => setF({ ...f, name: e.target.value })} />}</Field>
          <Field label="Role">{(id) => <RoleSelect id={id} value={f.role} onChange={(role) => setF({ ...f, role })} />}</Field>
          <button className="primary" disabled={add.busy}>Add</button>
        </div>
        <ErrorBox error={add.error} />
        {added && (
          <div className="notice" role="status">
            {added.password
              ? <><p>{added.email} can now sign in with this initial password. It is shown only once — pass it on securely; they should change it after signing in.</p><p><span className="secret">{added.password}</span> <CopyButton text={added.password} /></p></>
              : <p>{added.email} {added.created ? 'was added.' : 'already had an account and joined this workspace.'}</p>}
          </div>
        )}
      </form>
      <ErrorBox error={row.error} />
      {!members.data ? (members.error ? <ErrorBox error={members.error} /> : <Loading what="members" />) : (
        <div className="table-wrap"><table>
          <thead><tr><th>Person</th><th>Role</th><th>Last sign-in</th><th>Last active</th><th><span className="sr-only">Actions</span></th></tr></thead>
          <tbody>{members.data.items.map((m) => (
            <tr key={m.id}><td>{m.name ? <>{m.name}<br /></> : null}{m.email}{m.id === me.user?.id ? ' (you)' : ''}</td>
              <td><RoleSelect value={m.role} label={`Role of ${m.email}`} onChange={(r) => change(m, r)} /></td>
              <td>{when(m.last_login_at)}</td>
              <td>{m.last_seen_at ? when(m.last_seen_at) : 'No open session'}</td>
              <td><button className="small danger" disabled={row.busy} onClick={() => remove(m)} aria-label={`Remove ${m.email}`}>Remove</button></td></tr>
          ))}</tbody>
        </table></div>
      )}
    </div>
  );
}

interface ApiKey { id: number; name: string; role: string; prefix: string; created_at: string; last_used_at: string | null; revoked_at: string | null }

export function KeysSection() {
  const [showRevoked, setShowRevoked] = useState(false);
  const keys = useLoad(() => api.get<{ items: ApiKey[] }>('/api-keys', { include_revoked: showRevoked || undefined }), [showRevoked]);
  const create = useAction();
  const row = useAction();
  const [f, setF] = useState({ name: '', role: 'marketer' });
  const [secret, setSecret] = useState<{ name: string; key: string } | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const r = await create.run(() => api.post<ApiKey & { key: string }>('/api-keys', f));
    if (r) { setSecret({ name: r.name, key: r.key }); setF({ ...f, name: '' }); keys.reload(); }
  };
  const revoke = (k: ApiKey) => { if (confirm(`Revoke "${k.name}"? Anything using it stops working at once.`)) void row.run(() => api.del(`/api-keys/${k.id}`)).then(keys.reload); };
  return (
    <div>
      <p className="lead">API keys let other systems (your website, a CRM) use Postlane. Give each one the lowest role it needs.</p>
      <form className="card" onSubmit={(e) => void submit(e)} aria-labelledby="key-h">
        <h2 id="key-h">Create an API key</h2>
        <div className="inline">
          <Field label="What is it for?">{(id) => <input id={id} required maxLength={200} placeholder="Website signup form" value={f.name} onChange={(e) => setF({ ...f, name: e.target.value })} />}</Field>
          <Field label="Role">{(id) => <RoleSelect id={id} value={f.role} onChange={(role) => setF({ ...f, role })} />}</Field>
          <button className="primary" disabled={create.busy}>Create key</button>
        </div>
        <ErrorBox error={create.error} />
      </form>
      {secret && (
        <section className="card" role="alert" aria-labelledby="secret-h" style={{ borderColor: 'var(--accent)' }}>
          <h2 id="secret-h">Copy the key for “{secret.name}” now</h2>
          <p><strong>This is the only time it is shown.</strong> Postlane stores only a fingerprint of it; if you lose it, revoke it and create another.</p>
          <p><span className="secret">{secret.key}</span> <CopyButton text={secret.key} label="Copy key" /></p>
          <button onClick={() => setSecret(null)}>I have stored it safely</button>
        </section>
      )}
      <label className="check"><input type="checkbox" checked={showRevoked} onChange={(e) => setShowRevoked(e.target.checked)} />Show revoked keys</label>
      <ErrorBox error={row.error} />
      {!keys.data ? (keys.error ? <ErrorBox error={keys.error} /> : <Loading what="API keys" />) : keys.data.items.length === 0 ? (
        <Empty title="No API key yet.">Create one above when another system needs access.</Empty>
      ) : (
        <div className="table-wrap"><table>
          <thead><tr><th>Name</th><th>Starts with</th><th>Role</th><th>Created</th><th>Last used</th><th><span className="sr-only">Actions</span></th></tr></thead>
          <tbody>{keys.data.items.map((k) => (
            <tr key={k.id}><td>{k.name}</td><td><code className="value">{k.prefix}…</code></td><td>{k.role}</td><td>{when(k.created_at)}</td><td>{k.last_used_at ? when(k.last_used_at) : 'Never'}</td>
              <td>{k.revoked_at ? <Badge value="revoked" /> : <button className="small danger" disabled={row.busy} onClick={() => revoke(k)} aria-label={`Revoke ${k.name}`}>Revoke</button>}</td></tr>
          ))}</tbody>
        </table></div>
      )}
    </div>
  );
}
