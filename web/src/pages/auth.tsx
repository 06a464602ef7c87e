// First-run owner setup and sign-in. Both post JSON (the API refuses form posts: login CSRF).
import { useState, type FormEvent } from 'react';
import { api, ApiError, type Me } from '../api';
import { ErrorBox, Field, useAction } from '../ui';

type Done = (me: Me) => void;

export function SetupPage({ onDone }: { onDone: Done }) {
  const [f, setF] = useState({ email: '', password: '', name: '', workspace_name: '', postal_address: '' });
  const { busy, error, run } = useAction();
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => onDone(await api.post<Me>('/setup', f)));
  };
  return (
    <main className="auth-page" id="main">
      <form className="card auth-card" onSubmit={submit} aria-labelledby="setup-title">
        <h1 id="setup-title">Welcome to Postlane</h1>
        <p className="hint">Create the owner account. You can invite your team afterwards.</p>
        <Field label="Email">{(id) => <input id={id} type="email" autoComplete="username" required value={f.email} onChange={set('email')} autoFocus />}</Field>
        <Field label="Password" hint="At least 10 characters.">{(id) => <input id={id} type="password" autoComplete="new-password" minLength={10} required value={f.password} onChange={set('password')} />}</Field>
        <Field label="Your name">{(id) => <input id={id} autoComplete="name" value={f.name} onChange={set('name')} />}</Field>
        <Field label="Organisation">{(id) => <input id={id} autoComplete="organization" value={f.workspace_name} onChange={set('workspace_name')} />}</Field>
        <Field label="Postal address" hint="Printed in every marketing email (the law in many countries requires it); you can add it later.">
          {(id) => <textarea id={id} rows={3} value={f.postal_address} onChange={set('postal_address')} />}
        </Field>
        <button type="submit" className="primary" disabled={busy}>{busy ? 'Creating…' : 'Create owner account'}</button>
        <ErrorBox error={error} />
      </form>
    </main>
  );
}

export function LoginPage({ onDone, notice }: { onDone: Done; notice?: string }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const { busy, error, run } = useAction();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      try {
        onDone(await api.post<Me>('/auth/login', { email, password }));
      } catch (err) {
        // A wrong password is a 401 — say so plainly rather than "your session has ended".
        if (err instanceof ApiError && err.status === 401) throw new Error('That email and password do not match. Check them and try again.');
        throw err;
      }
    });
  };
  return (
    <main className="auth-page" id="main">
      <form className="card auth-card" onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">Sign in to Postlane</h1>
        {notice && <p className="notice" role="status">{notice}</p>}
        <Field label="Email">{(id) => <input id={id} type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} autoFocus />}</Field>
        <Field label="Password">{(id) => <input id={id} type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />}</Field>
        <button type="submit" className="primary" disabled={busy}>{busy ? 'Signing in…' : 'Sign in'}</button>
        <ErrorBox error={error} />
      </form>
    </main>
  );
}
