// Shared building blocks: formatted numbers and dates, form fields with labels, error and empty
// states, a data hook that loads from the API and reports errors in words.
import { useCallback, useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { ApiError } from './api';

const nf = new Intl.NumberFormat();
export const num = (n: number | null | undefined): string => (n === null || n === undefined ? '—' : nf.format(n));
export const pct = (part: number, whole: number): string => (whole > 0 ? `${(Math.round((1000 * part) / whole) / 10).toFixed(1)}%` : '—');
export function when(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export const errorText = (err: unknown): string => (err instanceof ApiError ? err.message : err instanceof Error ? err.message : String(err));

export function ErrorBox({ error }: { error: unknown }) {
  if (!error) return null;
  return <p className="error" role="alert">{errorText(error)}</p>;
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return <div className="empty"><p className="empty-title">{title}</p>{children}</div>;
}

export function Field({ label, hint, children }: { label: string; hint?: string; children: (id: string) => ReactNode }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children(id)}
      {hint && <p className="hint">{hint}</p>}
    </div>
  );
}

export function Badge({ value }: { value: string }) {
  return <span className={`badge badge-${value.replace(/[^a-z_]/g, '')}`}>{value.replace(/_/g, ' ')}</span>;
}

export function PageHead({ title, children }: { title: string; children?: ReactNode }) {
  useEffect(() => { document.title = `${title} · Postlane`; }, [title]);
  return <header className="page-head"><h1>{title}</h1><div className="actions">{children}</div></header>;
}

export interface Loaded<T> { data: T | undefined; error: unknown; loading: boolean; reload: () => void }

/** Loads with `fn` whenever `deps` change; `pollMs` re-loads quietly while the component lives. */
export function useLoad<T>(fn: () => Promise<T>, deps: unknown[], pollMs?: number | null): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const fnRef = useRef(fn);
  fnRef.current = fn;
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    fnRef.current().then((data) => { if (live) setState({ data, loading: false }); }, (error: unknown) => { if (live) setState((s) => ({ data: s.data, error, loading: false })); });
    return () => { live = false; };
  }, [...deps, tick]);
  useEffect(() => {
    if (!pollMs) return;
    const t = setInterval(reload, pollMs);
    return () => clearInterval(t);
  }, [pollMs, reload]);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}

/** Runs an async action, tracking busy state and the error to show. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = useCallback(async <T,>(fn: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true); setError(null);
    try { return await fn(); } catch (err) { setError(err); return undefined; } finally { setBusy(false); }
  }, []);
  return { busy, error, setError, run };
}

export function Loading({ what }: { what: string }) {
  return <p className="loading" role="status">Loading {what}…</p>;
}
