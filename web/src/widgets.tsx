// Widgets for the deliverability, settings, templates and dashboard pages: sub-page tabs (links, so
// each section has its own address), a copy button, and a download helper that keeps the session.
import { useState } from 'react';
import { Link, useLocation } from './router';

export function SubNav({ label, items }: { label: string; items: Array<[string, string]> }) {
  const { path } = useLocation();
  return (
    <nav aria-label={label} className="subnav">
      <ul>{items.map(([to, text]) => <li key={to}><Link to={to} aria-current={path === to ? 'page' : undefined}>{text}</Link></li>)}</ul>
    </nav>
  );
}

export function CopyButton({ text, label = 'Copy', what }: { text: string; label?: string; what?: string }) {
  const [state, setState] = useState<'idle' | 'done' | 'failed'>('idle');
  const copy = async () => {
    try { await navigator.clipboard.writeText(text); setState('done'); } catch { setState('failed'); }
    setTimeout(() => setState('idle'), 2000);
  };
  return (
    <button type="button" className="small" onClick={() => void copy()} aria-label={what && state === 'idle' ? `${label}: ${what}` : undefined} aria-live="polite">
      {state === 'done' ? 'Copied' : state === 'failed' ? 'Select and copy by hand' : label}
    </button>
  );
}
