// A fragment's version history on the templates page: open any version read-only and restore it.
// Restoring saves the old body as a new version on the server, so nothing in the history is lost.
import { useEffect, useRef, useState } from 'react';
import { api } from '../api';
import { ErrorBox, Loading, useAction, useLoad, when } from '../ui';

interface Version { version: number; created_at: string }
interface VersionBody extends Version { name: string; body: string }

export function FragmentVersions({ name, current, versions, onRestored }: { name: string; current: number; versions: Version[]; onRestored: (version: number) => void }) {
  const [open, setOpen] = useState<number | null>(null);
  return (
    <section aria-labelledby="versions-h">
      <h3 id="versions-h">Versions</h3>
      <ul className="plain">{versions.map((v) => (
        <li key={v.version}>
          Version {v.version}{v.version === current ? ' (current)' : ''} — {when(v.created_at)}{' '}
          {v.version !== current && (
            <button type="button" className="link-button" aria-expanded={open === v.version} aria-controls="version-view" onClick={() => setOpen(open === v.version ? null : v.version)}>
              {open === v.version ? 'Hide' : 'View'}<span className="sr-only"> version {v.version}</span>
            </button>
          )}
        </li>
      ))}</ul>
      {open !== null && <VersionView key={open} name={name} version={open} onClose={() => setOpen(null)} onRestored={(v) => { setOpen(null); onRestored(v); }} />}
    </section>
  );
}

function VersionView({ name, version, onClose, onRestored }: { name: string; version: number; onClose: () => void; onRestored: (version: number) => void }) {
  const v = useLoad(() => api.get<VersionBody>(`/fragments/${encodeURIComponent(name)}/versions/${version}`), [name, version]);
  const restore = useAction();
  const heading = useRef<HTMLHeadingElement>(null);
  // Keyboard and screen-reader users land on the version they opened, not back at the list.
  useEffect(() => { heading.current?.focus(); }, []);
  const doRestore = async () => {
    const r = await restore.run(() => api.post<{ version: number }>(`/fragments/${encodeURIComponent(name)}/versions/${version}/restore`));
    if (r) onRestored(r.version);
  };
  return (
    <div id="version-view" className="version-view" role="region" aria-label={`Version ${version} of ${name}`}>
      <h4 ref={heading} tabIndex={-1}>Version {version}{v.data && <span className="hint"> — saved {when(v.data.created_at)}</span>}</h4>
      <ErrorBox error={v.error} />
      {v.loading && !v.data ? <Loading what={`version ${version}`} /> : v.data && (
        // Read-only: a focusable <pre> so keyboard users can scroll a long body.
        <pre className="code" tabIndex={0} aria-label={`Body of version ${version}`}>{v.data.body}</pre>
      )}
      <div className="actions">
        <button type="button" className="primary" disabled={restore.busy || !v.data} onClick={() => void doRestore()}>Restore as new version</button>
        <button type="button" onClick={onClose}>Close</button>
      </div>
      <p className="hint">Restoring saves this body as the newest version; campaigns sent from now on use it. Unsaved edits in the editor above are replaced.</p>
      <ErrorBox error={restore.error} />
    </div>
  );
}
