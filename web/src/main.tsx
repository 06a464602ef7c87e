// The admin SPA: boot (setup needed? signed in?), the signed-in layout, and the route table.
import { StrictMode, useCallback, useEffect, useState, type ReactNode } from 'react';
import { createRoot } from 'react-dom/client';
import { api, setCsrfToken, setUnauthorizedHandler, type Me } from './api';
import { Link, match, navigate, useLocation } from './router';
import { SessionContext, type Session } from './session';
import { ErrorBox, Loading } from './ui';
import { LoginPage, SetupPage } from './pages/auth';
import { routes } from './routes';
import './styles.css';

type Boot = { state: 'loading' } | { state: 'setup' } | { state: 'login'; notice?: string } | { state: 'in'; me: Me } | { state: 'error'; error: unknown };

function App() {
  const [boot, setBoot] = useState<Boot>({ state: 'loading' });
  const loc = useLocation();

  const load = useCallback(async () => {
    try {
      const setup = await api.get<{ needed: boolean }>('/setup');
      if (setup.needed) { setBoot({ state: 'setup' }); return; }
      const me = await api.get<Me>('/auth/me').catch(() => null);
      if (!me) { setBoot({ state: 'login' }); return; }
      setCsrfToken(me.csrf_token);
      setBoot({ state: 'in', me });
    } catch (error) {
      setBoot({ state: 'error', error });
    }
  }, []);

  useEffect(() => {
    setUnauthorizedHandler(() => setBoot((b) => (b.state === 'in' ? { state: 'login', notice: 'Your session has ended. Please sign in again.' } : b)));
    void load();
  }, [load]);

  // Keep the address bar honest about which screen is shown.
  useEffect(() => {
    if (boot.state === 'setup' && loc.path !== '/setup') navigate('/setup', { replace: true });
    if (boot.state === 'login' && loc.path !== '/login') navigate('/login', { replace: true });
    if (boot.state === 'in' && (loc.path === '/login' || loc.path === '/setup')) navigate('/', { replace: true });
  }, [boot.state, loc.path]);

  const signedIn = (me: Me) => { setCsrfToken(me.csrf_token); setBoot({ state: 'in', me }); navigate('/', { replace: true }); };

  if (boot.state === 'loading') return <Loading what="Postlane" />;
  if (boot.state === 'error') return <main className="auth-page"><div className="card auth-card"><h1>Postlane is not reachable</h1><ErrorBox error={boot.error} /><button onClick={() => void load()}>Try again</button></div></main>;
  if (boot.state === 'setup') return <SetupPage onDone={signedIn} />;
  if (boot.state === 'login') return <LoginPage onDone={signedIn} notice={boot.notice} />;

  const session: Session = {
    me: boot.me,
    refresh: load,
    signOut: async () => {
      await api.post('/auth/logout').catch(() => undefined);
      setCsrfToken(null);
      setBoot({ state: 'login', notice: 'You have signed out.' });
    },
  };
  return <SessionContext.Provider value={session}><Layout me={boot.me} onSignOut={session.signOut}><Routed path={loc.path} /></Layout></SessionContext.Provider>;
}

function Routed({ path }: { path: string }) {
  for (const r of routes) {
    const params = match(r.path, path);
    if (params) return <r.page {...params} key={path} />;
  }
  return <div><h1>Page not found</h1><p>There is nothing at this address. <Link to="/">Go to the dashboard</Link>.</p></div>;
}

const NAV: Array<[string, string]> = [
  ['/', 'Dashboard'], ['/contacts', 'Contacts'], ['/lists', 'Lists'], ['/imports/new', 'Import'], ['/segments', 'Segments'],
  ['/campaigns', 'Campaigns'], ['/outbox', 'Outbox'],
  ['/templates', 'Templates'], ['/deliverability', 'Deliverability'], ['/settings', 'Settings'],
];

function Layout({ me, onSignOut, children }: { me: Me; onSignOut: () => Promise<void>; children: ReactNode }) {
  const { path } = useLocation();
  const [open, setOpen] = useState(false);
  const active = (to: string) => (to === '/' ? path === '/' : path === to || path.startsWith(`${to}/`));
  useEffect(() => setOpen(false), [path]);
  return (
    <div className="shell">
      <a className="skip" href="#main">Skip to content</a>
      <header className="topbar">
        <Link to="/" className="brand">Postlane</Link>
        <span className="workspace" title="Workspace">{me.workspace.name}</span>
        <button className="menu-toggle" aria-expanded={open} aria-controls="nav" onClick={() => setOpen(!open)}>Menu</button>
        <span className="who">{me.user?.email ?? 'API key'} · {me.role}</span>
        <button className="link-button" onClick={() => void onSignOut()}>Sign out</button>
      </header>
      <nav id="nav" className={open ? 'nav open' : 'nav'} aria-label="Main">
        <ul>{NAV.map(([to, label]) => <li key={to}><Link to={to} aria-current={active(to) ? 'page' : undefined}>{label}</Link></li>)}</ul>
      </nav>
      <main id="main" tabIndex={-1}>{children}</main>
    </div>
  );
}

createRoot(document.getElementById('root') as HTMLElement).render(<StrictMode><App /></StrictMode>);
